"""Per-tag guidance (use when / avoid when): team leads write it in the app,
agents read it beside the chosen chip in the picker, curators beside the
boxes they tick while tagging."""

import pytest
from django.test import Client
from django.urls import reverse

from library.models import AppropriatenessTag, Gif, MoodTag, SituationTag

HTMX = {"HTTP_HX_REQUEST": "true"}


def page_of(response):
    return response.content.decode()


def guidance_url(vocabulary, tag):
    return reverse("library:tag_guidance", args=[vocabulary, tag.pk])


@pytest.fixture
def happy():
    return MoodTag.objects.get(name="Happy")


@pytest.mark.django_db
def test_the_vocabulary_page_lists_every_tag_of_all_three_with_its_guidance(
    lead_client, upload_gif, happy
):
    upload_gif(title="Smile", mood=[happy])

    response = lead_client.get(reverse("library:vocabularies"))

    page = page_of(response)
    for model, vocabulary in (
        (MoodTag, "mood"),
        (SituationTag, "situation"),
        (AppropriatenessTag, "appropriateness"),
    ):
        for tag in model.objects.all():
            assert guidance_url(vocabulary, tag) in page
    assert happy.use_when in page
    happy_row = next(
        section["tags"].get(pk=happy.pk)
        for section in response.context["sections"]
        if section["vocabulary"] == "mood"
    )
    assert happy_row.n == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("vocabulary", "model"),
    [
        ("mood", MoodTag),
        ("situation", SituationTag),
        ("appropriateness", AppropriatenessTag),
    ],
)
def test_a_lead_rewrites_a_tags_guidance(lead_client, vocabulary, model):
    tag = model.objects.order_by("name").first()

    response = lead_client.post(
        guidance_url(vocabulary, tag),
        {"use_when": "the sun shines", "avoid_when": "it rains"},
    )

    tag.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#{vocabulary}-{tag.pk}")
    assert tag.guidance == "Use when the sun shines. Avoid when it rains."


@pytest.mark.django_db
def test_an_unknown_vocabulary_is_not_found(lead_client, happy):
    response = lead_client.get(reverse("library:tag_guidance", args=["colour", 1]))

    assert response.status_code == 404


@pytest.mark.django_db
def test_guidance_is_text_never_html(lead_client, agent, upload_gif, happy):
    agent_client = Client()
    agent_client.force_login(agent)
    upload_gif(title="Smile", status=Gif.Status.APPROVED, mood=[happy])
    lead_client.post(
        guidance_url("mood", happy),
        {"use_when": "<b>bold</b> & <script>x()</script>", "avoid_when": ""},
    )

    page = page_of(
        agent_client.get(reverse("library:picker_results"), {"mood": "Happy"}, **HTMX)
    )

    assert "<script>x()" not in page
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;" in page


# --- Where it shows ---


@pytest.mark.django_db
def test_the_chosen_mood_chip_has_its_guidance_in_words_beside_it(
    agent_client, upload_gif, happy
):
    upload_gif(title="Smile", status=Gif.Status.APPROVED, mood=[happy])
    happy.use_when = "the customer laughs"
    happy.avoid_when = "they are upset"
    happy.save()

    chosen = page_of(
        agent_client.get(reverse("library:picker_results"), {"mood": "Happy"}, **HTMX)
    )
    not_chosen = page_of(agent_client.get(reverse("library:picker_results"), **HTMX))

    line = (
        '<p class="chip-guidance" id="mood-guidance" data-chip-guidance>'
        "<strong>Happy:</strong> Use when the customer laughs. "
        "Avoid when they are upset.</p>"
    )
    assert line in chosen
    assert 'aria-describedby="mood-guidance"' in chosen
    assert "data-chip-guidance" not in not_chosen
    # Unchosen chips keep it as a tooltip.
    assert 'title="Use when the customer laughs. Avoid when they are upset."' in (
        not_chosen
    )


@pytest.mark.django_db
def test_the_upload_page_shows_guidance_beside_each_tag_box(curator_client, happy):
    page = page_of(curator_client.get(reverse("library:upload")))

    box = page.index('value="Happy"')
    describedby = page[box : page.index(">", box)]
    assert "aria-describedby=" in describedby
    assert happy.guidance in page
    situation = SituationTag.objects.exclude(use_when="").first()
    assert situation.guidance in page


@pytest.mark.django_db
def test_the_edit_and_review_pages_show_guidance_beside_the_tag_boxes(
    curator_client, pending_gif, happy
):
    happy.use_when = "a written marker for this test"
    happy.save()

    edit = page_of(
        curator_client.get(reverse("library:gif_edit", args=[pending_gif.pk]))
    )
    review = page_of(
        curator_client.get(reverse("library:review", args=[pending_gif.pk]))
    )

    for page in (edit, review):
        assert "Use when a written marker for this test." in page
        assert 'class="help tag-guidance"' in page


@pytest.mark.django_db
def test_a_lead_edits_guidance_and_curators_see_it_while_tagging(
    lead_client, curator, happy
):
    lead_client.post(
        guidance_url("mood", happy),
        {"use_when": "the customer sent a smiley", "avoid_when": ""},
    )
    client = Client()
    client.force_login(curator)

    page = page_of(client.get(reverse("library:upload")))

    assert "Use when the customer sent a smiley." in page


@pytest.mark.django_db
def test_the_seeded_neutral_guidance_reads_as_a_sentence():
    """ "Use when …" goes on with a clause, not a bare noun phrase."""
    neutral = MoodTag.objects.get(name="Neutral")

    assert neutral.guidance.startswith(
        "Use when the exchange is calm and matter-of-fact but still allows"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "name", "avoid"),
    [
        (SituationTag, "Greeting", "Avoid when it is the first contact with"),
        (AppropriatenessTag, "Playful", "Avoid when the matter is serious"),
        (AppropriatenessTag, "Celebratory", "Avoid when the chat is about an outage"),
    ],
)
def test_the_seeded_avoid_when_notes_read_as_sentences(model, name, avoid):
    assert avoid in model.objects.get(name=name).guidance


@pytest.mark.django_db
@pytest.mark.parametrize("page_name", ["library:gif_detail", "library:picker_preview"])
def test_the_gifs_page_and_preview_spell_out_each_tags_guidance(
    agent_client, upload_gif, happy, page_name
):
    happy.use_when = "the customer laughs"
    happy.avoid_when = "they are upset"
    happy.save()
    playful = AppropriatenessTag.objects.get(name="Playful")
    playful.use_when = "the customer jokes first"
    playful.avoid_when = ""
    playful.save()
    gif = upload_gif(
        title="Smile",
        status=Gif.Status.APPROVED,
        mood=[happy],
        appropriateness=[playful],
    )

    page = page_of(agent_client.get(reverse(page_name, args=[gif.pk]), **HTMX))

    # In words keyboard and screen-reader users reach, folded under the chips.
    notes = page[page.index('<details class="tag-notes">') :]
    notes = notes[: notes.index("</details>")]
    assert "<summary>What its tags mean</summary>" in notes
    assert (
        "<dt>Happy</dt><dd>Use when the customer laughs. "
        "Avoid when they are upset.</dd>"
    ) in notes
    assert "<dt>Playful</dt><dd>Use when the customer jokes first.</dd>" in notes
    # Not as a title, which screen readers read before the tag's name.
    assert '<li class="chip">Happy</li>' in page
    assert 'title="Use when the customer laughs' not in page


@pytest.mark.django_db
def test_a_gif_whose_tags_have_no_guidance_shows_no_empty_notes(
    agent_client, upload_gif
):
    plain = MoodTag.objects.create(name="Plain")
    gif = upload_gif(title="Smile", status=Gif.Status.APPROVED, mood=[plain])

    page = page_of(agent_client.get(reverse("library:gif_detail", args=[gif.pk])))

    assert '<li class="chip">Plain</li>' in page
    assert "tag-notes" not in page


@pytest.mark.django_db
def test_the_russian_guidance_form_says_which_notes_are_english(lead, happy):
    client = Client(headers={"accept-language": "ru"})
    client.force_login(lead)

    page = page_of(client.get(guidance_url("mood", happy)))

    assert "Когда использовать… (по-английски)" in page
    assert "Когда не использовать… (по-английски)" in page
    assert "Когда использовать… (по-русски)" in page

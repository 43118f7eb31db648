"""A GIF's alt text in Russian: written beside the English one, it is what a
Russian reader's `alt` attributes and copied images carry, falling back to
the English; search finds its words; the API reads and edits it."""

import json
import re
from html import escape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from library.forms import GifForm
from library.models import Gif, GifEvent, MoodTag

HTMX = {"HTTP_HX_REQUEST": "true"}
ENGLISH_ALT = "Someone claps slowly."
RUSSIAN_ALT = "Кто-то медленно хлопает."


def page_of(response):
    return response.content.decode()


def client_of(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def edit_form(gif, **changes):
    return {
        "title": gif.title,
        "alt_text": gif.alt_text,
        "use_when": gif.use_when,
        "avoid_when": gif.avoid_when,
        "use_when_ru": gif.use_when_ru,
        "avoid_when_ru": gif.avoid_when_ru,
        "mood": [tag.name for tag in gif.mood.all()],
        **changes,
    }


def data_alt(text):
    """The copy data the picker's script builds Markdown and HTML from."""
    return f'data-alt="{escape(text)}"'


@pytest.fixture
def gif(upload_gif):
    return upload_gif(
        title="Slow clap",
        alt_text=ENGLISH_ALT,
        status=Gif.Status.APPROVED,
        mood=[MoodTag.objects.get(name="Happy")],
    )


@pytest.fixture
def translated_gif(gif):
    gif.alt_text_ru = RUSSIAN_ALT
    gif.save()
    gif.refresh_search_document()
    return gif


def picker_pages(client, gif):
    """The picker's result cards and the GIF's preview, as htmx asks."""
    cards = page_of(client.get(reverse("library:picker_results"), **HTMX))
    preview = page_of(
        client.get(reverse("library:picker_preview", args=[gif.pk]), **HTMX)
    )
    return cards, preview


@pytest.mark.django_db
def test_a_russian_reader_copies_the_russian_alt_text(agent, translated_gif):
    for page in picker_pages(client_of(agent, "ru"), translated_gif):
        assert data_alt(RUSSIAN_ALT) in page
        assert f'alt="{escape(RUSSIAN_ALT)}"' in page
        assert ENGLISH_ALT not in page
    for page in picker_pages(client_of(agent, "en"), translated_gif):
        assert data_alt(ENGLISH_ALT) in page
        assert RUSSIAN_ALT not in page
    detail = page_of(
        client_of(agent, "ru").get(
            reverse("library:gif_detail", args=[translated_gif.pk])
        )
    )
    assert f'alt="{escape(RUSSIAN_ALT)}"' in detail


@pytest.mark.django_db
def test_without_a_russian_alt_text_a_russian_reader_copies_the_english(agent, gif):
    for page in picker_pages(client_of(agent, "ru"), gif):
        assert data_alt(ENGLISH_ALT) in page
    with translation.override("ru"):
        assert gif.display_alt_text == ENGLISH_ALT
        gif.alt_text_ru = "   "
        assert gif.display_alt_text == ENGLISH_ALT


@pytest.mark.django_db
def test_a_curator_writes_the_russian_alt_text_on_the_edit_page(curator, gif):
    client = client_of(curator)
    edit_url = reverse("library:gif_edit", args=[gif.pk])
    page = page_of(client.get(edit_url))
    assert 'name="alt_text_ru"' in page
    assert "What Russian readers get; empty: they get the English alt text." in page

    response = client.post(edit_url, edit_form(gif, alt_text_ru=RUSSIAN_ALT))

    assert response.status_code == 302
    gif.refresh_from_db()
    assert gif.alt_text_ru == RUSSIAN_ALT
    event = gif.events.get(action=GifEvent.Action.EDITED)
    assert event.changes == {"alt_text_ru": {"from": "", "to": RUSSIAN_ALT}}
    assert [label for label, _, _ in event.describe_changes()] == [
        "Alt text (in Russian)"
    ]
    with translation.override("ru"):
        assert [label for label, _, _ in event.describe_changes()] == [
            "Альтернативный текст (по-русски)"
        ]


@pytest.mark.django_db
def test_the_russian_edit_page_labels_the_russian_alt_text_in_russian(curator, gif):
    page = page_of(
        client_of(curator, "ru").get(reverse("library:gif_edit", args=[gif.pk]))
    )

    assert "Альтернативный текст (по-русски)" in page
    assert (
        "Что получают читатели по-русски; если пусто — английский "
        "альтернативный текст." in page
    )


@pytest.mark.django_db
def test_a_post_without_the_russian_alt_text_keeps_it(curator, translated_gif):
    # A script or a page opened before the box existed.
    form = edit_form(translated_gif, title="Slower clap")

    response = client_of(curator).post(
        reverse("library:gif_edit", args=[translated_gif.pk]), form
    )

    assert response.status_code == 302
    translated_gif.refresh_from_db()
    assert translated_gif.alt_text_ru == RUSSIAN_ALT
    event = translated_gif.events.get(action=GifEvent.Action.EDITED)
    assert list(event.changes) == ["title"]


@pytest.mark.django_db
def test_the_review_pages_details_box_saves_the_russian_alt_text(curator, gif):
    page = page_of(client_of(curator).get(reverse("library:review", args=[gif.pk])))
    assert 'name="alt_text_ru"' in page


@pytest.mark.django_db
def test_the_api_reads_and_edits_the_russian_alt_text(curator, agent, gif):
    url = reverse("library:api_gif", args=[gif.pk])
    assert client_of(agent).get(url).json()["alt_text_ru"] == ""

    response = client_of(curator).patch(
        url, json.dumps({"alt_text_ru": RUSSIAN_ALT}), content_type="application/json"
    )

    assert response.status_code == 200
    assert response.json()["alt_text_ru"] == RUSSIAN_ALT
    assert client_of(agent).get(url).json()["alt_text_ru"] == RUSSIAN_ALT
    gif.refresh_from_db()
    assert (gif.alt_text, gif.alt_text_ru) == (ENGLISH_ALT, RUSSIAN_ALT)
    event = gif.events.get(action=GifEvent.Action.EDITED)
    assert event.changes == {"alt_text_ru": {"from": "", "to": RUSSIAN_ALT}}


@pytest.mark.django_db
def test_the_api_schema_lists_the_russian_alt_text(agent):
    schema = Client().get("/api/openapi.json").json()
    patch = schema["paths"]["/api/gifs/{id}/"]["patch"]["requestBody"]
    properties = patch["content"]["application/json"]["schema"]["properties"]
    assert properties["alt_text_ru"]["type"] == "string"
    assert "alt_text_ru" in schema["components"]["schemas"]["Gif"]["properties"]


@pytest.mark.django_db
def test_a_word_of_the_russian_alt_text_finds_the_gif(curator, agent, gif):
    client_of(curator).post(
        reverse("library:gif_edit", args=[gif.pk]),
        edit_form(gif, alt_text_ru=RUSSIAN_ALT),
    )

    found = client_of(agent).get(reverse("library:api_gifs"), {"q": "хлопа"}).json()

    assert [result["title"] for result in found["results"]] == ["Slow clap"]
    assert list(Gif.objects.pick(query="медленно")) == [gif]


@pytest.mark.django_db
def test_a_lead_writes_the_russian_alt_text_in_the_admin(lead, agent, gif):
    response = client_of(lead).post(
        reverse("admin:library_gif_change", args=[gif.pk]),
        {
            **edit_form(gif, alt_text_ru=RUSSIAN_ALT),
            "mood": "Happy",
            "situation": "",
            "appropriateness": "",
            "_save": "Save",
        },
    )

    assert response.status_code == 302, page_of(response)[:2000]
    gif.refresh_from_db()
    assert gif.alt_text_ru == RUSSIAN_ALT
    found = client_of(agent).get(reverse("library:api_gifs"), {"q": "хлопа"}).json()
    assert [result["title"] for result in found["results"]] == ["Slow clap"]


@pytest.mark.django_db
def test_approval_still_asks_for_the_english_alt_text(curator, upload_gif):
    pending = upload_gif(title="Wave", mood=[MoodTag.objects.get(name="Happy")])
    form_data = edit_form(pending, alt_text="", alt_text_ru=RUSSIAN_ALT)
    form = GifForm(form_data, instance=pending, user=curator)

    assert not form.check_ready_for_approval()
    assert "alt_text" in form.errors and "alt_text_ru" not in form.errors


# --- English for want of Russian, marked as English (WCAG 3.1.2) ---


@pytest.mark.django_db
@pytest.mark.parametrize("page_name", ["library:gif_detail", "library:picker_preview"])
def test_english_a_russian_reader_gets_for_want_of_russian_is_marked_english(
    agent, gif, page_name
):
    gif.use_when = "the customer jokes first"
    gif.avoid_when = "money is involved"
    gif.avoid_when_ru = "речь о деньгах"
    gif.save()

    page = page_of(
        client_of(agent, "ru").get(reverse(page_name, args=[gif.pk]), **HTMX)
    )

    assert f'alt="{ENGLISH_ALT}" lang="en"' in page
    assert '<span lang="en">the customer jokes first</span>' in page
    # What is in Russian stays unmarked, in the page's language.
    assert "</strong> речь о деньгах</p>" in page


@pytest.mark.django_db
def test_the_picker_cards_mark_an_english_alt_text_for_a_russian_reader(agent, gif):
    page = page_of(client_of(agent, "ru").get(reverse("library:home")))

    assert f'alt="{ENGLISH_ALT}" lang="en"' in page


@pytest.mark.django_db
def test_a_cards_english_note_is_marked_english_inside_the_russian_sentence(agent, gif):
    gif.use_when = "the customer jokes first"
    gif.avoid_when = "money is involved"
    gif.avoid_when_ru = "речь о деньгах"
    gif.save()

    page = page_of(client_of(agent, "ru").get(reverse("library:home")))
    card = page.split('class="card-guidance"', 1)[1].split("</p>", 1)[0]

    assert (
        'Используйте, когда <span lang="en">the customer jokes first</span>. '
        "Не используйте, когда речь о деньгах."
    ) in card


@pytest.mark.django_db
def test_a_tags_english_guidance_is_marked_english_for_a_russian_reader(agent, gif):
    happy = gif.mood.get()
    happy.use_when, happy.use_when_ru = "the customer thanks you", ""
    happy.save()

    page = page_of(
        client_of(agent, "ru").get(
            reverse("library:picker_preview", args=[gif.pk]), **HTMX
        )
    )

    assert '<span lang="en">the customer thanks you</span>' in page


def card_titles(page):
    """(lang attribute, title) of each card's title."""
    return re.findall(
        r'<span class="card-title" id="card-title-[\w-]+"((?: lang="en")?)>'
        r"(.*?)</span>",
        page,
    )


@pytest.mark.django_db
def test_an_english_title_is_marked_english_for_a_russian_reader(agent, gif):
    client = client_of(agent, "ru")
    cards, preview = picker_pages(client, gif)
    detail = page_of(client.get(reverse("library:gif_detail", args=[gif.pk])))

    assert card_titles(cards) == [(' lang="en"', "Slow clap")]
    assert '<h2 id="preview-title" tabindex="-1" lang="en">Slow clap</h2>' in preview
    assert '<h1 lang="en">Slow clap</h1>' in detail
    # What picker.js quotes in "Скопирована ссылка на «…»" carries it too.
    for page in (cards, preview):
        assert 'data-title="Slow clap" data-title-lang="en"' in page


@pytest.mark.django_db
def test_a_title_is_not_marked_for_an_english_reader_nor_when_written_in_russian(
    agent, gif
):
    english_cards, english_preview = picker_pages(client_of(agent), gif)
    gif.title = "Медленные аплодисменты"
    gif.save()
    russian_cards, russian_preview = picker_pages(client_of(agent, "ru"), gif)

    assert card_titles(english_cards) == [("", "Slow clap")]
    assert '<h2 id="preview-title" tabindex="-1">Slow clap</h2>' in english_preview
    assert card_titles(russian_cards) == [("", "Медленные аплодисменты")]
    for page in (english_cards, english_preview, russian_cards, russian_preview):
        assert "data-title-lang" not in page


@pytest.mark.django_db
def test_nothing_is_marked_english_where_russian_is_written_or_read_in_english(
    agent, translated_gif
):
    translated_gif.title = "Медленные аплодисменты"
    translated_gif.use_when = "the customer jokes first"
    translated_gif.use_when_ru = "клиент шутит первым"
    translated_gif.save()
    url = reverse("library:gif_detail", args=[translated_gif.pk])

    russian = page_of(client_of(agent, "ru").get(url))
    english = page_of(client_of(agent).get(url))

    assert f'alt="{RUSSIAN_ALT}" width=' in russian
    assert "клиент шутит первым" in russian
    for page in (russian, english):
        main = page.split("<main", 1)[1].split("</main>", 1)[0]
        assert 'lang="en"' not in main


@pytest.mark.django_db
def test_lists_of_gifs_mark_an_english_title_for_a_russian_reader(
    curator, lead, upload_gif
):
    upload_gif(title="Slow clap")  # pending, uploaded by curator
    upload_gif(title="Медленные аплодисменты")
    pages = [
        client_of(lead, "ru").get(reverse("library:review_queue")),
        client_of(curator, "ru").get(reverse("library:my_uploads")),
        client_of(lead, "ru").get(reverse("library:bulk_appropriateness")),
    ]

    for response in pages:
        page = page_of(response)
        assert re.search(r'lang="en">Slow clap<', page), response.request["PATH_INFO"]
        assert not re.search(r'lang="en">Медленные', page)


@pytest.mark.django_db
def test_headings_quoting_an_english_title_mark_it_for_a_russian_reader(
    lead, upload_gif
):
    gif = upload_gif(title="Slow clap <3")
    client = client_of(lead, "ru")
    pages = [
        client.get(reverse("library:review", args=[gif.pk])),
        client.get(reverse("library:gif_edit", args=[gif.pk])),
    ]
    english = client_of(lead).get(reverse("library:review", args=[gif.pk]))

    for response in pages:
        heading = re.search(r"<h1>(.*?)</h1>", page_of(response)).group(1)
        assert '«<span lang="en">Slow clap &lt;3</span>»' in heading
    assert "<h1>Review “Slow clap &lt;3”</h1>" in page_of(english)

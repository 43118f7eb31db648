"""Team leads edit the conversation contexts in the app: what each hides and
what it only warns about, taking effect in the picker's next search."""

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from library.models import (
    AppropriatenessTag,
    ConversationContext,
    Gif,
    MoodTag,
    indefinite_article,
    mid_sentence,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


def unsuitable(name):
    return AppropriatenessTag.objects.get(name=name)


def page_of(response):
    return response.content.decode()


def context_form(context, **changes):
    data = {
        "name": context.name,
        "description": context.description,
        "hides": [tag.pk for tag in context.hides.all()],
        "warns": [tag.pk for tag in context.warns.all()],
        "position": context.position,
    }
    if context.hides_every_gif:
        data["hides_every_gif"] = "on"
    data.update(changes)
    return data


@pytest.fixture
def upset():
    return ConversationContext.objects.get(slug="upset")


@pytest.fixture
def wink(upload_gif):
    return upload_gif(
        title="Winking face",
        alt_text="A wink.",
        status=Gif.Status.APPROVED,
        mood=[MoodTag.objects.get(name="Happy")],
        appropriateness=[unsuitable("Playful")],
    )


@pytest.fixture
def agent_picker(agent):
    """results(context) -> (titles, page) of the agent's picker in `context`."""
    client = Client()
    client.force_login(agent)

    def results(slug):
        client.post(reverse("library:picker_context"), {"context": slug})
        response = client.get(reverse("library:picker_results"), **HTMX)
        return [gif.title for gif in response.context["gifs"]], page_of(response)

    return results


@pytest.mark.django_db
def test_the_list_shows_each_context_with_what_it_hides_and_warns_about(
    lead_client,
):
    page = page_of(lead_client.get(reverse("library:contexts")))

    assert "Upset customer" in page
    assert "Money question" in page
    assert "Celebratory" in page
    assert reverse("library:context_create") in page


@pytest.mark.django_db
def test_the_edit_form_offers_each_tag_with_its_guidance(lead_client, upset):
    page = page_of(lead_client.get(reverse("library:context_edit", args=[upset.pk])))

    playful = unsuitable("Playful")
    assert playful.guidance
    assert page.count(escape(playful.guidance)) == 2  # beside "hides" and "warns"
    assert 'aria-describedby="id_warns_0-guidance"' in page
    assert 'id="id_warns_0-guidance"' in page


@pytest.mark.django_db
def test_a_lead_moves_a_tag_from_warned_to_hidden_and_the_picker_follows(
    lead_client, upset, wink, agent_picker
):
    titles, page = agent_picker("upset")
    assert titles == ["Winking face"]
    assert "Careful in an upset customer conversation: playful." in page

    response = lead_client.post(
        reverse("library:context_edit", args=[upset.pk]),
        context_form(
            upset,
            hides=[unsuitable("Celebratory").pk, unsuitable("Playful").pk],
            warns=[],
        ),
    )
    assert response.status_code == 302
    assert agent_picker("upset")[0] == []

    lead_client.post(
        reverse("library:context_edit", args=[upset.pk]),
        context_form(upset, hides=[unsuitable("Celebratory").pk], warns=[]),
    )
    titles, page = agent_picker("upset")
    assert titles == ["Winking face"]
    assert "Careful in" not in page


@pytest.mark.django_db
def test_a_lead_rules_out_every_gif_in_a_context_and_back(
    lead_client, upset, wink, agent_picker
):
    edit = reverse("library:context_edit", args=[upset.pk])

    response = lead_client.post(
        edit, context_form(upset, hides_every_gif="on", warns=[])
    )
    assert response.status_code == 302
    titles, page = agent_picker("upset")
    listed = page_of(lead_client.get(reverse("library:contexts")))

    assert titles == []
    assert "No GIF in a conversation like this: “Upset customer”." in page
    assert "every GIF: no GIF in this kind of conversation" in listed
    upset.refresh_from_db()
    lead_client.post(edit, context_form(upset, hides_every_gif=""))
    assert agent_picker("upset")[0] == ["Winking face"]


@pytest.mark.django_db
def test_a_context_that_sends_no_gif_cannot_warn_about_any(lead_client, upset):
    warned = [tag.pk for tag in upset.warns.all()]
    assert warned

    response = lead_client.post(
        reverse("library:context_edit", args=[upset.pk]),
        context_form(upset, hides_every_gif="on"),
    )

    assert response.status_code == 400
    assert (
        "A context that sends no GIF at all has no GIF to warn about: untick "
        "“Playful”, or untick “Send no GIF at all”."
    ) in unescape(page_of(response))
    upset.refresh_from_db()
    assert not upset.hides_every_gif
    assert [tag.pk for tag in upset.warns.all()] == warned


@pytest.mark.django_db
def test_the_list_says_nothing_of_warnings_where_no_gif_is_sent(lead_client):
    formal = ConversationContext.objects.get(slug="formal")
    # Left by data older than the form's check.
    formal.warns.add(unsuitable("Celebratory"))

    page = page_of(lead_client.get(reverse("library:contexts")))

    card = re.search(r'<li class="card" id="context-formal">.*?</li>', page, re.S)[0]
    assert "every GIF: no GIF in this kind of conversation" in card
    assert "Warns about" not in card
    assert "Celebratory" not in card
    upset = re.search(r'<li class="card" id="context-upset">.*?</li>', page, re.S)[0]
    assert "Warns about" in upset


@pytest.mark.django_db
def test_no_seeded_context_that_sends_no_gif_warns(lead_client):
    for context in ConversationContext.objects.filter(hides_every_gif=True):
        assert list(context.warns.all()) == [], context.slug


@pytest.mark.django_db
def test_a_tag_cannot_be_both_hidden_and_warned_about(lead_client, upset):
    playful = unsuitable("Playful")

    response = lead_client.post(
        reverse("library:context_edit", args=[upset.pk]),
        context_form(upset, hides=[playful.pk], warns=[playful.pk]),
    )

    assert response.status_code == 400
    assert "either hidden or warned about, not both: “Playful”" in page_of(response)
    assert playful not in ConversationContext.objects.get(pk=upset.pk).hides.all()


@pytest.mark.django_db
def test_renaming_keeps_the_slug_agents_sessions_hold(lead_client, upset, wink):
    lead_client.post(
        reverse("library:context_edit", args=[upset.pk]),
        context_form(upset, name="Angry customer"),
    )

    renamed = ConversationContext.objects.get(pk=upset.pk)
    assert renamed.name == "Angry customer"
    assert renamed.slug == "upset"


@pytest.mark.django_db
def test_a_lead_creates_a_context_the_picker_offers(lead_client, agent, wink):
    response = lead_client.post(
        reverse("library:context_create"),
        {
            "name": "Legal complaint",
            "description": "A lawyer writes: words only.",
            "hides": [unsuitable("Playful").pk],
            "warns": [],
            "position": 9,
        },
    )

    created = ConversationContext.objects.get(name="Legal complaint")
    assert response.status_code == 302
    assert created.slug == "legal-complaint"
    assert list(created.hides.all()) == [unsuitable("Playful")]
    client = Client()
    client.force_login(agent)
    picker = page_of(client.get(reverse("library:home")))
    assert 'id="context-legal-complaint"' in picker
    assert "A lawyer writes: words only." in picker


@pytest.mark.django_db
def test_a_name_already_taken_in_any_case_is_refused(lead_client):
    response = lead_client.post(
        reverse("library:context_create"),
        {"name": "money QUESTION", "description": "", "position": 0},
    )

    assert response.status_code == 400
    assert "There is already a context called “money QUESTION”." in page_of(response)
    assert (
        ConversationContext.objects.filter(name__iexact="money question").count() == 1
    )


@pytest.mark.django_db
def test_a_russian_name_already_taken_in_another_case_is_refused(lead_client):
    # SQLite's own case-insensitive comparison knows ASCII letters only.
    response = lead_client.post(
        reverse("library:context_create"),
        {
            "name": "Unhappy customer",
            "name_ru": "РАССТРОЕННЫЙ клиент",
            "description": "",
            "position": 0,
        },
    )

    assert response.status_code == 400
    assert "There is already a context called “РАССТРОЕННЫЙ клиент”." in page_of(
        response
    )
    assert not ConversationContext.objects.filter(name="Unhappy customer").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["!!!", "🙂", " - "])
def test_a_name_without_a_word_is_refused(lead_client, name):
    before = ConversationContext.objects.count()

    response = lead_client.post(
        reverse("library:context_create"),
        {"name": name, "description": "", "position": 0},
    )

    assert response.status_code == 400
    assert "Name the kind of conversation in words" in page_of(response)
    assert ConversationContext.objects.count() == before


@pytest.mark.django_db
def test_two_names_with_one_slug_get_two_slugs(lead_client):
    for name in ("VIP!", "VIP?"):
        lead_client.post(
            reverse("library:context_create"),
            {"name": name, "description": "", "position": 0},
        )

    slugs = set(
        ConversationContext.objects.filter(name__startswith="VIP").values_list(
            "slug", flat=True
        )
    )
    assert slugs == {"vip", "vip-2"}


def picker_context_slugs(user):
    client = Client()
    client.force_login(user)
    page = page_of(client.get(reverse("library:home")))
    return re.findall(r'id="context-([\w-]+)"', page)


def offered_place(page):
    return int(re.search(r'name="position" value="(\d+)"', page).group(1))


@pytest.mark.django_db
def test_a_new_context_goes_at_the_end_of_the_picker_unless_placed(lead_client, agent):
    form = page_of(lead_client.get(reverse("library:context_create")))
    lead_client.post(
        reverse("library:context_create"),
        {"name": "Legal complaint", "description": "", "position": offered_place(form)},
    )
    lead_client.post(
        reverse("library:context_create"),
        {"name": "Press", "description": "", "position": 1},
    )

    slugs = picker_context_slugs(agent)
    assert slugs[0] == "any"
    assert slugs[-1] == "legal-complaint"
    assert slugs.index("press") < slugs.index("outage")


@pytest.mark.django_db
def test_a_warning_keeps_the_capitals_of_a_name_that_has_them(
    lead_client, upset, wink, agent_picker
):
    upset.name = "VIP customer"
    upset.save()
    playful = unsuitable("Playful")
    playful.name = "Playful at SLA breach"
    playful.save()

    _, page = agent_picker("upset")

    assert "Careful in a VIP customer conversation: playful at SLA breach." in page


@pytest.mark.parametrize(
    ("name", "twin", "written"),
    [
        ("Upset customer", "", "upset customer"),
        ("Upset customer", "Расстроенный клиент", "upset customer"),
        ("Upset customer", "Upset customer", "upset customer"),  # twin not written
        ("VIP customer", "", "VIP customer"),
        ("API outage", "", "API outage"),
        ("ZenDesk outage", "", "ZenDesk outage"),
        ("B2B customer", "", "B2B customer"),
        ("Wi-Fi trouble", "", "Wi-Fi trouble"),
        ("Follow-up", "", "follow-up"),
        ("Zendesk outage", "Сбой Zendesk", "Zendesk outage"),
        ("Zendesk недоступен", "Zendesk is down", "Zendesk недоступен"),
        ("Zendesk недоступен", "", "Zendesk недоступен"),
        ("Сбой Zendesk", "Zendesk outage", "сбой Zendesk"),
        ("Расстроенный клиент", "Upset customer", "расстроенный клиент"),
        ("VIP-клиент", "VIP customer", "VIP-клиент"),
    ],
)
def test_a_name_inside_a_sentence_keeps_the_capital_of_a_proper_noun(
    name, twin, written
):
    assert mid_sentence(name, twin=twin) == written


@pytest.mark.parametrize(
    ("phrase", "article"),
    [
        ("upset customer", "an"),
        ("money question", "a"),
        ("SLA breach", "an"),
        ("FAQ follow-up", "an"),
        ("VIP customer", "a"),
        ("B2B customer", "a"),
        ("iOS crash", "an"),
    ],
)
def test_a_warning_chooses_its_article_by_how_the_name_is_read(phrase, article):
    assert indefinite_article(phrase) == article


@pytest.mark.django_db
def test_a_warning_before_an_initialism_reads_an(
    lead_client, upset, wink, agent_picker
):
    upset.name = "SLA breach"
    upset.save()

    _, page = agent_picker("upset")

    assert "Careful in an SLA breach conversation: playful." in page


@pytest.mark.django_db
def test_a_warning_keeps_the_capital_of_a_product_its_russian_twin_names(
    upset, wink, agent_picker
):
    upset.name, upset.name_ru = "Zendesk outage", "Сбой в Zendesk"
    upset.save()
    playful = unsuitable("Playful")
    playful.name, playful.name_ru = "Jira ticket open", "Открыт тикет в Jira"
    playful.save()

    _, page = agent_picker("upset")

    assert "Careful in a Zendesk outage conversation: Jira ticket open." in page


@pytest.mark.django_db
def test_a_russian_warning_keeps_a_brand_written_in_latin_letters(upset, wink, agent):
    upset.name_ru = "Zendesk недоступен"
    upset.save()
    playful = unsuitable("Playful")
    playful.name_ru = "Игривый"
    playful.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    client.force_login(agent)

    client.post(reverse("library:picker_context"), {"context": "upset"})
    page = page_of(client.get(reverse("library:picker_results"), **HTMX))

    assert "Осторожно в этом разговоре (Zendesk недоступен): игривый." in page

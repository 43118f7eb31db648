"""The per-GIF usage note (use when / avoid when): curators and team leads
write it on the GIF's edit page; agents read it in the picker and find the
GIF by its words."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from library.models import Gif, GifEvent, MoodTag

HTMX = {"HTTP_HX_REQUEST": "true"}


def page_of(response):
    return response.content.decode()


def note_form(gif, use_when, avoid_when=""):
    return {
        "title": gif.title,
        "alt_text": gif.alt_text,
        "use_when": use_when,
        "avoid_when": avoid_when,
        "mood": [tag.name for tag in gif.mood.all()],
    }


@pytest.fixture
def gif(upload_gif):
    return upload_gif(
        title="Slow clap",
        alt_text="Someone claps slowly.",
        status=Gif.Status.APPROVED,
        mood=[MoodTag.objects.get(name="Happy")],
    )


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["curator", "lead"])
def test_curators_and_leads_write_the_usage_note_on_the_edit_page(role, request, gif):
    user = request.getfixturevalue(role)
    client = client_of(user)
    edit_url = reverse("library:gif_edit", args=[gif.pk])
    assert 'name="use_when"' in page_of(client.get(edit_url))

    response = client.post(
        edit_url, note_form(gif, "a teammate saved the day", "the customer is upset")
    )

    gif.refresh_from_db()
    assert response.status_code == 302
    assert gif.use_when == "a teammate saved the day"
    assert gif.avoid_when == "the customer is upset"
    event = gif.events.get(action=GifEvent.Action.EDITED)
    assert event.actor == user
    assert event.changes["use_when"] == {"from": "", "to": "a teammate saved the day"}


@pytest.mark.django_db
def test_an_agent_cannot_write_the_usage_note(agent, gif):
    response = client_of(agent).post(
        reverse("library:gif_edit", args=[gif.pk]), note_form(gif, "always")
    )

    gif.refresh_from_db()
    assert response.status_code == 403
    assert gif.use_when == ""


@pytest.mark.django_db
def test_agents_read_the_note_in_the_picker_and_find_the_gif_by_it(curator, agent, gif):
    client_of(curator).post(
        reverse("library:gif_edit", args=[gif.pk]),
        note_form(gif, "a teammate saved the day"),
    )
    agent_client = client_of(agent)

    preview = page_of(
        agent_client.get(reverse("library:picker_preview", args=[gif.pk]), **HTMX)
    )
    found = agent_client.get(
        reverse("library:picker_results"), {"q": "teammate"}, **HTMX
    )

    assert "<strong>Use when</strong> a teammate saved the day" in preview
    assert [result.title for result in found.context["gifs"]] == ["Slow clap"]


@pytest.mark.django_db
def test_saving_a_note_unchanged_from_the_page_records_no_edit(curator, gif):
    # Written through the API or by the demo: line breaks are \n. A browser
    # sends the same textarea back with \r\n.
    gif.use_when = "the fix is live\nand you have checked it"
    gif.save()
    events_before = gif.events.count()

    response = client_of(curator).post(
        reverse("library:gif_edit", args=[gif.pk]),
        note_form(gif, "the fix is live\r\nand you have checked it"),
    )

    assert response.status_code == 302
    gif.refresh_from_db()
    assert gif.use_when == "the fix is live\nand you have checked it"
    assert gif.events.count() == events_before


@pytest.mark.django_db
def test_a_note_saved_from_the_page_comes_back_with_plain_line_breaks(curator, gif):
    client_of(curator).post(
        reverse("library:gif_edit", args=[gif.pk]),
        note_form(gif, "one line\r\nanother", avoid_when="first\r\nsecond"),
    )

    gif.refresh_from_db()
    assert (gif.use_when, gif.avoid_when) == ("one line\nanother", "first\nsecond")


# The note in Russian: Russian-speaking agents read it; empty, the English one.


def russian(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    return client


def russian_note_form(gif, use_when_ru, avoid_when_ru=""):
    return {
        **note_form(gif, gif.use_when, gif.avoid_when),
        "use_when_ru": use_when_ru,
        "avoid_when_ru": avoid_when_ru,
    }


@pytest.fixture
def noted_gif(gif):
    gif.use_when = "the customer made a joke"
    gif.avoid_when = "the customer is upset"
    gif.use_when_ru = "клиент пошутил"
    gif.save()
    gif.refresh_search_document()
    return gif


@pytest.mark.django_db
def test_each_note_shows_in_russian_to_russian_readers_else_in_english(noted_gif):
    with translation.override("ru"):
        assert noted_gif.display_use_when == "клиент пошутил"
        # No Russian "avoid when" is written: the English warning still shows.
        assert noted_gif.display_avoid_when == "the customer is upset"
        assert noted_gif.guidance == (
            "Используйте, когда клиент пошутил. "
            "Не используйте, когда the customer is upset."
        )
    with translation.override("en"):
        assert noted_gif.display_use_when == "the customer made a joke"
        assert noted_gif.guidance == (
            "Use when the customer made a joke. Avoid when the customer is upset."
        )


@pytest.mark.django_db
def test_a_curator_writes_the_russian_note_on_the_edit_page(curator, gif):
    client = client_of(curator)
    edit_url = reverse("library:gif_edit", args=[gif.pk])
    page = page_of(client.get(edit_url))
    assert 'name="use_when_ru"' in page and 'name="avoid_when_ru"' in page
    assert "What Russian readers see; empty: they see the English note." in page

    response = client.post(
        edit_url, russian_note_form(gif, "клиент\r\nпошутил", "клиент расстроен")
    )

    assert response.status_code == 302
    gif.refresh_from_db()
    assert (gif.use_when_ru, gif.avoid_when_ru) == (
        "клиент\nпошутил",
        "клиент расстроен",
    )
    event = gif.events.get(action=GifEvent.Action.EDITED)
    assert event.changes == {
        "use_when_ru": {"from": "", "to": "клиент\nпошутил"},
        "avoid_when_ru": {"from": "", "to": "клиент расстроен"},
    }
    assert [label for label, _, _ in event.describe_changes()] == [
        "Use when (in Russian)",
        "Avoid when (in Russian)",
    ]


@pytest.mark.django_db
def test_the_russian_edit_page_labels_the_russian_notes_in_russian(curator, gif):
    page = page_of(
        russian(client_of(curator)).get(reverse("library:gif_edit", args=[gif.pk]))
    )

    assert "Когда использовать (по-русски)" in page
    assert "Что видят читатели по-русски; если пусто — английскую заметку." in page
    # Beside it, the English twin says it is the English one.
    assert "Когда использовать (по-английски)" in page
    assert "Когда не использовать (по-английски)" in page


@pytest.mark.django_db
def test_a_post_without_the_russian_notes_keeps_them(curator, noted_gif):
    # A script or a page opened before they existed posts only the English.
    response = client_of(curator).post(
        reverse("library:gif_edit", args=[noted_gif.pk]),
        note_form(noted_gif, "the customer made a good joke", noted_gif.avoid_when),
    )

    assert response.status_code == 302
    noted_gif.refresh_from_db()
    assert noted_gif.use_when == "the customer made a good joke"
    assert noted_gif.use_when_ru == "клиент пошутил"
    event = noted_gif.events.get(action=GifEvent.Action.EDITED)
    assert list(event.changes) == ["use_when"]


@pytest.mark.django_db
def test_a_post_with_the_russian_note_emptied_empties_it(curator, noted_gif):
    client_of(curator).post(
        reverse("library:gif_edit", args=[noted_gif.pk]),
        russian_note_form(noted_gif, ""),
    )

    noted_gif.refresh_from_db()
    assert noted_gif.use_when_ru == ""


@pytest.mark.django_db
def test_the_api_reads_and_edits_the_russian_notes(curator, agent, noted_gif):
    url = reverse("library:api_gif", args=[noted_gif.pk])
    body = client_of(agent).get(url).json()
    assert (body["use_when"], body["use_when_ru"]) == (
        "the customer made a joke",
        "клиент пошутил",
    )
    assert body["avoid_when_ru"] == ""

    response = client_of(curator).patch(
        url,
        json.dumps({"avoid_when_ru": "клиент расстроен"}),
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["avoid_when_ru"] == "клиент расстроен"
    noted_gif.refresh_from_db()
    # What the change did not mention stays.
    assert noted_gif.use_when_ru == "клиент пошутил"
    assert noted_gif.avoid_when == "the customer is upset"
    event = noted_gif.events.get(action=GifEvent.Action.EDITED)
    assert event.changes == {"avoid_when_ru": {"from": "", "to": "клиент расстроен"}}


@pytest.mark.django_db
def test_a_word_of_the_russian_note_finds_the_gif(curator, agent, gif):
    client_of(curator).post(
        reverse("library:gif_edit", args=[gif.pk]),
        russian_note_form(gif, "клиент пошутил"),
    )

    found = client_of(agent).get(reverse("library:api_gifs"), {"q": "пошут"}).json()

    assert [result["title"] for result in found["results"]] == ["Slow clap"]


@pytest.mark.django_db
def test_the_picker_shows_the_russian_note_to_russian_readers(agent, noted_gif):
    english, ru = client_of(agent), russian(client_of(agent))
    preview_url = reverse("library:picker_preview", args=[noted_gif.pk])

    preview_ru = page_of(ru.get(preview_url, **HTMX))
    preview_en = page_of(english.get(preview_url, **HTMX))
    cards_ru = page_of(ru.get(reverse("library:picker_results"), **HTMX))
    page_ru = page_of(ru.get(reverse("library:gif_detail", args=[noted_gif.pk])))

    assert "<strong>Когда использовать:</strong> клиент пошутил" in preview_ru
    assert "the customer made a joke" not in preview_ru
    # The Russian "avoid when" is not written: the English warning shows.
    assert "the customer is upset" in preview_ru
    assert "<strong>Use when</strong> the customer made a joke" in preview_en
    assert "клиент пошутил" not in preview_en
    assert "Используйте, когда клиент пошутил." in cards_ru
    assert "клиент пошутил" in page_ru and "the customer made a joke" not in page_ru


@pytest.mark.django_db
def test_a_lead_writes_the_russian_note_in_the_admin(lead, agent, gif):
    response = client_of(lead).post(
        reverse("admin:library_gif_change", args=[gif.pk]),
        {
            "title": gif.title,
            "alt_text": gif.alt_text,
            "use_when": "",
            "avoid_when": "",
            "use_when_ru": "клиент пошутил",
            "avoid_when_ru": "",
            "mood": "Happy",
            "situation": "",
            "appropriateness": "",
            "_save": "Save",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    gif.refresh_from_db()
    assert gif.use_when_ru == "клиент пошутил"
    found = client_of(agent).get(reverse("library:api_gifs"), {"q": "пошут"}).json()
    assert [result["title"] for result in found["results"]] == ["Slow clap"]

"""The per-GIF usage note (use when / avoid when): curators and team leads
write it on the GIF's edit page; agents read it in the picker and find the
GIF by its words."""

import pytest
from django.test import Client
from django.urls import reverse

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

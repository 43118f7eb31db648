"""Edges where the shelf must stay consistent: renamed and deleted tags,
tags in any script, edits after approval, and what agents may learn."""

import json

import pytest
from django.contrib.admin.sites import site
from django.test import Client
from django.urls import reverse

from library.models import (
    AgentFlag,
    Gif,
    GifEvent,
    MoodTag,
    TagAlias,
)
from tests import images


def found(client, query):
    response = client.get("/api/gifs/", {"q": query})
    assert response.status_code == 200, response.content
    return [result["title"] for result in response.json()["results"]]


@pytest.fixture
def calm_gif(upload_gif):
    """An approved GIF tagged "Thank you", with alt text."""

    def make(title="Bowing cat", **fields):
        fields.setdefault("mood", [MoodTag.objects.get(name="Thank you")])
        return upload_gif(
            data=images.gif_bytes(count=3, duration=500, seed=len(title)),
            title=title,
            alt_text="A cat bows deeply.",
            status=Gif.Status.APPROVED,
            **fields,
        )

    return make


@pytest.mark.django_db
def test_a_renamed_tag_is_found_by_its_new_name_and_keeps_its_aliases(
    agent_client, calm_gif
):
    calm_gif()
    TagAlias.objects.create(name="merci", target="Thank you")
    tag = MoodTag.objects.get(name="Thank you")

    tag.name = "Many thanks"
    tag.save()

    assert found(agent_client, "many thanks") == ["Bowing cat"]
    assert found(agent_client, "merci") == ["Bowing cat"]
    assert TagAlias.objects.get().target == "Many thanks"
    # The old name matched the tag only; it is gone from the index.
    assert "|thank you|" not in Gif.objects.get().search_tags


@pytest.mark.django_db
def test_a_deleted_tag_no_longer_finds_its_gifs(agent_client, calm_gif):
    tag = MoodTag.objects.create(name="Zebrafoo")
    calm_gif(mood=[tag])
    assert found(agent_client, "zebrafoo") == ["Bowing cat"]

    tag.delete()

    assert found(agent_client, "zebrafoo") == []


@pytest.mark.django_db
def test_tags_in_cyrillic_match_whatever_their_case(curator_client, calm_gif):
    tag = MoodTag.objects.create(name="Спасибо")
    calm_gif(mood=[tag])

    by_mood = curator_client.get("/api/gifs/", {"mood": "спасибо"})
    aliased = curator_client.post(
        reverse("library:aliases"), {"name": "thx", "target": "СПАСИБО"}
    )

    assert [r["title"] for r in by_mood.json()["results"]] == ["Bowing cat"]
    assert aliased.status_code == 302
    assert TagAlias.objects.get().target == "Спасибо"
    assert found(curator_client, "thx") == ["Bowing cat"]


@pytest.mark.django_db
def test_an_edit_cannot_take_away_what_approval_required(curator_client, calm_gif):
    gif = calm_gif()

    response = curator_client.patch(
        f"/api/gifs/{gif.pk}/",
        json.dumps({"alt_text": "", "mood": [], "situation": []}),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "keeps its alt text" in response.json()["error"]
    gif.refresh_from_db()
    assert gif.alt_text == "A cat bows deeply."
    assert [tag.name for tag in gif.mood.all()] == ["Thank you"]


@pytest.mark.django_db
def test_too_many_files_at_once_are_refused_with_the_limit(curator_client, settings):
    settings.GIFSHELF_MAX_FILES_PER_UPLOAD = 2
    files = [images.named(images.gif_bytes(seed=n), f"{n}.gif") for n in range(3)]

    response = curator_client.post(reverse("library:upload"), {"files": files})

    assert response.status_code == 400
    assert "Upload at most 2 files at once." in response.content.decode()
    assert not Gif.objects.exists()


@pytest.mark.django_db
def test_an_edit_in_the_admin_lands_in_the_history(lead, calm_gif):
    gif = calm_gif()
    client = Client()
    client.force_login(lead)
    data = {
        "title": "Bowing politely",
        "alt_text": gif.alt_text,
        "use_when": "",
        "avoid_when": "",
        "mood": "Thank you",
        "situation": "",
        "appropriateness": "",
    }

    response = client.post(reverse("admin:library_gif_change", args=[gif.pk]), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    event = gif.events.filter(action=GifEvent.Action.EDITED).get()
    assert event.actor == lead
    assert "title" in event.details["in_admin"]["fields"]
    assert event.describe().startswith("In the admin: Title")
    assert site.is_registered(Gif)


@pytest.mark.django_db
def test_agents_never_learn_the_ids_of_unapproved_near_duplicates(
    client_for, upload_gif
):
    frames = images.scene_frames(count=8)
    original = images.encode(frames, "GIF", duration=200, loop=0)
    smaller = images.encode(images.resized(frames, 0.6), "GIF", duration=200, loop=0)
    shown = upload_gif(data=original, title="Original", status=Gif.Status.APPROVED)
    copy = upload_gif(data=smaller, title="Smaller copy")
    assert list(shown.near_duplicates.all()) == [copy]

    as_agent = client_for("agent").get(f"/api/gifs/{shown.pk}/").json()
    as_lead = client_for("lead").get(f"/api/gifs/{shown.pk}/").json()

    assert as_agent["near_duplicates"] == []
    assert as_lead["near_duplicates"] == [copy.pk]


@pytest.mark.django_db
def test_a_flagged_gif_is_not_counted_as_used(agent_client, agent, calm_gif):
    gif = calm_gif()
    AgentFlag.objects.create(gif=gif, raised_by=agent, reason="broken")

    response = agent_client.post(
        f"/api/gifs/{gif.pk}/copies/",
        json.dumps({"format": "link"}),
        content_type="application/json",
    )

    assert response.status_code == 404
    gif.refresh_from_db()
    assert gif.copy_count == 0

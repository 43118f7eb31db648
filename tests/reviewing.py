"""Helpers shared by the review, flag and history tests."""

import itertools
import json
from datetime import timedelta

from django.db.models import F
from django.test import Client
from django.urls import reverse
from PIL import Image

from library.models import Gif, Member, MoodTag, Playback, SituationTag
from tests import images

WATCH_REFUSAL = "Watch the GIF to its end before approving it."


def new_member(username, role):
    return Member.enrol(username, role)[0]


def client_of(user):
    """A client of its own, so that two people can act in one test."""
    client = Client()
    client.force_login(user)
    return client


def mood(name="Thank you"):
    return MoodTag.objects.get(name=name)


def situation(name="Thanks for your patience"):
    return SituationTag.objects.get(name=name)


_seeds = itertools.count(1000)


def calm_gif_bytes(**params):
    """Four frames of half a second each: a two-second loop that never flashes.

    (The conftest's default GIF changes colour every 80 ms, which the upload
    check rightly rates a flash risk.)
    """
    return images.gif_bytes(seed=next(_seeds), duration=500, **params)


def describe(upload_gif, **fields):
    """Upload a calm GIF with alt text and a mood: ready to approve once watched."""
    fields.setdefault("data", calm_gif_bytes())
    fields.setdefault("alt_text", "A cat bows politely.")
    fields.setdefault("mood", [mood()])
    return upload_gif(**fields)


def details_of(gif, **typed):
    """What the details form sends for `gif`: its words and tags as they
    stand, with `typed` over them."""
    return {
        "title": gif.title,
        "alt_text": gif.alt_text,
        "use_when": gif.use_when,
        "avoid_when": gif.avoid_when,
        "mood": [tag.name for tag in gif.mood.all()],
        "situation": [tag.name for tag in gif.situation.all()],
        **typed,
    }


def refreshed(gif):
    return Gif.objects.get(pk=gif.pk)


def page_of(response):
    return response.content.decode()


# The review clock


def start(client, gif):
    return client.post(reverse("library:api_review_start", args=[gif.pk]))


def open_without_playing(client, gif):
    """What the review page sends when it opens on a GIF it will not play by
    itself (flash risk; reduced motion with a sampled filmstrip)."""
    return client.post(reverse("library:api_review_open", args=[gif.pk]))


def step_to_last_frame(client, gif):
    return client.post(reverse("library:api_review_filmstrip", args=[gif.pk]))


def report_watched(client, gif):
    """What the review page sends when one whole loop played in view."""
    return client.post(reverse("library:api_review_watched", args=[gif.pk]))


def let_time_pass(gif, reviewer, ms):
    """Move the review clock's start back, as if `ms` had passed since."""
    moved = Playback.objects.filter(gif=gif, reviewer=reviewer).update(
        started_at=F("started_at") - timedelta(milliseconds=ms)
    )
    assert moved == 1, "start the review first"


def watch_to_the_end(client, gif, reviewer):
    assert start(client, gif).status_code == 200
    let_time_pass(gif, reviewer, gif.watch_ms)


# The JSON API


def post_json(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def api_approve(client, gif, **body):
    return post_json(client, reverse("library:api_approve", args=[gif.pk]), body)


def api_reject(client, gif, **body):
    return post_json(client, reverse("library:api_reject", args=[gif.pk]), body)


def api_flag(client, gif, **body):
    return post_json(client, reverse("library:api_flag", args=[gif.pk]), body)


def api_gif(client, gif):
    response = client.get(reverse("library:api_gif", args=[gif.pk]))
    assert response.status_code == 200
    return response.json()


def refusal(response):
    """(status, code, error) of a refused review action in the API."""
    assert response["Content-Type"] == "application/json"
    body = response.json()
    return response.status_code, body.get("code"), body["error"]


# The HTML pages


def page_approve(client, gif, follow=False, **data):
    return client.post(reverse("library:approve", args=[gif.pk]), data, follow=follow)


def page_reject(client, gif, follow=False, **data):
    return client.post(reverse("library:reject", args=[gif.pk]), data, follow=follow)


def queue_page(client):
    """The queue itself, without the navigation or messages naming GIFs."""
    response = client.get(reverse("library:review_queue"))
    assert response.status_code == 200
    page = page_of(response)
    return page[page.index('<main id="main">') :]


def in_page_order(page, titles):
    """`titles` as they appear down `page`, leaving out those it lacks."""
    present = [title for title in titles if title in page]
    return sorted(present, key=page.index)


def flashing_gif_bytes(frames=20, ms=50):
    """The whole frame turning black and white every 50 ms: ten flashes a
    second, far over WCAG 2.3.1's three."""
    black, white = (Image.new("RGB", (64, 48), shade) for shade in ("black", "white"))
    drawn = [black if index % 2 == 0 else white for index in range(frames)]
    return images.encode(drawn, "GIF", duration=ms, loop=0)

"""Agents' search answers are served again from memory, and nothing that
hides a GIF from an agent waits for that memory to expire."""

import os
import socket
import subprocess
import sys
import time

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from library.models import (
    AgentFlag,
    AppropriatenessTag,
    ConversationContext,
    Gif,
    MemberSession,
    TagAlias,
)
from tests.conftest import PASSWORD
from tests.reviewing import (
    api_approve,
    client_of,
    describe,
    mood,
    watch_to_the_end,
)

SEARCH = reverse("library:api_gifs")


@pytest.fixture
def agent_api(agent):
    return client_of(agent)


def search(client, **params):
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    return response.json()


def titles(client, **params):
    return [gif["title"] for gif in search(client, **params)["results"]]


@pytest.fixture
def waving(upload_gif):
    return describe(
        upload_gif,
        title="Waving cat",
        status=Gif.Status.APPROVED,
        appropriateness=[AppropriatenessTag.objects.get(name="Playful")],
    )


def test_a_repeated_search_is_answered_without_searching_again(agent_api, waving):
    first = search(agent_api, q="waving")
    with CaptureQueriesContext(connection) as again:
        second = search(agent_api, q="waving")
    assert second == first
    assert [gif["title"] for gif in second["results"]] == ["Waving cat"]
    read_the_shelf = [query["sql"] for query in again if "library_gif" in query["sql"]]
    assert read_the_shelf == []


def flag(shelf):
    shelf.gif.flag(by=shelf.agent, reason=AgentFlag.Reason.CUSTOMER_OFFENDED)


def retire(shelf):
    shelf.gif.retire(by=shelf.lead, reason="Nobody laughs any more.")


def take_down(shelf):
    shelf.gif.take_down(by=shelf.lead, reason="A rights holder asked.")


def delete(shelf):
    shelf.gif.delete()


def retitle(shelf):
    response = shelf.curator_api.patch(
        shelf.gif_api, {"title": "Sleepy dog"}, content_type="application/json"
    )
    assert response.status_code == 200


def hide_in_context(shelf):
    shelf.context.hides.add(AppropriatenessTag.objects.get(name="Playful"))


def mark_unsuitable(shelf):
    hidden = shelf.context.hides.first()
    Gif.objects.filter(pk=shelf.gif.pk).change_appropriateness(
        by=shelf.lead, add=[hidden]
    )


@pytest.mark.parametrize(
    "change",
    [flag, retire, take_down, delete, retitle, hide_in_context, mark_unsuitable],
)
def test_a_gif_leaves_the_agents_search_the_moment_it_must(
    change, agent_api, agent, curator, lead, waving
):
    context = ConversationContext.objects.get(slug="upset")
    params = {"q": "waving", "context": "upset"}
    assert titles(agent_api, **params) == ["Waving cat"]
    shelf = Shelf(
        gif=waving,
        agent=agent,
        lead=lead,
        context=context,
        curator_api=client_of(curator),
        gif_api=reverse("library:api_gif", args=[waving.pk]),
    )

    change(shelf)

    assert titles(agent_api, **params) == []


class Shelf:
    def __init__(self, **parts):
        self.__dict__.update(parts)


def test_an_approved_gif_reaches_cached_answers_when_they_expire(
    agent_api, upload_gif, curator, other_curator, settings
):
    settings.GIFSHELF_SEARCH_CACHE_SECONDS = 5  # a slow machine's margin
    bowing = describe(upload_gif, title="Bowing cat", by=curator)
    assert titles(agent_api, q="bowing") == []
    # After the answer: a loaded machine may take a while to cache it.
    cached_at = time.monotonic()
    reviewer = client_of(other_curator)
    watch_to_the_end(reviewer, bowing, other_curator)

    assert api_approve(reviewer, bowing).status_code == 200

    # A search nobody cached finds it at once, the cached one a moment later:
    # a review session approving GIF after GIF keeps the agents' answers.
    assert titles(agent_api, q="bow") == ["Bowing cat"]
    assert titles(agent_api, q="bowing") == []
    time.sleep(max(0, cached_at + 5.1 - time.monotonic()))
    assert titles(agent_api, q="bowing") == ["Bowing cat"]


def test_a_gif_back_from_a_flag_or_retirement_is_found_at_once(
    agent_api, agent, curator, lead, waving
):
    waving.flag(by=agent, reason=AgentFlag.Reason.BROKEN)
    assert titles(agent_api, q="waving") == []
    waving.restore(by=curator)
    assert titles(agent_api, q="waving") == ["Waving cat"]

    waving.retire(by=lead, reason="Overused.")
    assert titles(agent_api, q="waving") == []
    waving.reinstate(by=lead, reason="Missed.")
    assert titles(agent_api, q="waving") == ["Waving cat"]

    # A flag resolved in the admin rather than through restore().
    flag = waving.flag(by=agent, reason=AgentFlag.Reason.BROKEN)
    assert titles(agent_api, q="waving") == []
    flag.resolved_at = timezone.now()
    flag.resolution = AgentFlag.Resolution.RESTORED
    flag.save()
    assert titles(agent_api, q="waving") == ["Waving cat"]


def test_a_new_alias_finds_gifs_at_once(agent_api, waving):
    assert titles(agent_api, q="merci") == []
    TagAlias.objects.create(name="merci", target="Thank you")
    assert titles(agent_api, q="merci") == ["Waving cat"]


def test_new_tag_guidance_shows_at_once(agent_api, waving):
    assert (
        "Say it with a bow"
        not in search(agent_api, q="waving")["results"][0]["guidance"]
    )
    tag = mood()
    tag.use_when = "Say it with a bow."
    tag.save()
    assert (
        "Say it with a bow" in search(agent_api, q="waving")["results"][0]["guidance"]
    )


def test_a_new_context_warning_shows_at_once(agent_api, waving):
    outage = ConversationContext.objects.get(slug="outage")
    outage.warns.clear()
    params = {"q": "waving", "context": "outage"}
    assert search(agent_api, **params)["results"][0]["warnings"] == []

    outage.warns.add(AppropriatenessTag.objects.get(name="Playful"))

    [warning] = search(agent_api, **params)["results"][0]["warnings"]
    assert warning == "Careful in an outage or bug report conversation: playful."


def test_each_agent_reads_the_answer_in_their_own_language(agent_api, waving):
    params = {"q": "waving", "context": "outage"}  # which warns of playful GIFs

    def warnings(**headers):
        response = agent_api.get(SEARCH, params, **headers)
        return response.json()["results"][0]["warnings"]

    english = warnings()
    in_russian = warnings(HTTP_ACCEPT_LANGUAGE="ru")

    assert english == ["Careful in an outage or bug report conversation: playful."]
    assert len(in_russian) == 1
    assert "Careful" not in in_russian[0]
    assert warnings() == english


def test_links_follow_the_address_the_agent_asked_on(agent_api, waving, settings):
    settings.ALLOWED_HOSTS = ["shelf.example", "testserver"]

    def url(**headers):
        response = agent_api.get(SEARCH, {"q": "waving"}, **headers)
        return response.json()["results"][0]["url"]

    assert url().startswith("http://testserver/")
    assert url(HTTP_HOST="shelf.example").startswith("http://shelf.example/")


def test_curators_always_get_a_fresh_answer(agent, curator, upload_gif, waving):
    describe(upload_gif, title="Waving dog", status=Gif.Status.APPROVED)
    curator_api = client_of(curator)
    params = {"q": "waving"}
    assert titles(curator_api, **params)[0] == "Waving dog"  # the newer first
    waving.record_copy(by=agent, format="link")

    # More copied now: first for a curator at once, and for agents once
    # their cached answer expires.
    assert titles(curator_api, **params)[0] == "Waving cat"


def test_no_answer_is_kept_when_the_cache_is_off(
    agent_api, agent, upload_gif, settings
):
    settings.GIFSHELF_SEARCH_CACHE_SECONDS = 0
    first = describe(upload_gif, title="Waving cat", status=Gif.Status.APPROVED)
    describe(upload_gif, title="Waving dog", status=Gif.Status.APPROVED)
    assert titles(agent_api, q="waving")[0] == "Waving dog"
    first.record_copy(by=agent, format="link")
    assert titles(agent_api, q="waving")[0] == "Waving cat"


def redis_url():
    """The machine's Redis server (.ci/run has one), or a skip saying why."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError as refused:
        pytest.skip(f"no Redis server on 127.0.0.1:6379 ({refused})")
    return f"redis://127.0.0.1:6379/{REDIS_DATABASE}"


# A database of the Redis server no other use of it here touches.
REDIS_DATABASE = 13


@pytest.fixture
def shared_cache(settings):
    """The cache of a deployment with GIFSHELF_CACHE_URL: one Redis server
    for every process, emptied before and after."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url(),
            "KEY_PREFIX": f"gifshelf-test-{os.getpid()}",
        }
    }
    caches["default"].clear()
    yield caches["default"]
    caches["default"].clear()


def test_a_shared_cache_answers_again_and_forgets_a_flagged_gif(
    shared_cache, agent_api, agent, waving
):
    assert titles(agent_api, q="waving") == ["Waving cat"]
    with CaptureQueriesContext(connection) as again:
        assert titles(agent_api, q="waving") == ["Waving cat"]
    assert not [query for query in again if "library_gif" in query["sql"]]

    waving.flag(by=agent, reason=AgentFlag.Reason.CUSTOMER_OFFENDED)

    assert titles(agent_api, q="waving") == []


def test_a_cache_url_shares_the_cache_and_sessions_through_redis(tmp_path):
    url = redis_url()
    environment = {
        **os.environ,
        "GIFSHELF_CACHE_URL": url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "gifshelf.settings",
    }
    program = (
        "import django; django.setup(); "
        "from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND']); "
        "print(settings.CACHES['default']['LOCATION']); "
        "print(settings.SESSION_ENGINE)"
    )
    shown = subprocess.run(
        [sys.executable, "-c", program],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()

    assert shown == [
        "django.core.cache.backends.redis.RedisCache",
        url,
        "library.cached_sessions",
    ]


@pytest.mark.django_db
def test_the_shared_cache_keeps_session_rows_naming_their_member(
    shared_cache, settings, client, agent
):
    settings.SESSION_ENGINE = "library.cached_sessions"
    assert client.login(username=agent.username, password=PASSWORD)
    key = client.cookies["sessionid"].value

    assert shared_cache.get(f"django.contrib.sessions.cached_db{key}")
    assert MemberSession.objects.get(session_key=key).user_id == agent.pk
    assert client.get(SEARCH).status_code == 200

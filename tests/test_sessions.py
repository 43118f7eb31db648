"""A login lasts as long as its session, and no longer: a session and its
member are read by one plain statement (library.sessions, library.backends),
which must keep every rule Django's own readers keep."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session as DjangoSession
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from library.models import MemberSession as Session
from library.models import ShelfVersion
from library.sessions import SessionStore
from tests.conftest import PASSWORD

SEARCH_URL = "/api/gifs/"
LOGIN_URL = "/accounts/login/"


@pytest.fixture
def logged_in(client, agent):
    """The agent's browser, logged in through the login page."""
    response = client.post(
        LOGIN_URL, {"username": agent.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(SEARCH_URL).status_code == 200
    return client


@pytest.mark.django_db
def test_a_login_page_session_names_the_member_and_their_role(logged_in, agent):
    page = logged_in.get("/").content.decode()

    assert agent.username in page
    assert logged_in.get("/review/").status_code == 403  # an agent, not a curator


@pytest.mark.django_db
def test_an_expired_session_is_logged_out(logged_in):
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    assert logged_in.get(SEARCH_URL).status_code == 401


@pytest.mark.django_db
def test_logging_out_ends_the_session_for_every_server_process(logged_in):
    key = logged_in.cookies["sessionid"].value
    logged_in.post("/accounts/logout/")

    assert not Session.objects.filter(session_key=key).exists()
    logged_in.cookies["sessionid"] = key  # the old cookie, replayed
    assert logged_in.get(SEARCH_URL).status_code == 401


@pytest.mark.django_db
def test_a_new_password_logs_out_the_other_sessions(logged_in, agent):
    agent.set_password("a-whole-new-secret-42")
    agent.save()

    assert logged_in.get(SEARCH_URL).status_code == 401


@pytest.mark.django_db
def test_a_deleted_member_is_logged_out(logged_in, agent):
    agent.delete()

    assert logged_in.get(SEARCH_URL).status_code == 401


@pytest.mark.django_db
def test_an_unknown_session_key_is_a_visitor(client, agent):
    client.cookies["sessionid"] = "x" * 32

    assert client.get(SEARCH_URL).status_code == 401


@pytest.mark.django_db
def test_a_request_reads_its_session_and_member_in_one_statement(logged_in, agent):
    key = logged_in.cookies["sessionid"].value
    assert Session.objects.get(session_key=key).user_id == agent.pk

    logged_in.get(SEARCH_URL, {"q": "thanks"})
    with CaptureQueriesContext(connection) as read:
        assert logged_in.get(SEARCH_URL, {"q": "thanks"}).status_code == 200
    # A cached answer: the session, its member and the shelf's version.
    assert len(read) == 1, [query["sql"] for query in read]


@pytest.mark.django_db
def test_a_new_role_counts_from_the_next_request(logged_in, agent):
    assert logged_in.get(SEARCH_URL).status_code == 200

    agent.groups.set([Group.objects.get(name="Curator")])
    assert logged_in.get("/review/").status_code == 200
    agent.groups.clear()
    assert logged_in.get(SEARCH_URL).status_code == 403


@pytest.mark.django_db
def test_an_upgrade_keeps_everyone_logged_in(client, agent):
    """Migration 0018 moves live sessions from Django's table to the shelf's."""
    before = DjangoSessionStore()
    before.update(
        {
            "_auth_user_id": str(agent.pk),
            "_auth_user_backend": "library.backends.MemberBackend",
            "_auth_user_hash": agent.get_session_auth_hash(),
        }
    )
    before.create()
    visitor = DjangoSessionStore()
    visitor["_language"] = "ru"
    visitor.create()
    expired = DjangoSessionStore()
    expired["anything"] = 1
    expired.create()
    DjangoSession.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    unreadable = DjangoSession.objects.create(
        session_key="u" * 32,
        session_data="signed-with-a-key-long-gone",
        expire_date=timezone.now() + timedelta(days=1),
    )
    client.cookies["sessionid"] = before.session_key
    assert client.get(SEARCH_URL).status_code == 401  # not yet moved

    migration = importlib.import_module("library.migrations.0018_member_sessions")
    migration.keep_everyone_logged_in(apps, connection.schema_editor())

    client.cookies["sessionid"] = before.session_key  # (the 401 deleted it)
    assert client.get(SEARCH_URL).status_code == 200
    moved = dict(Session.objects.values_list("session_key", "user_id"))
    assert moved == {
        before.session_key: agent.pk,
        visitor.session_key: None,
        unreadable.session_key: None,
    }
    assert not DjangoSession.objects.exists()  # none to come back after a rollback

    migration.move_sessions_back(apps, connection.schema_editor())
    assert set(DjangoSession.objects.values_list("session_key", flat=True)) == set(
        moved
    )


@pytest.mark.django_db
def test_a_session_row_naming_another_member_changes_nobody(logged_in, agent, lead):
    """The member a session logs in is the one its signed data names; the
    row's column only saves a statement when the two agree."""
    key = logged_in.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(user_id=lead.pk)

    assert logged_in.get(SEARCH_URL).status_code == 200
    assert logged_in.get("/review/").status_code == 403  # still the agent


@pytest.mark.django_db
def test_a_session_read_outside_a_request_keeps_nothing_for_later(logged_in):
    key = logged_in.cookies["sessionid"].value
    ShelfVersion.advance()
    assert SessionStore(key).load()  # as a shell or a command might
    ShelfVersion.objects.update(token=12345)  # another process's change

    assert ShelfVersion.current() == 12345

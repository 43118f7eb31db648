"""A login lasts as long as its session, and no longer: sessions and members
are read by plain statements (library.sessions, library.backends), which
must keep every rule Django's own readers keep."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

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

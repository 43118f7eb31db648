"""A form sent after the session ended: the login says the change was not
saved and leads back to the page the form was on, never to a POST-only
address that would answer 405. The picker's htmx requests send the whole
browser to the login page, which says why, and logging in leads back to the
page the agent was on, never to a bare partial. The notice and the way back
stay through a wrong password and a lockout."""

import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from library.models import MemberSession
from tests.conftest import PASSWORD
from tests.test_languages import english_left

LOGIN_URL = reverse("login")
NOTICE = "Your session had ended, so what you just sent was not saved."
ENDED = "Your session had ended. Log in to carry on where you left off."
WRONG = "That username and password do not match."
LOCKED = "Too many failed log-ins for this account or from this address."


def log_in(client, user, next_page=""):
    return client.post(
        LOGIN_URL, {"username": user.username, "password": PASSWORD, "next": next_page}
    )


@pytest.fixture
def ended(client, curator):
    """The curator's browser, logged in through the login page, after the
    session ran out."""
    assert log_in(client, curator).status_code == 302
    MemberSession.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    return client


def login_query(response):
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert url.path == LOGIN_URL
    return parse_qs(url.query)


@pytest.mark.django_db
def test_a_note_sent_after_the_session_ended_leads_back_to_its_edit_page(
    ended, curator, approved_gif
):
    edit_page = reverse("library:gif_edit", args=[approved_gif.pk])

    response = ended.post(
        edit_page,
        {"title": approved_gif.title, "use_when": "When a customer says thanks"},
        HTTP_REFERER=f"http://testserver{edit_page}",
    )

    assert login_query(response) == {"next": [edit_page], "unsaved": ["1"]}
    approved_gif.refresh_from_db()
    assert approved_gif.use_when == ""
    login_page = ended.get(response["Location"])
    assert NOTICE in login_page.content.decode()
    assert f'name="next" value="{edit_page}"' in login_page.content.decode()
    back = log_in(ended, curator, next_page=edit_page)
    assert back["Location"] == edit_page
    assert ended.get(edit_page).status_code == 200


@pytest.mark.django_db
def test_a_post_only_form_leads_back_to_the_page_it_was_on_not_to_a_405(
    ended, curator, approved_gif
):
    gif_page = reverse("library:gif_detail", args=[approved_gif.pk])

    response = ended.post(
        reverse("library:flag", args=[approved_gif.pk]),
        {"reason": "customer_offended"},
        HTTP_REFERER=f"http://testserver{gif_page}?tab=history",
    )

    next_page = login_query(response)["next"][0]
    assert next_page == f"{gif_page}?tab=history"
    assert not approved_gif.agent_flags.exists()
    assert log_in(ended, curator, next_page=next_page)["Location"] == next_page
    assert ended.get(next_page).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "referer",
    [
        "https://evil.example/gifs/1/",  # another site
        "//evil.example/",
        f"http://testserver{LOGIN_URL}?next=/",  # would go round in circles
        "",  # the browser sent none
    ],
)
def test_without_a_page_of_this_site_to_go_back_to_the_login_leads_home(
    ended, referer, approved_gif
):
    headers = {"HTTP_REFERER": referer} if referer else {}

    response = ended.post(
        reverse("library:favourite", args=[approved_gif.pk]), **headers
    )

    assert login_query(response) == {"unsaved": ["1"]}
    assert NOTICE in ended.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_opening_a_page_after_the_session_ended_still_comes_back_to_it(ended):
    response = ended.get(reverse("library:my_uploads"), {"page": "2"})

    assert login_query(response) == {"next": ["/my-uploads/?page=2"]}
    assert NOTICE not in ended.get(response["Location"]).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["unsaved", "ended"])
def test_the_login_page_says_so_in_russian(client, reason):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"

    page = client.get(LOGIN_URL, {reason: "1", "next": "/"}).content.decode()

    assert "Ваш сеанс закончился" in page
    assert english_left(page) == []


# --- The notice through failed log-ins ---------------------------------------


def sent_back(login_page):
    """What the login form sends besides the username and password: its
    hidden fields, as the browser would."""
    fields = re.findall(
        r'<input type="hidden" name="(\w+)" value="([^"]*)">', login_page
    )
    return {name: html.unescape(value) for name, value in fields}


@pytest.fixture
def limits(settings):
    settings.GIFSHELF_LOGIN_FAILURES_PER_ACCOUNT = 2
    settings.GIFSHELF_LOGIN_FAILURES_PER_ADDRESS = 5
    settings.GIFSHELF_LOGIN_LOCKOUT_SECONDS = 600
    settings.GIFSHELF_CLIENT_IP_HEADER = ""


@pytest.mark.django_db
def test_the_unsaved_notice_and_the_way_back_stay_through_wrong_passwords_and_a_lockout(
    ended, curator, approved_gif, limits
):
    edit_page = reverse("library:gif_edit", args=[approved_gif.pk])
    response = ended.post(
        edit_page,
        {"title": approved_gif.title, "use_when": "When a customer says thanks"},
        HTTP_REFERER=f"http://testserver{edit_page}",
    )
    login_page = ended.get(response["Location"]).content.decode()

    # The second failure reaches the limit of two, and says so.
    for status, refusal in [(200, WRONG), (429, LOCKED), (429, LOCKED)]:
        response = ended.post(
            LOGIN_URL,
            {**sent_back(login_page), "username": "bob", "password": "wrong guess"},
        )
        login_page = response.content.decode()
        assert response.status_code == status
        assert refusal in login_page
        assert NOTICE in login_page
        assert sent_back(login_page)["next"] == edit_page


# --- htmx requests: the picker's partials --------------------------------------


def htmx(current_url=None, referer=None):
    """The headers htmx sends from a page at `current_url`."""
    headers = {"HX-Request": "true"}
    if current_url is not None:
        headers["HX-Current-URL"] = current_url
    if referer is not None:
        headers["Referer"] = referer
    return headers


def sent_to_log_in(response):
    """The login page an htmx answer sends the browser to, as its query."""
    assert response.status_code == 200
    assert "Location" not in response  # htmx would follow it itself
    url = urlsplit(response["HX-Redirect"])
    assert url.path == LOGIN_URL
    return parse_qs(url.query)


@pytest.fixture
def agent_ended(client, agent):
    """The agent's browser, logged in through the login page, after the
    session ran out."""
    assert log_in(client, agent).status_code == 302
    MemberSession.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    return client


@pytest.mark.django_db
def test_a_search_after_the_session_ended_logs_in_again_back_to_the_picker(
    agent_ended, agent
):
    response = agent_ended.get(
        reverse("library:picker_results"),
        {"q": "sorry"},
        headers=htmx("http://testserver/?q=thanks&mood=happy"),
    )

    assert sent_to_log_in(response) == {
        "next": ["/?q=thanks&mood=happy"],
        "ended": ["1"],
    }
    login_page = agent_ended.get(response["HX-Redirect"]).content.decode()
    assert ENDED in login_page
    assert NOTICE not in login_page
    fields = sent_back(login_page)
    assert fields["next"] == "/?q=thanks&mood=happy"
    back = agent_ended.post(
        LOGIN_URL, {**fields, "username": agent.username, "password": PASSWORD}
    )
    assert back["Location"] == "/?q=thanks&mood=happy"
    picker = agent_ended.get(back["Location"]).content.decode()
    assert "<html" in picker and 'id="picker-q"' in picker


@pytest.mark.django_db
def test_a_preview_after_the_session_ended_leads_back_to_the_page_not_the_panel(
    agent_ended, approved_gif
):
    response = agent_ended.get(
        reverse("library:picker_preview", args=[approved_gif.pk]),
        headers=htmx("http://testserver/?q=sorry"),
    )

    assert sent_to_log_in(response)["next"] == ["/?q=sorry"]


@pytest.mark.django_db
def test_a_context_chosen_after_the_session_ended_says_it_was_not_saved(
    agent_ended, agent
):
    response = agent_ended.post(
        reverse("library:picker_context"),
        {"context": "outage", "q": "sorry"},
        headers=htmx("http://testserver/?q=sorry"),
    )

    assert sent_to_log_in(response) == {"next": ["/?q=sorry"], "unsaved": ["1"]}
    assert "picker_context" not in agent_ended.session
    login_page = agent_ended.get(response["HX-Redirect"]).content.decode()
    assert NOTICE in login_page
    assert ENDED not in login_page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("current_url", "referer", "next_page"),
    [
        # Another site's page, or a login page, is never where the login
        # leads: the Referer is next in line, then the picker.
        ("https://evil.example/?q=sorry", "http://testserver/?q=thanks", "/?q=thanks"),
        ("//evil.example/", None, "/"),
        (f"http://testserver{LOGIN_URL}?next=/", None, "/"),
        (None, "http://testserver/my-uploads/", "/my-uploads/"),
        (None, "https://evil.example/", "/"),
        (None, None, "/"),
    ],
)
def test_an_htmx_request_from_no_page_of_this_site_logs_in_back_to_the_picker(
    agent_ended, current_url, referer, next_page
):
    response = agent_ended.get(
        reverse("library:picker_results"),
        {"q": "sorry"},
        headers=htmx(current_url, referer),
    )

    assert sent_to_log_in(response)["next"] == [next_page]


@pytest.mark.django_db
def test_the_same_partial_without_htmx_still_redirects_as_before(agent_ended):
    response = agent_ended.get(
        reverse("library:picker_results"),
        {"q": "sorry"},
        headers={"HX-Current-URL": "http://testserver/?q=thanks"},
    )

    assert login_query(response) == {"next": ["/picker/results/?q=sorry"]}
    assert "HX-Redirect" not in response


@pytest.mark.django_db
def test_an_htmx_request_with_a_session_still_gets_its_partial(agent_client):
    response = agent_client.get(
        reverse("library:picker_results"),
        {"q": "sorry"},
        headers=htmx("http://testserver/"),
    )

    assert response.status_code == 200
    assert "HX-Redirect" not in response


@pytest.mark.django_db
def test_the_session_ended_notice_stays_through_a_wrong_password(agent_ended, agent):
    response = agent_ended.get(
        reverse("library:picker_results"),
        {"q": "sorry"},
        headers=htmx("http://testserver/?q=thanks"),
    )
    login_page = agent_ended.get(response["HX-Redirect"]).content.decode()

    wrong = agent_ended.post(
        LOGIN_URL, {**sent_back(login_page), "username": "alice", "password": "no"}
    ).content.decode()

    assert WRONG in wrong and ENDED in wrong
    back = agent_ended.post(
        LOGIN_URL,
        {**sent_back(wrong), "username": agent.username, "password": PASSWORD},
    )
    assert back["Location"] == "/?q=thanks"

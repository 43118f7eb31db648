"""A form sent after the session ended: the login says the change was not
saved and leads back to the page the form was on, never to a POST-only
address that would answer 405. The notice and the way back stay through a
wrong password and a lockout."""

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
def test_the_login_page_says_so_in_russian(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"

    page = client.get(LOGIN_URL, {"unsaved": "1", "next": "/"}).content.decode()

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

    for status, refusal in [(200, WRONG), (200, WRONG), (429, LOCKED)]:
        response = ended.post(
            LOGIN_URL,
            {**sent_back(login_page), "username": "bob", "password": "wrong guess"},
        )
        login_page = response.content.decode()
        assert response.status_code == status
        assert refusal in login_page
        assert NOTICE in login_page
        assert sent_back(login_page)["next"] == edit_page

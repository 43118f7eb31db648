"""A member makes a personal API token in real Chromium and copies it with
one click: it is shown only once, so the copy has to work or say so."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from library.models import ApiToken

NO_COPYING_AT_ALL = """
Object.defineProperty(Navigator.prototype, "clipboard", {get: () => undefined});
document.execCommand = () => false;
"""


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_a_token(page, name, lifetime):
    page.goto("/preferences/")
    page.get_by_label("New token for").fill(name)
    page.get_by_label("Works for").select_option(label=lifetime)
    page.get_by_role("button", name="Create a token").click()
    return page.get_by_label("New API token").input_value()


def test_the_new_token_is_copied_with_one_click_and_works(
    page, log_in, agent, live_server
):
    page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=live_server.url
    )
    log_in(agent)

    key = make_a_token(page, "Slack macro", "1 year")
    page.get_by_role("button", name="Copy the token").click()

    expect(page.get_by_text("Copied. Paste it where")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == key
    assert ApiToken.objects.get().expires_at is not None
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert Client().get("/api/gifs/", **bearer).status_code == 200


def test_when_the_browser_cannot_copy_the_token_is_selected_for_ctrl_c(
    page, log_in, agent
):
    page.add_init_script(NO_COPYING_AT_ALL)
    log_in(agent)

    key = make_a_token(page, "Shell script", "30 days")
    page.get_by_role("button", name="Copy the token").click()

    expect(page.get_by_text("Could not copy: the token is selected")).to_be_visible()
    selected = page.evaluate(
        """() => {
          const input = document.activeElement;
          return input.value.slice(input.selectionStart, input.selectionEnd);
        }"""
    )
    assert selected == key


def test_without_javascript_the_token_shows_and_no_dead_copy_button(
    page_without_scripts, agent
):
    # Before tokens.js runs (or where scripts are off) a Copy button would do
    # nothing when clicked; the token itself is there to select.
    page = page_without_scripts(agent)

    key = make_a_token(page, "Cron job", "30 days")

    assert key.startswith("gs_")
    expect(page.get_by_label("New API token")).to_be_visible()
    expect(page.get_by_role("button", name="Copy the token")).to_be_hidden()

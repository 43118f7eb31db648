"""Tests that drive real headless Chromium (Debian's) through Playwright.

Fixtures:
  browser       one Chromium per test process (so one per xdist worker)
  page          a fresh context and page per test; relative URLs go to the
                live server
  log_in(user)  logs the page in as `user` and returns the page
  curator_page  the page, logged in as the curator Bob

Without Chromium every test here skips with the reason; with
GIFSHELF_REQUIRE_BROWSER=1 (CI) it fails instead.
"""

import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from tests.browser.chromium import LAUNCH_ARGS, NoBrowser, find_chromium, give_up

HERE = Path(__file__).resolve().parent
TIMEOUT_MS = 10_000
VIEWPORT = {"width": 1280, "height": 800}


# The live server starts before any test's settings apply, so WhiteNoise looks
# for the real STATIC_ROOT, which only collectstatic fills. Static files come
# from the apps' folders through the live server's own static handler.
NO_STATIC_ROOT_WARNING = pytest.mark.filterwarnings(
    "ignore:No directory at:UserWarning"
)


def pytest_collection_modifyitems(items):
    # A conftest's collection hook sees the whole run's items: mark only ours.
    for item in items:
        if HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(NO_STATIC_ROOT_WARNING)


@pytest.fixture(scope="session")
def browser():
    # give_up() is called outside the except blocks, so that a skip or a
    # failure shows its reason alone, without a chained traceback.
    try:
        executable = find_chromium()
        from playwright.sync_api import expect, sync_playwright
    except NoBrowser as error:
        reason = str(error)
    except ImportError:
        reason = "the playwright Python package is not installed"
    else:
        reason = None
    if reason:
        give_up(reason)

    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an asyncio loop running in this thread
        # while the browser lives, and Django then refuses ORM calls here.
        # Tests use the ORM synchronously, so the check only gets in the way.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        expect.set_options(timeout=TIMEOUT_MS)
        before = {alias: connections[alias] for alias in connections}
        playwright = sync_playwright().start()
        # With a loop running, Django keeps connections in a context variable
        # instead of the thread's storage, so this thread would now get new
        # ones: without the test database's serialized contents (which
        # restore the migrations' data after each transactional test), and
        # apart from the connection the earlier tests used.
        for alias, connection in before.items():
            connections[alias] = connection
        try:
            chromium = playwright.chromium.launch(
                executable_path=executable, args=LAUNCH_ARGS
            )
        except Exception as error:
            reason = f"{executable} did not start: {str(error).splitlines()[0]}"
        if reason:
            playwright.stop()
            give_up(reason)
        try:
            yield chromium
        finally:
            chromium.close()
            playwright.stop()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Members get real passwords, and PBKDF2 costs most of a second each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def page(browser, live_server, django_db_serialized_rollback):
    # The live server makes each test transactional, which empties the
    # database afterwards; the serialized rollback restores the roles and
    # vocabularies the migrations created, for the tests that follow.
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    in_flight = set()
    context.on("request", lambda request: in_flight.add(request))
    context.on("requestfinished", lambda request: in_flight.discard(request))
    context.on("requestfailed", lambda request: in_flight.discard(request))
    try:
        yield context.new_page()
        wait_for_the_server(context, in_flight)
    finally:
        context.close()


def wait_for_the_server(context, in_flight):
    """Until every request the pages sent has its answer.

    The picker records a copy after the clipboard write, in the background,
    so a test may end with the live server still writing it; emptying the
    database meanwhile waits on that request, or on PostgreSQL deadlocks
    with it.
    """
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while in_flight and context.pages and time.monotonic() < deadline:
        context.pages[0].wait_for_timeout(20)  # lets Playwright deliver events


@pytest.fixture
def page_without_scripts(browser, live_server, django_db_serialized_rollback):
    """page_without_scripts(user): a page of its own with JavaScript off,
    logged in as `user` (the page fixture's has scripts on)."""
    contexts = []

    def open_for(user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context = browser.new_context(
            base_url=live_server.url, java_script_enabled=False
        )
        contexts.append(context)
        context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
        )
        return context.new_page()

    yield open_for
    for context in contexts:
        context.close()


@pytest.fixture
def log_in(page, live_server):
    """log_in(user) logs the page in as `user`, without the login form."""

    def log_in(user):
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": session.key, "value": session.value, "url": live_server.url}]
        )
        return page

    return log_in


@pytest.fixture
def curator_page(log_in, curator):
    return log_in(curator)

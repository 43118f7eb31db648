"""Which Chromium the browser tests drive, and what to do when there is none.

Kept apart from conftest.py so tests/test_browser_guard.py can check the
decision without starting a browser.
"""

import os
import shutil

import pytest

DEBIAN_CHROMIUM = "/usr/bin/chromium"

# Headless as root on a closed network: no sandbox, no GPU, no phoning home.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class NoBrowser(Exception):
    """No Chromium the tests can drive; the message says why."""


def is_executable(path):
    return os.path.isfile(path) and os.access(path, os.X_OK)


def find_chromium(environ=os.environ):
    """The Chromium to launch: $GIFSHELF_CHROMIUM, else `chromium` on PATH,
    else Debian's. Raises NoBrowser with the reason when there is none.

    An explicit GIFSHELF_CHROMIUM that is wrong is an error, not a hint: it
    never falls back, so a typo cannot quietly test another browser.
    """
    configured = environ.get("GIFSHELF_CHROMIUM", "")
    if configured:
        if is_executable(configured):
            return configured
        raise NoBrowser(f"GIFSHELF_CHROMIUM={configured} is not an executable file")
    on_path = shutil.which("chromium", path=environ.get("PATH", os.defpath))
    for candidate in (on_path, DEBIAN_CHROMIUM):
        if candidate and is_executable(candidate):
            return candidate
    raise NoBrowser(
        "no Chromium found: install Debian's chromium package "
        "or set GIFSHELF_CHROMIUM to its path"
    )


def browser_required(environ=os.environ):
    """CI sets GIFSHELF_REQUIRE_BROWSER=1: there, browser tests must run."""
    value = environ.get("GIFSHELF_REQUIRE_BROWSER", "")
    return value.strip().lower() in {"1", "true", "yes", "on"}


def give_up(reason, environ=os.environ):
    """Skip the browser tests, or fail them where a browser is required."""
    if browser_required(environ):
        pytest.fail(
            f"Browser tests cannot run: {reason}. "
            "GIFSHELF_REQUIRE_BROWSER=1 turns this skip into a failure.",
            pytrace=False,
        )
    pytest.skip(f"Browser tests skipped: {reason}")

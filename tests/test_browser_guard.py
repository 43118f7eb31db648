"""Browser tests skip where there is no Chromium, and fail instead in CI."""

import pytest

from tests.browser import chromium
from tests.browser.chromium import NoBrowser, find_chromium, give_up


@pytest.fixture
def fake_chromium(tmp_path):
    folder = tmp_path / "bin"
    folder.mkdir()
    program = folder / "chromium"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    return program


@pytest.fixture
def no_debian_chromium(monkeypatch, tmp_path):
    monkeypatch.setattr(chromium, "DEBIAN_CHROMIUM", str(tmp_path / "absent"))


def test_gifshelf_chromium_names_the_browser_to_drive(fake_chromium):
    environ = {"GIFSHELF_CHROMIUM": str(fake_chromium), "PATH": "/nowhere"}

    assert find_chromium(environ) == str(fake_chromium)


def test_a_wrong_gifshelf_chromium_never_falls_back_to_another_browser(
    fake_chromium,
):
    environ = {"GIFSHELF_CHROMIUM": "/nonexistent", "PATH": str(fake_chromium.parent)}

    with pytest.raises(NoBrowser, match="GIFSHELF_CHROMIUM=/nonexistent"):
        find_chromium(environ)


def test_chromium_on_the_path_comes_before_debian_s(fake_chromium):
    assert find_chromium({"PATH": str(fake_chromium.parent)}) == str(fake_chromium)


def test_a_file_that_cannot_run_is_not_a_browser(fake_chromium, no_debian_chromium):
    fake_chromium.chmod(0o644)

    with pytest.raises(NoBrowser, match="install Debian's chromium"):
        find_chromium({"PATH": str(fake_chromium.parent)})


def test_without_chromium_anywhere_the_reason_says_what_to_install(
    no_debian_chromium,
):
    with pytest.raises(NoBrowser, match="install Debian's chromium"):
        find_chromium({"PATH": "/nowhere"})


@pytest.mark.parametrize("value", ["", "0", "no"])
def test_a_missing_browser_skips_the_tests_by_default(value):
    with pytest.raises(pytest.skip.Exception, match="no Chromium here"):
        give_up("no Chromium here", {"GIFSHELF_REQUIRE_BROWSER": value})


@pytest.mark.parametrize("value", ["1", "true", "YES"])
def test_a_missing_browser_fails_the_tests_where_one_is_required(value):
    with pytest.raises(pytest.fail.Exception, match="no Chromium here"):
        give_up("no Chromium here", {"GIFSHELF_REQUIRE_BROWSER": value})

import contextlib
import os

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from library.models import Gif, Member, ShelfVersion
from tests import images

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every test gets its own empty media folder, never the real media/."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def member(username, role):
    return Member.enrol(username, role, password=PASSWORD)[0]


@pytest.fixture
def agent(db):
    return member("alice", "agent")


@pytest.fixture
def curator(db):
    return member("bob", "curator")


@pytest.fixture
def other_curator(db):
    return member("carol", "curator")


@pytest.fixture
def lead(db):
    return member("dana", "lead")


def logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def anonymous_client(client):
    return client


@pytest.fixture
def agent_client(client, agent):
    return logged_in(client, agent)


@pytest.fixture
def curator_client(client, curator):
    return logged_in(client, curator)


@pytest.fixture
def lead_client(client, lead):
    return logged_in(client, lead)


@pytest.fixture
def client_for(client, agent, curator, lead):
    """client_for("agent" | "curator" | "lead" | "anonymous")"""
    users = {"agent": agent, "curator": curator, "lead": lead}

    def make(role):
        client.logout()
        if role != "anonymous":
            client.force_login(users[role])
        return client

    return make


@pytest.fixture
def upload_gif(curator):
    """Put a GIF on the shelf through the real upload path."""
    counter = iter(range(10_000))

    def upload(data=None, name="reaction.gif", status=Gif.Status.PENDING, **fields):
        data = data or images.gif_bytes(seed=next(counter))
        gif = Gif.objects.create_from_upload(
            SimpleUploadedFile(name, data), by=fields.pop("by", curator), **fields
        )
        if status != Gif.Status.PENDING:
            Gif.objects.filter(pk=gif.pk).update(status=status)
            # As the models' own transitions do.
            ShelfVersion.advance()
            gif.refresh_from_db()
        return gif

    return upload


@pytest.fixture
def pending_gif(upload_gif):
    return upload_gif(title="Pending wave")


@pytest.fixture
def approved_gif(upload_gif):
    return upload_gif(title="Approved thanks", status=Gif.Status.APPROVED)


@pytest.fixture(autouse=True)
def plain_static_files(settings, tmp_path):
    """{% static %} gives plain names: tests never run collectstatic.

    With DEBUG off, settings pick the manifest storage, which fails on any
    name missing from the manifest that only collectstatic writes. An empty
    STATIC_ROOT stops WhiteNoise warning that the real one does not exist;
    the live server serves static files from the apps' folders anyway.
    """
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture(autouse=True)
def language_of_the_settings():
    """Each test starts in the default language: a request's LocaleMiddleware
    leaves its language active on the thread, and a Russian page must not
    turn the next test's English text Russian."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def no_cached_answers():
    """Each test starts with no cached search answers: a test whose changes
    were rolled back leaves the shelf's version token where it found it."""
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The real hasher costs most of a second per member; tests make many."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_configure(config):
    """Run with compiled catalogues even without `make test` (once, before
    any xdist worker starts)."""
    if hasattr(config, "workerinput"):
        return
    from library.management.commands.compile_catalogues import compile_catalogues

    compile_catalogues()


def pytest_sessionfinish(session):
    """Remove what SQLite's write-ahead log left of the test database: Django
    removes the database file, and a live server's connection closing after
    that leaves its -wal and -shm files behind."""
    database = django_settings.DATABASES["default"]
    name = database.get("TEST", {}).get("NAME")
    if database["ENGINE"] != "django.db.backends.sqlite3" or not name:
        return
    if not os.path.exists(name):
        for leftover in (f"{name}-wal", f"{name}-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(leftover)

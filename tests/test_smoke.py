import io
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from library.models import Gif


@pytest.mark.django_db
def test_an_uploaded_gif_waits_for_review_with_its_facts(pending_gif, media_root):
    assert pending_gif.status == Gif.Status.PENDING
    assert pending_gif.frames == 4
    assert (media_root / pending_gif.original.name).exists()


@pytest.mark.django_db
def test_the_pages_name_an_icon_that_exists(client):
    """Without one, every page load asks for /favicon.ico and gets a 404."""
    html = client.get(reverse("login")).content.decode()

    href = re.search(r'<link rel="icon" href="([^"]+)"', html).group(1)
    assert finders.find(href.removeprefix(settings.STATIC_URL))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own warning")
def test_the_system_checks_are_quiet_on_sqlite():
    """The covering index's INCLUDE is PostgreSQL's; SQLite's plain index is
    intended, and `make run` should not greet newcomers with a warning."""
    output, errors = io.StringIO(), io.StringIO()

    call_command("check", stdout=output, stderr=errors)

    assert "W040" not in output.getvalue() + errors.getvalue()
    assert "no issues" in output.getvalue()

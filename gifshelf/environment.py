"""Reading settings from environment variables, shared by settings.py and
gunicorn.conf.py.

A value that cannot be read stops the process with a message naming the
variable: a typo such as GIFSHELF_HTTPS=ture must not quietly mean "off".
"""

import os
import zoneinfo

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


class UnreadableSetting(ImproperlyConfigured):
    """An environment variable that cannot be read: manage.py says so in one
    line, since the traceback would only point at settings.py."""


TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def env_bool(name, default=False):
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in TRUE_WORDS | FALSE_WORDS:
        return value in TRUE_WORDS
    raise UnreadableSetting(
        f"{name} is {os.environ[name]!r}: use 1, true, yes or on to turn it on, "
        "0, false, no or off to turn it off."
    )


def env_int(name, default, minimum=0):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value.replace("_", ""))
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise UnreadableSetting(
            f"{name} is {os.environ[name]!r}: it must be a whole number "
            f"of at least {minimum}."
        )
    return number


def env_list(name, default):
    # Blank like unset, as for the others: a compose file passes an unset
    # variable on as "", and GIFSHELF_ALLOWED_HOSTS=[] would refuse everyone.
    items = [item.strip() for item in os.environ.get(name, "").split(",")]
    return [item for item in items if item] or default


def env_time_zone(name, default):
    """An IANA time zone name such as Europe/Berlin."""
    value = os.environ.get(name, "").strip() or default
    try:
        zoneinfo.ZoneInfo(value)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise UnreadableSetting(
            f"{name} is {value!r}: use a time zone name such as UTC, "
            "Europe/Berlin or America/New_York."
        ) from None
    return value


def env_database(name, default, **options):
    """Django's DATABASES entry from a URL such as DATABASE_URL."""
    url = os.environ.get(name, "").strip() or default
    try:
        return dj_database_url.parse(url, **options)
    except dj_database_url.UnknownSchemeError:
        scheme, found, _ = url.partition("://")
        problem = (
            f"its scheme {scheme!r} is not a database's"
            if found and scheme
            else "it has no scheme such as postgres://"
        )
    except ValueError:
        problem = (
            "it is not a URL (a password holding / ? # @ or : must be percent-encoded)"
        )
    # Not the value itself: it may hold a password, and this goes to logs.
    raise UnreadableSetting(
        f"{name} cannot be read: {problem}. It should look like "
        "postgres://USER:PASSWORD@HOST:5432/NAME or sqlite:////path/db.sqlite3."
    )

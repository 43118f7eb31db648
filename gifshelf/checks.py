from django.conf import settings
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

HOW_TO_MAKE_A_KEY = (
    "Set it to a long random string kept out of the repository, for example "
    'the output of: python -c "import secrets; print(secrets.token_urlsafe(50))"'
)


def require_secret_key():
    """Refuse to serve real traffic with a key anyone could read or guess:
    sessions and CSRF tokens could be forged with it. The bar is Django's
    own deploy check (security.W009), which names SECRET_KEY, not the
    variable an operator sets."""
    if settings.DEBUG:
        return
    key = settings.SECRET_KEY
    if key == settings.DEVELOPMENT_SECRET_KEY:
        raise ImproperlyConfigured(
            f"gifshelf will not start: GIFSHELF_SECRET_KEY is not set. "
            f"{HOW_TO_MAKE_A_KEY}"
        )
    if (
        len(key) < SECRET_KEY_MIN_LENGTH
        or len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
        or key.startswith(SECRET_KEY_INSECURE_PREFIX)
    ):
        raise ImproperlyConfigured(
            f"gifshelf will not start: GIFSHELF_SECRET_KEY is too easy to guess "
            f"(it needs at least {SECRET_KEY_MIN_LENGTH} characters, "
            f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} of them different, and must not "
            f"begin {SECRET_KEY_INSECURE_PREFIX!r}). {HOW_TO_MAKE_A_KEY}"
        )

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_secret_key():
    """Refuse to serve real traffic with the key anyone can read in the
    repository: sessions and CSRF tokens could be forged with it."""
    if not settings.DEBUG and settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        raise ImproperlyConfigured(
            "gifshelf will not start: GIFSHELF_SECRET_KEY is not set. Set it to "
            "a long random string kept out of the repository, for example the "
            'output of: python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )

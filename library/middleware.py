"""Middleware of the app: the Content-Security-Policy, and the member's own
choice of language over the browser's."""

from django.conf import settings
from django.utils import translation


def content_security_policy(get_response):
    """Send the app's Content-Security-Policy on every response that has not
    set its own (public files send `default-src 'none'`)."""

    def middleware(request):
        response = get_response(request)
        response.headers.setdefault(
            "Content-Security-Policy", settings.GIFSHELF_CONTENT_SECURITY_POLICY
        )
        return response

    return middleware


# The member's stored language ("" to follow the browser), read once a session.
SESSION_LANGUAGE = "member_language"


def remember_language(sender, request, user, **kwargs):
    """On login, read the member's language into the session once."""
    from library.models import Preferences

    if request is not None and hasattr(request, "session"):
        request.session[SESSION_LANGUAGE] = Preferences.language_of(user)


class UserLanguageMiddleware:
    """After LocaleMiddleware: a signed-in member's saved language wins over
    the cookie and Accept-Language, in every session on every device."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if SESSION_LANGUAGE not in request.session:
                from library.models import Preferences

                request.session[SESSION_LANGUAGE] = Preferences.language_of(user)
            if language := request.session[SESSION_LANGUAGE]:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)

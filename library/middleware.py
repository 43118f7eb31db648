"""Middleware of the app: the Content-Security-Policy, public files kept
the same for every visitor, the member's own choice of language over the
browser's, and a readable page for a request made with the wrong method."""

from django.conf import settings
from django.shortcuts import render
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


PER_VISITOR_VARY = {"cookie", "accept-language"}


def same_for_everyone(get_response):
    """Take the per-visitor headers off a response marked the same for
    everyone (an approved GIF's file). The session and locale middleware add
    Vary: Cookie, Accept-Language and a Content-Language to whatever passes
    them; a cache in front (nginx, docs/deploy.md) would then keep one copy
    of a file per visitor and language."""

    def middleware(request):
        response = get_response(request)
        if getattr(response, "same_for_everyone", False):
            # No cookie rides on a file a cache may keep for everyone: a
            # fresh CSRF cookie (sent for a malformed one) would be served to
            # every visitor. The next page sets whatever was due.
            response.cookies.clear()
            kept = [
                header.strip()
                for header in response.headers.get("Vary", "").split(",")
                if header.strip() and header.strip().lower() not in PER_VISITOR_VARY
            ]
            if kept:
                response.headers["Vary"] = ", ".join(kept)
            else:
                response.headers.pop("Vary", None)
            response.headers.pop("Content-Language", None)
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


def method_not_allowed_page(get_response):
    """Django's require_POST and its kin answer 405 with an empty page, which
    a person reaches by reloading or bookmarking a form's address: show the
    app's own page instead. The API's JSON answers keep their own body.

    Last in MIDDLEWARE, so the page is in the member's language and the
    middleware around it still add their headers."""

    def middleware(request):
        response = get_response(request)
        if (
            response.status_code == 405
            and not response.streaming
            and not response.content
            and response.get("Content-Type", "").startswith("text/html")
        ):
            page = render(request, "405.html", status=405)
            if "Allow" in response:
                page["Allow"] = response["Allow"]
            return page
        return response

    return middleware

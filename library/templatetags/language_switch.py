"""Where the header's language switch leads back to: the page being shown,
at an address that answers GET."""

from urllib.parse import urlsplit, urlunsplit

from django import template
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

register = template.Library()

# Methods whose address shows the same page again when it is opened.
SHOWING_METHODS = ("GET", "HEAD")


@register.simple_tag(takes_context=True)
def language_next(context):
    """The address of the page shown, for the switch's `next`.

    A page shown in answer to a form (a refused decision, a refused bulk
    change) lives at an address that may answer only POST: opened again, it
    would be the 405 page. Such a page names its own address as
    `page_address`; any other is left for the Referer (the page the form was
    sent from), if it is a page of this site, else for the home page."""
    request = context.get("request")
    if request is None:
        return ""
    if request.method in SHOWING_METHODS:
        return request.get_full_path()
    if context.get("page_address"):
        return context["page_address"]
    referer = request.headers.get("Referer", "")
    if url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return urlunsplit(("", "", parts.path or "/", parts.query, ""))
    return reverse("library:home")

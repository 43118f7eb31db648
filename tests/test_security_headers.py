"""Security headers on every app page: a Content-Security-Policy without
inline script, no framing, a referrer policy, no sniffing. The templates
and scripts keep to what that policy allows."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def policy(response):
    """The Content-Security-Policy as {directive: [sources]}."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_protected(response):
    assert response.status_code == 200, response.status_code
    csp = policy(response)
    for directive in ("script-src", "style-src", "default-src"):
        assert csp[directive] == ["'self'"], (directive, csp[directive])
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_the_login_page_carries_the_security_headers(anonymous_client):
    assert_protected(anonymous_client.get(reverse("login")))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    ["library:home", "library:preferences", "library:my_uploads", "library:upload"],
)
def test_the_pages_of_agents_and_curators_carry_the_security_headers(
    client_for, name, approved_gif
):
    assert_protected(client_for("curator").get(reverse(name)))


@pytest.mark.django_db
def test_gif_and_review_pages_carry_the_security_headers(
    client_for, approved_gif, pending_gif
):
    lead = client_for("lead")
    assert_protected(lead.get(reverse("library:gif_detail", args=[approved_gif.pk])))
    assert_protected(lead.get(reverse("library:gif_edit", args=[approved_gif.pk])))
    assert_protected(lead.get(reverse("library:review_queue")))
    assert_protected(lead.get(reverse("library:review", args=[pending_gif.pk])))


@pytest.mark.django_db
def test_the_leads_pages_and_the_admin_carry_the_security_headers(
    client_for, lead, approved_gif
):
    lead.is_staff = True
    lead.save()
    client = client_for("lead")
    for name in ("library:dashboard", "library:aliases", "admin:index"):
        assert_protected(client.get(reverse(name)))


@pytest.mark.django_db
def test_an_htmx_partial_carries_the_security_headers(client_for, approved_gif):
    response = client_for("agent").get(
        reverse("library:picker_results"), {"q": "thanks"}, HTTP_HX_REQUEST="true"
    )
    assert_protected(response)


@pytest.mark.django_db
def test_public_files_keep_their_own_stricter_policy(anonymous_client, approved_gif):
    response = anonymous_client.get(f"/g/{approved_gif.public_id.hex}.gif")

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'"
    response.close()


class InlineFinder(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block."""

    def __init__(self):
        super().__init__()
        self.blocked = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.blocked.append("<script> without src")
        if tag == "style":
            self.blocked.append("<style>")
        for name in names:
            if name.startswith("on") or name == "style":
                self.blocked.append(f'{name}="…" on <{tag}>')
            if name.startswith("hx-on"):
                self.blocked.append(f"{name} (htmx evaluates it as script)")


def templates():
    return sorted((ROOT / "templates").rglob("*.html"))


@pytest.mark.parametrize("template", templates(), ids=lambda path: path.name)
def test_no_template_holds_what_the_policy_would_block(template):
    # Template tags are left out: the HTML around them is what a browser gets.
    html = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "", template.read_text(), flags=re.S)
    finder = InlineFinder()
    finder.feed(html)

    assert finder.blocked == []


@pytest.mark.parametrize(
    "script",
    sorted((ROOT / "library" / "static").rglob("*.js")),
    ids=lambda path: path.name,
)
def test_no_script_writes_style_attributes_or_evaluates_strings(script):
    source = script.read_text()

    assert not re.search(r"setAttribute\(\s*[\"']style", source)
    assert not re.search(r"\beval\(|new Function\(", source)
    assert not re.search(r"set(Timeout|Interval)\(\s*[\"']", source)
    assert not re.search(r"<script|\son\w+=", source)

"""CSRF is enforced on every state-changing request, with checks on as in a
real browser: an HTML form post without the token is refused, with it the
view runs. The JSON API takes a personal token instead, and only a token:
a browser session there needs the CSRF token like any form."""

import pytest
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils.crypto import get_random_string

from library.models import (
    ApiToken,
    ConversationContext,
    Favourite,
    Gif,
    GifEvent,
    HouseRules,
    MoodTag,
    Preferences,
    TagAlias,
)
from tests.conftest import PASSWORD
from tests.test_languages import english_left

# Every page of the app that only reads. Any other route must be in POSTS
# below, so a new form cannot arrive without a CSRF test.
READ_ONLY = {
    "library:home",
    "library:picker_results",
    "library:picker_preview",
    "library:gif_detail",
    "library:taken_down_file",
    "library:my_uploads",
    "library:dashboard",
    "library:dashboard_csv",
    "library:review_queue",
    "library:review",
    "library:bulk_appropriateness",
    "library:contexts",
    "library:vocabularies",
    "library:house_rules",
}

# name -> (who posts, what the URL is about, the form's fields)
POSTS = {
    "login": ("anonymous", None, {"username": "alice", "password": PASSWORD}),
    "logout": ("agent", None, {}),
    "library:picker_context": ("agent", None, {"context": "first-contact"}),
    "library:favourite": ("agent", "approved", {"starred": "1"}),
    "library:preferences": ("agent", None, {"copy_format": "markdown"}),
    "library:token_create": ("agent", None, {"name": "Slack bot"}),
    "library:token_revoke": ("agent", "token", {}),
    "library:aliases": ("curator", None, {"name": "thx", "target": "Thank you"}),
    "library:alias_delete": ("curator", "alias", {}),
    "library:gif_edit": ("curator", "approved", {"title": "Renamed"}),
    "library:flag": ("agent", "approved", {"reason": "other", "note": "Odd."}),
    "library:gif_retire": ("lead", "approved", {"reason": "Dated."}),
    "library:gif_take_down": ("lead", "approved", {"reason": "Complaint."}),
    # Only asks, with the reason typed on the GIF's page.
    "library:gif_take_down_confirm": ("lead", "approved", {"reason": "Complaint."}),
    "library:gif_restore": ("lead", "retired", {"reason": "Back."}),
    "library:gif_reopen": ("curator", "rejected", {"reason": "Another look."}),
    "library:upload": ("curator", None, {}),
    "library:approve": ("curator", "pending", {}),
    "library:reject": ("curator", "pending", {"reason": "Blurry."}),
    "library:skip": ("curator", "pending", {}),
    "library:review_unskip": ("curator", None, {}),
    "library:restore": ("curator", "pending", {}),
    "library:retire": ("lead", "pending", {"reason": "Dated."}),
    "library:bulk_appropriateness_apply": (
        "lead",
        None,
        {"gifs": [], "change": "add", "tags": ["Playful"]},
    ),
    "library:context_create": ("lead", None, {"name": "Late night"}),
    "library:context_edit": ("lead", "context", {"name": "Renamed"}),
    "library:tag_guidance": ("lead", "mood", {"use_when": "Sunny days."}),
    "library:house_rules_edit": ("lead", None, {"text": "1. Be kind."}),
    "library:house_rules_read": ("agent", None, {"version": 1}),
}


def test_every_route_of_the_app_is_either_read_only_or_tested_here():
    library = get_resolver().namespace_dict["library"][1]
    routes = {
        f"library:{name}"
        for name in library.reverse_dict
        if isinstance(name, str) and not name.startswith("api_")
    }

    assert routes == READ_ONLY | {name for name in POSTS if name.startswith("lib")}


@pytest.fixture
def target(agent, curator, other_curator, upload_gif):
    def make(kind):
        if kind is None:
            return []
        if kind == "token":
            return [ApiToken.issue(agent, "Old bot")[0].pk]
        if kind == "alias":
            return [TagAlias.objects.create(name="ty", target="Thank you").pk]
        if kind == "context":
            return [ConversationContext.objects.get(slug="upset").pk]
        if kind == "mood":
            return ["mood", MoodTag.objects.order_by("name").first().pk]
        status = {
            "approved": Gif.Status.APPROVED,
            "retired": Gif.Status.RETIRED,
            "pending": Gif.Status.PENDING,
            "rejected": Gif.Status.REJECTED,
        }[kind]
        return [upload_gif(by=other_curator, status=status).pk]

    return make


@pytest.fixture
def browser(agent, curator, lead):
    """A client that checks CSRF as Django does for a real browser."""
    users = {"agent": agent, "curator": curator, "lead": lead}

    def make(role):
        client = Client(enforce_csrf_checks=True)
        if role != "anonymous":
            client.force_login(users[role])
        return client

    return make


def traces():
    """What a state-changing request leaves behind."""
    return (
        GifEvent.objects.count(),
        Favourite.objects.count(),
        ApiToken.objects.filter(revoked_at=None).count(),
        TagAlias.objects.count(),
        list(Gif.objects.values_list("pk", "status", "title", "taken_down_at")),
        list(ConversationContext.objects.values_list("pk", "name")),
        list(MoodTag.objects.values_list("pk", "use_when")),
        list(HouseRules.objects.values_list("pk", "text", "version")),
        list(Preferences.objects.values_list("pk", "house_rules_read")),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", POSTS)
def test_a_form_post_without_the_csrf_token_is_refused(name, browser, target):
    role, kind, data = POSTS[name]
    client = browser(role)
    url = reverse(name, args=target(kind))
    before = traces()

    response = client.post(url, data)

    assert response.status_code == 403
    assert "<h1>The form could not be sent</h1>" in response.content.decode()
    assert traces() == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", POSTS)
def test_a_form_post_with_the_csrf_token_reaches_the_view(name, browser, target):
    role, kind, data = POSTS[name]
    client = browser(role)
    url = reverse(name, args=target(kind))
    secret = get_random_string(32)
    client.cookies["csrftoken"] = secret

    response = client.post(url, {**data, "csrfmiddlewaretoken": secret})

    assert response.status_code != 403, response.content[:300]
    assert "CSRF" not in response.content.decode()


@pytest.mark.django_db
def test_with_the_token_the_change_is_made(browser, agent, approved_gif):
    client = browser("agent")
    secret = get_random_string(32)
    client.cookies["csrftoken"] = secret
    url = reverse("library:favourite", args=[approved_gif.pk])

    client.post(url, {"starred": "1", "csrfmiddlewaretoken": secret})

    assert Favourite.objects.filter(agent=agent, gif=approved_gif).exists()


# The API's state-changing routes: (method, name, what the URL is about, body)
API_WRITES = [
    ("post", "library:api_gifs", None, {}),
    ("patch", "library:api_gif", "approved", {"title": "Renamed"}),
    ("post", "library:api_review_start", "pending", {}),
    ("post", "library:api_review_open", "pending", {}),
    ("post", "library:api_review_watched", "pending", {}),
    ("post", "library:api_review_filmstrip", "pending", {}),
    ("post", "library:api_approve", "pending", {}),
    ("post", "library:api_reject", "pending", {"reason": "Blurry."}),
    ("post", "library:api_flag", "approved", {"reason": "other", "note": "Odd."}),
    ("post", "library:api_retire", "approved", {"reason": "Dated."}),
    ("post", "library:api_take_down", "approved", {"reason": "Complaint."}),
    ("post", "library:api_restore", "retired", {"reason": "Back."}),
    ("post", "library:api_reopen", "rejected", {"reason": "Back."}),
    ("post", "library:api_copies", "approved", {"format": "link"}),
]


def api_call(client, method, url, data, **headers):
    return getattr(client, method)(
        url, data, content_type="application/json", headers=headers
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "name", "kind", "data"), API_WRITES)
def test_an_api_write_from_a_browser_session_needs_the_csrf_token(
    method, name, kind, data, browser, target
):
    client = browser("lead")
    url = reverse(name, args=target(kind))
    before = traces()

    refused = api_call(client, method, url, data)

    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]
    assert traces() == before
    secret = get_random_string(32)
    client.cookies["csrftoken"] = secret
    allowed = api_call(client, method, url, data, X_CSRFToken=secret)
    assert allowed.status_code != 403, allowed.content[:300]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "name", "kind", "data"), API_WRITES)
def test_an_api_write_with_a_personal_token_needs_no_csrf_token(
    method, name, kind, data, lead, target
):
    _, key = ApiToken.issue(lead, "Script")
    url = reverse(name, args=target(kind))

    response = api_call(
        Client(enforce_csrf_checks=True),
        method,
        url,
        data,
        Authorization=f"Bearer {key}",
    )

    assert response.status_code not in (401, 403), response.content[:300]


@pytest.mark.django_db
def test_a_session_with_a_wrong_token_header_is_not_let_through_on_the_session(
    browser, approved_gif
):
    """A request claiming a token is judged on the token alone, so the
    session cannot slip past the CSRF check behind an Authorization header."""
    client = browser("lead")
    url = reverse("library:api_retire", args=[approved_gif.pk])

    response = api_call(
        client, "post", url, {"reason": "Dated."}, Authorization="Bearer forged"
    )

    assert response.status_code == 401
    approved_gif.refresh_from_db()
    assert approved_gif.status == Gif.Status.APPROVED


# --- What a person sees when a form is refused ---


@pytest.mark.django_db
def test_a_refused_form_says_what_happened_and_leads_back_to_reload_its_page(
    browser, approved_gif
):
    client = browser("curator")
    edit_page = reverse("library:gif_edit", args=[approved_gif.pk])
    client.cookies["csrftoken"] = get_random_string(32)  # from before a login

    response = client.post(
        edit_page,
        {"title": "Renamed", "csrfmiddlewaretoken": get_random_string(32)},
        HTTP_REFERER=f"http://testserver{edit_page}?next=/",
    )

    page = response.content.decode()
    assert response.status_code == 403
    assert "This form was open too long, or your session changed" in page
    assert "Go back, reload the page, and try again." in page
    assert f'<a href="{edit_page}?next=/">Reload the page you came from</a>' in page
    assert '<nav aria-label="Main">' in page  # the app's header, to go on from
    assert "CSRF verification failed" not in page
    approved_gif.refresh_from_db()
    assert approved_gif.title != "Renamed"


@pytest.mark.django_db
def test_a_refused_form_from_another_site_links_only_to_the_shelf(browser):
    response = browser("agent").post(
        reverse("library:preferences"),
        {"copy_format": "markdown"},
        HTTP_REFERER="https://evil.example/",
    )

    page = response.content.decode()
    assert "evil.example" not in page
    assert f'<a href="{reverse("library:home")}">Back to the shelf</a>' in page


@pytest.mark.django_db
def test_a_refused_form_says_so_in_russian(browser):
    client = browser("agent")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"

    response = client.post(reverse("library:preferences"), {"copy_format": "link"})

    page = response.content.decode()
    assert "Форму не удалось отправить" in page
    assert english_left(page) == []


@pytest.mark.django_db
def test_a_form_from_an_address_the_server_was_not_told_about_says_to_tell_its_admin(
    browser, caplog
):
    """Behind a proxy with GIFSHELF_CSRF_TRUSTED_ORIGINS unset or wrong, every
    form is refused: "reload and try again" would send people round in
    circles, and the operator needs the address from the log."""
    client = browser("agent")
    client.get(reverse("library:preferences"))  # the form, and its token
    token = client.cookies["csrftoken"].value

    with caplog.at_level("WARNING", logger="django.security.csrf"):
        response = client.post(
            reverse("library:preferences"),
            {"copy_format": "markdown", "csrfmiddlewaretoken": token},
            HTTP_ORIGIN="https://gifs.example.com",
        )

    page = response.content.decode()
    assert response.status_code == 403
    assert "The server does not recognise the address" in page
    assert "reloading will not help" in page
    assert "This form was open too long" not in page
    assert "gifs.example.com" not in page  # the log's to tell, not the page's
    assert "https://gifs.example.com does not match any trusted origins" in (
        caplog.text
    )
    assert Preferences.objects.filter(copy_format="markdown").count() == 0

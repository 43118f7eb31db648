"""Who may do what: every role against every action, in one table."""

import json
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from library.models import (
    AgentFlag,
    ApiToken,
    AppropriatenessTag,
    ConversationContext,
    Copy,
    Favourite,
    Gif,
    HouseRules,
    LoginFailure,
    Member,
    MoodTag,
    Playback,
    Preferences,
    ReviewSkip,
    SituationTag,
    TagAlias,
)
from tests import images
from tests.reviewing import (
    api_approve,
    api_flag,
    api_reject,
    describe,
    report_watched,
    start,
)

ROLES = ("anonymous", "agent", "curator", "lead")


@dataclass(frozen=True)
class Outcome:
    status: int
    allowed: bool  # whether the action takes effect
    login_page: str | None = None  # where a refused visitor is sent to log in


OK = Outcome(200, allowed=True)
CREATED = Outcome(201, allowed=True)
SAVED = Outcome(302, allowed=True)  # back to the GIF's page
MOVED_ON = Outcome(302, allowed=True)  # on to the queue's next GIF, or the shelf
SET = Outcome(302, allowed=True)  # back to the member's preferences
UPLOADED = Outcome(303, allowed=True)  # on to the upload's report
LOGIN = Outcome(302, allowed=False, login_page="/accounts/login/")
# An htmx request: HX-Redirect sends the whole browser to log in.
HTMX_LOGIN = Outcome(200, allowed=False, login_page="/accounts/login/")
ADMIN_LOGIN = Outcome(302, allowed=False, login_page="/admin/login/")
UNAUTHENTICATED = Outcome(401, allowed=False)
FORBIDDEN = Outcome(403, allowed=False)
NOT_FOUND = Outcome(404, allowed=False)
GONE = Outcome(410, allowed=False)

# fmt: off
MATRIX = {
    # action                       anonymous        agent        curator      lead
    "shelf page":                 (LOGIN,           OK,          OK,          OK),
    "approved GIF page":          (LOGIN,           OK,          OK,          OK),
    "pending GIF page":           (LOGIN,           NOT_FOUND,   OK,          OK),
    "edit page":                  (LOGIN,           FORBIDDEN,   OK,          OK),
    "edit form POST":             (LOGIN,           FORBIDDEN,   SAVED,       SAVED),
    "upload page":                (LOGIN,           FORBIDDEN,   OK,          OK),
    "upload form POST":           (LOGIN,           FORBIDDEN,   UPLOADED,    UPLOADED),
    "API upload POST":            (UNAUTHENTICATED, FORBIDDEN,   CREATED,     CREATED),
    "API GET approved GIF":       (UNAUTHENTICATED, OK,          OK,          OK),
    "API GET pending GIF":        (UNAUTHENTICATED, NOT_FOUND,   OK,          OK),
    "API PATCH title":            (UNAUTHENTICATED, FORBIDDEN,   OK,          OK),
    "API PATCH appropriateness":  (UNAUTHENTICATED, FORBIDDEN,   FORBIDDEN,   OK),
    "public file, approved GIF":  (OK,              OK,          OK,          OK),
    "public file, pending GIF":   (NOT_FOUND,       NOT_FOUND,   OK,          OK),
    "admin index":                (ADMIN_LOGIN,     ADMIN_LOGIN, ADMIN_LOGIN, OK),
    "admin GIF change page":      (ADMIN_LOGIN,     ADMIN_LOGIN, ADMIN_LOGIN, OK),
    "admin mood tag change page": (ADMIN_LOGIN,     ADMIN_LOGIN, ADMIN_LOGIN, OK),
    "review queue page":          (LOGIN,           FORBIDDEN,   OK,          OK),
    "review page":                (LOGIN,           FORBIDDEN,   OK,          OK),
    "approve POST":               (LOGIN,           FORBIDDEN,   MOVED_ON,    MOVED_ON),
    "reject POST":                (LOGIN,           FORBIDDEN,   MOVED_ON,    MOVED_ON),
    "skip POST":                  (LOGIN,           FORBIDDEN,   MOVED_ON,    MOVED_ON),
    "unskip POST":                (LOGIN,           FORBIDDEN,   MOVED_ON,    MOVED_ON),
    "restore POST":               (LOGIN,           FORBIDDEN,   MOVED_ON,    MOVED_ON),
    "retire POST, flagged GIF":   (LOGIN,           FORBIDDEN,   MOVED_ON,    MOVED_ON),
    "retire POST, unflagged GIF": (LOGIN,           FORBIDDEN,   FORBIDDEN,   MOVED_ON),
    "flag POST":                  (LOGIN,           MOVED_ON,    MOVED_ON,    MOVED_ON),
    "my uploads page":            (LOGIN,           FORBIDDEN,   OK,          OK),
    "API flag":                   (UNAUTHENTICATED, CREATED,     CREATED,     CREATED),
    "API review start":           (UNAUTHENTICATED, FORBIDDEN,   OK,          OK),
    "API review watched":         (UNAUTHENTICATED, FORBIDDEN,   OK,          OK),
    "API review filmstrip":       (UNAUTHENTICATED, FORBIDDEN,   OK,          OK),
    "API approve":                (UNAUTHENTICATED, FORBIDDEN,   OK,          OK),
    "API reject":                 (UNAUTHENTICATED, FORBIDDEN,   OK,          OK),
    "GIF page retire POST":       (LOGIN,           FORBIDDEN,   FORBIDDEN,   SAVED),
    "GIF page take down POST":    (LOGIN,           FORBIDDEN,   FORBIDDEN,   SAVED),
    "take down confirmation page": (LOGIN,          FORBIDDEN,   FORBIDDEN,   OK),
    "take down confirmation, reason posted": (LOGIN, FORBIDDEN,  FORBIDDEN,   OK),
    "GIF page restore POST":      (LOGIN,           FORBIDDEN,   FORBIDDEN,   SAVED),
    "taken-down file, for leads": (LOGIN,           FORBIDDEN,   FORBIDDEN,   OK),
    "public file, retired GIF":   (OK,              OK,          OK,          OK),
    "public file, taken down":    (GONE,            GONE,        GONE,        GONE),
    "API retire, flagged GIF":    (UNAUTHENTICATED, FORBIDDEN,   OK,          OK),
    "API retire, unflagged GIF":  (UNAUTHENTICATED, FORBIDDEN,   FORBIDDEN,   OK),
    "API take down":              (UNAUTHENTICATED, FORBIDDEN,   FORBIDDEN,   OK),
    "API take down, flagged GIF": (UNAUTHENTICATED, FORBIDDEN,   FORBIDDEN,   OK),
    "API restore, flagged GIF":   (UNAUTHENTICATED, FORBIDDEN,   OK,          OK),
    "API restore, retired GIF":   (UNAUTHENTICATED, FORBIDDEN,   FORBIDDEN,   OK),
    "GIF page reopen POST":       (LOGIN,           FORBIDDEN,   SAVED,       SAVED),
    "API reopen":                 (UNAUTHENTICATED, FORBIDDEN,   OK,          OK),
    "dashboard page":             (LOGIN,           FORBIDDEN,   FORBIDDEN,   OK),
    "dashboard CSV":              (LOGIN,           FORBIDDEN,   FORBIDDEN,   OK),
    "edit form POST, usage note": (LOGIN,           FORBIDDEN,   SAVED,       SAVED),
    "bulk appropriateness page":  (LOGIN,           FORBIDDEN,   FORBIDDEN,   OK),
    "bulk appropriateness POST":  (LOGIN,           FORBIDDEN,   FORBIDDEN,   SAVED),
    "bulk, every GIF matching":   (LOGIN,           FORBIDDEN,   FORBIDDEN,   SAVED),
    "contexts page":              (LOGIN,           FORBIDDEN,   FORBIDDEN,   OK),
    "new context page":           (LOGIN,           FORBIDDEN,   FORBIDDEN,   OK),
    "new context POST":           (LOGIN,           FORBIDDEN,   FORBIDDEN,   SAVED),
    "context edit page":          (LOGIN,           FORBIDDEN,   FORBIDDEN,   OK),
    "context edit POST":          (LOGIN,           FORBIDDEN,   FORBIDDEN,   SAVED),
    "vocabularies page":          (LOGIN,           FORBIDDEN,   FORBIDDEN,   OK),
    "mood guidance page":         (LOGIN,           FORBIDDEN,   FORBIDDEN,   OK),
    "mood guidance POST":         (LOGIN,           FORBIDDEN,   FORBIDDEN,   SAVED),
    "situation guidance POST":    (LOGIN,           FORBIDDEN,   FORBIDDEN,   SAVED),
    "appropriateness guidance POST": (LOGIN,        FORBIDDEN,   FORBIDDEN,   SAVED),
    "house rules page":           (LOGIN,           OK,          OK,          OK),
    "house rules edit page":      (LOGIN,           FORBIDDEN,   FORBIDDEN,   OK),
    "house rules edit POST":      (LOGIN,           FORBIDDEN,   FORBIDDEN,   SAVED),
    "house rules got it POST":    (LOGIN,           SAVED,       SAVED,       SAVED),
    "admin login failures list":  (ADMIN_LOGIN,     ADMIN_LOGIN, ADMIN_LOGIN, OK),
    "admin lift a lockout":       (ADMIN_LOGIN,     ADMIN_LOGIN, ADMIN_LOGIN, MOVED_ON),
    # Members are added with `manage.py addmember` (README, "Roles"); the
    # admin's members, tokens and usage records are for a superuser.
    "admin members list":         (ADMIN_LOGIN,    ADMIN_LOGIN, ADMIN_LOGIN, FORBIDDEN),
    "admin add member POST":      (ADMIN_LOGIN,    ADMIN_LOGIN, ADMIN_LOGIN, FORBIDDEN),
    "admin API tokens list":      (ADMIN_LOGIN,    ADMIN_LOGIN, ADMIN_LOGIN, FORBIDDEN),
    "admin copies list":          (ADMIN_LOGIN,    ADMIN_LOGIN, ADMIN_LOGIN, FORBIDDEN),
    "choose language POST":       (SAVED,           SAVED,       SAVED,       SAVED),
    "picker results":             (HTMX_LOGIN,      OK,          OK,          OK),
    "picker context POST":        (HTMX_LOGIN,      OK,          OK,          OK),
    "picker preview":             (HTMX_LOGIN,      OK,          OK,          OK),
    "favourite POST":             (HTMX_LOGIN,      OK,          OK,          OK),
    "API search":                 (UNAUTHENTICATED, OK,          OK,          OK),
    "API copy recorded":          (UNAUTHENTICATED, CREATED,     CREATED,     CREATED),
    "public still, approved GIF": (OK,              OK,          OK,          OK),
    "public still, pending GIF":  (NOT_FOUND,       NOT_FOUND,   OK,          OK),
    "public frame, pending GIF":  (NOT_FOUND,       NOT_FOUND,   OK,          OK),
    "preferences page":           (LOGIN,           OK,          OK,          OK),
    "preferences POST":           (LOGIN,           SET,         SET,         SET),
    "token create POST":          (LOGIN,           SET,         SET,         SET),
    # An agent's token: only its owner may revoke it.
    "token revoke page":          (LOGIN,           OK,          NOT_FOUND,  NOT_FOUND),
    "token revoke POST":          (LOGIN,           SET,         NOT_FOUND,  NOT_FOUND),
    "aliases page":               (LOGIN,           FORBIDDEN,   OK,          OK),
    "alias create POST":          (LOGIN,           FORBIDDEN,   SAVED,       SAVED),
    "alias delete POST":          (LOGIN,           FORBIDDEN,   SAVED,       SAVED),
}
# fmt: on


@pytest.fixture
def shelf(approved_gif, pending_gif, upload_gif, agent, curator, lead, other_curator):
    # Carol uploads what the reviewers act on, so it is nobody's own upload,
    # and both reviewers have watched it to the end already.
    ready = describe(upload_gif, by=other_curator, title="Ready for a decision")
    an_hour_ago = timezone.now() - timedelta(hours=1)
    for reviewer in (curator, lead):
        Playback.objects.create(gif=ready, reviewer=reviewer, started_at=an_hour_ago)
    flagged = upload_gif(
        title="Flagged by an agent", by=other_curator, status=Gif.Status.APPROVED
    )
    flagged.flag(by=agent, reason=AgentFlag.Reason.CUSTOMER_OFFENDED)
    retired = upload_gif(
        title="Retired by a lead", by=other_curator, status=Gif.Status.RETIRED
    )
    taken_down = upload_gif(
        title="Taken down by a lead", by=other_curator, status=Gif.Status.APPROVED
    )
    taken_down.take_down(by=lead, reason="The rights holder asked us to.")
    rejected = upload_gif(
        title="Rejected by a curator", by=other_curator, status=Gif.Status.REJECTED
    )
    return SimpleNamespace(
        approved=approved_gif,
        pending=pending_gif,
        ready=ready,
        flagged=flagged,
        retired=retired,
        taken_down=taken_down,
        rejected=rejected,
        mood=MoodTag.objects.order_by("name").first(),
        situation=SituationTag.objects.order_by("name").first(),
        unsuitable_for=AppropriatenessTag.objects.order_by("name").first(),
        context=ConversationContext.objects.get(slug="upset"),
        failure=LoginFailure.objects.create(username="carol", address="192.0.2.1"),
        token=ApiToken.issue(agent, "The agent's chat macro")[0],
        alias=TagAlias.objects.create(
            name="cheers", target=MoodTag.objects.first().name
        ),
    )


def refreshed(gif):
    return Gif.objects.get(pk=gif.pk)


def has_open_flags(gif):
    return AgentFlag.objects.open().filter(gif=gif).exists()


def edit_form(title, **fields):
    return {"title": title, "alt_text": "", "use_when": "", "avoid_when": "", **fields}


def patch(client, gif, changes):
    return client.patch(
        reverse("library:api_gif", args=[gif.pk]),
        json.dumps(changes),
        content_type="application/json",
    )


def shelf_action(client, name, gif, api=False):
    """Retire, take down or restore `gif` with a reason, on its page or in the API."""
    url = reverse(f"library:{'api_' if api else 'gif_'}{name}", args=[gif.pk])
    return client.post(url, {"reason": f"{name} in the permission matrix"})


def unskip_after_everyone_skipped(client, gif):
    for member in get_user_model().objects.all():
        ReviewSkip.objects.create(gif=gif, reviewer=member)
    return client.post(reverse("library:review_unskip"))


def has_unsuitable_for(shelf):
    return shelf.unsuitable_for in refreshed(shelf.approved).appropriateness.all()


def guidance_post(vocabulary):
    def perform(client, shelf):
        tag = getattr(shelf, vocabulary)
        return client.post(
            reverse("library:tag_guidance", args=[vocabulary, tag.pk]),
            {"use_when": "the matrix says so", "avoid_when": ""},
        )

    def took_effect(shelf):
        tag = getattr(shelf, vocabulary)
        return type(tag).objects.get(pk=tag.pk).use_when == "the matrix says so"

    return Action(perform, took_effect=took_effect)


def read(response):
    # Reading a file response to its end closes the file behind it.
    if response.streaming:
        response.getvalue()
    return response


@dataclass(frozen=True)
class Action:
    perform: object  # (client, shelf) -> response
    api: bool = False
    took_effect: object = None  # (shelf) -> bool, for actions that change things


ACTIONS = {
    "shelf page": Action(lambda client, shelf: client.get("/")),
    "approved GIF page": Action(
        lambda client, shelf: client.get(shelf.approved.get_absolute_url())
    ),
    "pending GIF page": Action(
        lambda client, shelf: client.get(shelf.pending.get_absolute_url())
    ),
    "edit page": Action(
        lambda client, shelf: client.get(
            reverse("library:gif_edit", args=[shelf.approved.pk])
        )
    ),
    "edit form POST": Action(
        lambda client, shelf: client.post(
            reverse("library:gif_edit", args=[shelf.approved.pk]),
            edit_form("Edited on the page"),
        ),
        took_effect=lambda shelf: (
            refreshed(shelf.approved).title == "Edited on the page"
        ),
    ),
    "upload page": Action(lambda client, shelf: client.get("/upload/")),
    "upload form POST": Action(
        lambda client, shelf: client.post(
            "/upload/",
            {
                "files": images.named(images.gif_bytes(seed=501), "page.gif"),
                "title": "Uploaded on the page",
            },
        ),
        took_effect=lambda shelf: Gif.objects.filter(
            title="Uploaded on the page"
        ).exists(),
    ),
    "API upload POST": Action(
        lambda client, shelf: client.post(
            "/api/gifs/",
            {
                "file": images.named(images.gif_bytes(seed=502), "api.gif"),
                "title": "Uploaded through the API",
            },
        ),
        api=True,
        took_effect=lambda shelf: Gif.objects.filter(
            title="Uploaded through the API"
        ).exists(),
    ),
    "API GET approved GIF": Action(
        lambda client, shelf: client.get(f"/api/gifs/{shelf.approved.pk}/"),
        api=True,
    ),
    "API GET pending GIF": Action(
        lambda client, shelf: client.get(f"/api/gifs/{shelf.pending.pk}/"),
        api=True,
    ),
    "API PATCH title": Action(
        lambda client, shelf: patch(
            client, shelf.approved, {"title": "Patched through the API"}
        ),
        api=True,
        took_effect=lambda shelf: (
            refreshed(shelf.approved).title == "Patched through the API"
        ),
    ),
    "API PATCH appropriateness": Action(
        lambda client, shelf: patch(
            client, shelf.approved, {"appropriateness": [shelf.unsuitable_for.name]}
        ),
        api=True,
        took_effect=lambda shelf: (
            list(refreshed(shelf.approved).appropriateness.all())
            == [shelf.unsuitable_for]
        ),
    ),
    "public file, approved GIF": Action(
        lambda client, shelf: read(client.get(shelf.approved.public_path()))
    ),
    "public file, pending GIF": Action(
        lambda client, shelf: read(client.get(shelf.pending.public_path()))
    ),
    "admin index": Action(lambda client, shelf: client.get("/admin/")),
    "admin GIF change page": Action(
        lambda client, shelf: client.get(
            reverse("admin:library_gif_change", args=[shelf.approved.pk])
        )
    ),
    "admin mood tag change page": Action(
        lambda client, shelf: client.get(
            reverse("admin:library_moodtag_change", args=[shelf.mood.pk])
        )
    ),
    "admin login failures list": Action(
        lambda client, shelf: client.get(
            reverse("admin:library_loginfailure_changelist")
        )
    ),
    "admin lift a lockout": Action(
        lambda client, shelf: client.post(
            reverse("admin:library_loginfailure_delete", args=[shelf.failure.pk]),
            {"post": "yes"},
        ),
        took_effect=lambda shelf: (
            not LoginFailure.objects.filter(pk=shelf.failure.pk).exists()
        ),
    ),
    "admin members list": Action(
        lambda client, shelf: client.get(reverse("admin:library_member_changelist"))
    ),
    "admin add member POST": Action(
        lambda client, shelf: client.post(
            reverse("admin:library_member_add"),
            {"username": "made-in-the-admin", "is_active": "on"},
        ),
        took_effect=lambda shelf: Member.objects.filter(
            username="made-in-the-admin"
        ).exists(),
    ),
    "admin API tokens list": Action(
        lambda client, shelf: client.get(reverse("admin:library_apitoken_changelist"))
    ),
    "admin copies list": Action(
        lambda client, shelf: client.get(reverse("admin:library_copy_changelist"))
    ),
    "review queue page": Action(
        lambda client, shelf: client.get(reverse("library:review_queue"))
    ),
    "review page": Action(
        lambda client, shelf: client.get(
            reverse("library:review", args=[shelf.pending.pk])
        )
    ),
    "approve POST": Action(
        lambda client, shelf: client.post(
            reverse("library:approve", args=[shelf.ready.pk])
        ),
        took_effect=lambda shelf: refreshed(shelf.ready).status == Gif.Status.APPROVED,
    ),
    "reject POST": Action(
        lambda client, shelf: client.post(
            reverse("library:reject", args=[shelf.ready.pk]),
            {"reason": "Rejected on the page"},
        ),
        took_effect=lambda shelf: refreshed(shelf.ready).status == Gif.Status.REJECTED,
    ),
    "skip POST": Action(
        lambda client, shelf: client.post(
            reverse("library:skip", args=[shelf.ready.pk])
        ),
        took_effect=lambda shelf: ReviewSkip.objects.filter(gif=shelf.ready).exists(),
    ),
    "unskip POST": Action(
        lambda client, shelf: unskip_after_everyone_skipped(client, shelf.ready),
        # Only the asker's own skip goes: one fewer than the members.
        took_effect=lambda shelf: (
            ReviewSkip.objects.filter(gif=shelf.ready).count()
            < get_user_model().objects.count()
        ),
    ),
    "restore POST": Action(
        lambda client, shelf: client.post(
            reverse("library:restore", args=[shelf.flagged.pk])
        ),
        took_effect=lambda shelf: not has_open_flags(shelf.flagged),
    ),
    "retire POST, flagged GIF": Action(
        lambda client, shelf: client.post(
            reverse("library:retire", args=[shelf.flagged.pk]),
            {"reason": "Offends customers"},
        ),
        took_effect=lambda shelf: refreshed(shelf.flagged).status == Gif.Status.RETIRED,
    ),
    "retire POST, unflagged GIF": Action(
        lambda client, shelf: client.post(
            reverse("library:retire", args=[shelf.approved.pk]),
            {"reason": "Superseded"},
        ),
        took_effect=lambda shelf: (
            refreshed(shelf.approved).status == Gif.Status.RETIRED
        ),
    ),
    "flag POST": Action(
        lambda client, shelf: client.post(
            reverse("library:flag", args=[shelf.approved.pk]), {"reason": "broken"}
        ),
        took_effect=lambda shelf: has_open_flags(shelf.approved),
    ),
    "my uploads page": Action(
        lambda client, shelf: client.get(reverse("library:my_uploads"))
    ),
    "API flag": Action(
        lambda client, shelf: api_flag(client, shelf.approved, reason="broken"),
        api=True,
        took_effect=lambda shelf: has_open_flags(shelf.approved),
    ),
    "API review start": Action(
        lambda client, shelf: start(client, shelf.pending),
        api=True,
        took_effect=lambda shelf: Playback.objects.filter(gif=shelf.pending).exists(),
    ),
    "API review watched": Action(
        lambda client, shelf: report_watched(client, shelf.ready),
        api=True,
        took_effect=lambda shelf: Playback.objects.filter(
            gif=shelf.ready, played_to_end_at__isnull=False
        ).exists(),
    ),
    "API review filmstrip": Action(
        lambda client, shelf: client.post(
            reverse("library:api_review_filmstrip", args=[shelf.ready.pk])
        ),
        api=True,
        took_effect=lambda shelf: Playback.objects.filter(
            gif=shelf.ready, stepped_to_end_at__isnull=False
        ).exists(),
    ),
    "API approve": Action(
        lambda client, shelf: api_approve(client, shelf.ready),
        api=True,
        took_effect=lambda shelf: refreshed(shelf.ready).status == Gif.Status.APPROVED,
    ),
    "API reject": Action(
        lambda client, shelf: api_reject(
            client, shelf.ready, reason="Rejected through the API"
        ),
        api=True,
        took_effect=lambda shelf: refreshed(shelf.ready).status == Gif.Status.REJECTED,
    ),
    "GIF page retire POST": Action(
        lambda client, shelf: shelf_action(client, "retire", shelf.approved),
        took_effect=lambda shelf: (
            refreshed(shelf.approved).status == Gif.Status.RETIRED
        ),
    ),
    "GIF page take down POST": Action(
        lambda client, shelf: shelf_action(client, "take_down", shelf.approved),
        took_effect=lambda shelf: refreshed(shelf.approved).taken_down,
    ),
    "take down confirmation page": Action(
        lambda client, shelf: client.get(
            reverse("library:gif_take_down_confirm", args=[shelf.approved.pk])
        )
    ),
    # Only asks: test_retire checks that nothing is taken down.
    "take down confirmation, reason posted": Action(
        lambda client, shelf: client.post(
            reverse("library:gif_take_down_confirm", args=[shelf.approved.pk]),
            {"reason": "Rights."},
        )
    ),
    "GIF page restore POST": Action(
        lambda client, shelf: shelf_action(client, "restore", shelf.retired),
        took_effect=lambda shelf: (
            refreshed(shelf.retired).status == Gif.Status.APPROVED
        ),
    ),
    "taken-down file, for leads": Action(
        lambda client, shelf: read(
            client.get(reverse("library:taken_down_file", args=[shelf.taken_down.pk]))
        )
    ),
    "public file, retired GIF": Action(
        lambda client, shelf: read(client.get(shelf.retired.public_path()))
    ),
    "public file, taken down": Action(
        lambda client, shelf: read(client.get(shelf.taken_down.public_path()))
    ),
    "API retire, flagged GIF": Action(
        lambda client, shelf: shelf_action(client, "retire", shelf.flagged, api=True),
        api=True,
        took_effect=lambda shelf: refreshed(shelf.flagged).status == Gif.Status.RETIRED,
    ),
    "API retire, unflagged GIF": Action(
        lambda client, shelf: shelf_action(client, "retire", shelf.approved, api=True),
        api=True,
        took_effect=lambda shelf: (
            refreshed(shelf.approved).status == Gif.Status.RETIRED
        ),
    ),
    "API take down": Action(
        lambda client, shelf: shelf_action(
            client, "take_down", shelf.approved, api=True
        ),
        api=True,
        took_effect=lambda shelf: refreshed(shelf.approved).taken_down,
    ),
    "API take down, flagged GIF": Action(
        lambda client, shelf: shelf_action(
            client, "take_down", shelf.flagged, api=True
        ),
        api=True,
        took_effect=lambda shelf: refreshed(shelf.flagged).taken_down,
    ),
    "API restore, flagged GIF": Action(
        lambda client, shelf: shelf_action(client, "restore", shelf.flagged, api=True),
        api=True,
        took_effect=lambda shelf: not has_open_flags(shelf.flagged),
    ),
    "API restore, retired GIF": Action(
        lambda client, shelf: shelf_action(client, "restore", shelf.retired, api=True),
        api=True,
        took_effect=lambda shelf: (
            refreshed(shelf.retired).status == Gif.Status.APPROVED
        ),
    ),
    "GIF page reopen POST": Action(
        lambda client, shelf: shelf_action(client, "reopen", shelf.rejected),
        took_effect=lambda shelf: (
            refreshed(shelf.rejected).status == Gif.Status.PENDING
        ),
    ),
    "API reopen": Action(
        lambda client, shelf: shelf_action(client, "reopen", shelf.rejected, api=True),
        api=True,
        took_effect=lambda shelf: (
            refreshed(shelf.rejected).status == Gif.Status.PENDING
        ),
    ),
    "dashboard page": Action(
        lambda client, shelf: client.get(reverse("library:dashboard"))
    ),
    "dashboard CSV": Action(
        lambda client, shelf: client.get(
            reverse("library:dashboard_csv", args=["top-gifs"])
        )
    ),
    "edit form POST, usage note": Action(
        lambda client, shelf: client.post(
            reverse("library:gif_edit", args=[shelf.approved.pk]),
            edit_form(shelf.approved.title, use_when="the matrix says so"),
        ),
        took_effect=lambda shelf: (
            refreshed(shelf.approved).use_when == "the matrix says so"
        ),
    ),
    "bulk appropriateness page": Action(
        lambda client, shelf: client.get(reverse("library:bulk_appropriateness"))
    ),
    "bulk appropriateness POST": Action(
        lambda client, shelf: client.post(
            reverse("library:bulk_appropriateness_apply"),
            {
                "gifs": [shelf.approved.pk],
                "change": "add",
                "tags": [shelf.unsuitable_for.name],
            },
        ),
        took_effect=has_unsuitable_for,
    ),
    "bulk, every GIF matching": Action(
        lambda client, shelf: client.post(
            reverse("library:bulk_appropriateness_apply"),
            {
                "q": shelf.approved.title,
                "all_matching": "on",
                "change": "add",
                "tags": [shelf.unsuitable_for.name],
            },
        ),
        took_effect=has_unsuitable_for,
    ),
    "contexts page": Action(
        lambda client, shelf: client.get(reverse("library:contexts"))
    ),
    "new context page": Action(
        lambda client, shelf: client.get(reverse("library:context_create"))
    ),
    "new context POST": Action(
        lambda client, shelf: client.post(
            reverse("library:context_create"),
            {"name": "Made in the matrix", "description": "", "position": 7},
        ),
        took_effect=lambda shelf: ConversationContext.objects.filter(
            name="Made in the matrix"
        ).exists(),
    ),
    "context edit page": Action(
        lambda client, shelf: client.get(
            reverse("library:context_edit", args=[shelf.context.pk])
        )
    ),
    "context edit POST": Action(
        lambda client, shelf: client.post(
            reverse("library:context_edit", args=[shelf.context.pk]),
            {"name": shelf.context.name, "description": "Edited", "position": 0},
        ),
        took_effect=lambda shelf: (
            ConversationContext.objects.get(pk=shelf.context.pk).description == "Edited"
        ),
    ),
    "vocabularies page": Action(
        lambda client, shelf: client.get(reverse("library:vocabularies"))
    ),
    "mood guidance page": Action(
        lambda client, shelf: client.get(
            reverse("library:tag_guidance", args=["mood", shelf.mood.pk])
        )
    ),
    "mood guidance POST": guidance_post("mood"),
    "situation guidance POST": guidance_post("situation"),
    "appropriateness guidance POST": Action(
        lambda client, shelf: client.post(
            reverse(
                "library:tag_guidance",
                args=["appropriateness", shelf.unsuitable_for.pk],
            ),
            {"use_when": "the matrix says so", "avoid_when": ""},
        ),
        took_effect=lambda shelf: (
            AppropriatenessTag.objects.get(pk=shelf.unsuitable_for.pk).use_when
            == "the matrix says so"
        ),
    ),
    "house rules page": Action(
        lambda client, shelf: client.get(reverse("library:house_rules"))
    ),
    "house rules edit page": Action(
        lambda client, shelf: client.get(reverse("library:house_rules_edit"))
    ),
    "house rules edit POST": Action(
        lambda client, shelf: client.post(
            reverse("library:house_rules_edit"), {"text": "1. The matrix rules."}
        ),
        took_effect=lambda shelf: HouseRules.current().text == "1. The matrix rules.",
    ),
    "house rules got it POST": Action(
        lambda client, shelf: client.post(
            reverse("library:house_rules_read"), {"version": 1}
        ),
        took_effect=lambda shelf: Preferences.objects.filter(
            house_rules_read=1
        ).exists(),
    ),
    # Anyone may pick the UI language: visitors keep it in a cookie.
    "choose language POST": Action(
        lambda client, shelf: client.post(
            reverse("choose_language"), {"language": "ru"}
        )
    ),
    "picker results": Action(
        lambda client, shelf: client.get(
            reverse("library:picker_results"), HTTP_HX_REQUEST="true"
        )
    ),
    "picker context POST": Action(
        lambda client, shelf: client.post(
            reverse("library:picker_context"),
            {"context": shelf.context.slug},
            HTTP_HX_REQUEST="true",
        )
    ),
    "picker preview": Action(
        lambda client, shelf: client.get(
            reverse("library:picker_preview", args=[shelf.approved.pk]),
            HTTP_HX_REQUEST="true",
        )
    ),
    "favourite POST": Action(
        lambda client, shelf: client.post(
            reverse("library:favourite", args=[shelf.approved.pk]),
            {"starred": "1"},
            HTTP_HX_REQUEST="true",
        ),
        took_effect=lambda shelf: Favourite.objects.filter(gif=shelf.approved).exists(),
    ),
    "API search": Action(
        lambda client, shelf: client.get(reverse("library:api_gifs"), {"q": "a"}),
        api=True,
    ),
    "API copy recorded": Action(
        lambda client, shelf: client.post(
            reverse("library:api_copies", args=[shelf.approved.pk]),
            json.dumps({"format": "link"}),
            content_type="application/json",
        ),
        api=True,
        took_effect=lambda shelf: Copy.objects.filter(gif=shelf.approved).exists(),
    ),
    "public still, approved GIF": Action(
        lambda client, shelf: read(client.get(shelf.approved.still_path))
    ),
    "public still, pending GIF": Action(
        lambda client, shelf: read(client.get(shelf.pending.still_path))
    ),
    "public frame, pending GIF": Action(
        lambda client, shelf: read(
            client.get(
                reverse(
                    "public_frame",
                    args=[
                        shelf.pending.public_id,
                        shelf.pending.filmstrip[-1]["frame"],
                    ],
                )
            )
        )
    ),
    "preferences page": Action(
        lambda client, shelf: client.get(reverse("library:preferences"))
    ),
    "preferences POST": Action(
        lambda client, shelf: client.post(
            reverse("library:preferences"), {"copy_format": "markdown"}
        ),
        took_effect=lambda shelf: Preferences.objects.filter(
            copy_format="markdown"
        ).exists(),
    ),
    "token create POST": Action(
        lambda client, shelf: client.post(
            reverse("library:token_create"), {"name": "Made in the matrix"}
        ),
        took_effect=lambda shelf: ApiToken.objects.filter(
            name="Made in the matrix"
        ).exists(),
    ),
    "token revoke page": Action(
        lambda client, shelf: client.get(
            reverse("library:token_revoke", args=[shelf.token.pk])
        )
    ),
    "token revoke POST": Action(
        lambda client, shelf: client.post(
            reverse("library:token_revoke", args=[shelf.token.pk])
        ),
        took_effect=lambda shelf: ApiToken.objects.filter(
            pk=shelf.token.pk, revoked_at__isnull=False
        ).exists(),
    ),
    "aliases page": Action(
        lambda client, shelf: client.get(reverse("library:aliases"))
    ),
    "alias create POST": Action(
        lambda client, shelf: client.post(
            reverse("library:aliases"), {"name": "ta", "target": shelf.mood.name}
        ),
        took_effect=lambda shelf: TagAlias.objects.filter(name="ta").exists(),
    ),
    "alias delete POST": Action(
        lambda client, shelf: client.post(
            reverse("library:alias_delete", args=[shelf.alias.pk])
        ),
        took_effect=lambda shelf: (
            not TagAlias.objects.filter(pk=shelf.alias.pk).exists()
        ),
    ),
}


def matrix_cases():
    cases = []
    for action, outcomes in MATRIX.items():
        for role, expected in zip(ROLES, outcomes, strict=True):
            cases.append(pytest.param(action, role, expected, id=f"{action}-{role}"))
    return cases


def assert_sent_to_log_in(response, login_page):
    if "HX-Redirect" in response:
        # No page to go back to here (no HX-Current-URL, no Referer): the
        # login leads to the picker, never to the partial asked for.
        location = urlsplit(response["HX-Redirect"])
        assert location.path == login_page
        reading = response.request["REQUEST_METHOD"] == "GET"
        reason = "ended" if reading else "unsaved"
        assert parse_qs(location.query) == {"next": ["/"], reason: ["1"]}
        return
    location = urlsplit(response["Location"])
    assert location.path == login_page
    query = parse_qs(location.query)
    if login_page == "/accounts/login/" and response.request["REQUEST_METHOD"] in (
        "POST",
        "PUT",
        "PATCH",
        "DELETE",
    ):
        # A form sent without a session goes back to the page it came from
        # (none here: no Referer), and the login says it was not saved.
        assert query == {"unsaved": ["1"]}
    else:
        assert query["next"] == [response.request["PATH_INFO"]]


def assert_json(response, expected):
    assert response["Content-Type"] == "application/json"
    body = response.json()
    if expected.status >= 400:
        assert body["error"]


def test_the_matrix_covers_every_action():
    assert set(MATRIX) == set(ACTIONS)


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "role", "expected"), matrix_cases())
def test_each_role_may_do_exactly_what_the_permission_matrix_says(
    action, role, expected, client_for, shelf
):
    response = ACTIONS[action].perform(client_for(role), shelf)

    assert response.status_code == expected.status
    if expected.login_page:
        assert_sent_to_log_in(response, expected.login_page)
    if ACTIONS[action].api:
        assert_json(response, expected)
    if ACTIONS[action].took_effect:
        assert ACTIONS[action].took_effect(shelf) is expected.allowed


# The role groups come from migrations 0002, 0007, 0009 and 0011; spelled out
# again here on purpose, so a change to who may do what shows up as a failing
# test.
AGENT_PERMISSIONS = {"library.search_gif", "library.flag_gif"}
ALIAS_PERMISSIONS = {
    f"library.{action}_tagalias" for action in ("view", "add", "change", "delete")
}
CONTEXT_PERMISSIONS = {
    f"library.{action}_conversationcontext"
    for action in ("view", "add", "change", "delete")
}
CURATOR_PERMISSIONS = (
    AGENT_PERMISSIONS
    | {
        "library.add_gif",
        "library.change_gif",
        "library.review_gif",
    }
    | ALIAS_PERMISSIONS
)
VOCABULARY_PERMISSIONS = {
    f"library.{action}_{model}"
    for model in ("moodtag", "situationtag", "appropriatenesstag")
    for action in ("view", "add", "change", "delete")
}
TEAM_LEAD_PERMISSIONS = (
    CURATOR_PERMISSIONS
    | {"library.set_appropriateness", "library.retire_gif", "library.view_gif"}
    | {"library.view_dashboard"}
    | {"library.view_houserules", "library.change_houserules"}
    | {"library.view_loginfailure", "library.delete_loginfailure"}
    | VOCABULARY_PERMISSIONS
    | CONTEXT_PERMISSIONS
)


def permissions_of(group_name):
    group = Group.objects.get(name=group_name)
    return {
        f"{permission.content_type.app_label}.{permission.codename}"
        for permission in group.permissions.select_related("content_type")
    }


@pytest.mark.django_db
def test_the_agent_group_may_only_search_and_flag():
    assert permissions_of("Agent") == AGENT_PERMISSIONS


@pytest.mark.django_db
def test_the_curator_group_may_also_upload_edit_and_review():
    assert permissions_of("Curator") == CURATOR_PERMISSIONS


@pytest.mark.django_db
def test_the_team_lead_group_adds_appropriateness_retiring_and_vocabularies():
    assert permissions_of("Team lead") == TEAM_LEAD_PERMISSIONS


@pytest.mark.django_db
def test_only_team_leads_may_set_appropriateness(agent, curator, lead):
    holders = Group.objects.filter(permissions__codename="set_appropriateness")

    assert list(holders.values_list("name", flat=True)) == ["Team lead"]
    assert lead.has_perm("library.set_appropriateness")
    assert not curator.has_perm("library.set_appropriateness")
    assert not agent.has_perm("library.set_appropriateness")


@pytest.mark.django_db
def test_the_edit_page_offers_appropriateness_to_team_leads_only(client_for, shelf):
    edit_url = reverse("library:gif_edit", args=[shelf.approved.pk])

    curator_page = client_for("curator").get(edit_url).content.decode()
    lead_page = client_for("lead").get(edit_url).content.decode()

    assert 'name="appropriateness"' not in curator_page
    assert 'name="appropriateness"' in lead_page


@pytest.mark.django_db
def test_a_curator_cannot_slip_appropriateness_into_the_edit_form(client_for, shelf):
    response = client_for("curator").post(
        reverse("library:gif_edit", args=[shelf.approved.pk]),
        edit_form("Renamed", appropriateness=[shelf.unsuitable_for.name]),
    )

    gif = refreshed(shelf.approved)
    assert response.status_code == 302
    assert gif.title == "Renamed"
    assert list(gif.appropriateness.all()) == []


@pytest.mark.django_db
def test_a_team_lead_sets_appropriateness_in_the_edit_form(client_for, shelf):
    client_for("lead").post(
        reverse("library:gif_edit", args=[shelf.approved.pk]),
        edit_form("Renamed", appropriateness=[shelf.unsuitable_for.name]),
    )

    assert list(refreshed(shelf.approved).appropriateness.all()) == [
        shelf.unsuitable_for
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("delete", "/upload/", {"GET", "HEAD", "POST"}),
        ("put", "/upload/", {"GET", "HEAD", "POST"}),
        ("post", "/", {"GET", "HEAD"}),
        ("post", "/gifs/{pk}/", {"GET", "HEAD"}),
        ("delete", "/gifs/{pk}/edit/", {"GET", "HEAD", "POST"}),
        ("get", "/gifs/{pk}/retire/", {"POST"}),
        ("get", "/gifs/{pk}/takedown/", {"POST"}),
        ("get", "/gifs/{pk}/restore/", {"POST"}),
        ("get", "/gifs/{pk}/reopen/", {"POST"}),
        ("get", "/review/unskip/", {"POST"}),
        ("delete", "/gifs/{pk}/takedown/confirm/", {"GET", "HEAD", "POST"}),
        ("post", "/appropriateness/", {"GET", "HEAD"}),
        ("get", "/appropriateness/apply/", {"POST"}),
        ("post", "/contexts/", {"GET", "HEAD"}),
        ("delete", "/contexts/new/", {"GET", "HEAD", "POST"}),
        ("put", "/contexts/1/edit/", {"GET", "HEAD", "POST"}),
        ("post", "/vocabularies/", {"GET", "HEAD"}),
        ("delete", "/vocabularies/mood/1/", {"GET", "HEAD", "POST"}),
        ("post", "/house-rules/", {"GET", "HEAD"}),
        ("put", "/house-rules/edit/", {"GET", "HEAD", "POST"}),
        ("get", "/house-rules/read/", {"POST"}),
    ],
)
def test_pages_refuse_a_wrong_http_method(
    method, path, allowed, client_for, approved_gif
):
    client = client_for("lead")

    response = client.generic(method.upper(), path.format(pk=approved_gif.pk))

    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == allowed
    assert Gif.objects.filter(pk=approved_gif.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("put", "/api/gifs/{pk}/", {"GET", "HEAD", "PATCH"}),
        ("delete", "/api/gifs/{pk}/", {"GET", "HEAD", "PATCH"}),
        ("post", "/api/gifs/{pk}/", {"GET", "HEAD", "PATCH"}),
        ("delete", "/api/gifs/", {"GET", "HEAD", "POST"}),
        ("put", "/api/gifs/", {"GET", "HEAD", "POST"}),
        ("get", "/api/gifs/{pk}/retire/", {"POST"}),
        ("get", "/api/gifs/{pk}/takedown/", {"POST"}),
        ("get", "/api/gifs/{pk}/restore/", {"POST"}),
        ("get", "/api/gifs/{pk}/reopen/", {"POST"}),
    ],
)
def test_the_api_refuses_a_wrong_http_method_in_json(
    method, path, allowed, client_for, approved_gif
):
    client = client_for("lead")

    response = client.generic(
        method.upper(),
        path.format(pk=approved_gif.pk),
        json.dumps({"title": "Changed by a wrong method"}),
        content_type="application/json",
    )

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]
    assert set(response["Allow"].split(", ")) == allowed
    assert refreshed(approved_gif).title == approved_gif.title


@pytest.mark.django_db
def test_a_page_beyond_ones_role_says_so_in_the_apps_own_page(agent_client):
    response = agent_client.get(reverse("library:dashboard"))

    page = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Not for your role</h1>" in page
    assert '<nav aria-label="Main">' in page  # the app's header, to go on from
    agent_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    assert "Не для вашей роли" in agent_client.get("/dashboard/").content.decode()


@pytest.mark.django_db
def test_a_missing_page_is_the_apps_own_404(agent_client):
    response = agent_client.get(reverse("library:gif_detail", args=[999999]))

    assert response.status_code == 404
    assert "<h1>No such page</h1>" in response.content.decode()

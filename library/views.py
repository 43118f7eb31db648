import csv
import logging
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial, wraps
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required as django_login_required
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Min, Window
from django.forms import modelform_factory
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified
from django.middleware import csrf
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.http import (
    content_disposition_header,
    parse_etags,
    quote_etag,
    url_has_allowed_host_and_scheme,
)
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)
from django_htmx.http import HttpResponseClientRedirect, push_url, replace_url

from library import charts, search
from library.api import csrf_failure as api_csrf_failure
from library.api import picker_choices
from library.forms import (
    VOCABULARY_TITLES,
    ApiTokenForm,
    BulkAppropriatenessForm,
    ConversationContextForm,
    FlagForm,
    GifFilterForm,
    GifForm,
    HouseRulesForm,
    LoginForm,
    RetireForm,
    ReviewForm,
    ShelfStateForm,
    TagAliasForm,
    UploadForm,
    focus_first_error,
    tag_guidance_form,
)
from library.imaging import ImageRefused, describe_bytes
from library.middleware import SESSION_LANGUAGE
from library.models import (
    STEP_MS,
    VOCABULARY_MODELS,
    AgentFlag,
    ApiToken,
    ConversationContext,
    Copy,
    Favourite,
    Gif,
    GifEvent,
    HouseRules,
    Period,
    Preferences,
    ReviewError,
    ReviewFlag,
    TagAlias,
    in_russian,
    media_storage,
    quoted,
)
from library.templatetags.moments import short_date
from library.uploads import oversized_message

logger = logging.getLogger(__name__)

# Files never change under a public id, so caches may keep them for a year.
PUBLIC_CACHE_CONTROL = "public, max-age=31536000, immutable"
# Reviewers see unapproved files; no shared cache may keep those.
PRIVATE_CACHE_CONTROL = "private, no-cache"


# Methods that only read: a login leads back to the address they asked for.
READING_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def login_required(view):
    """Django's login_required, and careful with a form sent after the
    session ended: logging in leads back to the page the form was on (the
    form's own address may answer only POST, and the browser would come back
    with GET), and the login page says that what was sent was not saved.
    An htmx request is answered the same way, but by sending the browser
    itself to the login page (see log_in_again)."""
    django_checked = django_login_required(view)

    @wraps(view)
    def checked(request, *args, **kwargs):
        if request.user.is_authenticated:
            return django_checked(request, *args, **kwargs)
        if request.htmx:
            return log_in_again(request)
        if request.method in READING_METHODS:
            return django_checked(request, *args, **kwargs)
        query = {"unsaved": "1"}
        if page := referring_page(request):
            query["next"] = page
        return redirect(f"{resolve_url(settings.LOGIN_URL)}?{urlencode(query)}")

    return checked


def log_in_again(request):
    """An htmx request after the session ended. A redirect would be followed
    by htmx itself, and the login page would land in the results with the
    partial's address as its `next`; instead HX-Redirect sends the browser to
    the login page, which says why, and logging in leads back to the page the
    agent was on (HX-Current-URL, else the Referer, else the picker)."""
    page = (
        same_site_page(request, request.htmx.current_url)
        or referring_page(request)
        or reverse("library:home")
    )
    reason = "ended" if request.method in READING_METHODS else "unsaved"
    query = urlencode({"next": page, reason: "1"})
    return HttpResponseClientRedirect(f"{resolve_url(settings.LOGIN_URL)}?{query}")


def referring_page(request):
    """The page of this site a request came from (its Referer) as a path,
    or None for another site's page, a login page or none at all."""
    return same_site_page(request, request.headers.get("Referer"))


def same_site_page(request, url):
    """`url` as a path (and query) when it is a page of this site, or None
    for another site's page, a login page or no URL at all."""
    url = url or ""
    if not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(url)
    if parts.path == resolve_url(settings.LOGIN_URL):
        return None
    return urlunsplit(("", "", parts.path or "/", parts.query, ""))


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW. A form left open too long, or sent after logging in
    or out in another tab, gets a page saying what to do rather than
    Django's page for developers; the API answers in JSON. A page opened at
    an address the server was not told about (GIFSHELF_CSRF_TRUSTED_ORIGINS,
    GIFSHELF_BEHIND_TLS_PROXY) has every form refused: reloading cannot help,
    so the page says to tell whoever runs the server, whose log names the
    address (django.security.csrf)."""
    if request.path.startswith("/api/"):
        return api_csrf_failure(request, reason)
    context = {
        "back": referring_page(request),
        "unknown_address": bool(UNKNOWN_ADDRESS.fullmatch(reason)),
    }
    return render(request, "403_csrf.html", context, status=403)


# Django's reasons for refusing a request because the address it was sent
# from is not a trusted origin, whatever its token (django.middleware.csrf).
UNKNOWN_ADDRESS = re.compile(
    "|".join(
        re.escape(reason).replace("%s", ".*")
        for reason in (csrf.REASON_BAD_ORIGIN, csrf.REASON_BAD_REFERER)
    )
)


@require_safe
@login_required
def gif_detail(request, pk):
    if not request.user.has_perm("library.search_gif"):
        raise PermissionDenied
    gif = get_object_or_404(
        Gif.objects.visible_to(request.user).for_one_gif_page(), pk=pk
    )
    return detail_page(request, gif)


def detail_page(
    request, gif, status=200, shelf_form=None, flag_form=None, flag_next=None
):
    retired = gif.status == Gif.Status.RETIRED
    context = {
        "gif": gif,
        "events": gif.events.select_related("actor")[:50].readable(),
        "flag_form": flag_form or FlagForm(),
        "flag_next": flag_next,
        "already_flagged": gif.agent_flags.open()
        .filter(raised_by=request.user)
        .exists(),
        "shelf_form": shelf_form or ShelfStateForm(),
        "retirement": retired and gif.event_in_force(GifEvent.Action.RETIRED),
        "takedown": gif.taken_down and gif.event_in_force(GifEvent.Action.TAKEN_DOWN),
        # Shown again after a refused retire or take-down, at their POST-only
        # address: the language switch leads here (templatetags.language_switch).
        "page_address": gif.get_absolute_url(),
    }
    return render(request, "library/gif_detail.html", context, status=status)


def shelf_state_action(action=None, *, permission="library.retire_gif"):
    """A team lead's retire, take-down or restore from the GIF's page (or,
    with another `permission`, a reviewer's reopening of a rejected GIF).

    A missing reason re-renders the page (400), keeping the form open. A
    refusal because of the GIF's state goes back to its page with the
    reason: there is nothing typed worth keeping, and a refresh must not
    send the form again.
    """
    if action is None:
        return partial(shelf_state_action, permission=permission)

    @require_POST
    @login_required
    @permission_required(permission, raise_exception=True)
    @wraps(action)
    def view(request, pk):
        gif = get_object_or_404(Gif, pk=pk)
        form = ShelfStateForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        try:
            done = action(request, gif, reason)
        except ReviewError as refusal:
            messages.error(request, str(refusal))
            if refusal.code != "missing_reason":
                return redirect(gif)
            if request.POST.get("page") == "confirm":
                return take_down_confirmation(request, gif, form, status=400)
            if request.POST.get("page") == "review":
                # Restoring from a taken-down GIF's review page: stay there.
                return review_page(request, gif, status=400, shelf_form=form)
            gif = Gif.objects.for_one_gif_page().get(pk=gif.pk)
            return detail_page(request, gif, status=400, shelf_form=form)
        messages.success(request, done)
        return redirect(gif)

    return view


@shelf_state_action
def gif_retire(request, gif, reason):
    gif.retire(by=request.user, reason=reason)
    return gettext(
        "Retired “%(title)s”: out of search, but its public link still works."
    ) % {"title": gif.title}


@shelf_state_action
def gif_take_down(request, gif, reason):
    gif.take_down(by=request.user, reason=reason)
    return gettext("Took down “%(title)s”: its public links now answer 410 Gone.") % {
        "title": gif.title
    }


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@permission_required("library.retire_gif", raise_exception=True)
def gif_take_down_confirm(request, pk):
    """Ask before taking a GIF down: its links break in every conversation.
    The POST to gif_take_down stays the action.

    The GIF page's "Take down…" posts its form here, so that the reason
    typed there is in the box (a GET would put the form's CSRF token in the
    address); this only asks, whatever is posted."""
    gif = get_object_or_404(Gif, pk=pk)
    if gif.taken_down or gif.status not in Gif.PUBLIC_STATUSES:
        messages.error(request, str(gif.state_refusal()))
        return redirect(gif)
    typed = request.POST.get("reason", "").strip()
    return take_down_confirmation(
        request, gif, ShelfStateForm(initial={"reason": typed})
    )


def take_down_confirmation(request, gif, form, status=200):
    context = {
        "gif": gif,
        "shelf_form": form,
        "page_address": reverse("library:gif_take_down_confirm", args=[gif.pk]),
    }
    return render(request, "library/gif_take_down.html", context, status=status)


@shelf_state_action
def gif_restore(request, gif, reason):
    gif.reinstate(by=request.user, reason=reason)
    return gettext("“%(title)s” is back on the shelf, and its public link works.") % {
        "title": gif.title
    }


@shelf_state_action(permission="library.review_gif")
def gif_reopen(request, gif, reason):
    gif.reopen(by=request.user, reason=reason)
    return gettext("“%(title)s” is back in the review queue.") % {"title": gif.title}


@require_safe
@login_required
@permission_required("library.retire_gif", raise_exception=True)
def taken_down_file(request, pk):
    """What was taken down, for the team leads deciding on it; never cached.

    Its public links answer 410 to everyone, leads included, so that what a
    lead's browser shows is what the rest of the world gets.
    """
    gif = get_object_or_404(Gif.objects.exclude(taken_down_at=None), pk=pk)
    response = file_response(gif.original.name, gif.content_type)
    response["Cache-Control"] = "private, no-store"
    return with_media_headers(response)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@permission_required("library.change_gif", raise_exception=True)
def gif_edit(request, pk):
    gif = get_object_or_404(Gif.objects.visible_to(request.user), pk=pk)
    form = GifForm(request.POST or None, instance=gif, user=request.user)
    back = safe_next(request) or gif.get_absolute_url()
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("Saved “%(title)s”.") % {"title": gif.title})
        return redirect(back)
    return render(
        request, "library/gif_edit.html", {"gif": gif, "form": form, "back": back}
    )


def safe_next(request):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


# The session key holding the reports of the member's latest uploads, by the
# token in the address of the page that shows them (see upload).
UPLOAD_RESULTS = "upload_results"
UPLOAD_RESULTS_KEPT = 5


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@permission_required("library.add_gif", raise_exception=True)
def upload(request):
    if request.method != "POST":
        report = request.session.get(UPLOAD_RESULTS, {}).get(request.GET.get("done"))
        if report is None:
            return render_upload(request, UploadForm())
        results = report["results"]
        accepted = sum(1 for result in results if result.get("added"))
        return render_upload(
            request,
            UploadForm(initial=report["fields"]),
            results=results,
            accepted=accepted,
            refused=len(results) - accepted,
        )

    files = request.FILES  # reading the body is what notes oversized files
    oversized = getattr(request, "oversized_uploads", [])
    form = UploadForm(request.POST, files, oversized=oversized)
    if not form.is_valid():
        return render_upload(request, form, status=400)

    results = [{"name": name, "error": oversized_message()} for name in oversized]
    added = set()
    for file in form.cleaned_data["files"]:
        try:
            gif = Gif.objects.create_from_upload(
                file,
                by=request.user,
                title=form.cleaned_data["title"],
                alt_text=form.cleaned_data["alt_text"],
                **form.tags(),
            )
        except ImageRefused as refusal:
            existing = getattr(refusal, "existing", None)
            error = str(refusal)
            if existing is not None and existing.pk in added:
                error = gettext(
                    "The same file was chosen twice in this upload: it was added "
                    "once, as “%(title)s”."
                ) % {"title": existing.title}
            results.append(
                {
                    "name": file.name,
                    "error": error,
                    "existing": existing and existing.get_absolute_url(),
                }
            )
        else:
            added.add(gif.pk)
            results.append(
                {
                    "name": file.name,
                    "added": True,
                    "title": gif.title,
                    "url": gif.get_absolute_url(),
                    # Said now, while the curator still has the file at hand.
                    **looks_like(gif),
                }
            )
    # What needs the curator's attention comes first; files too large were
    # dropped while the request was read, so their place is unknown anyway.
    results.sort(key=lambda result: bool(result.get("added")))
    refused = any(not result.get("added") for result in results)
    # A browser cannot refill the file input, but what was typed for the
    # refused files comes back, so that trying them again is only choosing them.
    report = {"results": results, "fields": form.shared_fields() if refused else {}}
    # The report is shown by a GET of its own address (Post/Redirect/Get), so
    # reloading it sends nothing again: a reload used to upload the files a
    # second time and report them as duplicates of themselves. Each upload
    # has its own token, so that uploads from two tabs do not mix.
    token = get_random_string(12)
    reports = request.session.get(UPLOAD_RESULTS, {})
    reports[token] = report
    request.session[UPLOAD_RESULTS] = dict(list(reports.items())[-UPLOAD_RESULTS_KEPT:])
    response = redirect(f"{reverse('library:upload')}?{urlencode({'done': token})}")
    response.status_code = 303  # See Other: the report, fetched with GET
    return response


def looks_like(gif):
    """What an upload report says of the GIFs a new one looks much like.

    "looks_like_shelf" says where they are: "approved" (already on the
    shelf) when one is approved, "pending" (waiting for review) when all are
    pending, else "other". Each match the sentence does not place has its
    status beside it, worded as the exact-duplicate message words it.
    """
    others = list(gif.near_duplicates.order_by("pk"))
    statuses = {other.status for other in others}
    if statuses == {Gif.Status.PENDING}:
        shelf = "pending"
    elif Gif.Status.APPROVED in statuses:
        shelf = "approved"
    else:
        shelf = "other"
    placed = {"pending": Gif.Status.PENDING, "approved": Gif.Status.APPROVED}
    return {
        "looks_like_shelf": shelf,
        "looks_like": [
            {
                "title": other.title,
                "url": other.get_absolute_url(),
                "status": ""
                if other.status == placed.get(shelf)
                else other.status_label.lower(),
            }
            for other in others
        ],
    }


def render_upload(request, form, status=200, **context):
    focus_first_error(form)
    context.update(
        form=form,
        max_files=settings.GIFSHELF_MAX_FILES_PER_UPLOAD,
        max_bytes=settings.GIFSHELF_MAX_UPLOAD_BYTES,
        max_size=describe_bytes(settings.GIFSHELF_MAX_UPLOAD_BYTES),
    )
    return render(request, "library/upload.html", context, status=status)


class ThrottledLoginView(LoginView):
    """Django's login, refusing accounts and addresses that failed too often.

    A locked-out attempt answers 429 with Retry-After, and the page says why.
    """

    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        # Sent here by login_required: with a form the ended session lost
        # (unsaved), or from a page whose session ended (ended, by htmx). The
        # form sends them back, as it does `next`, so that the notice stays
        # after a wrong password or a lockout.
        return super().get_context_data(
            **kwargs, unsaved=self.sent("unsaved"), ended=self.sent("ended")
        )

    def sent(self, name):
        request = self.request
        return request.POST.get(name, request.GET.get(name)) == "1"

    def form_invalid(self, form):
        return with_lockout_status(super().form_invalid(form), form)


def with_lockout_status(response, form):
    """A login page refused for a lockout answers 429 with Retry-After, so
    that scripts and proxies see it for what it is."""
    if form is not None and getattr(form, "locked_until", None):
        wait = (form.locked_until - timezone.now()).total_seconds()
        response.status_code = 429
        response["Retry-After"] = str(max(1, math.ceil(wait)))
    return response


login = ThrottledLoginView.as_view()


# --- The agent's picker -----------------------------------------------------

# The session key holding the slug of the conversation context the agent chose.
PICKER_CONTEXT = "picker_context"
# ...and the stamp of the click that chose it (see choose_context).
PICKER_CONTEXT_STAMP = "picker_context_stamp"
PICKER_PAGE_SIZE = 48
# Sent by picker.js ("replace") for a search that goes on from the last one.
PICKER_HISTORY_HEADER = "Picker-History"
SHELF_ROW_SIZE = 8
COPY_LABELS = {
    "link": _("Copy link"),
    "rich": _("Copy image"),
    "markdown": _("Copy Markdown"),
}

PreferencesForm = modelform_factory(
    Preferences,
    fields=["copy_format", "animate"],
    widgets={"copy_format": forms.RadioSelect},
)


def chosen_context(request):
    """The kind of conversation the agent chose for this session, if any."""
    slug = request.session.get(PICKER_CONTEXT)
    if not slug:
        return None
    return ConversationContext.objects.with_rules().filter(slug=slug).first()


def picker_url(name, **params):
    """The URL named `name` with the picker's non-empty parameters."""
    query = urlencode({key: value for key, value in params.items() if value})
    return f"{reverse(name)}?{query}" if query else reverse(name)


def as_cards(request, gifs, context):
    """`gifs` as a list, each with what its card shows in this context."""
    gifs = list(gifs)
    for gif in gifs:
        gif.link = gif.public_url(request)
        gif.card_warnings = gif.warnings(context)
        gif.ruled_out = context.rules_out(gif) if context is not None else ""
    return gifs


def filter_chips(tags, vocabulary, chosen, filters):
    """Chips that narrow the results to one tag, or widen them again; the
    chosen tag keeps its chip even when nothing matches any more."""
    chips = []
    for tag in tags:
        on = chosen is not None and tag.pk == chosen.pk
        narrowed = {**filters, vocabulary: "" if on else tag.name}
        chips.append({"tag": tag, "count": tag.n, "on": on, "query": narrowed})
    if chosen is not None and not any(chip["on"] for chip in chips):
        widened = {**filters, vocabulary: ""}
        chips.insert(0, {"tag": chosen, "count": 0, "on": True, "query": widened})
    for chip in chips:
        chip["query"] = urlencode({k: v for k, v in chip["query"].items() if v})
    return chips


def shelf_rows(request, context):
    """The rows above an empty search: what this agent and the team reach
    for. Rows with nothing in them are left out."""
    shelf = Gif.objects.listed().suitable_for(context)
    rows = [
        ("recent", _("Recently used by me"), shelf.recently_copied_by(request.user)),
        ("mine", _("My favourites"), shelf.favourites_of(request.user)),
        ("team", _("Team favourites"), shelf.team_favourites()),
    ]
    return [
        {"key": key, "title": title, "gifs": gifs}
        for key, title, found in rows
        if (gifs := as_cards(request, found.for_cards()[:SHELF_ROW_SIZE], context))
    ]


def picker(request, params, notice=""):
    """What the picker shows for `params` (q, mood, situation, page) in the
    conversation context of the agent's session, as a template context."""
    query = " ".join(params.get("q", "").split())[:200]
    try:
        chosen = picker_choices(
            {"mood": params.get("mood"), "situation": params.get("situation")}
        )
    except LookupError as unknown:
        # A stale link (a tag renamed since): show everything, and say why.
        chosen = {"mood": None, "situation": None}
        notice = gettext("%(problem)s Showing every mood and situation.") % {
            "problem": unknown.args[0]
        }
    mood, situation = chosen["mood"], chosen["situation"]
    context = chosen_context(request)
    preferences = Preferences.of(request.user)
    # Only emoji or punctuation ("🙂", "!!!"): nothing to search for, so the
    # shelf is shown as if nothing were typed, and says so, rather than every
    # GIF counted as a match. Links (chips, more, the URL) leave it out.
    unsearchable = search.unsearchable(query)
    searched = "" if unsearchable else query
    filters = {
        "q": searched,
        "mood": mood.name if mood else "",
        "situation": situation.name if situation else "",
    }
    filtered = bool(searched or filters["mood"] or filters["situation"])

    chosen = {"query": searched, "mood": mood, "situation": situation}
    results = Gif.objects.pick(**chosen, context=context)
    ranked = Gif.objects.ranked(**chosen, context=context, per_page=PICKER_PAGE_SIZE)
    page = Paginator(ranked, PICKER_PAGE_SIZE).get_page(params.get("page"))
    page.object_list = as_cards(request, page.object_list, context)

    browsing = not filtered and page.number == 1 and bool(page.object_list)
    sections = shelf_rows(request, context) if browsing else []

    # Nothing to show: say whether the context hides what would match (one
    # that sends no GIF at all says so without counting the shelf).
    hidden_count = 0
    if not page.object_list and context is not None and not context.hides_every_gif:
        hidden_count = Gif.objects.pick(
            query=searched, mood=mood, situation=situation
        ).count()
    did_you_mean = None
    if not page.object_list and searched and not hidden_count:
        did_you_mean = Gif.objects.did_you_mean(
            searched, mood=mood, situation=situation, context=context
        )

    return {
        "query": query,
        "searched": searched,
        "unsearchable": unsearchable,
        "mood": mood,
        "situation": situation,
        "filtered": filtered,
        "only_exclusions": bool(query)
        and all(word.startswith("-") for word in query.split()),
        "home_url": picker_url("library:home", **filters),
        "more_query": urlencode(
            {**{k: v for k, v in filters.items() if v}, "page": page.number + 1}
        ),
        "context": context,
        "contexts": ConversationContext.objects.all(),
        "preferences": preferences,
        "copy_label": COPY_LABELS.get(preferences.copy_format, COPY_LABELS["link"]),
        "page": page,
        "gifs": page.object_list,
        "browsing": browsing,
        "sections": sections,
        "mood_chips": filter_chips(results.tag_counts("mood"), "mood", mood, filters),
        "situation_chips": filter_chips(
            results.tag_counts("situation"), "situation", situation, filters
        ),
        "hidden_count": hidden_count,
        "did_you_mean": did_you_mean,
        "did_you_mean_url": did_you_mean
        and picker_url("library:home", **{**filters, "q": did_you_mean}),
        "shelf_empty": not page.object_list and not filtered and not hidden_count,
        "notice": notice,
    }


@require_safe
@login_required
@permission_required("library.search_gif", raise_exception=True)
def home(request):
    """The agent's picker. It works as plain forms and links; htmx and
    picker.js make it instant and keyboard-first.

    Until a member has acknowledged the current house rules, the rules come
    first, above the search, with a "Got it" button.
    """
    state = picker(request, request.GET)
    rules = HouseRules.current()
    if rules.unread_by(state["preferences"]):
        state["house_rules"] = rules
    return render(request, "library/home.html", state)


@require_safe
@login_required
@permission_required("library.search_gif", raise_exception=True)
def picker_results(request):
    """The results as a partial for htmx, with the query pushed to the URL."""
    if not request.htmx:
        params = {key: request.GET.get(key) for key in ("q", "mood", "situation")}
        return redirect(picker_url("library:home", **params))
    state = picker(request, request.GET)
    if state["page"].number > 1:
        return render(request, "library/picker/_more.html", state)
    response = render(request, "library/picker/_results_swap.html", state)
    # So that reload and Back show the same results (once per change). The
    # picker's script asks for the entry to be replaced while the agent goes
    # on typing one search, so that Back leaves it in one step, not a letter
    # at a time.
    if request.htmx.current_url_abs_path != state["home_url"]:
        if request.headers.get(PICKER_HISTORY_HEADER) == "replace":
            replace_url(response, state["home_url"])
        else:
            push_url(response, state["home_url"])
    return response


@require_POST
@login_required
@permission_required("library.search_gif", raise_exception=True)
def choose_context(request):
    """Remember the kind of conversation for the rest of the agent's session.

    picker.js stamps each click with a number that only grows (milliseconds
    since the epoch, one more at least than the last). A chip clicked
    while another loads aborts that request in the browser only: the
    server may still get it, even after the later click's. A change
    stamped older than the stored one is ignored, so the last click wins
    here as it does on the chips. Without a stamp (no JavaScript) a change
    always applies.
    """
    slug = request.POST.get("context", "")
    known = ConversationContext.objects.filter(slug=slug).exists() if slug else False
    stamp = request.POST.get("stamp", "")
    stamp = int(stamp) if stamp.isdigit() else None
    stored = request.session.get(PICKER_CONTEXT_STAMP)
    if stamp is None or stored is None or stamp > stored:
        if known:
            request.session[PICKER_CONTEXT] = slug
        else:
            request.session.pop(PICKER_CONTEXT, None)
        if stamp is None:
            request.session.pop(PICKER_CONTEXT_STAMP, None)
        else:
            request.session[PICKER_CONTEXT_STAMP] = stamp
    gone = gettext(
        "That kind of conversation is gone; showing GIFs for any conversation."
    )
    if not request.htmx:
        if slug and not known:
            messages.error(request, gone)
        return redirect(safe_next(request) or "library:home")
    state = picker(request, request.POST, notice=gone if slug and not known else "")
    return render(request, "library/picker/_context_changed.html", state)


@require_safe
@login_required
@permission_required("library.search_gif", raise_exception=True)
def picker_preview(request, pk):
    """The preview panel: a closer look before sending, and every way to copy."""
    if not request.htmx:
        return redirect("library:gif_detail", pk)
    gif = Gif.objects.listed().for_cards().filter(pk=pk).first()
    if gif is None:
        return render(request, "library/picker/_preview.html", {"gif": None})
    context = chosen_context(request)
    as_cards(request, [gif], context)
    preferences = Preferences.of(request.user)
    formats = [
        (value, label)
        for value, label in Copy.Format.choices
        if value != Copy.Format.DRAG
    ]
    return render(
        request,
        "library/picker/_preview.html",
        {
            "gif": gif,
            "context": context,
            "preferences": preferences,
            "formats": formats,
            "starred": gif.favourites.filter(agent=request.user).exists(),
            "flag_form": FlagForm(),
            "already_flagged": gif.agent_flags.open()
            .filter(raised_by=request.user)
            .exists(),
            # After flagging, back to the same search, not an empty picker.
            "flag_next": request.htmx.current_url_abs_path,
        },
    )


@require_POST
@login_required
@permission_required("library.search_gif", raise_exception=True)
def favourite(request, pk):
    """Star a GIF for "My favourites" (starred=1) or take the star off.

    It sets the state rather than toggling it, so a double click is harmless.
    """
    gif = get_object_or_404(Gif.objects.approved(), pk=pk)
    starred = request.POST.get("starred") == "1"
    if starred:
        Favourite.objects.get_or_create(gif=gif, agent=request.user)
    else:
        Favourite.objects.filter(gif=gif, agent=request.user).delete()
    if request.htmx:
        return render(
            request,
            "library/picker/_favourite.html",
            {"gif": gif, "starred": starred},
        )
    if starred:
        message = gettext("“%(title)s” is in your favourites.")
    else:
        message = gettext("“%(title)s” is out of your favourites.")
    messages.success(request, message % {"title": gif.title})
    return redirect(safe_next(request) or gif)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@permission_required("library.search_gif", raise_exception=True)
def preferences(request):
    form = PreferencesForm(request.POST or None, instance=Preferences.of(request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("Saved your preferences."))
        return redirect("library:preferences")
    context = {
        "form": form,
        "token_form": ApiTokenForm(),
        "tokens": request.user.api_tokens.unrevoked(),
        # Shown once, right after it was made: only its hash is kept.
        "new_token": request.session.pop("new_api_token", None),
    }
    return render(request, "library/preferences.html", context)


@require_POST
def choose_language(request):
    """The header's language switch: kept in a cookie for everyone, and on
    the member's preferences so it follows them to every new session."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = ""
    if request.user.is_authenticated:
        preferences = Preferences.of(request.user)
        preferences.language = language
        preferences.save(update_fields=["language"])
        request.session[SESSION_LANGUAGE] = language
    response = redirect(safe_next(request) or "library:home")
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    return response


@require_POST
@login_required
@permission_required("library.search_gif", raise_exception=True)
def token_create(request):
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        _, key = ApiToken.issue(
            request.user, form.cleaned_data["name"], form.cleaned_data["lifetime"]
        )
        request.session["new_api_token"] = key
    else:
        messages.error(request, gettext("Name the token: say what it is for."))
    return redirect(reverse("library:preferences") + "#api-tokens")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def token_revoke(request, pk):
    """Asks first: whatever uses the token stops working at once."""
    token = get_object_or_404(request.user.api_tokens.unrevoked(), pk=pk)
    if request.method != "POST":
        return render(request, "library/token_revoke.html", {"token": token})
    token.revoke()
    messages.success(
        request,
        gettext("Revoked “%(name)s”: it no longer works.") % {"name": token.name},
    )
    return redirect(reverse("library:preferences") + "#api-tokens")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@permission_required("library.add_tagalias", raise_exception=True)
def aliases(request):
    form = TagAliasForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        alias = form.save()
        messages.success(
            request,
            gettext("“%(alias)s” now finds GIFs tagged “%(tag)s”.")
            % {"alias": alias.name, "tag": alias.target},
        )
        return redirect("library:aliases")
    context = {"form": form, "aliases": TagAlias.objects.all()}
    return render(request, "library/aliases.html", context)


@require_POST
@login_required
@permission_required("library.delete_tagalias", raise_exception=True)
def alias_delete(request, pk):
    alias = get_object_or_404(TagAlias, pk=pk)
    alias.delete()
    messages.success(
        request, gettext("Removed the alias “%(alias)s”.") % {"alias": alias.name}
    )
    return redirect("library:aliases")


# --- Review ---------------------------------------------------------------


# The lists a curator works through (the queue, their uploads), a page at a time.
LIST_PAGE_SIZE = 50


@require_safe
@login_required
@permission_required("library.add_gif", raise_exception=True)
def my_uploads(request):
    gifs = request.user.uploads.with_retirement_reason().order_by("-created_at", "-pk")
    # An import_folder run records thousands under one curator.
    page = Paginator(gifs, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "library/my_uploads.html", {"page": page})


@require_safe
@login_required
@permission_required("library.review_gif", raise_exception=True)
def review_queue(request):
    gifs = Gif.objects.review_queue_for(request.user).select_related("uploaded_by")
    context = {
        # After a bulk import thousands may wait; the oldest come first.
        "page": Paginator(gifs, LIST_PAGE_SIZE).get_page(request.GET.get("page")),
        "allow_self_approval": settings.GIFSHELF_ALLOW_SELF_APPROVAL,
        "skipped": Gif.objects.skipped_by(request.user).count(),
    }
    return render(request, "library/review_queue.html", context)


@require_POST
@login_required
@permission_required("library.review_gif", raise_exception=True)
def review_unskip(request):
    """A skip is not a decision: the reviewer may take their skips back."""
    count = Gif.objects.skipped_by(request.user).unskip(request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d skipped GIF is back in your queue.",
            "%(count)d skipped GIFs are back in your queue.",
            count,
        )
        % {"count": count},
    )
    return redirect("library:review_queue")


@require_safe
@login_required
@permission_required("library.review_gif", raise_exception=True)
def review(request, pk):
    gif = get_object_or_404(Gif, pk=pk)
    # What the reviewer had written for a decision someone else beat, shown
    # once, on the page the conflict redirected to.
    unsent = request.session.pop(UNSENT_KEY, None)
    if unsent and unsent.get("gif") != gif.pk:
        unsent = None
    return review_page(request, gif, unsent=unsent and unsent["lines"])


UNSENT_KEY = "unsent_review"


def keep_unsent(request, gif, form, details=None):
    """Keep what the reviewer typed for a decision another reviewer beat, as
    (label, text) lines for the review page to show them read-only."""
    lines = []
    if form.is_bound and form.is_valid():
        flags = form.cleaned_data.get("flags") or []
        if flags:
            labels = [str(ReviewFlag(flag).label) for flag in flags]
            lines.append((str(form.fields["flags"].label), ", ".join(labels)))
        for name in ("note", "reason"):
            text = (form.cleaned_data.get(name) or "").strip()
            if text and name in form.fields:
                lines.append((str(form.fields[name].label), text))
    if details is not None:
        for name in details.changed_data:
            if name in Gif.TEXT_FIELDS:
                text = details.data.get(details.add_prefix(name), "").strip()
                lines.append((str(details.fields[name].label), text))
    if lines:
        request.session[UNSENT_KEY] = {"gif": gif.pk, "lines": lines}


# While a GIF is pending, its details fields belong to the decision form (by
# their HTML form attribute), so that Approve sends what the curator typed.
DECISION_FORM_ID = "decision"
# Sent with the details, so that a decision posted without them (an older
# page, a script) leaves the GIF's details alone.
DETAILS_SENT = "with_details"


def review_page(
    request,
    gif,
    status=200,
    form=None,
    details_form=None,
    shelf_form=None,
    unsent=None,
):
    """The review page; `form`, `details_form` and `shelf_form` bound to what
    the reviewer sent when it is shown again after a refusal; `unsent` the
    (label, text) lines of a decision another reviewer beat."""
    gif = Gif.objects.for_one_gif_page().get(pk=gif.pk)
    details_form = details_form or GifForm(instance=gif, user=request.user)
    if gif.status == Gif.Status.PENDING:
        for field in details_form.fields.values():
            field.widget.attrs["form"] = DECISION_FORM_ID
    # The details box comes first on the page, then the decision form.
    focus_first_error(details_form, form)
    context = {
        "gif": gif,
        "form": form or ReviewForm(),
        "details_form": details_form,
        # Open while something is missing, or the curator has it to correct.
        "details_open": bool(details_form.errors)
        or not gif.alt_text.strip()
        or not (gif.mood.all() or gif.situation.all()),
        "decision_form_id": DECISION_FORM_ID,
        "details_sent": DETAILS_SENT,
        "retire_form": RetireForm(),
        # Its files answer 410: the page says who took it down instead.
        "takedown": gif.taken_down and gif.event_in_force(GifEvent.Action.TAKEN_DOWN),
        "shelf_form": shelf_form or ShelfStateForm(),
        "near_duplicates": gif.near_duplicates.all(),
        "open_flags": gif.agent_flags.open().select_related("raised_by"),
        "step_ms": STEP_MS,
        "own_upload": gif.own_upload_of(request.user),
        # The watch clock runs, and the page speaks of approving, only here.
        "watch": gif.approvable_by(request.user),
        "unsent": unsent,
        # Shown again after a refused decision, at its POST-only address.
        "page_address": reverse("library:review", args=[gif.pk]),
    }
    return render(request, "library/review.html", context, status=status)


def reviewed(refused=None):
    """A review decision view: POST a ReviewForm, call the model, move on.

    The action gets the details form too, bound to the details the curator
    sent with the decision (None if none came); only approve() saves them.
    A refusal re-renders the review page with the reason (409, or 400 for
    details to correct), so nothing the curator typed is lost; except when
    another reviewer acted first (decided, restored, retired): then the page
    of the GIF's current state is shown after a redirect, with who did what.

    `refused` is the pair of sentences heading the page when the decision
    form itself is refused: the second when the curator had changed the
    details, which are then not saved either. The form's own errors sit far
    down the page, next to its fields. Actions that decide nothing (skip,
    restore) pass none: they do not read the form, so a half-filled flag
    note must not hold them back.
    """

    def decorator(action):
        return decision_view(action, refused)

    return decorator


# A decision's refusal that is about one field of the decision form.
REFUSED_FIELD = {"missing_reason": "reason", "public_figure": "flags"}


def decision_view(action, refused):

    @require_POST
    @login_required
    @permission_required("library.review_gif", raise_exception=True)
    @wraps(action)
    def view(request, pk):
        gif = get_object_or_404(Gif, pk=pk)
        form = ReviewForm(request.POST)
        details = None
        if DETAILS_SENT in request.POST:
            details = GifForm(request.POST, instance=gif, user=request.user)
        if refused and not form.is_valid():
            typed = details is not None and details.has_unsaved_changes()
            messages.error(request, refused[typed])
            return review_page(
                request, gif, status=400, form=form, details_form=details
            )
        try:
            done = action(request, gif, form, details)
        except ReviewError as refusal:
            if refusal.code in REFUSED_FIELD and refused:
                # Said beside the field it is about, which is marked invalid
                # and gets the focus; the page's message says where to look.
                form.add_error(REFUSED_FIELD[refusal.code], str(refusal))
                typed = details is not None and details.has_unsaved_changes()
                messages.error(request, refused[typed])
            else:
                messages.error(request, str(refusal))
            if refusal.code == "status_changed":
                # Someone decided first: show the GIF as it is now, by GET, so
                # that no stale details are judged and a refresh sends nothing.
                if details is not None and details.has_unsaved_changes():
                    messages.info(
                        request,
                        gettext("The details you typed were not saved."),
                    )
                keep_unsent(request, gif, form, details)
                return redirect("library:review", gif.pk)
            status = 400 if refusal.code == "invalid_details" else 409
            return review_page(
                request, gif, status=status, form=form, details_form=details
            )
        messages.success(request, done)
        return next_in_queue(request)

    return view


@reviewed(
    refused=(
        _("Not approved: correct what is marked below."),
        _(
            "Not approved, and the details were not saved: correct what is "
            "marked below."
        ),
    )
)
def approve(request, gif, form, details):
    # Decided by someone else meanwhile: that, not the details, is the news.
    gif.check_status(Gif.Status.PENDING)
    if details is not None:
        if not details.check_ready_for_approval():
            raise ReviewError(
                gettext(
                    "Not approved, and the details were not saved: correct what "
                    "is marked in them."
                ),
                code="invalid_details",
            )
        if details.has_changed():
            # Saved for good before the approval's checks, which read them:
            # if the approval is refused, the curator's words are kept.
            details.save()
    try:
        gif.approve(
            by=request.user,
            acknowledge_flashing=form.cleaned_data["acknowledge_flashing"],
            **form.decision(),
        )
    except ReviewError:
        if details is not None and details.saved:
            messages.info(
                request,
                gettext("Saved the details of “%(title)s”, but it is not approved.")
                % {"title": gif.title},
            )
        raise
    return gettext("Approved “%(title)s”.") % {"title": gif.title}


@reviewed(
    refused=(
        _("Not rejected: correct what is marked below."),
        _(
            "Not rejected, and the details were not saved: correct what is "
            "marked below."
        ),
    )
)
def reject(request, gif, form, details):
    gif.reject(by=request.user, reason=form.cleaned_data["reason"], **form.decision())
    return gettext("Rejected “%(title)s”.") % {"title": gif.title}


@reviewed()
def skip(request, gif, form, details):
    gif.skip(by=request.user)
    return gettext("Skipped “%(title)s”; it stays in the others' queues.") % {
        "title": gif.title
    }


@reviewed()
def restore(request, gif, form, details):
    gif.restore(by=request.user)
    return gettext("“%(title)s” is back on the shelf.") % {"title": gif.title}


@require_POST
@login_required
@permission_required("library.review_gif", raise_exception=True)
def retire(request, pk):
    gif = get_object_or_404(Gif, pk=pk)
    # Curators retire what agents flagged; anything else is for team leads.
    if not request.user.has_perm("library.retire_gif"):
        if not gif.agent_flags.exists():
            raise PermissionDenied
        if not gif.agent_flags.open().exists():
            # Another reviewer restored or retired it first: say who, on the
            # page of the GIF as it is now (by GET, so a refresh sends nothing).
            messages.error(request, str(gif.flags_refusal()))
            keep_unsent(request, gif, RetireForm(request.POST))
            return redirect("library:review", gif.pk)
    form = RetireForm(request.POST)
    try:
        if not form.is_valid():
            raise ReviewError(
                gettext("Say why it leaves the shelf."), code="missing_reason"
            )
        gif.retire(by=request.user, reason=form.cleaned_data["reason"])
    except ReviewError as refusal:
        messages.error(request, str(refusal))
        if refusal.code == "status_changed":
            keep_unsent(request, gif, form)
            return redirect("library:review", gif.pk)
        return review_page(request, gif, status=409)
    messages.success(
        request,
        gettext("Retired “%(title)s”. Its public link still works.")
        % {"title": gif.title},
    )
    return next_in_queue(request)


def next_in_queue(request):
    following = Gif.objects.review_queue_for(request.user).first()
    if following:
        return redirect("library:review", following.pk)
    return redirect("library:review_queue")


@require_POST
@login_required
@permission_required("library.flag_gif", raise_exception=True)
def flag(request, pk):
    gif = get_object_or_404(Gif.objects.approved(), pk=pk)
    form = FlagForm(request.POST)
    if form.is_valid():
        try:
            gif.flag(by=request.user, **form.cleaned_data)
        except ReviewError as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request,
                gettext(
                    "Thanks: “%(title)s” is hidden from search until a curator "
                    "has looked at it."
                )
                % {"title": gif.title},
            )
            return redirect(safe_next(request) or "library:home")
        return redirect(gif)
    # A missing reason or details: the page again (400), the box open on
    # what was chosen, and back to the same search after flagging.
    gif = Gif.objects.for_one_gif_page().get(pk=gif.pk)
    return detail_page(
        request, gif, status=400, flag_form=form, flag_next=safe_next(request)
    )


def servable_gif(request, public_id):
    """The GIF behind a public link, if this visitor may load its files."""
    gif = Gif.objects.filter(public_id=public_id).first()
    if gif is None:
        return None
    if gif.taken_down:
        return gif  # the caller answers 410 Gone, to everyone
    if gif.is_publicly_served or request.user.has_perm("library.review_gif"):
        return gif
    return None


@require_safe
def public_file(request, public_id, rendition, extension):
    """Serve an approved GIF's file to anyone; unapproved ones to reviewers.

    Everything else is a 404, so an unapproved GIF's link gives nothing away.
    """
    gif = servable_gif(request, public_id)
    if gif is None:
        return not_found_response()
    if gif.taken_down:
        return gone_response()
    if rendition:
        field_name, expected_extension = Gif.RENDITIONS[rendition]
        content_type = f"image/{expected_extension}"
    else:
        field_name, expected_extension = "original", gif.extension
        content_type = gif.content_type
    if extension != expected_extension:
        return not_found_response()
    return serve_file(
        request,
        gif,
        getattr(gif, field_name).name,
        content_type,
        variant=rendition or "original",
        filename=download_name(gif, rendition, extension),
    )


@require_safe
def public_frame(request, public_id, frame):
    """One frame of the review filmstrip, under the same rules."""
    gif = servable_gif(request, public_id)
    if gif is not None and gif.taken_down:
        return gone_response()
    entry = gif and next((f for f in gif.filmstrip if f["frame"] == frame), None)
    if entry is None:
        return not_found_response()
    return serve_file(
        request,
        gif,
        entry["name"],
        "image/png",
        variant=f"frame{frame}",
        filename=download_name(gif, f"frame-{frame}", "png"),
    )


def serve_file(request, gif, name, content_type, *, variant, filename):
    etag = quote_etag(f"{gif.sha256[:32]}-{variant}")
    if etag_matches(request.headers.get("If-None-Match", ""), etag):
        response = HttpResponseNotModified()
    else:
        try:
            response = file_response(name, content_type, filename)
        except FileNotFoundError:
            # Lost from storage (check_orphans reports and mends it): a
            # chat tool gets a plain 404, not a server error.
            logger.error("GIF %s: its file %s is missing from storage", gif.pk, name)
            return not_found_response()
    response["ETag"] = etag
    response["Cache-Control"] = (
        PUBLIC_CACHE_CONTROL if gif.is_publicly_served else PRIVATE_CACHE_CONTROL
    )
    # The same bytes for every visitor in every language (library.middleware).
    response.same_for_everyone = gif.is_publicly_served
    return with_media_headers(response)


def file_response(name, content_type, filename=None):
    """The stored file `name`, streamed from storage or, behind nginx, handed
    to it with an internal redirect: the same headers, no body from Python."""
    if not settings.GIFSHELF_ACCEL_REDIRECT:
        return FileResponse(
            media_storage().open(name, "rb"),
            content_type=content_type,
            filename=filename or "",
        )
    response = HttpResponse(content_type=content_type)
    response["X-Accel-Redirect"] = settings.GIFSHELF_ACCEL_REDIRECT + quote(name)
    if filename:
        response["Content-Disposition"] = content_disposition_header(False, filename)
    return response


def etag_matches(if_none_match, etag):
    """If-None-Match uses the weak comparison: W/"x" matches "x"."""
    candidates = [tag.removeprefix("W/") for tag in parse_etags(if_none_match)]
    return etag in candidates or "*" in candidates


def download_name(gif, rendition, extension):
    stem = slugify(gif.title) or "gif"
    return f"{stem}-{rendition}.{extension}" if rendition else f"{stem}.{extension}"


def with_media_headers(response):
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


def not_found_response():
    # A 404 here may turn into a 200 once the GIF is approved: never cache it.
    response = HttpResponse(
        gettext("No such GIF."), status=404, content_type="text/plain; charset=utf-8"
    )
    response["Cache-Control"] = "no-store"
    return with_media_headers(response)


def gone_response():
    # Taken down by a team lead. No cache may keep the answer: a lead can
    # restore the GIF, and its link must work again at once.
    response = HttpResponse(
        gettext("This GIF was taken down."),
        status=410,
        content_type="text/plain; charset=utf-8",
    )
    response["Cache-Control"] = "no-store"
    return with_media_headers(response)


# --- Dashboard ---

# What the ?days= switch offers; anything else shows the first.
DASHBOARD_DAYS = (30, 90)
# A GIF counts as unused when nobody copied it in this many days...
UNUSED_DAYS = 90
# ...and it has been on the shelf long enough for the team to find it.
UNUSED_GRACE = timedelta(days=30)


@dataclass(frozen=True)
class Row:
    cells: tuple  # text, the same in the page and in the CSV
    url: str = ""  # where the first cell links to


@dataclass(frozen=True)
class Table:
    slug: str
    title: str
    headers: tuple
    rows: list
    per_period: bool = True  # whether ?days= changes it
    data: tuple = ()  # the numbers behind the rows, for a chart
    note: str = ""
    total: int | None = None  # the rows in all, when `rows` are the first ones

    def filename(self, period):
        days = f"-{period.days}-days" if self.per_period else ""
        return f"gifshelf-{self.slug}{days}-{period.last_day:%Y-%m-%d}.csv"


class MomentCell(str):
    """A cell's text as the CSV has it ("2026-12-05 08:14", which spreadsheets
    read), keeping the moment for the page to write as every other page does
    ("5 Dec 2026, 08:14"): the moments `as_written` filter."""

    def __new__(cls, text, moment, page_format):
        made = super().__new__(cls, text)
        made.moment, made.page_format = moment, page_format
        return made


def cell(value, none=None):
    """One table cell as text, dates in the configured time zone."""
    if value is None:
        return gettext("never") if none is None else none
    if isinstance(value, datetime):
        local = timezone.localtime(value)
        return MomentCell(f"{local:%Y-%m-%d %H:%M}", local, "j M Y, H:i")
    if isinstance(value, date):
        return MomentCell(value.isoformat(), value, "j M Y")
    return str(value)


def copies_per_day_table(period):
    per_day = Copy.objects.per_day(period)
    rows = [Row((cell(day), cell(n))) for day, n in per_day]
    return Table(
        "copies-per-day",
        gettext("Copies per day"),
        (gettext("Day"), gettext("Copies")),
        rows,
        data=per_day,
    )


def top_gifs_table(period):
    rows = [
        Row(
            (
                title_with_shelf_state(row),
                cell(row["copies"]),
                cell(row["last_copied_at"]),
            ),
            url=reverse("library:gif_detail", args=[row["gif"]]),
        )
        for row in Copy.objects.within(period).top_gifs()
    ]
    headers = (gettext("GIF"), gettext("Copies"), gettext("Last copied"))
    return Table("top-gifs", gettext("Top GIFs"), headers, rows)


def title_with_shelf_state(row):
    """A top GIF's title, saying when agents can no longer send it: a lead
    reading "what gets used" should not plan around a GIF that is gone."""
    if row["taken_down_at"]:
        state = gettext("Taken down")
    elif row["status"] == Gif.Status.RETIRED:
        state = gettext("Retired")
    else:
        return row["title"]
    return f"{row['title']} ({state.lower()})"


def never_copied_table(period, limit=None):
    """The listed GIFs nobody copied lately, oldest first; with `limit`, only
    the first rows, and the table counts the rest (the page: a large shelf
    has tens of thousands, and the CSV lists them all)."""
    gifs = (
        Gif.objects.listed()
        .not_copied_since(Period(UNUSED_DAYS, period.last_day).start)
        .on_shelf_before(timezone.now() - UNUSED_GRACE)
        .only("pk", "title")
    )
    if limit is not None:
        gifs = gifs.annotate(total=Window(Count("pk")))[:limit]
    gifs = list(gifs)
    rows = [
        Row(
            (gif.title, cell(gif.on_shelf_since), cell(gif.last_copied_at)),
            url=gif.get_absolute_url(),
        )
        for gif in gifs
    ]
    return Table(
        "never-copied",
        ngettext(
            "Not copied in %(days)d day", "Not copied in %(days)d days", UNUSED_DAYS
        )
        % {"days": UNUSED_DAYS},
        (gettext("GIF"), gettext("On the shelf since"), gettext("Last copied")),
        rows,
        per_period=False,
        total=gifs[0].total if limit is not None and gifs else len(rows),
        note=ngettext(
            "Listed GIFs, on the shelf for at least %(grace)d day, that nobody "
            "copied in the last %(days)d days. Oldest first.",
            "Listed GIFs, on the shelf for at least %(grace)d days, that nobody "
            "copied in the last %(days)d days. Oldest first.",
            UNUSED_GRACE.days,
        )
        % {"grace": UNUSED_GRACE.days, "days": UNUSED_DAYS},
    )


def by_context_table(period):
    rows = [
        Row((context_cell(row), cell(row["copies"])))
        for row in Copy.objects.within(period).by_context()
    ]
    headers = (gettext("Context"), gettext("Copies"))
    return Table("by-context", gettext("Copies by context"), headers, rows)


def context_cell(row):
    """The context's name in the page's language (the English one is data)."""
    if row["context_name"] is None:
        return gettext("No context")
    if row["context_name_ru"] and in_russian():
        return row["context_name_ru"]
    return row["context_name"]


def mood_cell(row):
    if row["mood_name"] is None:
        return gettext("No mood")
    if row["mood_name_ru"] and in_russian():
        return row["mood_name_ru"]
    return row["mood_name"]


def by_mood_table(period):
    rows = [
        Row((mood_cell(row), cell(row["copies"])))
        for row in Copy.objects.within(period).by_mood()
    ]
    return Table(
        "by-mood",
        gettext("Copies by mood"),
        (gettext("Mood"), gettext("Copies")),
        rows,
        note=gettext("A copy counts under each of its GIF's moods."),
    )


def open_flags_table(period):
    flags = AgentFlag.objects.open().select_related("gif", "raised_by")
    rows = [
        Row(
            (
                flag.gif.title,
                flag.describe(),
                cell(flag.raised_by and flag.raised_by.get_username(), "—"),
                cell(flag.created_at),
            ),
            url=reverse("library:review", args=[flag.gif_id]),
        )
        for flag in flags.order_by("created_at", "pk")
    ]
    headers = (
        gettext("GIF"),
        gettext("Why"),
        gettext("Flagged by"),
        gettext("Flagged at"),
    )
    return Table(
        "open-flags", gettext("Open agent flags"), headers, rows, per_period=False
    )


def per_agent_table(period):
    rows = [
        Row(
            (
                cell(row["username"], gettext("Former member")),
                cell(row["copies"]),
                cell(row["last_copied_at"]),
            )
        )
        for row in Copy.objects.within(period).per_agent()
    ]
    headers = (gettext("Agent"), gettext("Copies"), gettext("Last copied"))
    return Table("per-agent", gettext("Copies per agent"), headers, rows)


# The page shows them in this order; each exports as /dashboard/<slug>.csv.
DASHBOARD_TABLES = {
    "copies-per-day": copies_per_day_table,
    "top-gifs": top_gifs_table,
    "never-copied": never_copied_table,
    "by-context": by_context_table,
    "by-mood": by_mood_table,
    "open-flags": open_flags_table,
    "per-agent": per_agent_table,
}


# Tables whose rows grow with the shelf show the first this many on the page.
DASHBOARD_PAGE_ROWS = 100
GROW_WITH_THE_SHELF = {"never-copied"}


def dashboard_period(request):
    days = request.GET.get("days", "")
    choices = {str(choice): choice for choice in DASHBOARD_DAYS}
    return Period.last(choices.get(days, DASHBOARD_DAYS[0]))


def copies_chart(per_day):
    """The bar chart of [(day, copies)], one bar a day."""
    return charts.bars(
        [n for _, n in per_day],
        720,
        220,
        labels=[short_date(day, "j M") for day, _n in per_day],
    )


@require_safe
@login_required
@permission_required("library.view_dashboard", raise_exception=True)
def dashboard(request):
    period = dashboard_period(request)
    tables = [
        build(period, limit=DASHBOARD_PAGE_ROWS)
        if slug in GROW_WITH_THE_SHELF
        else build(period)
        for slug, build in DASHBOARD_TABLES.items()
    ]
    per_day, *others = tables
    queue = Gif.objects.awaiting_review().aggregate(
        size=Count("pk"), oldest=Min("waiting_since")
    )
    context = {
        "period": period,
        "choices": DASHBOARD_DAYS,
        "per_day": per_day,
        "chart": copies_chart(per_day.data),
        "total": sum(n for _, n in per_day.data),
        "tables": others,
        "queue": queue,
    }
    return render(request, "library/dashboard.html", context)


@require_safe
@login_required
@permission_required("library.view_dashboard", raise_exception=True)
def dashboard_csv(request, table):
    build = DASHBOARD_TABLES.get(table)
    if build is None:
        raise Http404(gettext("No such table."))
    period = dashboard_period(request)
    data = build(period)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{data.filename(period)}"'
    # Excel reads a CSV without a byte order mark in the system's code page,
    # turning Russian titles and emoji into mojibake.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(spreadsheet_safe(data.headers))
    writer.writerows(spreadsheet_safe(row.cells) for row in data.rows)
    return response


# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cells):
    """The cells with any that a spreadsheet would run as a formula (a GIF
    titled `=HYPERLINK(…)`) turned into text by a leading quote, as OWASP
    advises against CSV injection."""
    return [f"'{text}" if text.startswith(FORMULA_STARTS) else text for text in cells]


# --- Team leads' tools ----------------------------------------------------

BULK_PAGE_SIZE = 50


def bulk_page(request, filter_form, action_form=None, status=200):
    """The leads' list of GIFs with filters, boxes to tick and the change to
    make; `action_form` carries a refused change back with its errors."""
    gifs = filter_form.filter(Gif.objects.all())
    if "last_copied_at" not in gifs.query.annotations:
        gifs = gifs.with_last_copy()
    gifs = gifs.with_tags().with_open_flag_count()
    page = Paginator(gifs, BULK_PAGE_SIZE).get_page(request.GET.get("page"))
    filters = filter_form.filters()
    ticked = set(action_form.data.getlist("gifs")) if action_form else set()
    focus_first_error(action_form)
    context = {
        "filter_form": filter_form,
        "action_form": action_form or BulkAppropriatenessForm(),
        "filters": filters,
        "filters_query": urlencode(filters),
        "page": page,
        "gifs": page.object_list,
        "ticked": ticked,
        # Shown again after a refused change, at its POST-only address.
        "page_address": picker_url("library:bulk_appropriateness", **filters),
    }
    return render(request, "library/bulk_appropriateness.html", context, status=status)


@require_safe
@login_required
@permission_required("library.set_appropriateness", raise_exception=True)
def bulk_appropriateness(request):
    return bulk_page(request, GifFilterForm(request.GET))


@require_POST
@login_required
@permission_required("library.set_appropriateness", raise_exception=True)
def bulk_appropriateness_apply(request):
    """Add or remove appropriateness tags on the ticked GIFs, or on every GIF
    the filters (sent along as hidden fields) match."""
    filter_form = GifFilterForm(request.POST)
    form = BulkAppropriatenessForm(request.POST)
    valid = form.is_valid()
    if valid and form.cleaned_data["all_matching"] and not filter_form.is_valid():
        # Never widen "every GIF that matches" to the whole shelf.
        form.add_error(None, _("The filters changed meanwhile: choose them again."))
        valid = False
    if not valid:
        return bulk_page(request, filter_form, form, status=400)
    gifs = form.chosen(filter_form.filter(Gif.objects.all()))
    chosen = gifs.count()
    changed = form.apply(gifs, by=request.user)
    names = ", ".join(quoted(tag.display_name) for tag in form.cleaned_data["tags"])
    if not changed:
        messages.info(request, _("Nothing changed: the GIFs already were that way."))
        return redirect(
            picker_url("library:bulk_appropriateness", **filter_form.filters())
        )
    if form.cleaned_data["change"] == form.ADD:
        done = ngettext(
            "Added %(tags)s to %(count)d GIF.",
            "Added %(tags)s to %(count)d GIFs.",
            changed,
        )
    else:
        done = ngettext(
            "Removed %(tags)s from %(count)d GIF.",
            "Removed %(tags)s from %(count)d GIFs.",
            changed,
        )
    message = done % {"tags": names, "count": changed}
    if unchanged := chosen - changed:
        # So a lead who ticked five and reads "1" knows nothing was lost.
        message += " " + ngettext(
            "%(count)d more was that way already.",
            "%(count)d more were that way already.",
            unchanged,
        ) % {"count": unchanged}
    messages.success(request, message)
    return redirect(picker_url("library:bulk_appropriateness", **filter_form.filters()))


@require_safe
@login_required
@permission_required("library.change_conversationcontext", raise_exception=True)
def contexts(request):
    found = ConversationContext.objects.prefetch_related("hides", "warns")
    return render(request, "library/contexts.html", {"contexts": found})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@permission_required("library.add_conversationcontext", raise_exception=True)
def context_create(request):
    return context_form_page(request, ConversationContext())


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@permission_required("library.change_conversationcontext", raise_exception=True)
def context_edit(request, pk):
    return context_form_page(request, get_object_or_404(ConversationContext, pk=pk))


def context_form_page(request, conversation):
    """Create or edit a conversation context. The picker reads contexts on
    every request, so a saved change shows in the next search."""
    form = ConversationContextForm(request.POST or None, instance=conversation)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(
            request,
            _("Saved “%(name)s”: the picker uses it from the next search.")
            % {"name": saved.display_name},
        )
        return redirect("library:contexts")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "library/context_form.html",
        {"form": form, "conversation": conversation},
        status=status,
    )


def may_change_vocabulary(user, tag_model):
    return user.has_perm(f"library.change_{tag_model._meta.model_name}")


@require_safe
@login_required
def vocabularies(request):
    """Every tag of the vocabularies this lead may change, with its guidance
    and how many GIFs carry it."""
    sections = [
        {
            "vocabulary": vocabulary,
            "title": VOCABULARY_TITLES[vocabulary],
            "tags": tag_model.objects.annotate(n=Count("items")).order_by("name"),
        }
        for vocabulary, tag_model in VOCABULARY_MODELS.items()
        if may_change_vocabulary(request.user, tag_model)
    ]
    if not sections:
        raise PermissionDenied
    return render(request, "library/vocabularies.html", {"sections": sections})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def tag_guidance(request, vocabulary, pk):
    tag_model = VOCABULARY_MODELS.get(vocabulary)
    if tag_model is None:
        raise Http404("No such vocabulary.")
    if not may_change_vocabulary(request.user, tag_model):
        raise PermissionDenied
    tag = get_object_or_404(tag_model, pk=pk)
    form = tag_guidance_form(tag_model)(request.POST or None, instance=tag)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request, _("Saved the guidance for “%(tag)s”.") % {"tag": tag.display_name}
        )
        return redirect(reverse("library:vocabularies") + f"#{vocabulary}-{tag.pk}")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "tag": tag, "vocabulary": vocabulary}
    return render(request, "library/tag_guidance.html", context, status=status)


@require_safe
@login_required
@permission_required("library.search_gif", raise_exception=True)
def house_rules(request):
    rules = HouseRules.current()
    context = {
        "rules": rules,
        "unread": rules.unread_by(Preferences.of(request.user)),
    }
    return render(request, "library/house_rules.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@permission_required("library.change_houserules", raise_exception=True)
def house_rules_edit(request):
    rules = HouseRules.current()
    initial = {"text": rules.text, "text_ru": rules.text_ru}
    form = HouseRulesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        rules.revise(
            text=form.cleaned_data["text"],
            text_ru=form.cleaned_data["text_ru"],
            by=request.user,
            show_again=form.cleaned_data["show_again"],
        )
        if form.cleaned_data["show_again"]:
            messages.success(
                request,
                _("Saved the house rules: everyone sees them again in the picker."),
            )
        else:
            messages.success(request, _("Saved the house rules."))
        changed = form.changed_data
        if "text" in changed and "text_ru" not in changed and rules.text_ru:
            messages.warning(
                request,
                _(
                    "The Russian rules were not changed with the English ones: "
                    "Russian readers still see the old text until you change "
                    "it too."
                ),
            )
        return redirect("library:house_rules")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "rules": rules}
    return render(request, "library/house_rules_edit.html", context, status=status)


@require_POST
@login_required
@permission_required("library.search_gif", raise_exception=True)
def house_rules_read(request):
    """ "Got it": the member read the version of the rules their page showed."""
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = 0
    HouseRules.current().acknowledge(Preferences.of(request.user), version)
    return redirect(safe_next(request) or "library:home")

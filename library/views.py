from functools import wraps
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import modelform_factory
from django.http import FileResponse, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import parse_etags, quote_etag, url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)
from django_htmx.http import push_url

from library.api import picker_choices
from library.forms import (
    ApiTokenForm,
    FlagForm,
    GifForm,
    RetireForm,
    ReviewForm,
    TagAliasForm,
    UploadForm,
)
from library.imaging import ImageRefused, describe_bytes
from library.models import (
    ApiToken,
    ConversationContext,
    Copy,
    Favourite,
    Gif,
    Preferences,
    ReviewError,
    TagAlias,
    media_storage,
)
from library.uploads import oversized_message

# Files never change under a public id, so caches may keep them for a year.
PUBLIC_CACHE_CONTROL = "public, max-age=31536000, immutable"
# Reviewers see unapproved files; no shared cache may keep those.
PRIVATE_CACHE_CONTROL = "private, no-cache"


@require_safe
@login_required
def gif_detail(request, pk):
    if not request.user.has_perm("library.search_gif"):
        raise PermissionDenied
    gif = get_object_or_404(
        Gif.objects.visible_to(request.user)
        .with_tags()
        .with_open_flag_count()
        .select_related("uploaded_by", "reviewed_by", "watched_to_end_by"),
        pk=pk,
    )
    context = {
        "gif": gif,
        "events": gif.events.select_related("actor")[:50],
        "flag_form": FlagForm(),
        "already_flagged": gif.agent_flags.open()
        .filter(raised_by=request.user)
        .exists(),
    }
    return render(request, "library/gif_detail.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@permission_required("library.change_gif", raise_exception=True)
def gif_edit(request, pk):
    gif = get_object_or_404(Gif.objects.visible_to(request.user), pk=pk)
    form = GifForm(request.POST or None, instance=gif, user=request.user)
    back = safe_next(request) or gif.get_absolute_url()
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Saved “{gif.title}”.")
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


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@permission_required("library.add_gif", raise_exception=True)
def upload(request):
    if request.method != "POST":
        return render_upload(request, UploadForm())

    files = request.FILES  # reading the body is what notes oversized files
    oversized = getattr(request, "oversized_uploads", [])
    form = UploadForm(request.POST, files, oversized=oversized)
    if not form.is_valid():
        return render_upload(request, form, status=400)

    results = [{"name": name, "error": oversized_message(name)} for name in oversized]
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
            results.append(
                {
                    "name": file.name,
                    "error": str(refusal),
                    "existing": getattr(refusal, "existing", None),
                }
            )
        else:
            results.append({"name": file.name, "gif": gif})
    accepted = sum(1 for result in results if "gif" in result)
    return render_upload(
        request,
        UploadForm(),
        status=200 if accepted else 400,
        results=results,
        accepted=accepted,
        refused=len(results) - accepted,
    )


def render_upload(request, form, status=200, **context):
    context.update(
        form=form,
        max_files=settings.GIFSHELF_MAX_FILES_PER_UPLOAD,
        max_bytes=settings.GIFSHELF_MAX_UPLOAD_BYTES,
        max_size=describe_bytes(settings.GIFSHELF_MAX_UPLOAD_BYTES),
    )
    return render(request, "library/upload.html", context, status=status)


# --- The agent's picker -----------------------------------------------------

# The session key holding the slug of the conversation context the agent chose.
PICKER_CONTEXT = "picker_context"
PICKER_PAGE_SIZE = 48
SHELF_ROW_SIZE = 8
COPY_LABELS = {"link": "Copy link", "rich": "Copy image", "markdown": "Copy Markdown"}

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
    return (
        ConversationContext.objects.prefetch_related("hides", "warns")
        .filter(slug=slug)
        .first()
    )


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
        gif.guidance_line = next(iter(gif.guidance.splitlines()), "")
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
        ("recent", "Recently used by me", shelf.recently_copied_by(request.user)),
        ("mine", "My favourites", shelf.favourites_of(request.user)),
        ("team", "Team favourites", shelf.team_favourites()),
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
        notice = f"{unknown.args[0]} Showing every mood and situation."
    mood, situation = chosen["mood"], chosen["situation"]
    context = chosen_context(request)
    preferences = Preferences.of(request.user)
    filters = {
        "q": query,
        "mood": mood.name if mood else "",
        "situation": situation.name if situation else "",
    }
    filtered = any(filters.values())

    results = Gif.objects.pick(
        query=query, mood=mood, situation=situation, context=context
    )
    page = Paginator(results.for_cards(), PICKER_PAGE_SIZE).get_page(params.get("page"))
    page.object_list = as_cards(request, page.object_list, context)

    browsing = not filtered and page.number == 1 and bool(page.object_list)
    sections = shelf_rows(request, context) if browsing else []

    # Nothing to show: say whether the context hides what would match.
    hidden_count = 0
    if not page.object_list and context is not None:
        hidden_count = Gif.objects.pick(
            query=query, mood=mood, situation=situation
        ).count()

    return {
        "query": query,
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
        "copy_label": COPY_LABELS.get(preferences.copy_format, "Copy link"),
        "page": page,
        "gifs": page.object_list,
        "browsing": browsing,
        "sections": sections,
        "mood_chips": filter_chips(results.tag_counts("mood"), "mood", mood, filters),
        "situation_chips": filter_chips(
            results.tag_counts("situation"), "situation", situation, filters
        ),
        "hidden_count": hidden_count,
        "shelf_empty": not page.object_list and not filtered and not hidden_count,
        "notice": notice,
    }


@require_safe
@login_required
@permission_required("library.search_gif", raise_exception=True)
def home(request):
    """The agent's picker. It works as plain forms and links; htmx and
    picker.js make it instant and keyboard-first."""
    return render(request, "library/home.html", picker(request, request.GET))


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
    response = render(request, "library/picker/_results.html", state)
    # So that reload and Back show the same results (once per change).
    if request.htmx.current_url_abs_path != state["home_url"]:
        push_url(response, state["home_url"])
    return response


@require_POST
@login_required
@permission_required("library.search_gif", raise_exception=True)
def choose_context(request):
    """Remember the kind of conversation for the rest of the agent's session."""
    slug = request.POST.get("context", "")
    known = ConversationContext.objects.filter(slug=slug).exists() if slug else False
    if known:
        request.session[PICKER_CONTEXT] = slug
    else:
        request.session.pop(PICKER_CONTEXT, None)
    gone = "That kind of conversation is gone; showing GIFs for any conversation."
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
        messages.success(request, f"“{gif.title}” is in your favourites.")
    else:
        messages.success(request, f"“{gif.title}” is out of your favourites.")
    return redirect(safe_next(request) or gif)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@permission_required("library.search_gif", raise_exception=True)
def preferences(request):
    form = PreferencesForm(request.POST or None, instance=Preferences.of(request.user))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Saved your preferences.")
        return redirect("library:preferences")
    context = {
        "form": form,
        "token_form": ApiTokenForm(),
        "tokens": request.user.api_tokens.filter(revoked_at__isnull=True),
        # Shown once, right after it was made: only its hash is kept.
        "new_token": request.session.pop("new_api_token", None),
    }
    return render(request, "library/preferences.html", context)


@require_POST
@login_required
@permission_required("library.search_gif", raise_exception=True)
def token_create(request):
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        _, key = ApiToken.issue(request.user, form.cleaned_data["name"])
        request.session["new_api_token"] = key
    else:
        messages.error(request, "Name the token: say what it is for.")
    return redirect(reverse("library:preferences") + "#api-tokens")


@require_POST
@login_required
def token_revoke(request, pk):
    token = get_object_or_404(
        request.user.api_tokens.filter(revoked_at__isnull=True), pk=pk
    )
    token.revoke()
    messages.success(request, f"Revoked “{token.name}”: it no longer works.")
    return redirect(reverse("library:preferences") + "#api-tokens")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@permission_required("library.add_tagalias", raise_exception=True)
def aliases(request):
    form = TagAliasForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        alias = form.save()
        messages.success(
            request, f"“{alias.name}” now finds GIFs tagged “{alias.target}”."
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
    messages.success(request, f"Removed the alias “{alias.name}”.")
    return redirect("library:aliases")


# --- Review ---------------------------------------------------------------


@require_safe
@login_required
@permission_required("library.add_gif", raise_exception=True)
def my_uploads(request):
    gifs = request.user.uploads.order_by("-created_at")
    return render(request, "library/my_uploads.html", {"gifs": gifs})


@require_safe
@login_required
@permission_required("library.review_gif", raise_exception=True)
def review_queue(request):
    gifs = Gif.objects.review_queue_for(request.user).select_related("uploaded_by")
    context = {
        "gifs": gifs,
        "allow_self_approval": settings.GIFSHELF_ALLOW_SELF_APPROVAL,
    }
    return render(request, "library/review_queue.html", context)


@require_safe
@login_required
@permission_required("library.review_gif", raise_exception=True)
def review(request, pk):
    return review_page(request, get_object_or_404(Gif, pk=pk))


def review_page(request, gif, status=200, form=None):
    gif = (
        Gif.objects.with_tags()
        .with_open_flag_count()
        .select_related("uploaded_by", "reviewed_by", "watched_to_end_by")
        .get(pk=gif.pk)
    )
    context = {
        "gif": gif,
        "form": form or ReviewForm(),
        "details_form": GifForm(instance=gif, user=request.user),
        "retire_form": RetireForm(),
        "near_duplicates": gif.near_duplicates.all(),
        "open_flags": gif.agent_flags.open().select_related("raised_by"),
        "own_upload": gif.uploaded_by_id == request.user.pk
        and not settings.GIFSHELF_ALLOW_SELF_APPROVAL,
    }
    return render(request, "library/review.html", context, status=status)


def reviewed(action):
    """A review decision view: POST a ReviewForm, call the model, move on.

    A refusal re-renders the review page with the reason (409), so nothing
    the curator typed is lost.
    """

    @require_POST
    @login_required
    @permission_required("library.review_gif", raise_exception=True)
    @wraps(action)
    def view(request, pk):
        gif = get_object_or_404(Gif, pk=pk)
        form = ReviewForm(request.POST)
        if not form.is_valid():
            return review_page(request, gif, status=400, form=form)
        try:
            done = action(request, gif, form)
        except ReviewError as refusal:
            messages.error(request, str(refusal))
            return review_page(request, gif, status=409, form=form)
        messages.success(request, done)
        return next_in_queue(request)

    return view


@reviewed
def approve(request, gif, form):
    gif.approve(
        by=request.user,
        acknowledge_flashing=form.cleaned_data["acknowledge_flashing"],
        **form.decision(),
    )
    return f"Approved “{gif.title}”."


@reviewed
def reject(request, gif, form):
    gif.reject(by=request.user, reason=form.cleaned_data["reason"], **form.decision())
    return f"Rejected “{gif.title}”."


@reviewed
def skip(request, gif, form):
    gif.skip(by=request.user)
    return f"Skipped “{gif.title}”; it stays in the others' queues."


@reviewed
def restore(request, gif, form):
    gif.restore(by=request.user)
    return f"“{gif.title}” is back on the shelf."


@require_POST
@login_required
@permission_required("library.review_gif", raise_exception=True)
def retire(request, pk):
    gif = get_object_or_404(Gif, pk=pk)
    # Curators retire what agents flagged; anything else is for team leads.
    flagged = gif.agent_flags.open().exists()
    if not (flagged or request.user.has_perm("library.retire_gif")):
        if not gif.agent_flags.exists():
            raise PermissionDenied
        messages.error(
            request,
            "There is no open flag on this GIF any more: someone restored it. "
            "Only team leads retire GIFs nobody flagged.",
        )
        return review_page(request, gif, status=409)
    form = RetireForm(request.POST)
    try:
        if not form.is_valid():
            raise ReviewError("Say why it leaves the shelf.", code="missing_reason")
        gif.retire(by=request.user, reason=form.cleaned_data["reason"])
    except ReviewError as refusal:
        messages.error(request, str(refusal))
        return review_page(request, gif, status=409)
    messages.success(request, f"Retired “{gif.title}”. Its public link still works.")
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
                f"Thanks: “{gif.title}” is hidden from search until a curator "
                "has looked at it.",
            )
            return redirect("library:home")
    else:
        messages.error(request, "Choose why you flag it.")
    return redirect(gif)


def servable_gif(request, public_id):
    """The GIF behind a public link, if this visitor may load its files."""
    gif = Gif.objects.filter(public_id=public_id).first()
    if gif is None:
        return None
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
        response = FileResponse(
            media_storage().open(name, "rb"),
            content_type=content_type,
            filename=filename,
        )
    response["ETag"] = etag
    response["Cache-Control"] = (
        PUBLIC_CACHE_CONTROL if gif.is_publicly_served else PRIVATE_CACHE_CONTROL
    )
    return with_media_headers(response)


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
        "No such GIF.", status=404, content_type="text/plain; charset=utf-8"
    )
    response["Cache-Control"] = "no-store"
    return with_media_headers(response)

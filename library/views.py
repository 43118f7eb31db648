from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import parse_etags, quote_etag, url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from library.forms import FlagForm, GifForm, RetireForm, ReviewForm, UploadForm
from library.imaging import ImageRefused, describe_bytes
from library.models import Gif, ReviewError, media_storage
from library.uploads import oversized_message

# Files never change under a public id, so caches may keep them for a year.
PUBLIC_CACHE_CONTROL = "public, max-age=31536000, immutable"
# Reviewers see unapproved files; no shared cache may keep those.
PRIVATE_CACHE_CONTROL = "private, no-cache"


@require_safe
@login_required
def home(request):
    if not request.user.has_perm("library.search_gif"):
        raise PermissionDenied
    gifs = Gif.objects.approved().without_open_flags().with_tags()[:60]
    return render(request, "library/home.html", {"gifs": gifs})


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

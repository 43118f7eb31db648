from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import parse_etags, quote_etag
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_safe

from library.forms import GifForm, UploadForm
from library.imaging import ImageRefused, describe_bytes
from library.models import Gif
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
    gifs = Gif.objects.approved().with_tags()[:60]
    return render(request, "library/home.html", {"gifs": gifs})


@require_safe
@login_required
def gif_detail(request, pk):
    if not request.user.has_perm("library.search_gif"):
        raise PermissionDenied
    gif = get_object_or_404(
        Gif.objects.visible_to(request.user).with_tags().select_related("uploaded_by"),
        pk=pk,
    )
    return render(request, "library/gif_detail.html", {"gif": gif})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@permission_required("library.change_gif", raise_exception=True)
def gif_edit(request, pk):
    gif = get_object_or_404(Gif.objects.visible_to(request.user), pk=pk)
    form = GifForm(request.POST or None, instance=gif, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Saved “{gif.title}”.")
        return redirect(gif)
    return render(request, "library/gif_edit.html", {"gif": gif, "form": form})


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


@require_safe
def public_file(request, public_id, rendition, extension):
    """Serve an approved GIF's file to anyone; unapproved ones to reviewers.

    Everything else is a 404, so an unapproved GIF's link gives nothing away.
    """
    gif = Gif.objects.filter(public_id=public_id).first()
    reviewer = request.user.has_perm("library.review_gif")
    if gif is None or not (gif.is_publicly_served or reviewer):
        return not_found_response()

    if rendition:
        field_name, expected_extension = Gif.RENDITIONS[rendition]
    else:
        field_name, expected_extension = "original", gif.extension
    if extension != expected_extension:
        return not_found_response()

    etag = quote_etag(f"{gif.sha256[:32]}-{rendition or 'original'}")
    cache_control = (
        PUBLIC_CACHE_CONTROL if gif.is_publicly_served else PRIVATE_CACHE_CONTROL
    )
    if etag_matches(request.headers.get("If-None-Match", ""), etag):
        response = HttpResponseNotModified()
    else:
        content_type = (
            gif.content_type if field_name == "original" else f"image/{extension}"
        )
        response = FileResponse(
            getattr(gif, field_name).open("rb"),
            content_type=content_type,
            filename=download_name(gif, rendition, extension),
        )
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
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

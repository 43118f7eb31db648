"""Upload limits enforced while the request streams in, before any decoding."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext, ngettext

from library.imaging import describe_bytes


class SizeLimitUploadHandler(FileUploadHandler):
    """Stop keeping a file the moment it passes the size limit.

    The names of the files skipped are kept on the request so the view can
    tell the curator which ones were too large.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.GIFSHELF_MAX_UPLOAD_BYTES:
            oversized = getattr(self.request, "oversized_uploads", [])
            oversized.append(self.file_name)
            self.request.oversized_uploads = oversized
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


def oversized_message(file_name=None):
    """What a file too large to keep is told; without a name where the report
    already names it. Only "larger than" is known: reading stopped there."""
    limit = describe_bytes(settings.GIFSHELF_MAX_UPLOAD_BYTES)
    if file_name is None:
        return gettext(
            "The file is larger than %(limit)s, the most the shelf takes. "
            "Compress or trim it, then upload it again."
        ) % {"limit": limit}
    return gettext(
        "“%(name)s” is larger than %(limit)s, the most the shelf takes. "
        "Compress or trim it, then upload it again."
    ) % {"name": file_name, "limit": limit}


class RequestSizeLimitMiddleware:
    """Refuse a request too large to hold only allowed files, unread.

    Late in MIDDLEWARE, so that the refusal is the site's own page, in the
    member's language and with their navigation; nothing before it reads the
    body (CSRF reads the form only on its way into a view).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.GIFSHELF_MAX_REQUEST_BYTES:
            return request_too_large(request)
        return self.get_response(request)


def request_too_large(request):
    most = settings.GIFSHELF_MAX_FILES_PER_UPLOAD
    message = ngettext(
        "That upload is too large. Each file may be up to %(size)s, and one "
        "upload may carry up to %(count)d file.",
        "That upload is too large. Each file may be up to %(size)s, and one "
        "upload may carry up to %(count)d files.",
        most,
    ) % {"size": describe_bytes(settings.GIFSHELF_MAX_UPLOAD_BYTES), "count": most}
    if request.path.startswith("/api/"):
        return JsonResponse({"error": message, "code": "too_large"}, status=413)
    return render(request, "413.html", {"message": message}, status=413)

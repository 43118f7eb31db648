"""The JSON API: the contract integrations rely on (documented in docs/api.md).

Errors are always {"error": "<sentence>", "code": "<code>"}: the sentence
in the reader's language, for a person; the code untranslated and stable,
for a script (the list is openapi.ERROR_CODES).
"""

import hashlib
import json
import uuid
from datetime import UTC
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import get_language, gettext, gettext_noop
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from library import openapi
from library.forms import FlagForm, GifForm, ReviewForm, UploadForm, split_names
from library.imaging import ImageRefused, describe_bytes
from library.models import (
    AgentFlag,
    ApiToken,
    ConversationContext,
    Copy,
    DuplicateImage,
    Gif,
    MoodTag,
    ReviewError,
    ShelfVersion,
    SituationTag,
)
from library.search import fold, unsearchable
from library.uploads import oversized_message

TEXT_FIELDS = Gif.TEXT_FIELDS
TAG_FIELDS = Gif.TAG_FIELDS
EDITABLE_FIELDS = TEXT_FIELDS + TAG_FIELDS


def error(message, status, code):
    return JsonResponse({"error": message, "code": code}, status=status)


def no_such_gif():
    return error(gettext("No such GIF, or it is not visible to you."), 404, "not_found")


def not_on_the_shelf():
    return error(gettext("No such GIF on the shelf."), 404, "not_found")


@csrf_exempt
def not_found(request):
    """Any /api/ address no route answers (a mistyped path, an id that is not
    a number): JSON like every API error, not the site's HTML page."""
    return error(
        gettext(
            "There is nothing at %(path)s in the API: check the address against "
            "/api/openapi.json (a GIF's id is a whole number)."
        )
        % {"path": request.path},
        404,
        "not_found",
    )


def is_api(request):
    return request.path.startswith("/api/")


def bad_request(request, exception):
    """Django's own refusals of a request it cannot read (too many fields or
    files, a host it does not serve): JSON under /api/, the site's page
    elsewhere."""
    if is_api(request):
        return error(
            gettext(
                "The request could not be read (too many fields or files, or an "
                "address this server does not answer to): check what you send."
            ),
            400,
            "bad_request",
        )
    return defaults.bad_request(request, exception)


def server_error(request):
    """A crash: JSON under /api/, so a script reads it as it reads every other
    error; the site's page elsewhere."""
    if is_api(request):
        return error(
            gettext(
                "Something went wrong on the shelf's side; what you sent may not "
                "have been saved. Try again; if it happens again, tell the team "
                "that runs the shelf."
            ),
            500,
            "server_error",
        )
    return defaults.server_error(request)


def api_view(*methods):
    """Allow `methods`, authenticate, and answer errors in JSON.

    A personal token (`Authorization: Bearer …`) stands for its owner and
    needs no CSRF token; a browser session does, on every unsafe method.
    """

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                refusal = refusal_at_the_door(request, methods)
                return refusal or view(request, *args, **kwargs)
            except Http404:
                return no_such_gif()
            except RequestDataTooBig:
                # Django's cap on a body read whole (JSON, form fields): its
                # own answer is the site's HTML 400, not "too large".
                return error(
                    gettext(
                        "The request is larger than %(limit)s, the most the API "
                        "reads as JSON or form fields: send less. An image goes "
                        "as a multipart upload to /api/gifs/."
                    )
                    % {"limit": describe_bytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)},
                    413,
                    "too_large",
                )

        return wrapper

    return decorator


def refusal_at_the_door(request, methods):
    """The error for a wrong method, a missing or refused login, or a
    session's write without its CSRF token; None to let the request in (as
    the token's owner, for a token)."""
    if request.method not in methods:
        response = error(
            gettext("Use %(methods)s here.")
            % {"methods": gettext(" or ").join(methods)},
            405,
            "method_not_allowed",
        )
        response["Allow"] = ", ".join(methods)
        return response
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":  # schemes are case-insensitive
        token = ApiToken.objects.authenticate(credentials.strip())
        if token is None:
            return unauthorized(*refusal_of_token(credentials.strip()))
        request.user = token.user
    elif not request.user.is_authenticated and scheme.strip():
        # "Token gs_…", "Basic …" or the bare token. Only without a
        # session: a proxy's Basic login may ride on the browser's.
        return unauthorized(
            gettext(
                "Send the token as “Authorization: Bearer <token>”: the "
                "word Bearer, a space, then the token from the "
                "preferences page."
            ),
            "wrong_scheme",
        )
    elif not request.user.is_authenticated:
        return unauthorized(
            gettext("Log in first, or send a personal API token."),
            "unauthorized",
        )
    elif request.method not in SAFE_METHODS:
        return CSRF_CHECK.process_view(request, None, (), {})
    return None


SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSRF_CHECK = CsrfViewMiddleware(lambda request: None)


def unauthorized(message, code):
    response = error(message, 401, code)
    response["WWW-Authenticate"] = 'Bearer realm="gifshelf"'
    return response


def refusal_of_token(key):
    """Why a bearer token was refused, in words its owner can act on, and
    the code that says it to a script.

    Revoking keeps the row (revoked_at), so a revoked token is told apart
    from a mistyped one, and when: a script's owner may not have revoked it.
    """
    token = ApiToken.objects.filter(key_hash=ApiToken.hash(key)).first()
    if token is not None and token.revoked_at is not None:
        return gettext(
            "That API token was revoked on %(date)s (UTC): make a new one on the "
            "preferences page."
        ) % {"date": utc_minute(token.revoked_at)}, "token_revoked"
    if token is not None and token.expired:
        return gettext(
            "That API token expired on %(date)s (UTC): make a new one on the "
            "preferences page."
        ) % {"date": utc_minute(token.expires_at)}, "token_expired"
    return gettext(
        "That API token is not valid: check that it was copied whole, or make "
        "a new one on the preferences page."
    ), "token_invalid"


def utc_minute(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def csrf_failure(request, reason=""):
    """The API's answer to a session's write without the CSRF token (pages
    get library.views.csrf_failure)."""
    return error(
        gettext(
            "The CSRF token is missing or wrong: send the csrftoken cookie's "
            "value in the X-CSRFToken header."
        ),
        403,
        "csrf_failed",
    )


class Links:
    """A request's absolute URLs of GIFs, each kind reversed once: a page of
    results would otherwise reverse and build five URLs per GIF."""

    SAMPLE = uuid.UUID(int=0)
    SAMPLE_PK = 987654321

    def __init__(self, request):
        host = request.build_absolute_uri("/")[:-1]
        self.original = host + reverse(
            "public_file",
            kwargs={"public_id": self.SAMPLE, "extension": "extension"},
        )
        self.renditions = {
            rendition: host
            + reverse(
                "public_rendition",
                kwargs={
                    "public_id": self.SAMPLE,
                    "rendition": rendition,
                    "extension": extension,
                },
            )
            for rendition, (_, extension) in Gif.RENDITIONS.items()
        }
        self.page = host + reverse("library:gif_detail", args=[self.SAMPLE_PK])
        self.frame = host + reverse(
            "public_frame", kwargs={"public_id": self.SAMPLE, "frame": self.SAMPLE_PK}
        )

    def public(self, gif, rendition=None):
        """What gif.public_url(request, rendition) gives, built faster."""
        if not gif.is_publicly_served:
            return None
        if rendition is None:
            url = self.original.replace(".extension", f".{gif.extension}")
        else:
            url = self.renditions[rendition]
        return url.replace(self.SAMPLE.hex, gif.public_id.hex)

    def page_of(self, gif):
        return self.page.replace(str(self.SAMPLE_PK), str(gif.pk))

    def poster(self, gif):
        """What a still card shows (Gif.poster_path), absolute."""
        if gif.poster_frame is None or not gif.is_publicly_served:
            return self.public(gif, "still")
        return self.frame.replace(self.SAMPLE.hex, gif.public_id.hex).replace(
            f"frame{self.SAMPLE_PK}", f"frame{gif.poster_frame}"
        )


def gif_json(gif, request, links=None, reviewer=None):
    """The GIF object of docs/api.md. Expects for_cards(); a list passes the
    request's `links` and whether the member is a `reviewer`, the same for
    every GIF."""
    links = links or Links(request)
    if reviewer is None:
        reviewer = request.user.has_perm("library.review_gif")

    def names(vocabulary):
        return sorted(tag.name for tag in gif.tags_of(vocabulary))

    return {
        "id": gif.pk,
        "title": gif.title,
        "alt_text": gif.alt_text,
        "use_when": gif.use_when,
        "avoid_when": gif.avoid_when,
        "use_when_ru": gif.use_when_ru,
        "avoid_when_ru": gif.avoid_when_ru,
        "alt_text_ru": gif.alt_text_ru,
        "status": gif.status,
        "format": gif.format,
        "width": gif.width,
        "height": gif.height,
        "frames": gif.frames,
        "duration_ms": gif.duration_ms,
        "loops": gif.loops,
        "bytes": gif.byte_size,
        "sha256": gif.sha256,
        "mood": names("mood"),
        "situation": names("situation"),
        "appropriateness": names("appropriateness"),
        "url": links.public(gif),
        "still_url": links.public(gif, "still"),
        "last_still_url": links.public(gif, "last"),
        "poster_url": links.poster(gif),
        "preview_url": links.public(gif, "preview"),
        "page_url": links.page_of(gif),
        "uploaded_by": username(gif.uploaded_by),
        "created_at": gif.created_at.isoformat(),
        "flags": gif.flags,
        "flag_note": gif.review_note,
        "flash_per_second": gif.flash_per_second,
        # Agents learn nothing of unapproved GIFs, not even their ids.
        "near_duplicates": sorted(
            other.pk
            for other in gif.near_duplicates_listed()
            if reviewer or other.status == Gif.Status.APPROVED
        ),
        "watched_to_end_by": username(gif.watched_to_end_by),
        "watched_to_end_at": isoformat(gif.watched_to_end_at),
        "reviewed_by": username(gif.reviewed_by),
        "reviewed_at": isoformat(gif.reviewed_at),
        "rejection_reason": gif.rejection_reason,
        "taken_down": gif.taken_down,
    }


def username(user):
    return user.get_username() if user else None


def isoformat(moment):
    return moment.isoformat() if moment else None


def request_data(request):
    """The body of a POST as a dict: JSON, or a form's fields."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None
        return data if isinstance(data, dict) else None
    data = request.POST.dict()
    if "flags" in request.POST:
        data["flags"] = request.POST.getlist("flags")
    return data


def form_error_sentence(form):
    sentences = []
    for field, errors in form.errors.items():
        label = "" if field == "__all__" else f"{field}: "
        sentences.extend(f"{label}{message}" for message in errors)
    return " ".join(sentences)


PAGE_SIZE = 24
# The answer echoes `page`: past 2**53 a JavaScript reader of the JSON would
# get another number than the one it sent.
LAST_PAGE = 2**53 - 1


@api_view("GET", "HEAD", "POST")
def gifs(request):
    if request.method == "POST":
        return upload(request)
    return search_shelf(request)


def search_shelf(request):
    """The picker's search: listed GIFs only, in ranked order."""
    if not request.user.has_perm("library.search_gif"):
        return error(
            gettext("Your account has no role on the shelf yet."), 403, "forbidden"
        )
    # Only answers to valid parameters are cached: those need no checking.
    key = cached_search_key(request)
    if key and (body := cache.get(key)) is not None:
        return HttpResponse(body, content_type="application/json")
    if repeated := [
        name
        for name in ("mood", "situation", "context")
        if len({fold(value) for value in request.GET.getlist(name)}) > 1
    ]:
        # One of each is what the search takes; keeping one silently would
        # answer a question the integration did not ask.
        return error(
            gettext(
                "%(name)s is given more than once: the search takes one mood, "
                "one situation and one context, so send it once."
            )
            % {"name": repeated[0]},
            400,
            "invalid",
        )
    try:
        chosen = picker_choices(request.GET)
    except LookupError as unknown:
        return error(str(unknown.args[0]), 400, "invalid")
    try:
        number = int(request.GET.get("page") or 1)
    except ValueError:  # not a number, or thousands of digits
        number = 0
    if not 1 <= number <= LAST_PAGE:
        return error(
            gettext("page must be a whole number from 1 to %(last)s.")
            % {"last": LAST_PAGE},
            400,
            "invalid",
        )
    # Only emoji or punctuation ("🙂", "!!!"): nothing to search for. A 400
    # rather than the whole shelf, which an integration would take as matches.
    if unsearchable(request.GET.get("q", "")):
        return error(
            gettext(
                "q needs letters or numbers: type a word, such as a mood or a "
                "situation (“thanks”, “sorry”), or leave q out for the whole shelf."
            ),
            400,
            "invalid",
        )
    results = Gif.objects.ranked(
        query=request.GET.get("q", ""), **chosen, per_page=PAGE_SIZE
    )
    paginator = Paginator(results, PAGE_SIZE)
    # Past the last page: no results (an integration paging until it gets
    # none stops there), rather than the last page again.
    gifs = paginator.page(number) if number <= paginator.num_pages else []
    context = chosen["context"]
    links = Links(request)
    reviewer = request.user.has_perm("library.review_gif")
    hides_every_gif = bool(context and context.hides_every_gif)
    query = request.GET.get("q", "")
    did_you_mean = None
    if not paginator.count and query and not hides_every_gif:
        did_you_mean = Gif.objects.did_you_mean(query, **chosen)
    response = JsonResponse(
        {
            "count": paginator.count,
            "page": number,
            "pages": paginator.num_pages,
            # Why a context's search finds nothing however full the shelf is.
            "context_hides_every_gif": hides_every_gif,
            "did_you_mean": did_you_mean,
            "results": [
                {
                    **gif_json(gif, request, links, reviewer),
                    "guidance": gif.guidance,
                    "warnings": gif.warnings(context),
                }
                for gif in gifs
            ],
        }
    )
    if key:
        cache.set(key, response.content, settings.GIFSHELF_SEARCH_CACHE_SECONDS)
    return response


def cached_search_key(request):
    """Where an agent's answer to this search is cached, or None when it is
    not: for reviewers (who see near-duplicates awaiting review, which
    change without a new shelf version) and with the cache turned off.

    The answer depends on the shelf's version, the parameters, the language
    (warnings and guidance) and the address the links are built on.
    """
    if not settings.GIFSHELF_SEARCH_CACHE_SECONDS or request.user.has_perm(
        "library.review_gif"
    ):
        return None
    version = ShelfVersion.current()
    if version is None:
        return None
    parameters = sorted(
        (name, value) for name, values in request.GET.lists() for value in values
    )
    described = json.dumps(
        [version, get_language(), request.build_absolute_uri("/"), parameters]
    )
    return "search:" + hashlib.sha256(described.encode()).hexdigest()


def picker_choices(params):
    """mood, situation and context from query parameters, looked up by name
    (or slug for a context). Raises LookupError naming what is unknown."""

    def find(items, field, value, refusal):
        if not value:
            return None
        # Folded in Python: SQLite ignores case for ASCII letters only.
        wanted = fold(value)
        found = next(
            (item for item in items.all() if fold(getattr(item, field)) == wanted),
            None,
        )
        if found is None:
            raise LookupError(gettext(refusal) % {"value": value})
        return found

    context = find(
        ConversationContext.objects.with_rules(),
        "slug",
        params.get("context"),
        gettext_noop("There is no context called “%(value)s”."),
    )
    return {
        "mood": find(
            MoodTag.objects,
            "name",
            params.get("mood"),
            gettext_noop("There is no mood called “%(value)s”."),
        ),
        "situation": find(
            SituationTag.objects,
            "name",
            params.get("situation"),
            gettext_noop("There is no situation called “%(value)s”."),
        ),
        "context": context,
    }


# The largest id a GIF can have (a 64-bit key): past it the database refuses
# the number (SQLite: OverflowError) where it would merely find nothing.
LARGEST_ID = 2**63 - 1


@api_view("POST")
def copies(request, pk):
    """Record that an agent copied a GIF into a chat."""
    if not request.user.has_perm("library.search_gif"):
        return error(
            gettext("Your account has no role on the shelf yet."), 403, "forbidden"
        )
    data = request_data(request)
    if data is None:
        return error(gettext("Send a JSON object or form fields."), 400, "invalid")
    if data.get("format") not in Copy.Format.values:
        formats = ", ".join(Copy.Format.values)
        return error(
            gettext("Give the format copied: one of %(formats)s.")
            % {"formats": formats},
            400,
            "invalid",
        )
    slug = data.get("context")
    if slug is not None and not isinstance(slug, str):
        return error(
            gettext("context is a conversation context's slug, such as “outage”."),
            400,
            "invalid",
        )
    try:
        context = picker_choices({"context": slug})["context"]
    except LookupError as unknown:
        return error(str(unknown.args[0]), 400, "invalid")
    gif = Gif(pk=pk)  # its key is all record_copy needs: it checks the rest
    copy = None
    if pk <= LARGEST_ID:
        copy = gif.record_copy(by=request.user, format=data["format"], context=context)
    if copy is None:
        return not_on_the_shelf()
    return JsonResponse(
        {
            "id": copy.pk,
            "gif": gif.pk,
            "format": copy.format,
            "context": context.slug if context else None,
            "at": copy.at.isoformat(),
            # Recorded all the same: the copy was made, and a lead reading the
            # dashboard should see where GIFs went. The caller learns the rule.
            "ruled_out": (context.rules_out(gif) or None) if context else None,
        },
        status=201,
    )


def upload(request):
    if not request.user.has_perm("library.add_gif"):
        return error(
            gettext("Only curators and team leads may upload."), 403, "forbidden"
        )
    files = request.FILES.getlist("file")  # reading notes oversized files
    oversized = getattr(request, "oversized_uploads", [])
    if oversized:
        return error(oversized_message(oversized[0]), 413, "too_large")
    if len(files) != 1:
        return error(
            gettext("Attach exactly one image as the multipart field “file”."),
            400,
            "invalid",
        )
    form = UploadForm(request.POST, MultiValueDict({"files": files}))
    if not form.is_valid():
        return error(form_error_sentence(form), 400, "invalid")
    try:
        gif = Gif.objects.create_from_upload(
            files[0],
            by=request.user,
            title=form.cleaned_data["title"],
            alt_text=form.cleaned_data["alt_text"],
            **form.tags(),
        )
    except DuplicateImage as refusal:
        return JsonResponse(
            {
                "error": duplicate_sentence(refusal.existing),
                "code": "duplicate",
                "duplicate_of": refusal.existing.pk,
            },
            status=400,
        )
    except ImageRefused as refusal:
        return error(str(refusal), 400, "image_refused")
    response = JsonResponse(gif_json(gif, request), status=201)
    response["Location"] = f"/api/gifs/{gif.pk}/"
    return response


def duplicate_sentence(existing):
    """The page's refusal of a file already uploaded, with what a script
    does next: it has the id, not the page's link."""
    facts = {"id": existing.pk, "title": existing.title}
    if existing.status == Gif.Status.REJECTED:
        return (
            gettext(
                "This exact file was rejected before, as GIF #%(id)s (“%(title)s”): "
                "to give it another look, POST a reason to /api/gifs/%(id)s/reopen/; "
                "otherwise upload a different file."
            )
            % facts
        )
    return gettext(
        "This exact file is already on the shelf as GIF #%(id)s (“%(title)s”, "
        "%(status)s): use that one, or upload a different file."
    ) % {**facts, "status": existing.status_label.lower()}


@api_view("GET", "HEAD", "PATCH")
def gif(request, pk):
    if not request.user.has_perm("library.search_gif"):
        return error(
            gettext("Your account has no role on the shelf yet."), 403, "forbidden"
        )
    gif = get_object_or_404(Gif.objects.visible_to(request.user).for_cards(), pk=pk)
    if request.method == "PATCH":
        return patch_gif(request, gif)
    return JsonResponse(gif_json(gif, request))


def patch_gif(request, gif):
    if not request.user.has_perm("library.change_gif"):
        return error(
            gettext("Only curators and team leads may edit GIFs."), 403, "forbidden"
        )
    try:
        changes = json.loads(request.body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return error(gettext("Send the changes as a JSON object."), 400, "invalid")
    if not isinstance(changes, dict):
        return error(gettext("Send the changes as a JSON object."), 400, "invalid")
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        return error(
            gettext(
                "These fields cannot be edited here: %(unknown)s. "
                "Editable: %(editable)s."
            )
            % {"unknown": ", ".join(unknown), "editable": ", ".join(EDITABLE_FIELDS)},
            400,
            "invalid",
        )
    not_text = [
        field
        for field in TEXT_FIELDS
        if field in changes and not isinstance(changes[field], str)
    ]
    if not_text:
        return error(
            gettext("Give %(fields)s as text.") % {"fields": ", ".join(not_text)},
            400,
            "invalid",
        )
    # null would read as "no tags" and silently clear the vocabulary: clearing
    # is an empty list, said on purpose.
    not_names = [
        field
        for field in TAG_FIELDS
        if field in changes and not is_tag_names(changes[field])
    ]
    if not_names:
        return error(
            gettext(
                "Give %(fields)s as a list of tag names or as comma-separated "
                "text; an empty list clears them."
            )
            % {"fields": ", ".join(not_names)},
            400,
            "invalid",
        )
    if "appropriateness" in changes and not request.user.has_perm(
        "library.set_appropriateness"
    ):
        return error(
            gettext("Only team leads may change appropriateness tags."),
            403,
            "forbidden",
        )

    data = {field: getattr(gif, field) for field in TEXT_FIELDS}
    data.update({field: list(getattr(gif, field).all()) for field in TAG_FIELDS})
    data.update(changes)
    form = GifForm(data, instance=gif, user=request.user)
    if not form.is_valid():
        return error(form_error_sentence(form), 400, "invalid")
    form.save()
    return JsonResponse(gif_json(Gif.objects.for_cards().get(pk=gif.pk), request))


def is_tag_names(value):
    """A tag field's value as the API takes it: text, or a list of text."""
    if isinstance(value, list):
        return all(isinstance(item, str) for item in value)
    return isinstance(value, str)


def reviewable(request, pk):
    """The GIF a reviewer acts on, or the JSON error that stops them."""
    if not request.user.has_perm("library.review_gif"):
        return None, error(
            gettext("Only curators and team leads review GIFs."), 403, "forbidden"
        )
    gif = Gif.objects.filter(pk=pk).first()
    if gif is None:
        return None, no_such_gif()
    return gif, None


def decided(gif, request):
    return JsonResponse(gif_json(Gif.objects.for_cards().get(pk=gif.pk), request))


@api_view("POST")
def review_start(request, pk):
    gif, refusal = reviewable(request, pk)
    if refusal:
        return refusal
    # again=1: the page was hidden meanwhile, so what played then is unseen.
    playback = gif.start_review(by=request.user, again=request.GET.get("again") == "1")
    return JsonResponse(
        {
            "started_at": playback.started_at.isoformat(),
            "watch_ms": gif.watch_ms,
            "watched": playback.seen_to_end,
        }
    )


@api_view("POST")
def review_open(request, pk):
    gif, refusal = reviewable(request, pk)
    if refusal:
        return refusal
    # The page waits for "Play it once": no clock, and none left running.
    watched = gif.open_review(by=request.user)
    return JsonResponse({"watch_ms": gif.watch_ms, "watched": watched})


@api_view("POST")
def review_watched(request, pk):
    gif, refusal = reviewable(request, pk)
    if refusal:
        return refusal
    try:
        played = gif.record_watched_end(by=request.user)
    except ReviewError as problem:
        return review_error(problem)
    return JsonResponse({"played_to_end_at": played.isoformat()})


@api_view("POST")
def review_filmstrip(request, pk):
    gif, refusal = reviewable(request, pk)
    if refusal:
        return refusal
    try:
        stepped = gif.record_filmstrip_end(by=request.user)
    except ReviewError as problem:
        return review_error(problem)
    return JsonResponse({"stepped_to_end_at": stepped.isoformat()})


# What a script is told instead of the page's sentence: it has no page to open.
SCRIPT_SENTENCES = {
    "not_started": gettext_noop(
        "The review was never started: POST to review/start/ first, then let the "
        "GIF play to its end (one loop, watch_ms) before approving it."
    ),
}


def review_error(problem):
    status = 400 if problem.code == "missing_reason" else 409
    sentence = SCRIPT_SENTENCES.get(problem.code)
    message = gettext(sentence) if sentence else str(problem)
    return error(message, status, problem.code)


def review_form(request):
    data = request_data(request)
    if data is None:
        return None, error(
            gettext("Send a JSON object or form fields."), 400, "invalid"
        )
    if isinstance(data.get("flags"), str):
        data["flags"] = split_names(data["flags"])
    form = ReviewForm(data)
    if not form.is_valid():
        return None, error(form_error_sentence(form), 400, "invalid")
    return form, None


@api_view("POST")
def approve(request, pk):
    gif, refusal = reviewable(request, pk)
    form, invalid = (None, None) if refusal else review_form(request)
    if refusal or invalid:
        return refusal or invalid
    try:
        gif.approve(
            by=request.user,
            acknowledge_flashing=form.cleaned_data["acknowledge_flashing"],
            **form.decision(),
        )
    except ReviewError as problem:
        return review_error(problem)
    return decided(gif, request)


@api_view("POST")
def reject(request, pk):
    gif, refusal = reviewable(request, pk)
    form, invalid = (None, None) if refusal else review_form(request)
    if refusal or invalid:
        return refusal or invalid
    try:
        reason = form.cleaned_data["reason"]
        gif.reject(by=request.user, reason=reason, **form.decision())
    except ReviewError as problem:
        return review_error(problem)
    return decided(gif, request)


@api_view("POST")
def flag(request, pk):
    if not request.user.has_perm("library.flag_gif"):
        return error(
            gettext("Your account has no role on the shelf yet."), 403, "forbidden"
        )
    gif = Gif.objects.approved().filter(pk=pk).first()
    if gif is None:
        return not_on_the_shelf()
    data = request_data(request)
    form = FlagForm(data)
    if data is None or not form.is_valid():
        if data is not None and "note" in form.errors and "reason" not in form.errors:
            # Details missing for "other", or too long.
            return error(form.errors["note"][0], 400, "invalid")
        reasons = ", ".join(AgentFlag.Reason.values)
        return error(
            gettext("Give a reason: one of %(reasons)s.") % {"reasons": reasons},
            400,
            "invalid",
        )
    try:
        raised = gif.flag(by=request.user, **form.cleaned_data)
    except ReviewError as problem:
        return review_error(problem)
    return JsonResponse(
        {
            "id": raised.pk,
            "gif": gif.pk,
            "reason": raised.reason,
            "note": raised.note,
            "created_at": raised.created_at.isoformat(),
        },
        status=201,
    )


def shelf_keeper(request, pk, *, curators_on_flags):
    """The GIF a team lead takes off the shelf or puts back, or the JSON error
    that stops them. With `curators_on_flags`, curators may act too, on what
    agents flagged, as on the review page."""
    if not request.user.has_perm("library.review_gif"):
        return None, error(
            gettext("Only team leads retire, take down or restore GIFs."),
            403,
            "forbidden",
        )
    gif = Gif.objects.filter(pk=pk).first()
    if gif is None:
        return None, no_such_gif()
    if request.user.has_perm("library.retire_gif"):
        return gif, None
    if not curators_on_flags:
        return None, error(gettext("Only team leads take GIFs down."), 403, "forbidden")
    if not gif.agent_flags.exists():
        return None, error(
            gettext("Only team leads act on GIFs no agent flagged."), 403, "forbidden"
        )
    if not gif.agent_flags.open().exists():
        # Flagged once, but another reviewer got there first.
        return None, review_error(
            ReviewError(
                gettext(
                    "There is no open flag on this GIF any more: someone resolved it."
                ),
                code="status_changed",
            )
        )
    return gif, None


def shelf_reason(request):
    """The required `reason`, or the JSON error that stops the action."""
    data = request_data(request)
    if data is None:
        return None, error(
            gettext("Send a JSON object or form fields."), 400, "invalid"
        )
    reason = data.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        return None, review_error(
            ReviewError(
                gettext("Give a reason: it goes in the GIF's history."),
                code="missing_reason",
            )
        )
    if len(reason) > 500:
        return None, error(
            gettext("Keep the reason to 500 characters."), 400, "invalid"
        )
    return reason.strip(), None


def shelf_action(curators_on_flags):
    """POST with a reason, by a team lead (or a curator on a flagged GIF)."""

    def decorator(action):
        @api_view("POST")
        @wraps(action)
        def view(request, pk):
            gif, refusal = shelf_keeper(
                request, pk, curators_on_flags=curators_on_flags
            )
            reason, invalid = (None, None) if refusal else shelf_reason(request)
            if refusal or invalid:
                return refusal or invalid
            try:
                action(request, gif, reason)
            except ReviewError as problem:
                return review_error(problem)
            return decided(gif, request)

        return view

    return decorator


@shelf_action(curators_on_flags=True)
def retire(request, gif, reason):
    gif.retire(by=request.user, reason=reason)


@shelf_action(curators_on_flags=False)
def take_down(request, gif, reason):
    gif.take_down(by=request.user, reason=reason)


@shelf_action(curators_on_flags=True)
def restore(request, gif, reason):
    """Back on the shelf: a retired or taken-down GIF, or a flagged one."""
    if gif.status == Gif.Status.RETIRED:
        gif.reinstate(by=request.user, reason=reason)
    elif gif.agent_flags.open().exists():
        gif.restore(by=request.user, reason=reason)
    else:
        raise gif.state_refusal()


@api_view("POST")
def reopen(request, pk):
    """A rejected GIF back to the review queue (curators and team leads)."""
    gif, refusal = reviewable(request, pk)
    reason, invalid = (None, None) if refusal else shelf_reason(request)
    if refusal or invalid:
        return refusal or invalid
    try:
        gif.reopen(by=request.user, reason=reason)
    except ReviewError as problem:
        return review_error(problem)
    return decided(gif, request)


@require_safe
def openapi_document(request):
    """The API described for integrations; public, like any API reference."""
    return JsonResponse(openapi.document(request.build_absolute_uri("/")[:-1]))

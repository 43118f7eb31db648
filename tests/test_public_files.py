"""Public links /g/<public id>.<ext>: who gets which bytes, with which headers."""

import io
import uuid
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from PIL import Image

from library.models import Gif
from tests import images

ONE_YEAR = 365 * 24 * 60 * 60

# format -> (drawing, upload name, extension in the link, Content-Type)
FORMATS = {
    "gif": (images.gif_bytes, "wave.gif", "gif", "image/gif"),
    "png": (images.png_bytes, "nod.png", "png", "image/png"),
    "apng": (images.apng_bytes, "spin.png", "png", "image/apng"),
    "webp": (images.webp_bytes, "clap.webp", "webp", "image/webp"),
    "jpeg": (images.jpeg_bytes, "smile.jpg", "jpg", "image/jpeg"),
}
# rendition -> (extension, Content-Type, Pillow's name for the format)
RENDITIONS = {
    "still": ("png", "image/png", "PNG"),
    "last": ("png", "image/png", "PNG"),
    "preview": ("webp", "image/webp", "WEBP"),
}


def link(gif, rendition=None, extension=None):
    """The public link, written out rather than taken from the app."""
    if rendition:
        extension = extension or RENDITIONS[rendition][0]
        return f"/g/{gif.public_id.hex}.{rendition}.{extension}"
    return f"/g/{gif.public_id.hex}.{extension or gif.extension}"


def fetch(client, path, method="get", **headers):
    """Request `path`; return the response and its whole body (closing the file)."""
    response = getattr(client, method)(path, headers=headers)
    body = response.getvalue()
    return response, body


def directives(response):
    return {
        part.strip().lower() for part in response["Cache-Control"].split(",") if part
    }


def max_age(response):
    for directive in directives(response):
        name, _, value = directive.partition("=")
        if name == "max-age":
            return int(value)
    return None


def assert_safe_media_headers(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'"


def assert_has_etag(response):
    etag = response["ETag"].removeprefix("W/")
    assert len(etag) > 2
    assert etag.startswith('"')
    assert etag.endswith('"')


def assert_cached_publicly_for_a_year(response):
    assert {"public", "immutable"} <= directives(response)
    assert max_age(response) >= ONE_YEAR
    assert not {"private", "no-cache", "no-store"} & directives(response)


def assert_not_found(response, body):
    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"
    assert_safe_media_headers(response)
    assert body == b"No such GIF."


@pytest.mark.django_db
@pytest.mark.parametrize("format_name", FORMATS)
def test_an_approved_original_is_served_to_anyone_under_its_formats_extension(
    format_name, client, upload_gif
):
    draw, name, extension, content_type = FORMATS[format_name]
    data = draw()
    gif = upload_gif(data, name=name, status=Gif.Status.APPROVED)

    response, body = fetch(client, f"/g/{gif.public_id.hex}.{extension}")

    assert gif.format == format_name
    assert gif.public_path() == f"/g/{gif.public_id.hex}.{extension}"
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert body == data
    assert_has_etag(response)
    assert_safe_media_headers(response)
    assert_cached_publicly_for_a_year(response)


@pytest.mark.django_db
@pytest.mark.parametrize("rendition", RENDITIONS)
def test_the_stills_and_preview_are_served_beside_the_original(
    rendition, client, approved_gif
):
    extension, content_type, pillow_format = RENDITIONS[rendition]
    path = f"/g/{approved_gif.public_id.hex}.{rendition}.{extension}"

    response, body = fetch(client, path)

    assert approved_gif.public_path(rendition) == path
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert Image.open(io.BytesIO(body)).format == pillow_format
    assert_has_etag(response)
    assert_safe_media_headers(response)
    assert_cached_publicly_for_a_year(response)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "agent", "curator"])
@pytest.mark.parametrize("rendition", [None, "preview"])
def test_an_approved_file_is_one_copy_for_every_visitor_and_language(
    role, rendition, client_for, approved_gif
):
    """A cache in front (nginx) keys its copies by Vary: a file that varied
    by cookie or language would be stored once per visitor."""
    client = client_for(role)
    client.cookies["django_language"] = "ru"
    client.get("/")  # a session the middleware may read and save

    response, _ = fetch(client, link(approved_gif, rendition), accept_language="ru")
    not_modified, _ = fetch(
        client, link(approved_gif, rendition), if_none_match=response["ETag"]
    )

    for answer in (response, not_modified):
        vary = {v.strip().lower() for v in answer.get("Vary", "").split(",")}
        assert not vary & {"cookie", "accept-language"}
        assert not answer.has_header("Content-Language")
    assert not_modified.status_code == 304


@pytest.mark.django_db
def test_an_approved_file_never_sets_a_cookie_a_cache_would_share(client, approved_gif):
    # A malformed CSRF cookie makes Django send a fresh one with whatever
    # answers next: on a file cached for everyone, everyone would get it.
    client.cookies["csrftoken"] = "abc"
    client.cookies["django_language"] = "ru"

    response, _ = fetch(client, link(approved_gif))

    assert response.status_code == 200
    assert not response.cookies
    assert not response.has_header("Vary")
    assert "public" in directives(response)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["curator", "lead"])
def test_a_pending_file_still_varies_by_who_asks(role, client_for, upload_gif):
    # A pending file is a reviewer's alone: to anyone else the link is a 404.
    response, _ = fetch(client_for(role), link(upload_gif()))

    assert response.status_code == 200
    assert "cookie" in response["Vary"].lower()


@pytest.mark.django_db
def test_each_file_of_a_gif_has_its_own_etag(client, approved_gif):
    paths = [link(approved_gif), *(link(approved_gif, r) for r in RENDITIONS)]

    etags = [fetch(client, path)[0]["ETag"] for path in paths]

    assert len(set(etags)) == len(paths)


@pytest.mark.django_db
def test_a_retired_gifs_link_keeps_working(client, upload_gif):
    data = images.gif_bytes(seed=40)
    gif = upload_gif(data, status=Gif.Status.RETIRED)

    response, body = fetch(client, link(gif))

    assert response.status_code == 200
    assert body == data
    assert_cached_publicly_for_a_year(response)
    for rendition in RENDITIONS:
        assert fetch(client, link(gif, rendition))[0].status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "agent"])
@pytest.mark.parametrize("status", [Gif.Status.PENDING, Gif.Status.REJECTED])
@pytest.mark.parametrize("rendition", [None, *RENDITIONS])
def test_an_unapproved_gifs_files_are_not_found_for_anyone_but_reviewers(
    role, status, rendition, client_for, upload_gif
):
    gif = upload_gif(status=status)

    response, body = fetch(client_for(role), link(gif, rendition))

    assert_not_found(response, body)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "agent"])
@pytest.mark.parametrize(
    "path", ["{id}.gif", "{id}.still.png", "{id}.last.png", "{id}.preview.webp"]
)
def test_an_unknown_public_id_is_not_found(role, path, client_for):
    path = "/g/" + path.format(id=uuid.uuid4().hex)

    response, body = fetch(client_for(role), path)

    assert_not_found(response, body)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["curator", "lead"])
def test_a_reviewer_opens_a_pending_file_that_no_shared_cache_may_keep(
    role, client_for, upload_gif
):
    data = images.gif_bytes(seed=41)
    gif = upload_gif(data)

    response, body = fetch(client_for(role), link(gif))

    assert response.status_code == 200
    assert body == data
    assert "private" in directives(response)
    assert "public" not in directives(response)
    assert_safe_media_headers(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rendition", "extension"),
    [
        (None, "png"),
        (None, "jpg"),
        (None, "webp"),
        (None, "GIF"),
        ("still", "webp"),
        ("last", "gif"),
        ("preview", "png"),
    ],
)
def test_a_link_with_the_wrong_extension_is_not_found(
    rendition, extension, client, approved_gif
):
    response, body = fetch(client, link(approved_gif, rendition, extension))

    assert_not_found(response, body)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "if_none_match",
    ["{etag}", "W/{etag}", "*", '"something-else", {etag}'],
    ids=["strong", "weak", "star", "in-a-list"],
)
def test_a_conditional_request_for_a_file_the_client_holds_is_not_modified(
    if_none_match, client, approved_gif
):
    etag = fetch(client, link(approved_gif))[0]["ETag"]

    response, body = fetch(
        client, link(approved_gif), If_None_Match=if_none_match.format(etag=etag)
    )

    assert response.status_code == 304
    assert body == b""
    assert response["ETag"] == etag
    assert_safe_media_headers(response)
    assert_cached_publicly_for_a_year(response)


@pytest.mark.django_db
def test_a_conditional_request_with_another_etag_gets_the_file(client, upload_gif):
    data = images.gif_bytes(seed=42)
    gif = upload_gif(data, status=Gif.Status.APPROVED)

    response, body = fetch(client, link(gif), If_None_Match='"something-else"')

    assert response.status_code == 200
    assert body == data


@pytest.mark.django_db
def test_a_conditional_request_does_not_reveal_an_unapproved_file(client, upload_gif):
    gif = upload_gif()

    response, body = fetch(client, link(gif), If_None_Match="*")

    assert_not_found(response, body)


@pytest.mark.django_db
def test_a_head_request_gets_the_headers_without_the_body(client, upload_gif):
    data = images.gif_bytes(seed=43)
    gif = upload_gif(data, status=Gif.Status.APPROVED)

    response, body = fetch(client, link(gif), method="head")

    assert response.status_code == 200
    assert body == b""
    assert response["Content-Type"] == "image/gif"
    assert int(response["Content-Length"]) == len(data)
    assert_has_etag(response)
    assert_safe_media_headers(response)
    assert_cached_publicly_for_a_year(response)


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_a_public_link_only_answers_get_and_head(method, client, approved_gif):
    response = getattr(client, method)(link(approved_gif))

    assert response.status_code == 405
    assert Gif.objects.filter(pk=approved_gif.pk).exists()


@pytest.mark.django_db
def test_public_ids_are_random_uuids_that_differ_between_gifs(upload_gif):
    gifs = [upload_gif(images.gif_bytes(seed=50 + n)) for n in range(5)]

    ids = [gif.public_id for gif in gifs]

    # Version 4 UUIDs carry 122 random bits.
    assert all(public_id.version == 4 for public_id in ids)
    assert all(public_id.variant == uuid.RFC_4122 for public_id in ids)
    assert len(set(ids)) == len(ids)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "lead"])
def test_the_media_folder_is_never_served_as_a_directory(
    role, client_for, approved_gif, media_root
):
    stored = approved_gif.original.name  # gifs/<public id hex>/original.gif
    assert (media_root / stored).is_file()
    client = client_for(role)

    for path in (
        "/media/",
        "/media/gifs/",
        f"/media/gifs/{approved_gif.public_id.hex}/",
        f"/media/{stored}",
        f"/{stored}",
    ):
        assert fetch(client, path)[0].status_code == 404, path


def routes(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_no_route_serves_files_from_a_folder():
    file_serving_views = {
        "django.views.static.serve",
        "django.contrib.staticfiles.views.serve",
    }

    for route, callback in routes(get_resolver().url_patterns):
        name = f"{callback.__module__}.{callback.__name__}"
        assert name not in file_serving_views, route
        assert not route.lstrip("^/").startswith("media"), route


def test_static_files_are_served_by_whitenoise(settings, client):
    static_file = Path(settings.STATIC_ROOT) / "library" / "probe.css"
    static_file.parent.mkdir(parents=True)
    static_file.write_text("main { margin: 0 }")

    # WhiteNoise reads STATIC_ROOT when the client's first request starts.
    response, body = fetch(client, "/static/library/probe.css")

    assert response.status_code == 200
    assert type(response).__module__.startswith("whitenoise.")
    assert body == b"main { margin: 0 }"
    # WhiteNoise serves STATIC_ROOT only: no extra root that could be media.
    assert getattr(settings, "WHITENOISE_ROOT", None) is None


@pytest.mark.django_db
def test_a_file_lost_from_storage_is_a_404_not_a_server_error(
    client, approved_gif, media_root, caplog
):
    (media_root / approved_gif.original.name).unlink()

    response = client.get(approved_gif.original_path)

    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"
    assert f"its file {approved_gif.original.name} is missing" in caplog.text

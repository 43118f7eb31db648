"""Where files live and how they go out: the local folder or an S3-compatible
object store, streamed by the app or handed to nginx by an internal
redirect. Public links keep their form /g/<id>.<ext> in every case."""

import hashlib
import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from library.models import Gif
from tests import images

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "/protected-media/"


def link(gif, rendition=None, extension=None):
    if rendition:
        return f"/g/{gif.public_id.hex}.{rendition}.{extension}"
    return f"/g/{gif.public_id.hex}.{extension or gif.extension}"


def approve(gif):
    Gif.objects.filter(pk=gif.pk).update(status=Gif.Status.APPROVED)
    gif.refresh_from_db()
    return gif


# --- Behind nginx: X-Accel-Redirect ---


@pytest.fixture
def accel(settings):
    settings.GIFSHELF_ACCEL_REDIRECT = PREFIX


@pytest.mark.django_db
def test_behind_nginx_a_public_file_is_an_internal_redirect_without_a_body(
    accel, approved_gif, media_root
):
    response = Client().get(link(approved_gif))

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == PREFIX + approved_gif.original.name
    assert response.content == b""
    # nginx serves what the location aliases: the very file in MEDIA_ROOT.
    assert (media_root / approved_gif.original.name).is_file()
    assert response["Content-Type"] == "image/gif"
    assert response["Content-Disposition"] == 'inline; filename="approved-thanks.gif"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["ETag"].startswith('"')


@pytest.mark.django_db
def test_behind_nginx_renditions_and_filmstrip_frames_redirect_too(accel, approved_gif):
    still = Client().get(link(approved_gif, "still", "png"))
    preview = Client().get(link(approved_gif, "preview", "webp"))
    frame = approved_gif.filmstrip[-1]
    filmstrip = Client().get(
        f"/g/{approved_gif.public_id.hex}.frame{frame['frame']}.png"
    )

    assert still["X-Accel-Redirect"] == PREFIX + approved_gif.first_still.name
    assert still["Content-Type"] == "image/png"
    assert preview["X-Accel-Redirect"] == PREFIX + approved_gif.preview.name
    assert preview["Content-Type"] == "image/webp"
    assert filmstrip["X-Accel-Redirect"] == PREFIX + frame["name"]
    assert (still.content, preview.content, filmstrip.content) == (b"", b"", b"")


@pytest.mark.django_db
def test_behind_nginx_a_matching_etag_is_a_304_from_the_app(accel, approved_gif):
    first = Client().get(link(approved_gif))

    again = Client().get(link(approved_gif), headers={"If-None-Match": first["ETag"]})

    assert again.status_code == 304
    assert "X-Accel-Redirect" not in again
    assert again["ETag"] == first["ETag"]


@pytest.mark.django_db
def test_behind_nginx_what_may_not_be_served_is_never_redirected(
    accel, pending_gif, upload_gif, lead
):
    taken_down = upload_gif(title="Gone", status=Gif.Status.APPROVED)
    taken_down.take_down(by=lead, reason="Complaint.")

    pending = Client().get(link(pending_gif))
    gone = Client().get(link(taken_down))

    assert (pending.status_code, gone.status_code) == (404, 410)
    assert "X-Accel-Redirect" not in pending
    assert "X-Accel-Redirect" not in gone


@pytest.mark.django_db
def test_behind_nginx_the_leads_copy_of_a_taken_down_file_stays_private(
    accel, approved_gif, lead, lead_client
):
    approved_gif.take_down(by=lead, reason="Complaint.")

    response = lead_client.get(
        reverse("library:taken_down_file", args=[approved_gif.pk])
    )

    assert response["X-Accel-Redirect"] == PREFIX + approved_gif.original.name
    assert response["Cache-Control"] == "private, no-store"
    assert response.content == b""


@pytest.mark.django_db
def test_without_the_setting_files_stream_through_the_app(approved_gif, media_root):
    response = Client().get(link(approved_gif))

    assert "X-Accel-Redirect" not in response
    body = response.getvalue()
    assert body == (media_root / approved_gif.original.name).read_bytes()


def settings_from(environment):
    """The storage settings a fresh process reads from `environment`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GIFSHELF_")}
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, django; from django.conf import settings; django.setup();"
            "print(json.dumps([settings.STORAGES['default'],"
            " settings.GIFSHELF_ACCEL_REDIRECT]))",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "gifshelf.settings", **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return shown.returncode, shown.stdout, shown.stderr


def test_the_storage_and_the_internal_redirect_are_read_from_the_environment():
    code, out, _ = settings_from(
        {
            "GIFSHELF_STORAGE": "s3",
            "GIFSHELF_S3_BUCKET": "team-gifs",
            "GIFSHELF_S3_ENDPOINT_URL": "https://minio.internal:9000",
            "GIFSHELF_S3_REGION": "eu-west-1",
            "GIFSHELF_S3_ACCESS_KEY_ID": "gifshelf",
            "GIFSHELF_S3_SECRET_ACCESS_KEY": "secret",
            "GIFSHELF_S3_PREFIX": "shelf",
            "GIFSHELF_S3_ADDRESSING_STYLE": "path",
        }
    )
    assert code == 0
    storage, accel = json.loads(out)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"] | {"secret_key": "…"} == storage["OPTIONS"] | {
        "bucket_name": "team-gifs",
        "endpoint_url": "https://minio.internal:9000",
        "region_name": "eu-west-1",
        "access_key": "gifshelf",
        "secret_key": "…",
        "location": "shelf",
        "addressing_style": "path",
        "default_acl": None,
    }
    assert accel == ""

    code, out, _ = settings_from({"GIFSHELF_ACCEL_REDIRECT": PREFIX})
    storage, accel = json.loads(out)
    assert storage["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert accel == PREFIX


@pytest.mark.parametrize(
    ("environment", "complaint"),
    [
        ({"GIFSHELF_STORAGE": "s3"}, "needs GIFSHELF_S3_BUCKET"),
        ({"GIFSHELF_STORAGE": "ftp"}, "use filesystem or s3"),
        ({"GIFSHELF_ACCEL_REDIRECT": "protected"}, "starts and ends with /"),
        (
            {
                "GIFSHELF_STORAGE": "s3",
                "GIFSHELF_S3_BUCKET": "b",
                "GIFSHELF_ACCEL_REDIRECT": PREFIX,
            },
            "works with GIFSHELF_STORAGE=filesystem only",
        ),
    ],
)
def test_a_storage_misconfiguration_stops_the_app_with_its_reason(
    environment, complaint
):
    code, _, err = settings_from(environment)

    assert code != 0
    assert complaint in err


# --- An S3-compatible object store ---
#
# moto's standalone server is an emulator of the S3 API over HTTP on
# loopback: the app talks to it through django-storages and boto3 exactly as
# to AWS or MinIO, signing every request.


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as missing:
        pytest.skip(
            f"no local S3 emulator: moto[server] is not installed ({missing}); "
            "pip install -r requirements.txt"
        )
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(settings, s3_endpoint, media_root):
    """A fresh private bucket on the emulator, as the app's media storage."""
    import boto3

    name = f"gifshelf-{uuid.uuid4().hex[:12]}"
    options = {
        "bucket_name": name,
        "endpoint_url": s3_endpoint,
        "region_name": "us-east-1",
        "access_key": "gifshelf-test",
        "secret_key": "gifshelf-test-secret",
        "location": "shelf",
        "addressing_style": "path",
        "signature_version": "s3v4",
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    }
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=options["access_key"],
        aws_secret_access_key=options["secret_key"],
    )
    client.create_bucket(Bucket=name)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }

    def keys():
        listed = client.list_objects_v2(Bucket=name).get("Contents", [])
        return sorted(item["Key"] for item in listed)

    def read(key):
        return client.get_object(Bucket=name, Key=key)["Body"].read()

    return keys, read


def post_upload(client, name, data):
    return client.post(
        reverse("library:upload"), {"files": [images.named(data, name)]}, follow=True
    )


@pytest.mark.django_db
def test_on_s3_an_upload_is_stored_served_by_its_public_link_and_deleted_after_commit(
    bucket, curator_client, media_root, django_capture_on_commit_callbacks
):
    keys, read = bucket
    data = images.gif_bytes(count=4, duration=100)

    response = post_upload(curator_client, "wave.gif", data)

    assert response.status_code == 200
    gif = Gif.objects.get()
    names = gif.file_names()
    assert len(names) >= 5  # original, two stills, preview, filmstrip
    assert keys() == sorted(f"shelf/{name}" for name in names)
    assert read(f"shelf/{gif.original.name}") == data
    assert not any(media_root.iterdir())  # nothing on the local disk

    approve(gif)
    served = Client().get(link(gif))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/gif"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "default-src 'none'"
    assert served.getvalue() == data
    still = Client().get(link(gif, "still", "png"))
    assert still.getvalue() == read(f"shelf/{gif.first_still.name}")
    assert still["Content-Type"] == "image/png"
    again = Client().get(link(gif), headers={"If-None-Match": served["ETag"]})
    assert again.status_code == 304

    with django_capture_on_commit_callbacks(execute=True):
        Gif.objects.get(pk=gif.pk).delete()
        # Until the deletion commits, a rollback could bring the row back.
        assert len(keys()) == len(names)

    assert keys() == []


@pytest.mark.django_db
def test_on_s3_a_refused_upload_leaves_no_object_behind(bucket, curator_client):
    keys, _ = bucket
    data = images.gif_bytes(seed=3)
    post_upload(curator_client, "first.gif", data)
    stored = keys()

    duplicate = post_upload(curator_client, "again.gif", data)
    not_an_image = post_upload(curator_client, "notes.gif", b"GIF89a but not really")

    assert "0 added for review, 1 refused" in duplicate.content.decode()
    assert "0 added for review, 1 refused" in not_an_image.content.decode()
    assert keys() == stored
    assert Gif.objects.count() == 1


@pytest.mark.django_db
def test_on_s3_the_original_keeps_every_byte(bucket, upload_gif):
    _, read = bucket
    data = images.webp_bytes()

    gif = upload_gif(data=data, name="clap.webp")

    stored = read(f"shelf/{gif.original.name}")
    assert hashlib.sha256(stored).hexdigest() == gif.sha256
    assert stored == data

import hashlib

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, IntegrityError, transaction

from library.models import Gif
from tests import images


class Boom(Exception):
    pass


def files_in(folder):
    return sorted(path for path in folder.rglob("*") if path.is_file())


def stored_paths(gif, media_root):
    """The original, both stills, the preview and the filmstrip, on disk."""
    fields = (gif.original, gif.first_still, gif.last_still, gif.preview)
    names = [field.name for field in fields] + [f["name"] for f in gif.filmstrip]
    return sorted(media_root / name for name in names)


def delete_one(gif):
    gif.delete()


def delete_through_queryset(gif):
    Gif.objects.filter(pk=gif.pk).delete()


DELETIONS = [
    pytest.param(delete_one, id="model-delete"),
    pytest.param(delete_through_queryset, id="queryset-delete"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("wave.gif", images.gif_bytes()),
        ("wave.png", images.png_bytes()),
        ("wave.apng", images.apng_bytes()),
        ("wave.webp", images.webp_bytes()),
        ("wave.jpg", images.jpeg_bytes()),
    ],
)
def test_the_original_is_stored_byte_for_byte(upload_gif, name, data):
    gif = upload_gif(data=data, name=name)

    with gif.original.open("rb") as original:
        stored = original.read()
    assert stored == data
    assert gif.sha256 == hashlib.sha256(stored).hexdigest()
    assert gif.byte_size == len(data)


@pytest.mark.django_db
def test_an_upload_stores_the_original_stills_preview_and_filmstrip(
    pending_gif, media_root
):
    paths = stored_paths(pending_gif, media_root)

    assert len(paths) == 4 + pending_gif.frames  # four frames: all in the strip
    assert files_in(media_root) == paths


@pytest.mark.django_db
@pytest.mark.parametrize("delete", DELETIONS)
def test_deleting_a_gif_removes_its_files_only_once_the_deletion_commits(
    pending_gif, media_root, django_capture_on_commit_callbacks, delete
):
    paths = stored_paths(pending_gif, media_root)

    with django_capture_on_commit_callbacks(execute=True):
        delete(pending_gif)
        # Until the transaction commits, a rollback could bring the row back.
        assert all(path.exists() for path in paths)

    assert not Gif.objects.exists()
    assert files_in(media_root) == []


@pytest.mark.django_db
@pytest.mark.parametrize("delete", DELETIONS)
def test_a_rolled_back_deletion_keeps_the_gif_and_its_files(
    pending_gif, media_root, django_capture_on_commit_callbacks, delete
):
    pk, paths = pending_gif.pk, stored_paths(pending_gif, media_root)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        delete(pending_gif)
        raise Boom

    assert callbacks == []
    gif = Gif.objects.get(pk=pk)
    assert files_in(media_root) == paths
    with gif.original.open("rb") as original:
        assert hashlib.sha256(original.read()).hexdigest() == gif.sha256


@pytest.mark.django_db
def test_deleting_some_gifs_leaves_the_files_of_the_others(
    upload_gif, media_root, django_capture_on_commit_callbacks
):
    kept = upload_gif(title="Keep me")
    gone = [upload_gif(title="Old one"), upload_gif(title="Old two")]
    kept_paths = stored_paths(kept, media_root)

    with django_capture_on_commit_callbacks(execute=True):
        Gif.objects.filter(pk__in=[gif.pk for gif in gone]).delete()

    assert list(Gif.objects.all()) == [kept]
    assert files_in(media_root) == kept_paths


def test_the_whole_shelf_cannot_be_deleted_by_a_slip_on_the_manager():
    # Django leaves delete() off managers on purpose: Gif.objects.delete()
    # would empty the shelf and, after commit, remove every file.
    assert not hasattr(Gif.objects, "delete")


def upload(curator, data=None):
    data = data or images.gif_bytes()
    return Gif.objects.create_from_upload(
        SimpleUploadedFile("wave.gif", data), by=curator
    )


@pytest.mark.django_db
@pytest.mark.parametrize("failure", [DatabaseError, IntegrityError])
def test_a_failing_save_during_an_upload_leaves_no_files(
    curator, media_root, monkeypatch, failure
):
    def failing_save(self, *args, **kwargs):
        raise failure("the database went away")

    monkeypatch.setattr(Gif, "save", failing_save)

    with pytest.raises(failure):
        upload(curator)

    assert files_in(media_root) == []


@pytest.mark.django_db
def test_a_failure_while_tagging_an_upload_leaves_no_row_and_no_files(
    curator, media_root, monkeypatch
):
    def failing_set(self, *args, **kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(type(Gif.mood), "set", failing_set)

    with pytest.raises(DatabaseError):
        Gif.objects.create_from_upload(
            SimpleUploadedFile("wave.gif", images.gif_bytes()),
            by=curator,
            mood=[],
        )

    assert not Gif.objects.exists()
    assert files_in(media_root) == []


@pytest.mark.django_db
def test_a_failure_while_writing_the_renditions_leaves_no_files(
    curator, media_root, monkeypatch
):
    real_save = FileSystemStorage.save

    def save_until_the_preview(self, name, content, *args, **kwargs):
        if "preview" in name:
            raise OSError("No space left on device")
        return real_save(self, name, content, *args, **kwargs)

    monkeypatch.setattr(FileSystemStorage, "save", save_until_the_preview)

    with pytest.raises(OSError, match="No space left"):
        upload(curator)

    assert not Gif.objects.exists()
    assert files_in(media_root) == []

"""check_orphans: files without a GIF, GIFs without their files."""

import io
import os
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from library.models import Gif, GifEvent
from tests import images

HOURS_AGO = time.time() - 2 * 3600


def check(*args):
    output = io.StringIO()
    try:
        call_command("check_orphans", *args, stdout=output)
    except CommandError as error:
        return output.getvalue(), str(error)
    return output.getvalue(), None


def stray(media_root, name, data=b"left over", age=HOURS_AGO):
    path = media_root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (age, age))
    return path


@pytest.mark.django_db
def test_a_healthy_shelf_has_no_problems(approved_gif, pending_gif):
    output, error = check()

    assert error is None
    assert "No problems" in output and "2 GIFs" in output


@pytest.mark.django_db
def test_files_no_gif_names_are_reported_and_deleted_with_fix(approved_gif, media_root):
    old = stray(media_root, "gifs/ab/abandoned-original.gif")
    fresh = stray(media_root, "gifs/cd/uploading-original.gif", age=time.time())

    output, error = check()

    assert "1 file no GIF names:\n  gifs/ab/abandoned-original.gif" in output
    assert "perhaps an upload in progress" in output
    assert "gifs/cd/uploading-original.gif" in output
    assert error == "1 problem found. Run again with --fix to repair."
    assert old.exists() and fresh.exists()

    output, error = check("--fix")

    assert "Deleted 1 file no GIF names" in output and error is None
    assert not old.exists()
    assert fresh.exists()  # an upload may be about to save its row
    assert all((media_root / name).exists() for name in approved_gif.file_names())


@pytest.mark.django_db
def test_min_age_zero_counts_every_unnamed_file(approved_gif, media_root):
    fresh = stray(media_root, "gifs/cd/new.gif", age=time.time())

    check("--fix", "--min-age", "0")

    assert not fresh.exists()


@pytest.mark.django_db
def test_lost_renditions_are_rendered_again_from_the_original_with_fix(
    approved_gif, media_root
):
    lost = [
        approved_gif.last_still.name,
        approved_gif.preview.name,
        approved_gif.filmstrip[-1]["name"],
    ]
    before = {name: (media_root / name).read_bytes() for name in lost}
    for name in lost:
        (media_root / name).unlink()
    anonymous = Client()

    output, error = check()

    assert f"lacks {', '.join(lost)}; --fix renders them again." in output
    assert error == "1 problem found. Run again with --fix to repair."
    assert not any((media_root / name).exists() for name in lost)

    output, error = check("--fix")

    assert "rendered" in output and error is None
    assert {name: (media_root / name).read_bytes() for name in lost} == before
    response = anonymous.get(approved_gif.public_path("preview"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == before[lost[1]]


@pytest.mark.django_db
def test_a_gif_whose_original_is_lost_is_reported_and_never_deleted(
    upload_gif, media_root, curator
):
    gif = upload_gif(data=images.gif_bytes(seed=3), title="Lost wave")
    (media_root / gif.original.name).unlink()
    (media_root / gif.preview.name).unlink()

    output, error = check("--fix")

    assert f"GIF {gif.pk} “Lost wave” (pending review): its original" in output
    assert "Copy it back from a backup" in output
    assert error == "1 problem remains."
    gif.refresh_from_db()  # the row, its history and its other files stay
    assert GifEvent.objects.filter(gif=gif).exists()
    assert (media_root / gif.first_still.name).exists()
    assert Gif.objects.filter(pk=gif.pk).exists()


@pytest.mark.django_db
def test_a_lost_original_alone_is_not_offered_a_fix_that_cannot_mend_it(
    upload_gif, media_root
):
    gif = upload_gif(data=images.gif_bytes(seed=4), title="Gone")
    (media_root / gif.original.name).unlink()

    output, error = check()

    assert "its original" in output
    assert error == "1 problem found."


@pytest.mark.django_db
def test_recent_unnamed_files_are_not_called_no_problems(approved_gif, media_root):
    stray(media_root, "gifs/cd/uploading-original.gif", age=time.time())

    output, error = check()

    assert error is None  # nothing to mend yet
    assert "gifs/cd/uploading-original.gif" in output
    assert "every stored file belongs to a GIF" not in output
    assert "No problems besides the recent files above" in output


@pytest.mark.django_db
def test_a_lost_original_and_its_lost_renditions_are_reported_in_one_run(
    upload_gif, media_root
):
    gif = upload_gif(data=images.gif_bytes(seed=5), title="Half gone")
    (media_root / gif.original.name).unlink()
    (media_root / gif.preview.name).unlink()

    output, error = check()

    assert "its original" in output and "--fix cannot make it again" in output
    assert f"It also lacks {gif.preview.name}" in output
    assert error == "1 problem found."  # no --fix offered: it cannot mend it


@pytest.mark.django_db
def test_fix_is_offered_only_for_what_it_can_mend(upload_gif, media_root):
    gone = upload_gif(data=images.gif_bytes(seed=6), title="Gone")
    (media_root / gone.original.name).unlink()
    stray(media_root, "gifs/ab/abandoned-original.gif")

    _, error = check()

    assert error == "2 problems found. Run again with --fix to repair 1 of them."


@pytest.mark.django_db
def test_fix_leaves_no_empty_folders_behind(approved_gif, media_root):
    stray(media_root, "gifs/zz/yy/abandoned-original.gif")
    stray(media_root, "gifs/zz/yy/abandoned-preview.webp")

    check("--fix")

    assert not (media_root / "gifs" / "zz").exists()
    assert (media_root / "gifs").is_dir()
    assert all((media_root / name).exists() for name in approved_gif.file_names())


@pytest.mark.django_db
def test_fix_never_removes_a_folder_or_file_reached_through_a_link(
    approved_gif, media_root, tmp_path
):
    # A link in the media folder, pointing at a folder outside it: neither the
    # folders out there nor the file in them are the shelf's to delete.
    outside = tmp_path / "elsewhere"
    (outside / "yy").mkdir(parents=True)
    (media_root / "gifs" / "zz").symlink_to(outside, target_is_directory=True)
    stray(media_root, "gifs/zz/yy/stray.gif")
    inside = stray(media_root, "gifs/ab/abandoned.gif")

    output, error = check("--fix")

    assert (outside / "yy" / "stray.gif").read_bytes() == b"left over"
    assert (outside / "yy").is_dir()
    assert (media_root / "gifs" / "zz").is_symlink()
    assert not inside.exists()  # an orphan reached without a link still goes
    assert "Deleted 1 file no GIF names:\n  gifs/ab/abandoned.gif" in output
    assert (
        "1 file no GIF names is reached through a link (perhaps to a folder "
        "outside the media folder); left alone:\n  gifs/zz/yy/stray.gif"
    ) in output
    assert error == "1 problem remains."


@pytest.mark.django_db
def test_fix_never_deletes_a_file_that_is_itself_a_link(
    approved_gif, media_root, tmp_path
):
    precious = tmp_path / "precious.txt"
    precious.write_bytes(b"someone else's")
    (media_root / "gifs" / "ab").mkdir(parents=True)
    link = media_root / "gifs" / "ab" / "stray.gif"
    link.symlink_to(precious)
    os.utime(link, (HOURS_AGO, HOURS_AGO), follow_symlinks=False)
    os.utime(precious, (HOURS_AGO, HOURS_AGO))

    output, error = check()

    assert "reached through a link" in output and "gifs/ab/stray.gif" in output
    assert error == "1 problem found."  # --fix would not mend it: no hint

    output, error = check("--fix")

    assert link.is_symlink() and precious.read_bytes() == b"someone else's"
    assert "Deleted" not in output
    assert error == "1 problem remains."

"""export_library and import_library: a whole shelf out and back, nothing lost."""

import hashlib
import io
import json
import os
import zipfile
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import connection
from django.test import Client
from django.utils import timezone

from library.models import (
    AgentFlag,
    ApiToken,
    AppropriatenessTag,
    ConversationContext,
    Copy,
    Favourite,
    Gif,
    MoodTag,
    Playback,
    Preferences,
    SituationTag,
    TagAlias,
)
from tests import images

# Rows every instance makes for itself, and sessions, which are left out.
# Each instance has its own content type and permission ids, sessions and
# shelf version token (what its cached search answers are keyed by).
NOT_ARCHIVED = {
    "contenttypes.contenttype",
    "auth.permission",
    "sessions.session",
    "library.membersession",
    "library.shelfversion",
}


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def every_row():
    """Every row of every table, independent of how the archive is written.

    The rows of many-to-many tables are compared without their own ids,
    which mean nothing.
    """
    dump = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if label in NOT_ARCHIVED or model._meta.proxy:
            continue
        rows = list(model._base_manager.order_by("pk").values())
        if model._meta.auto_created:
            rows = sorted(
                sorted((k, v) for k, v in row.items() if k != "id") for row in rows
            )
        dump[label] = rows
    return dump


def file_digests(root):
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


def approve(gif, by):
    Playback.objects.update_or_create(
        gif=gif,
        reviewer=by,
        defaults={"started_at": timezone.now() - timedelta(seconds=30)},
    )
    gif.approve(by=by, acknowledge_flashing=True)


def describe(gif, alt_text):
    gif.alt_text = alt_text
    gif.save()
    gif.refresh_search_document()  # as the edit page does


@pytest.fixture
def fresh_instance(db):
    """The rows of a freshly migrated instance, to go back to: an empty shelf."""
    return connection.creation.serialize_db_to_string()


def become_empty(fresh, settings, tmp_path):
    """Turn this database and media into a freshly migrated, empty instance."""
    for model in apps.get_models():
        if model not in (ContentType, Permission) and not model._meta.proxy:
            model._base_manager.all().delete()
    connection.creation.deserialize_db_from_string(fresh)
    with connection.cursor() as cursor:
        models = apps.get_models()
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
    assert not Group.objects.filter(name="Night shift").exists()
    settings.MEDIA_ROOT = tmp_path / "new-media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def full_shelf(fresh_instance, upload_gif, agent, curator, other_curator, lead):
    """A shelf holding a row of every kind there is."""
    thanks = MoodTag.objects.get(name="Thank you")
    thanks.use_when = "a customer thanked you warmly"
    thanks.save()
    angry = MoodTag.objects.get(name="Angry")
    angry.name = "Furious"  # renamed by a lead: the import keeps the new name
    angry.save()
    reset = SituationTag.objects.create(
        name="Password reset", use_when="they got back in", avoid_when="locked out"
    )
    SituationTag.objects.get(name="Greeting").delete()
    vip = AppropriatenessTag.objects.create(name="VIP customer", avoid_when="always")
    context = ConversationContext.objects.create(
        name="VIP chat", slug="vip-chat", description="Our biggest accounts."
    )
    context.hides.add(vip)
    context.warns.add(AppropriatenessTag.objects.get(name="Money question"))
    TagAlias.objects.create(name="thanks", target="Thank you")
    TagAlias.objects.create(name="спасибо", target="Thank you")

    night = Group.objects.create(name="Night shift")
    night.permissions.add(Permission.objects.get(codename="search_gif"))
    visitor = User.objects.create_user("eve", password="secret-eve", is_active=False)
    visitor.user_permissions.add(Permission.objects.get(codename="view_gif"))
    visitor.groups.add(night)

    frames = images.frames_of(4, seed=7)
    approved = upload_gif(
        data=images.encode(frames, "GIF", duration=500, loop=0),
        title="Cat says thank you",
        alt_text="A cat bows.",
        mood=[thanks],
        situation=[reset],
    )
    approved.appropriateness.set([vip])
    approved.use_when = "they thanked you"
    approved.use_when_ru = "клиент поблагодарил вас"
    approved.avoid_when_ru = "вопрос ещё не решён"
    approved.alt_text_ru = "Кот кланяется."
    approved.save()
    approved.refresh_search_document()  # as the edit page does
    approve(approved, other_curator)
    # The same frames played slower: a near-duplicate, still pending.
    upload_gif(
        data=images.encode(frames, "GIF", duration=700, loop=0),
        title="Slow cat",
        by=lead,
    )
    rejected = upload_gif(data=images.png_bytes(), name="still.png", alt_text="x")
    rejected.reject(by=other_curator, reason="Too blurry")
    retired = upload_gif(data=images.webp_bytes(), name="bye.webp", mood=[thanks])
    describe(retired, "Waving")
    approve(retired, other_curator)
    retired.retire(by=lead, reason="Overused")
    gone = upload_gif(data=images.apng_bytes(), name="gone.png", mood=[thanks])
    describe(gone, "Spinning")
    approve(gone, other_curator)
    gone.take_down(by=lead, reason="Complaint")
    flagged = upload_gif(data=images.jpeg_bytes(), name="photo.jpg", mood=[thanks])
    describe(flagged, "A photo")
    approve(flagged, other_curator)
    flagged.flag(by=agent, reason=AgentFlag.Reason.OTHER, note="Odd")
    approved.flag(by=agent, reason=AgentFlag.Reason.BROKEN)
    approved.restore(by=curator, reason="Works for me")
    flagged.skip(by=lead)

    approved.record_copy(by=agent, format=Copy.Format.LINK, context=context)
    approved.record_copy(by=lead, format=Copy.Format.MARKDOWN)
    Favourite.objects.create(gif=approved, agent=agent)
    Preferences.objects.create(user=agent, copy_format="markdown", animate=False)
    ApiToken.issue(agent, "Slack macro")
    ApiToken.issue(lead, "Old script")[0].revoke()
    LogEntry.objects.create(
        user=lead,
        content_type=ContentType.objects.get_for_model(MoodTag),
        object_id=str(thanks.pk),
        object_repr=str(thanks),
        action_flag=CHANGE,
        change_message="Changed use when.",
    )
    return approved


def test_a_round_trip_loses_no_row_and_no_file(
    full_shelf, fresh_instance, media_root, settings, tmp_path, upload_gif
):
    before = every_row()
    # History keeps what was done as codes (a flag's reason) beside the
    # reasons people typed; both come back.
    events = before["library.gifevent"]
    assert {"flag": {"reason": "other", "note": "Odd"}} in [
        e["details"] for e in events
    ]
    assert "Too blurry" in [event["summary"] for event in events]
    files_before = file_digests(media_root)
    archive = tmp_path / "shelf.zip"

    call_command("export_library", str(archive), stdout=io.StringIO())
    new_media = become_empty(fresh_instance, settings, tmp_path)
    assert not Gif.objects.exists() and not User.objects.exists()
    output = io.StringIO()
    call_command("import_library", str(archive), stdout=output)

    assert "Imported 6 GIFs" in output.getvalue()
    after = every_row()
    assert after.keys() == before.keys()
    for table in before:
        for old, new in zip(before[table], after[table], strict=True):
            assert new == old, table
    assert file_digests(new_media) == files_before
    assert len(files_before) > 6 * 4  # originals, stills, previews, filmstrips


def test_after_a_round_trip_public_links_search_and_uploads_work(
    full_shelf, fresh_instance, settings, tmp_path, upload_gif
):
    approved = full_shelf
    retired = Gif.objects.get(status=Gif.Status.RETIRED, taken_down_at=None)
    original = approved.original.read()
    archive = tmp_path / "shelf.zip"
    call_command("export_library", str(archive), stdout=io.StringIO())
    become_empty(fresh_instance, settings, tmp_path)
    call_command("import_library", str(archive), stdout=io.StringIO())

    anonymous = Client()
    response = anonymous.get(approved.public_path())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == original
    assert anonymous.get(approved.public_path("preview")).status_code == 200
    assert anonymous.get(retired.public_path()).status_code == 200
    taken_down = Gif.objects.get(taken_down_at__isnull=False)
    assert anonymous.get(taken_down.public_path()).status_code == 410

    # Search: by title word, by tag, by alias, and in a context.
    assert list(Gif.objects.pick(query="cat")) == [approved]
    assert list(Gif.objects.pick(query="спасибо")) == [approved]
    # Its usage notes in Russian came along, and search finds it by them.
    restored = Gif.objects.get(pk=approved.pk)
    assert (restored.use_when_ru, restored.avoid_when_ru) == (
        "клиент поблагодарил вас",
        "вопрос ещё не решён",
    )
    assert list(Gif.objects.pick(query="поблагодарил")) == [approved]
    # And so did its alt text in Russian.
    assert restored.alt_text_ru == "Кот кланяется."
    assert list(Gif.objects.pick(query="кланяется")) == [approved]
    vip_chat = ConversationContext.objects.get(slug="vip-chat")
    assert list(Gif.objects.pick(query="cat", context=vip_chat)) == []
    # The flagged GIF stays out of search until a curator looks at it.
    assert not Gif.objects.pick(query="photo").exists()
    # New rows get new ids past the imported ones.
    new = upload_gif(data=images.gif_bytes(seed=99), title="After the restore")
    assert new.pk > approved.pk
    assert Client().login(username="bob", password="correct-horse-battery")


def test_the_archive_holds_a_manifest_with_every_file_and_its_sha256(
    full_shelf, media_root, tmp_path
):
    archive = tmp_path / "shelf.zip"
    call_command("export_library", str(archive), stdout=io.StringIO())

    with zipfile.ZipFile(archive) as zip_file:
        manifest = json.loads(zip_file.read("manifest.json"))
        for entry in manifest["files"]:
            data = zip_file.read(entry["path"])
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
            assert data == (media_root / entry["name"]).read_bytes()
        groups = zip_file.read("data/auth.group.jsonl").decode().splitlines()
    assert manifest["format"] == "gifshelf-library" and manifest["version"] == 1
    assert manifest["gifs"] == 6
    tables = {table["model"]: table["rows"] for table in manifest["tables"]}
    assert tables["library.gif"] == 6
    assert tables["auth.user"] == 5
    assert tables["library.apitoken"] == 2
    assert "sessions.session" not in tables
    assert "library.membersession" not in tables  # everyone logs in again
    # Permission ids differ between instances: rows name them instead.
    night = next(json.loads(line) for line in groups if "Night shift" in line)
    assert night["fields"]["permissions"] == [["search_gif", "library", "gif"]]


def test_export_refuses_to_overwrite_a_file(db, tmp_path):
    archive = tmp_path / "shelf.zip"
    archive.write_bytes(b"precious")

    with pytest.raises(CommandError, match="already exists"):
        call_command("export_library", str(archive), stdout=io.StringIO())

    assert archive.read_bytes() == b"precious"


def test_export_shows_a_progress_bar_on_a_terminal_only(pending_gif, tmp_path):
    terminal, pipe, quiet = FakeTerminal(), io.StringIO(), FakeTerminal()

    call_command("export_library", str(tmp_path / "a.zip"), stderr=terminal)
    call_command("export_library", str(tmp_path / "b.zip"), stderr=pipe)
    call_command(
        "export_library", str(tmp_path / "c.zip"), "--no-progress", stderr=quiet
    )

    assert "Exporting" in terminal.getvalue() and "item" in terminal.getvalue()
    assert pipe.getvalue() == "" and quiet.getvalue() == ""


def test_import_refuses_an_instance_in_use_and_changes_nothing(
    pending_gif, tmp_path, media_root
):
    archive = tmp_path / "shelf.zip"
    call_command("export_library", str(archive), stdout=io.StringIO())
    rows, files = every_row(), file_digests(media_root)

    with pytest.raises(CommandError, match="not empty") as refusal:
        call_command("import_library", str(archive), stdout=io.StringIO())

    assert every_row() == rows and file_digests(media_root) == files
    # Named as people know them, not by the tables' names.
    message = str(refusal.value)
    assert "(1 member, 1 GIF, " in message
    assert "(tags, history, preferences and the like)" in message
    assert "tagged gifs" not in message and "copys" not in message


def rewrite(archive, change):
    """A copy of `archive` with `change(path, data)` applied to each entry."""
    copy = archive.with_name("changed.zip")
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(copy, "w") as target:
        for entry in source.infolist():
            data = change(entry.filename, source.read(entry.filename))
            if data is not None:
                target.writestr(entry.filename, data)
    return copy


def damaging(wanted):
    """A change that flips the last byte of the entry `wanted(manifest)` names."""

    def change(manifest):
        target = wanted(manifest)

        def flip(path, data):
            return data[:-1] + bytes([data[-1] ^ 0xFF]) if path == target else data

        return flip

    return change


# The last file: every file before it is written by the time it is refused.
damage_last_file = damaging(lambda manifest: manifest["files"][-1]["path"])
damage_an_original = damaging(lambda manifest: manifest["files"][0]["path"])
damage_rows = damaging(lambda manifest: "data/library.gifevent.jsonl")


def from_the_future(manifest):
    return changing_manifest


def changing_manifest(path, data):
    if path == "manifest.json":
        manifest = json.loads(data)
        manifest["migrations"]["library"].append("9999_from_the_future")
        return json.dumps(manifest)
    return data


def without_manifest(manifest):
    return lambda path, data: None if path == "manifest.json" else data


@pytest.mark.parametrize(
    ("change", "refusal", "dry_run"),
    [
        (damage_last_file, "is damaged: its SHA-256", False),
        (damage_last_file, "is damaged: its SHA-256", True),
        (damage_an_original, "is damaged: its SHA-256", False),
        (damage_rows, "is damaged: its SHA-256", False),
        (from_the_future, "9999_from_the_future", False),
        (from_the_future, "9999_from_the_future", True),
        (without_manifest, "not a gifshelf archive", False),
    ],
)
def test_a_damaged_or_foreign_archive_is_refused_and_leaves_nothing_behind(
    full_shelf, fresh_instance, settings, tmp_path, change, refusal, dry_run
):
    archive = tmp_path / "shelf.zip"
    call_command("export_library", str(archive), stdout=io.StringIO())
    with zipfile.ZipFile(archive) as zip_file:
        manifest = json.loads(zip_file.read("manifest.json"))
    damaged = rewrite(archive, change(manifest))
    new_media = become_empty(fresh_instance, settings, tmp_path)
    empty = every_row()

    options = ["--dry-run"] if dry_run else []
    with pytest.raises(CommandError, match=refusal):
        call_command("import_library", str(damaged), *options, stdout=io.StringIO())

    assert every_row() == empty
    assert file_digests(new_media) == {}


def test_a_dry_run_checks_the_archive_and_imports_nothing(
    full_shelf, fresh_instance, settings, tmp_path
):
    archive = tmp_path / "shelf.zip"
    call_command("export_library", str(archive), stdout=io.StringIO())
    new_media = become_empty(fresh_instance, settings, tmp_path)
    empty = every_row()
    output = io.StringIO()

    call_command("import_library", str(archive), "--dry-run", stdout=output)

    assert "every SHA-256 matches" in output.getvalue()
    assert every_row() == empty and file_digests(new_media) == {}


def test_export_refuses_when_a_file_is_lost_and_leaves_no_archive(
    approved_gif, media_root, tmp_path
):
    (media_root / approved_gif.preview.name).unlink()
    archive = tmp_path / "shelf.zip"

    with pytest.raises(CommandError, match="missing from the media storage"):
        call_command("export_library", str(archive), stdout=io.StringIO())

    assert list(tmp_path.glob("*.zip*")) == [] and list(tmp_path.glob(".*")) == []


def test_an_archive_is_readable_by_its_owner_alone(pending_gif, tmp_path):
    """It holds password hashes and API token digests."""
    archive = tmp_path / "shelf.zip"
    previous = os.umask(0o022)  # a usual umask, which would let others read
    try:
        call_command("export_library", str(archive), stdout=io.StringIO())
    finally:
        os.umask(previous)

    assert archive.stat().st_mode & 0o777 == 0o600

import hashlib
import io
import json
import zipfile
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from library import search
from library.datasafety import (
    ARCHIVE_FORMAT,
    ARCHIVE_VERSION,
    MANIFEST,
    SEEDED,
    add_progress_argument,
    archived_models,
    progress_bar,
    stored_files,
)
from library.models import Gif, ShelfVersion, delete_files, media_storage


class Command(BaseCommand):
    help = "Restore an archive made by export_library into an empty instance."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The .zip file export_library wrote.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the archive (every SHA-256) and this instance; change nothing.",
        )
        add_progress_argument(parser)

    def handle(self, archive, dry_run, progress, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": path})
        try:
            zip_file = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise CommandError(
                _("%(path)s is not a zip archive.") % {"path": path}
            ) from None
        with zip_file:
            manifest = read_manifest(zip_file)
            check_migrations(manifest)
            check_instance_is_empty()
            bar = progress_bar(
                self,
                total=sum(t["rows"] for t in manifest["tables"])
                + len(manifest["files"]),
                unit="item",
                shown=progress,
                description=_("Checking") if dry_run else _("Importing"),
            )
            with bar:
                if dry_run:
                    verify_archive(zip_file, manifest, bar)
                else:
                    restore(zip_file, manifest, bar)
        counts = {
            "gifs": ngettext("%d GIF", "%d GIFs", manifest["gifs"]) % manifest["gifs"],
            "files": ngettext("%d file", "%d files", len(manifest["files"]))
            % len(manifest["files"]),
            "path": path,
        }
        if dry_run:
            self.stdout.write(
                _(
                    "%(path)s is whole (%(gifs)s, %(files)s, every SHA-256 matches) "
                    "and this instance is empty: it can be imported."
                )
                % counts
            )
        else:
            self.stdout.write(_("Imported %(gifs)s and %(files)s.") % counts)


def read_manifest(zip_file):
    try:
        manifest = json.loads(zip_file.read(MANIFEST))
    except (KeyError, ValueError):
        raise CommandError(
            _("This is not a gifshelf archive: it has no readable %(manifest)s.")
            % {"manifest": MANIFEST}
        ) from None
    if manifest.get("format") != ARCHIVE_FORMAT:
        raise CommandError(
            _("This is not a gifshelf archive (its format is %(format)r).")
            % {"format": manifest.get("format")}
        )
    if manifest.get("version") != ARCHIVE_VERSION:
        raise CommandError(
            _(
                "This archive has format version %(found)s; this gifshelf reads "
                "version %(known)s."
            )
            % {"found": manifest.get("version"), "known": ARCHIVE_VERSION}
        )
    return manifest


def check_migrations(manifest):
    """Refuse an archive from a newer schema than this instance's."""
    applied = MigrationRecorder(connection).applied_migrations()
    missing = [
        f"{app}.{name}"
        for app, names in manifest["migrations"].items()
        for name in names
        if (app, name) not in applied
    ]
    if missing:
        raise CommandError(
            _(
                "The archive comes from a database with migrations this one lacks "
                "(%(missing)s). Install the gifshelf version that made it and run "
                "`python manage.py migrate` first."
            )
            % {"missing": ", ".join(missing)}
        )


# How the refusal below names what it found, for the rows people know by name.
NAMED_ROWS = {
    "library.gif": lambda n: ngettext("%d GIF", "%d GIFs", n) % n,
    "auth.user": lambda n: ngettext("%d member", "%d members", n) % n,
    "library.copy": lambda n: ngettext("%d copy", "%d copies", n) % n,
    "library.agentflag": lambda n: ngettext("%d agent flag", "%d agent flags", n) % n,
}


def check_instance_is_empty():
    """Refuse to mix an archive with a shelf that is already in use."""
    found, others = [], 0
    for model in archived_models():
        if model._meta.label_lower in SEEDED:
            continue
        count = model._base_manager.count()
        if count and model._meta.label_lower in NAMED_ROWS:
            found.append(NAMED_ROWS[model._meta.label_lower](count))
        else:
            others += count
    if others:
        found.append(
            ngettext(
                "%d other row (tags, history, preferences and the like)",
                "%d other rows (tags, history, preferences and the like)",
                others,
            )
            % others
        )
    files = list(stored_files(media_storage(), "gifs"))
    if files:
        found.append(
            ngettext(
                "%d file in the media storage",
                "%d files in the media storage",
                len(files),
            )
            % len(files)
        )
    if found:
        raise CommandError(
            _(
                "This instance is not empty (%(found)s). An archive is restored "
                "only into a freshly migrated database with an empty media "
                "storage; nothing was changed."
            )
            % {"found": ", ".join(found)}
        )


def restore(zip_file, manifest, bar):
    """Load every row with its primary key, then every file, in one
    transaction; files written are removed again if anything fails."""
    storage = media_storage()
    written = []
    try:
        with transaction.atomic():
            for label in SEEDED:
                apps.get_model(label)._base_manager.all().delete()
            load_tables(zip_file, manifest, bar)
            check_files_listed(manifest)
            for entry in manifest["files"]:
                data = zip_file.read(entry["path"])
                check_digest(entry["path"], data, entry["sha256"])
                saved = storage.save(entry["name"], ContentFile(data))
                written.append(saved)
                if saved != entry["name"]:
                    raise CommandError(
                        _("The media storage renamed %(name)s; nothing was imported.")
                        % {"name": entry["name"]}
                    )
                bar.update()
            search.rebuild_documents(apps)
            # A server already running must not answer from before the import.
            ShelfVersion.advance()
    except BaseException:
        delete_files(written)
        raise


def load_tables(zip_file, manifest, bar):
    models = []
    with connection.constraint_checks_disabled():
        for table in manifest["tables"]:
            model = apps.get_model(table["model"])
            models.append(model)
            with zip_file.open(table["path"]) as raw:
                reader = HashingReader(raw)
                text = io.TextIOWrapper(reader, encoding="utf-8")
                try:
                    for row in serializers.deserialize(
                        "jsonl",
                        text,
                        handle_forward_references=False,
                    ):
                        row.save()
                        bar.update()
                except (DeserializationError, DatabaseError, ValueError) as error:
                    # A damaged file says so before it fails to parse.
                    check_digest(table["path"], reader, table["sha256"])
                    raise CommandError(
                        _("Could not load %(table)s: %(error)s")
                        % {"table": table["path"], "error": error}
                    ) from error
                check_digest(table["path"], reader, table["sha256"])
            loaded = model._base_manager.count()
            if loaded != table["rows"]:
                raise CommandError(
                    _("%(table)s holds %(loaded)s rows; the manifest says %(rows)s.")
                    % {"table": table["path"], "loaded": loaded, "rows": table["rows"]}
                )
    try:
        connection.check_constraints(
            table_names=[name for model in models for name in table_names_of(model)]
        )
    except IntegrityError as error:
        raise CommandError(
            _("The archive's rows do not fit together: %(error)s") % {"error": error}
        ) from error
    # PostgreSQL hands out ids from sequences that know nothing of the ids
    # just written; move them past the largest.
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def table_names_of(model):
    yield model._meta.db_table
    for field in model._meta.many_to_many:
        if field.remote_field.through._meta.auto_created:
            yield field.remote_field.through._meta.db_table


def check_files_listed(manifest):
    """Every file a GIF row names must be in the archive."""
    listed = {entry["name"] for entry in manifest["files"]}
    missing = [
        name
        for gif in Gif._base_manager.only(
            "original", "first_still", "last_still", "preview", "filmstrip"
        )
        for name in gif.file_names()
        if name not in listed
    ]
    if missing:
        raise CommandError(
            _("The archive lacks files its GIFs need: %(names)s.")
            % {"names": ", ".join(missing[:5])}
        )


def verify_archive(zip_file, manifest, bar):
    for entry in [*manifest["tables"], *manifest["files"]]:
        with zip_file.open(entry["path"]) as stream:
            reader = HashingReader(stream)
            check_digest(entry["path"], reader, entry["sha256"])
        bar.update(entry.get("rows", 1))


def check_digest(path, data, expected):
    if isinstance(data, bytes):
        found = hashlib.sha256(data).hexdigest()
    else:
        found = data.hexdigest()
    if found != expected:
        raise CommandError(
            _(
                "%(path)s in the archive is damaged: its SHA-256 is %(found)s, "
                "the manifest says %(expected)s. Nothing was imported."
            )
            % {"path": path, "found": found, "expected": expected}
        )


class HashingReader(io.RawIOBase):
    """A binary stream that hashes what is read through it."""

    def __init__(self, source):
        self.source = source
        self.digest = hashlib.sha256()

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.source.read(len(buffer))
        buffer[: len(data)] = data
        self.digest.update(data)
        return len(data)

    def close(self):
        super().close()

    def hexdigest(self):
        # Whatever the reader left unread counts too.
        while chunk := self.source.read(1024 * 1024):
            self.digest.update(chunk)
        return self.digest.hexdigest()

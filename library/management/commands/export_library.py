import hashlib
import io
import json
import os
import zipfile
from pathlib import Path

from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from library.datasafety import (
    ARCHIVE_FORMAT,
    ARCHIVE_VERSION,
    MANIFEST,
    ExactJSONEncoder,
    add_progress_argument,
    archived_models,
    copy_stream,
    names_instance_rows,
    progress_bar,
)
from library.models import Gif, media_storage


class Command(BaseCommand):
    help = "Write every GIF file and all the shelf's data into one zip archive."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The .zip file to write (must not exist).")
        add_progress_argument(parser)

    def handle(self, archive, progress, **options):
        target = Path(archive)
        if target.exists():
            raise CommandError(
                _("%(path)s already exists; give a new file name.") % {"path": target}
            )
        if not target.parent.is_dir():
            raise CommandError(
                _("The folder %(folder)s does not exist.") % {"folder": target.parent}
            )
        # Written beside the target and renamed at the end: a failed export
        # never leaves something that looks like a whole archive.
        partial = target.with_name(f".{target.name}.partial")
        try:
            # Its owner's alone (password hashes, token digests), and made
            # here: never opened through a link someone left in its place.
            partial.unlink(missing_ok=True)
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
            stream = os.fdopen(os.open(partial, flags, 0o600), "wb")
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(why)s.")
                % {"path": target, "why": error.strerror or error}
            ) from None
        try:
            with stream, zipfile.ZipFile(stream, "w", allowZip64=True) as zip_file:
                manifest = self.write_archive(zip_file, progress)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        rows = sum(table["rows"] for table in manifest["tables"])
        self.stdout.write(
            _("Exported %(gifs)s, %(rows)s and %(files)s to %(path)s.")
            % {
                "gifs": ngettext("%d GIF", "%d GIFs", manifest["gifs"])
                % manifest["gifs"],
                "rows": ngettext("%d row", "%d rows", rows) % rows,
                "files": ngettext("%d file", "%d files", len(manifest["files"]))
                % len(manifest["files"]),
                "path": target,
            }
        )

    def write_archive(self, zip_file, progress):
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost and connection.vendor == "postgresql":
                # One snapshot for every table, however long the files take.
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
                    )
            models = archived_models()
            counts = {model: model._base_manager.count() for model in models}
            names = file_names()
            bar = progress_bar(
                self,
                total=sum(counts.values()) + len(names),
                unit="item",
                shown=progress,
                description=_("Exporting"),
            )
            with bar:
                tables = [
                    write_table(zip_file, model, counts[model], bar) for model in models
                ]
                files = [write_file(zip_file, name, bar) for name in names]
            manifest = {
                "format": ARCHIVE_FORMAT,
                "version": ARCHIVE_VERSION,
                "created_at": timezone.now().isoformat(),
                "database": connection.vendor,
                "migrations": applied_migrations(),
                "gifs": counts[Gif],
                "tables": tables,
                "files": files,
            }
        zip_file.writestr(
            zip_entry(MANIFEST, compress=True), json.dumps(manifest, indent=1)
        )
        return manifest


def zip_entry(path, *, compress):
    entry = zipfile.ZipInfo(path, date_time=timezone.now().timetuple()[:6])
    # Images are compressed already; rows compress well.
    entry.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    entry.external_attr = 0o644 << 16
    return entry


def file_names():
    """Every file the GIF rows name, once each, in the order of the rows."""
    names = {}
    gifs = Gif._base_manager.order_by("pk").only(
        "original", "first_still", "last_still", "preview", "filmstrip"
    )
    for gif in gifs.iterator(chunk_size=1000):
        names.update(dict.fromkeys(gif.file_names()))
    return list(names)


def write_table(zip_file, model, rows, bar):
    """One model's rows as JSON lines, keeping every primary key."""
    label = model._meta.label_lower
    path = f"data/{label}.jsonl"
    natural = names_instance_rows(model)
    many_to_many = [field.name for field in model._meta.many_to_many]
    queryset = (
        model._base_manager.order_by("pk")
        .prefetch_related(*many_to_many)
        .iterator(chunk_size=1000)
    )
    with zip_file.open(zip_entry(path, compress=True), "w") as raw:
        digest = HashingWriter(raw)
        with io.TextIOWrapper(digest, encoding="utf-8", newline="\n") as text:
            serializers.serialize(
                "jsonl",
                counted(queryset, bar),
                stream=text,
                use_natural_foreign_keys=natural,
                cls=ExactJSONEncoder,
            )
    return {
        "model": label,
        "path": path,
        "rows": rows,
        "natural_keys": natural,
        "sha256": digest.hexdigest(),
    }


def counted(rows, bar):
    for row in rows:
        yield row
        bar.update()


def write_file(zip_file, name, bar):
    storage = media_storage()
    path = f"media/{name}"
    try:
        source = storage.open(name, "rb")
    except FileNotFoundError:
        raise CommandError(
            _(
                "%(name)s is named by a GIF but missing from the media storage; "
                "run `python manage.py check_orphans` to see what is lost."
            )
            % {"name": name}
        ) from None
    with source, zip_file.open(zip_entry(path, compress=False), "w") as target:
        size, sha256 = copy_stream(source, target)
    bar.update()
    return {"name": name, "path": path, "bytes": size, "sha256": sha256}


def applied_migrations():
    applied = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


class HashingWriter(io.RawIOBase):
    """A binary stream that hashes what passes through on its way out."""

    def __init__(self, target):
        self.target = target
        self.digest = hashlib.sha256()

    def writable(self):
        return True

    def write(self, data):
        self.digest.update(data)
        return self.target.write(data)

    def close(self):
        # The zip entry is closed by its own `with`.
        super().close()

    def hexdigest(self):
        return self.digest.hexdigest()

import json
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from library.datasafety import add_progress_argument, copy_stream, progress_bar
from library.imaging import describe_bytes
from library.models import Gif, media_storage

FILE_FIELDS = ("original", "first_still", "last_still", "preview", "filmstrip")


class Command(BaseCommand):
    help = "Copy the live database and the media it names into a timestamped folder."

    def add_arguments(self, parser):
        parser.add_argument(
            "folder",
            nargs="?",
            default=str(settings.BASE_DIR / "backups"),
            help="Where the backup folder goes (default: backups/).",
        )
        add_progress_argument(parser)

    def handle(self, folder, progress, **options):
        parent = Path(folder)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        target = parent / f"gifshelf-{stamp}"
        if target.exists():
            raise CommandError(
                _("%(path)s already exists; wait a second and run it again.")
                % {"path": target}
            )
        # Filled under another name and renamed when whole, so a folder named
        # like a backup always holds a whole one. Its owner's alone: it holds
        # password hashes, sessions and API token digests.
        partial = parent / f".gifshelf-{stamp}.partial"
        if parent.exists() and not parent.is_dir():
            raise CommandError(
                _("%(path)s is a file: give the folder the backups go into.")
                % {"path": parent}
            )
        if partial.exists():  # another backup started this very second
            raise CommandError(
                _("%(path)s already exists; wait a second and run it again.")
                % {"path": target}
            )
        # What this run creates, deepest first: a failed run takes it all
        # away again, the backups folder too when it made it.
        made = [partial, *missing_folders(parent)]
        try:
            parent.mkdir(parents=True, exist_ok=True)
            partial.mkdir(mode=0o700)
            partial.chmod(0o700)  # whatever the umask
        except OSError as error:
            remove_empty(made)
            raise CommandError(
                _("Cannot write a backup into %(path)s: %(why)s.")
                % {"path": parent, "why": error.strerror or error}
            ) from None
        try:
            if connection.vendor == "sqlite":
                database_file, names = back_up_sqlite(partial)
            elif connection.vendor == "postgresql":
                database_file, names = back_up_postgresql(partial)
            else:
                raise CommandError(
                    _("Backing up %(vendor)s is not supported.")
                    % {"vendor": connection.vendor}
                )
            files, missing = self.copy_media(names, partial / "media", progress)
            write_manifest(partial, database_file, files, missing)
            partial.rename(target)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            remove_empty(made)
            raise
        size = sum(entry["bytes"] for entry in files)
        self.stdout.write(
            _("Backed up the database and %(files)s (%(size)s) to %(path)s.")
            % {
                "files": ngettext("%d file", "%d files", len(files)) % len(files),
                "size": describe_bytes(size),
                "path": target,
            }
        )
        if missing:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "Missing from the media storage, so not in the backup: "
                        "%(names)s. Run `python manage.py check_orphans`."
                    )
                    % {"names": ", ".join(missing)}
                )
            )

    def copy_media(self, names, folder, progress):
        storage = media_storage()
        files, missing = [], []
        bar = progress_bar(
            self,
            total=len(names),
            unit="file",
            shown=progress,
            description=_("Copying media"),
        )
        with bar:
            for name in names:
                path = folder / name
                path.parent.mkdir(parents=True, exist_ok=True)
                try:
                    source = storage.open(name, "rb")
                except FileNotFoundError:
                    missing.append(name)
                    continue
                with source, path.open("wb") as target:
                    size, sha256 = copy_stream(source, target)
                files.append({"name": name, "bytes": size, "sha256": sha256})
                bar.update()
        return files, missing


def missing_folders(path):
    """The folders `path.mkdir(parents=True)` would create, deepest first."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists() or folder.is_symlink():
            break
        missing.append(folder)
    return missing


def remove_empty(folders):
    """Remove `folders`, deepest first, as long as each is empty: a folder
    something else has put a file into meanwhile is kept, with its parents."""
    for folder in folders:
        try:
            folder.rmdir()
        except FileNotFoundError:
            continue  # never made, or removed already
        except OSError:
            break


def back_up_sqlite(folder):
    """SQLite's online backup: a consistent copy while others read and write."""
    path = folder / "db.sqlite3"
    if connection.in_atomic_block:
        # SQLite's backup waits for the source's own transaction to end.
        raise CommandError(_("Run the backup outside a database transaction."))
    connection.ensure_connection()
    with closing(sqlite3.connect(path)) as copy:
        # All pages in one step: a write elsewhere cannot land half in it.
        connection.connection.backup(copy)
        rows = copy.execute(
            f"SELECT {', '.join(FILE_FIELDS)} FROM {Gif._meta.db_table}"
        ).fetchall()
    return path.name, file_names(rows)


def back_up_postgresql(folder):
    """pg_dump of one snapshot, and the file names read in that same snapshot."""
    path = folder / "db.dump"
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise CommandError(
            _(
                "pg_dump is not installed; install PostgreSQL's client programs "
                "(Debian: apt-get install postgresql-client) and run it again."
            )
        )
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        parameters = ["--format=custom", f"--file={path}"]
        with connection.cursor() as cursor:
            if outermost:
                cursor.execute(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
                )
                cursor.execute("SELECT pg_export_snapshot()")
                parameters.append(f"--snapshot={cursor.fetchone()[0]}")
        args, env = connection.client.settings_to_cmd_args_env(
            connection.settings_dict, parameters
        )
        result = subprocess.run(
            [pg_dump, *args[1:]],
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise CommandError(
                _("pg_dump failed: %(error)s") % {"error": result.stderr.strip()}
            )
        if not path.is_file() or path.stat().st_size == 0:
            # A dump that says nothing of its failure is still no backup.
            raise CommandError(
                _("pg_dump wrote no dump, so there is no backup: %(error)s")
                % {"error": result.stderr.strip() or _("it said nothing")}
            )
        rows = Gif._base_manager.values_list(*FILE_FIELDS)
        names = file_names(rows)
    return path.name, names


def file_names(rows):
    """Every file the GIF rows name, once each."""
    names = {}
    for original, first, last, preview, filmstrip in rows:
        if isinstance(filmstrip, str):
            filmstrip = json.loads(filmstrip)
        gif = Gif(
            original=original,
            first_still=first,
            last_still=last,
            preview=preview,
            filmstrip=filmstrip or [],
        )
        names.update(dict.fromkeys(gif.file_names()))
    return list(names)


def write_manifest(folder, database_file, files, missing):
    manifest = {
        "created_at": timezone.now().isoformat(),
        "database": connection.vendor,
        "database_file": database_file,
        "files": files,
        "missing": missing,
    }
    (folder / "backup.json").write_text(json.dumps(manifest, indent=1))

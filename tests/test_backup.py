"""backup: a consistent copy of a live shelf, restored as docs/operations.md says."""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from library.models import Gif
from tests import images

MANAGE = settings.BASE_DIR / "manage.py"


def manage(*args, env):
    result = subprocess.run(
        [sys.executable, str(MANAGE), *map(str, args)],
        env=env,
        stdin=subprocess.DEVNULL,  # never a terminal to ask a password at
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def instance(folder):
    """The environment of a gifshelf whose database and media live in `folder`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "GIFSHELF_"))
    }
    env["DATABASE_URL"] = f"sqlite:///{folder / 'db.sqlite3'}"
    env["GIFSHELF_MEDIA_ROOT"] = str(folder / "media")
    return env


def digests(root):
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    }


def the_backup(folder):
    (backup,) = [path for path in folder.iterdir() if not path.name.startswith(".")]
    return backup


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite backup runs with SQLite only"
)
def test_a_sqlite_backup_taken_during_a_write_restores_elsewhere(tmp_path):
    live = tmp_path / "live"
    live.mkdir()
    env = instance(live)
    manage("migrate", "--verbosity=0", env=env)
    manage("addmember", "bob", "--role", "curator", env=env)
    pictures = tmp_path / "pictures"
    pictures.mkdir()
    for seed in range(3):
        (pictures / f"wave {seed}.gif").write_bytes(images.gif_bytes(seed=seed))
    manage("import_folder", pictures, "--by", "bob", env=env)

    # Another connection is in the middle of writing while the backup runs.
    with closing(sqlite3.connect(live / "db.sqlite3", isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE library_gif SET title = 'Half-written'")
        output = manage("backup", tmp_path / "backups", "--no-progress", env=env)
        other.execute("COMMIT")

    backup = the_backup(tmp_path / "backups")
    assert backup.name.startswith("gifshelf-")
    assert f"Backed up the database and {3 * 8} files" in output
    manifest = json.loads((backup / "backup.json").read_text())
    assert manifest["database_file"] == "db.sqlite3" and manifest["missing"] == []

    # Restore as docs/operations.md says: the database file and the media
    # folder, copied into a fresh place.
    restored = tmp_path / "restored"
    restored.mkdir()
    shutil.copy(backup / "db.sqlite3", restored / "db.sqlite3")
    shutil.copytree(backup / "media", restored / "media")
    with closing(sqlite3.connect(restored / "db.sqlite3")) as database:
        assert database.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        titles = database.execute("SELECT title FROM library_gif ORDER BY title")
        assert [title for (title,) in titles] == ["Wave 0", "Wave 1", "Wave 2"]
    live_files = digests(live / "media")
    assert digests(restored / "media").items() <= live_files.items()
    assert len(digests(restored / "media")) == 3 * 8  # 4 frames: 4 + 4 files each
    restored_env = instance(restored)
    assert "No problems" in manage("check_orphans", env=restored_env)
    assert "Wave 1" in manage(
        "shell",
        "-c",
        "from library.models import Gif; print(list(Gif.objects.search('wave 1')))",
        env=restored_env,
    )


def postgres_tools():
    return all(shutil.which(tool) for tool in ("pg_dump", "pg_restore"))


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the PostgreSQL backup runs with PostgreSQL only",
)
@pytest.mark.skipif(
    not postgres_tools(), reason="pg_dump and pg_restore are not installed"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_postgresql_backup_taken_during_a_write_restores_elsewhere(
    upload_gif, tmp_path, media_root
):
    import psycopg

    for seed in range(3):
        upload_gif(data=images.gif_bytes(seed=seed), title=f"Wave {seed}")
    settings_dict = connection.settings_dict
    params = {
        "host": settings_dict["HOST"],
        "port": settings_dict["PORT"] or 5432,
        "user": settings_dict["USER"],
        "password": settings_dict["PASSWORD"] or None,
    }
    scratch = f"{settings_dict['NAME']}_restored"

    # Another connection is in the middle of writing while the backup runs.
    with psycopg.connect(dbname=settings_dict["NAME"], **params) as other:
        other.execute("UPDATE library_gif SET title = 'Half-written'")
        call_command("backup", str(tmp_path / "backups"), stdout=io.StringIO())
        other.commit()

    backup = the_backup(tmp_path / "backups")
    assert json.loads((backup / "backup.json").read_text())["database_file"] == (
        "db.dump"
    )
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        admin.execute(f'CREATE DATABASE "{scratch}"')
        try:
            env = {**os.environ, "PGPASSWORD": params["password"] or ""}
            subprocess.run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--exit-on-error",
                    f"--host={params['host']}",
                    f"--port={params['port']}",
                    f"--username={params['user']}",
                    f"--dbname={scratch}",
                    str(backup / "db.dump"),
                ],
                env=env,
                check=True,
                capture_output=True,
            )
            with psycopg.connect(dbname=scratch, **params) as restored:
                titles = restored.execute(
                    "SELECT title FROM library_gif ORDER BY title"
                ).fetchall()
                names = restored.execute(
                    "SELECT original FROM library_gif ORDER BY title"
                ).fetchall()
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    assert [title for (title,) in titles] == ["Wave 0", "Wave 1", "Wave 2"]
    assert Gif.objects.filter(title="Half-written").count() == 3  # committed after
    for (name,) in names:
        assert (backup / "media" / name).read_bytes() == (
            media_root / name
        ).read_bytes()
    assert len(digests(backup / "media")) == 3 * 8


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_goes_into_its_own_timestamped_folder(approved_gif, tmp_path):
    if connection.vendor == "postgresql" and not postgres_tools():
        pytest.skip("pg_dump is not installed")
    output = io.StringIO()

    call_command("backup", str(tmp_path / "backups"), stdout=output)

    backup = the_backup(tmp_path / "backups")
    assert backup.name.startswith("gifshelf-") and str(backup) in output.getvalue()
    names = {
        entry["name"]
        for entry in json.loads((backup / "backup.json").read_text())["files"]
    }
    assert names == set(approved_gif.file_names())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_is_readable_by_its_owner_alone(approved_gif, tmp_path):
    """It holds password hashes, sessions and API token digests."""
    if connection.vendor == "postgresql" and not postgres_tools():
        pytest.skip("pg_dump is not installed")
    previous = os.umask(0o022)  # a usual umask, which would let others read
    try:
        call_command("backup", str(tmp_path / "backups"), stdout=io.StringIO())
    finally:
        os.umask(previous)

    backup = the_backup(tmp_path / "backups")
    assert backup.stat().st_mode & 0o777 == 0o700


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the PostgreSQL backup runs with PostgreSQL only",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_pg_dump_that_writes_nothing_is_no_backup(approved_gif, tmp_path):
    # A pg_dump that exits 0 without a dump (a wrapper script gone wrong, a
    # full disk it did not notice): the command must not call that a backup.
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "pg_dump").write_text("#!/bin/sh\necho 'out of space' >&2\nexit 0\n")
    (tools / "pg_dump").chmod(0o755)
    path = os.environ["PATH"]
    os.environ["PATH"] = f"{tools}{os.pathsep}{path}"
    try:
        with pytest.raises(CommandError, match=r"pg_dump wrote no dump.*out of space"):
            call_command("backup", str(tmp_path / "backups"), stdout=io.StringIO())
    finally:
        os.environ["PATH"] = path

    assert not (tmp_path / "backups").exists()  # made by the run, taken away


@pytest.mark.django_db
def test_a_file_given_for_the_backups_folder_is_called_a_file(tmp_path):
    in_the_way = tmp_path / "backups.txt"
    in_the_way.write_bytes(b"notes")

    with pytest.raises(CommandError, match="is a file: give the folder"):
        call_command("backup", str(in_the_way), stdout=io.StringIO())

    assert in_the_way.read_bytes() == b"notes"
    assert not list(tmp_path.rglob("*gifshelf-*"))


@pytest.mark.django_db
def test_a_failed_backup_leaves_no_folder_it_made(tmp_path, monkeypatch):
    """Nothing to tidy by hand after a failure: no half backup, and not the
    folders made to hold it; a folder that was there already stays as it was."""
    there = tmp_path / "there"
    there.mkdir()
    (there / "notes.txt").write_text("mine")
    if connection.vendor == "postgresql":
        tools = tmp_path / "bin"
        tools.mkdir()
        (tools / "pg_dump").write_text(
            "#!/bin/sh\necho 'connection refused' >&2\nexit 1\n"
        )
        (tools / "pg_dump").chmod(0o755)
        monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
        failure = "pg_dump failed: connection refused"
    else:
        # The test's own transaction: SQLite's online backup would wait for
        # it to end, so the command refuses after making its folders.
        failure = "Run the backup outside a database transaction"

    with pytest.raises(CommandError, match=failure):
        call_command("backup", str(there / "new" / "backups"), stdout=io.StringIO())

    assert [path.name for path in there.iterdir()] == ["notes.txt"]
    assert (there / "notes.txt").read_text() == "mine"

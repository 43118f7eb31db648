"""Running in production: settings from the environment, `make serve`.

These start real processes (manage.py, gunicorn) with a production
environment, as an operator would, and look at what they answer.
"""

import http.client
import json
import os
import re
import runpy
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parent.parent
HOST = "gifs.example.com"


def production_environment(tmp_path, **overrides):
    """What docs/deploy.md tells an operator to set, over a clean environment."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GIFSHELF_", "DJANGO_", "DATABASE_URL"))
    }
    environment.update(
        {
            "GIFSHELF_SECRET_KEY": secrets.token_urlsafe(50),
            "GIFSHELF_ALLOWED_HOSTS": HOST,
            "GIFSHELF_CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
            "GIFSHELF_HTTPS": "1",
            "GIFSHELF_BEHIND_TLS_PROXY": "1",
            "GIFSHELF_HSTS_INCLUDE_SUBDOMAINS": "1",
            "GIFSHELF_HSTS_PRELOAD": "1",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
            "GIFSHELF_MEDIA_ROOT": str(tmp_path / "media"),
            "GIFSHELF_STATIC_ROOT": str(tmp_path / "static"),
        }
    )
    environment.update(overrides)
    return {key: value for key, value in environment.items() if value is not None}


def run(arguments, environment, timeout=120):
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_the_deploy_check_reports_nothing_with_production_settings(tmp_path):
    checked = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_environment(tmp_path),
    )

    assert checked.returncode == 0, checked.stderr
    assert "System check identified no issues (0 silenced)." in checked.stdout
    assert "WARNING" not in checked.stderr + checked.stdout


def test_the_deploy_check_names_what_the_development_defaults_lack(tmp_path):
    laptop = production_environment(
        tmp_path,
        GIFSHELF_SECRET_KEY=None,
        GIFSHELF_HTTPS=None,
        GIFSHELF_HSTS_INCLUDE_SUBDOMAINS=None,
        GIFSHELF_HSTS_PRELOAD=None,
    )
    checked = run(["manage.py", "check", "--deploy"], laptop)

    found = set(re.findall(r"security\.W\d+", checked.stderr))
    # No HSTS, no https redirect, insecure key, session and CSRF cookies.
    assert {"security.W004", "security.W008", "security.W009"} <= found
    assert {"security.W012", "security.W016"} <= found


def test_no_server_starts_with_the_development_secret_key(tmp_path):
    started = run(
        ["-c", "import gifshelf.wsgi"],
        production_environment(tmp_path, GIFSHELF_SECRET_KEY=None),
    )

    assert started.returncode != 0
    assert "GIFSHELF_SECRET_KEY is not set" in started.stderr


def test_a_server_starts_with_a_real_secret_key_or_in_debug(tmp_path):
    with_key = run(["-c", "import gifshelf.wsgi"], production_environment(tmp_path))
    debugging = run(
        ["-c", "import gifshelf.wsgi"],
        production_environment(tmp_path, GIFSHELF_SECRET_KEY=None, GIFSHELF_DEBUG="1"),
    )

    assert with_key.returncode == 0, with_key.stderr
    assert debugging.returncode == 0, debugging.stderr


def test_serve_refuses_to_start_without_a_secret_key(tmp_path):
    served = run(
        ["manage.py", "serve"],
        production_environment(tmp_path, GIFSHELF_SECRET_KEY=None),
    )

    assert served.returncode == 1
    assert "GIFSHELF_SECRET_KEY is not set" in served.stderr
    assert not (tmp_path / "production.sqlite3").exists()  # nothing migrated


@pytest.mark.parametrize(
    "weak_key",
    [
        "hunter2",  # short
        "ab" * 40,  # long, but two characters
        "django-insecure-" + "k7Qz-9xLm2" * 6,  # Django's own marker
    ],
    ids=["short", "two-characters", "django-insecure"],
)
def test_serve_refuses_a_secret_key_anyone_could_guess(tmp_path, weak_key):
    served = run(
        ["manage.py", "serve"],
        production_environment(tmp_path, GIFSHELF_SECRET_KEY=weak_key),
    )

    assert served.returncode == 1
    assert "GIFSHELF_SECRET_KEY is too easy to guess" in served.stderr
    assert "at least 50 characters" in served.stderr
    assert not (tmp_path / "production.sqlite3").exists()  # nothing migrated


def test_serve_refuses_a_worker_count_it_cannot_read_before_migrating(tmp_path):
    served = run(
        ["manage.py", "serve"],
        production_environment(tmp_path, GIFSHELF_WORKERS="abc"),
    )

    assert served.returncode != 0
    assert served.stderr.startswith("gifshelf: GIFSHELF_WORKERS is 'abc'")
    assert "Traceback" not in served.stderr
    assert not (tmp_path / "production.sqlite3").exists()  # nothing migrated


@pytest.mark.parametrize(
    ("variable", "value", "told"),
    [
        ("GIFSHELF_HTTPS", "ture", "use 1, true, yes or on"),
        ("GIFSHELF_DEBUG", "maybe", "use 1, true, yes or on"),
        ("GIFSHELF_MAX_UPLOAD_BYTES", "15MB", "whole number of at least 1"),
        ("GIFSHELF_MAX_FRAMES", "0", "whole number of at least 1"),
        ("GIFSHELF_SQLITE_TIMEOUT", "-5", "whole number of at least 1"),
    ],
)
def test_a_setting_that_cannot_be_read_stops_every_command_naming_it(
    tmp_path, variable, value, told
):
    checked = run(
        ["manage.py", "check"], production_environment(tmp_path, **{variable: value})
    )

    assert checked.returncode != 0
    assert f"{variable} is {value!r}" in checked.stderr
    assert told in checked.stderr
    # One line that says it all, not a traceback through settings.py.
    assert checked.stderr.startswith(f"gifshelf: {variable} is")
    assert "Traceback" not in checked.stderr


@pytest.mark.parametrize(
    ("variables", "told"),
    [
        ({"DATABASE_URL": "mysqlx://app:s3cret@db/gifs"}, "scheme 'mysqlx'"),
        ({"DATABASE_URL": "postgres://app:s3/cret@db:5432/gifs"}, "percent-encoded"),
        ({"DATABASE_URL": "db.example.com/gifs"}, "no scheme such as postgres://"),
        ({"GIFSHELF_STORAGE": "ftp"}, "use filesystem or s3"),
        ({"GIFSHELF_TIME_ZONE": "Mars/Olympus"}, "use a time zone name"),
        ({"GIFSHELF_TIME_ZONE": "../../etc/passwd"}, "use a time zone name"),
        ({"GIFSHELF_STORAGE": "s3"}, "needs GIFSHELF_S3_BUCKET"),
        ({"GIFSHELF_ACCEL_REDIRECT": "protected"}, "starts and ends with /"),
    ],
)
def test_a_database_storage_or_zone_that_cannot_be_used_is_told_in_one_line(
    tmp_path, variables, told
):
    checked = run(["manage.py", "check"], production_environment(tmp_path, **variables))

    assert checked.returncode != 0
    assert checked.stderr.startswith("gifshelf: ")
    assert told in checked.stderr
    assert "Traceback" not in checked.stderr
    assert "s3cret" not in checked.stderr  # a password never goes to the log


def test_a_blank_database_url_is_the_default_database(tmp_path):
    checked = run(
        ["-c", "from django.conf import settings; print(settings.DATABASES)"],
        production_environment(
            tmp_path, DATABASE_URL="", DJANGO_SETTINGS_MODULE="gifshelf.settings"
        ),
    )

    assert checked.returncode == 0, checked.stderr
    assert "db.sqlite3" in checked.stdout


@pytest.mark.parametrize(
    ("value", "secure"),
    [
        ("off", "False"),
        (" 0 ", "False"),
        ("No", "False"),
        ("FALSE", "False"),
        (" on ", "True"),
        # Blank is unset (a compose file passes an unset variable on as ""):
        # the default, secure as GIFSHELF_HTTPS is on, not "off".
        ("", "True"),
    ],
)
def test_a_switch_reads_the_usual_words_and_blank_as_unset(tmp_path, value, secure):
    shown = run(
        [
            "-c",
            "import django; from django.conf import settings; django.setup();"
            "print(settings.SESSION_COOKIE_SECURE)",
        ],
        {
            "DJANGO_SETTINGS_MODULE": "gifshelf.settings",
            **production_environment(tmp_path, GIFSHELF_SECURE_COOKIES=value),
        },
        timeout=60,
    )

    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == secure


def test_a_blank_list_of_hosts_is_the_default_not_none(tmp_path):
    shown = run(
        [
            "-c",
            "import django; from django.conf import settings; django.setup();"
            "print(','.join(settings.ALLOWED_HOSTS))",
        ],
        {
            "DJANGO_SETTINGS_MODULE": "gifshelf.settings",
            **production_environment(tmp_path, GIFSHELF_ALLOWED_HOSTS=" "),
        },
        timeout=60,
    )

    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == "127.0.0.1,localhost"


def gunicorn_settings(**environment):
    before = dict(os.environ)
    try:
        for key in list(os.environ):
            if key.startswith("GIFSHELF_") or key == "WEB_CONCURRENCY":
                os.environ.pop(key)
        os.environ.update(environment)
        return runpy.run_path(str(ROOT / "gifshelf" / "gunicorn.conf.py"))
    finally:
        os.environ.clear()
        os.environ.update(before)


def test_serve_runs_two_workers_per_core_plus_one_unless_told():
    default = gunicorn_settings()
    told = gunicorn_settings(GIFSHELF_WORKERS="3", GIFSHELF_BIND="0.0.0.0:9000")

    assert default["workers"] == 2 * os.cpu_count() + 1
    assert default["bind"] == ["127.0.0.1:8000"]
    assert told["workers"] == 3
    assert told["bind"] == ["0.0.0.0:9000"]


def test_gifshelf_workers_wins_over_web_concurrency():
    assert gunicorn_settings(WEB_CONCURRENCY="4")["workers"] == 4
    assert gunicorn_settings(GIFSHELF_WORKERS="3", WEB_CONCURRENCY="4")["workers"] == 3


def test_gunicorn_starts_where_gifshelf_workers_overrides_an_odd_web_concurrency(
    tmp_path,
):
    # gunicorn reads WEB_CONCURRENCY as a number on its own, before our
    # settings; `serve` leaves it out where GIFSHELF_WORKERS overrides it.
    from library.management.commands.serve import gunicorn_environment

    environment = production_environment(
        tmp_path, GIFSHELF_WORKERS="3", WEB_CONCURRENCY="auto"
    )
    check = ["-m", "gunicorn", "-c", "gifshelf/gunicorn.conf.py", "--check-config"]

    as_given = run(check, environment)
    as_served = run(check, gunicorn_environment(environment))

    assert as_given.returncode != 0  # what went wrong before
    assert as_served.returncode == 0, as_served.stderr


def test_a_worker_count_that_is_not_a_number_is_refused_by_name():
    with pytest.raises(ImproperlyConfigured, match="GIFSHELF_WORKERS is 'abc'"):
        gunicorn_settings(GIFSHELF_WORKERS="abc")
    with pytest.raises(ImproperlyConfigured, match="GIFSHELF_TIMEOUT is '0'"):
        gunicorn_settings(GIFSHELF_TIMEOUT="0")


def test_gunicorns_control_socket_is_opened_only_where_the_operator_names_it(
    tmp_path,
):
    # Its default, ~/.gunicorn/gunicorn.ctl, would be one path shared by
    # every server the account runs.
    default = gunicorn_settings()
    named = gunicorn_settings(GIFSHELF_CONTROL_SOCKET=str(tmp_path / "ctl"))

    assert default["control_socket_disable"] is True
    assert "control_socket" not in default
    assert named["control_socket"] == str(tmp_path / "ctl")
    assert "control_socket_disable" not in named


def database_options(environment):
    """The database OPTIONS a fresh process reads from `environment`."""
    shown = run(
        [
            "-c",
            "import json, django; from django.conf import settings; django.setup();"
            "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))",
        ],
        {"DJANGO_SETTINGS_MODULE": "gifshelf.settings", **environment},
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout)


def test_postgresql_prepares_repeated_statements_unless_told_not_to(tmp_path):
    postgresql = production_environment(
        tmp_path, DATABASE_URL="postgres://gifshelf@db.example.com/gifshelf"
    )
    told = {**postgresql, "GIFSHELF_DB_PREPARED_STATEMENTS": "0"}
    # Behind PgBouncer in transaction mode, as docs/deploy.md has it.
    pooled = {**postgresql, "GIFSHELF_DB_CONN_MAX_AGE": "0"}
    pooled_told = {**pooled, "GIFSHELF_DB_PREPARED_STATEMENTS": "1"}

    prepared = {"server_side_binding": True, "prepare_threshold": 5}
    assert database_options(postgresql) == prepared
    assert database_options(pooled_told) == prepared
    # As Django has it: parameters bound in the client, nothing prepared,
    # which a pooler in transaction mode needs.
    for unprepared in (told, pooled):
        options = database_options(unprepared)
        assert "prepare_threshold" not in options
        assert "server_side_binding" not in options


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port, path, headers):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": HOST, **headers})
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


@pytest.fixture
def served(tmp_path):
    """`manage.py serve` (what `make serve` runs) on a free loopback port."""
    port = free_port()
    environment = production_environment(
        tmp_path, GIFSHELF_BIND=f"127.0.0.1:{port}", GIFSHELF_WORKERS="2"
    )
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "serve"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"serve stopped:\n{log.read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail(f"serve did not listen:\n{log.read_text()}")
        yield port, log
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            # Longer than gunicorn's graceful_timeout (30 s), which a worker
            # still booting on a loaded machine can use up.
            server.wait(timeout=45)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def test_serve_migrates_collects_static_files_and_serves_over_gunicorn(
    served, tmp_path
):
    port, log = served
    response, body = get(port, "/accounts/login/", {"X-Forwarded-Proto": "https"})

    assert response.status == 200
    assert response.getheader("Strict-Transport-Security") == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert "Secure" in response.getheader("Set-Cookie")
    # The stylesheet has the hashed name collectstatic gave it; WhiteNoise serves it.
    stylesheet = re.search(rb'href="(/static/library/app\.[0-9a-f]+\.css)"', body)
    assert stylesheet, body[:500]
    css, _ = get(port, stylesheet.group(1).decode(), {"X-Forwarded-Proto": "https"})
    assert css.status == 200
    with sqlite3.connect(tmp_path / "production.sqlite3") as database:
        tables = {row[0] for row in database.execute("SELECT name FROM sqlite_master")}
    assert "library_gif" in tables
    # The first worker may answer while the second still boots on a busy machine.
    deadline = time.monotonic() + 30
    while log.read_text().count("Booting worker") < 2:
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert log.read_text().count("Booting worker") == 2


def test_serve_sends_plain_http_to_https(served):
    port, _ = served
    response, _ = get(port, "/accounts/login/", {})

    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}/accounts/login/"


def test_make_serve_never_reinstalls_packages_when_it_starts(tmp_path):
    """A restart after requirements.txt changed must not reach for the
    package index (`make install` does that); a missing virtualenv is made."""
    for name in ("Makefile", "requirements.txt"):
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    installed = tmp_path / ".venv" / "bin" / ".installed"
    installed.parent.mkdir(parents=True)
    installed.touch()
    os.utime(installed, (time.time() - 3600, time.time() - 3600))

    def planned(target):
        return subprocess.run(
            ["make", "-n", target], cwd=tmp_path, capture_output=True, text=True
        ).stdout

    assert "pip install" not in planned("serve")
    assert "manage.py serve" in planned("serve")
    assert "pip install" in planned("install")
    installed.unlink()
    assert "pip install" in planned("serve")

"""Persistent PostgreSQL connections: a connection the server closed is
replaced before a request uses it, and a busy one is not checked before
every request (gifshelf/postgresql/base.py)."""

import time

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from gifshelf.postgresql.base import HEALTH_CHECK_INTERVAL_S, DatabaseWrapper

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="PostgreSQL's own connections"
    ),
    pytest.mark.django_db,
]


@pytest.fixture
def worker_connection():
    """A connection as a gunicorn worker keeps it between requests."""
    default = connections[DEFAULT_DB_ALIAS]
    assert isinstance(default, DatabaseWrapper), "settings.py chooses the backend"
    settings = {**default.settings_dict, "CONN_MAX_AGE": 600}
    assert settings["CONN_HEALTH_CHECKS"]
    kept = DatabaseWrapper(settings, alias="worker")
    yield kept
    kept.close()


def a_request(kept):
    """What a request does with the connection: Django's look at it when
    the request starts, then a query. The backend's process id."""
    kept.close_if_unusable_or_obsolete()
    with kept.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def terminate(pid):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(100):
            # (Within a transaction the statistics are a snapshot.)
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone() is None:
                return
            time.sleep(0.05)
    raise AssertionError(f"backend {pid} is still running")


def test_a_connection_the_server_closed_is_replaced_before_a_request_uses_it(
    worker_connection,
):
    first = a_request(worker_connection)
    assert a_request(worker_connection) == first  # kept between requests

    terminate(first)
    worker_connection.checked_at -= HEALTH_CHECK_INTERVAL_S

    assert a_request(worker_connection) != first


def test_a_busy_connection_is_checked_once_a_second_not_before_every_request(
    worker_connection, monkeypatch
):
    checks = []
    check = worker_connection.is_usable
    monkeypatch.setattr(
        worker_connection, "is_usable", lambda: checks.append(1) or check()
    )

    for _ in range(20):
        a_request(worker_connection)
    assert checks == []  # opened by the first: new connections are healthy

    worker_connection.checked_at -= HEALTH_CHECK_INTERVAL_S
    for _ in range(20):
        a_request(worker_connection)
    assert checks == [1]


def test_what_every_request_reads_is_planned_once_per_connection(agent_client):
    """The session, the member and the shelf's version token: a worker's
    connection prepares them (GIFSHELF_DB_PREPARED_STATEMENTS), so PostgreSQL
    stops planning them again on every request."""
    for _ in range(10):
        assert agent_client.get("/api/gifs/", {"q": "thanks"}).status_code == 200

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements"
        )
        prepared = cursor.fetchall()
    for table in ("library_session", "auth_user", "library_shelfversion"):
        runs = [runs for statement, runs in prepared if f"FROM {table} " in statement]
        assert runs and runs[0] >= 1, f"no prepared statement reads {table}"

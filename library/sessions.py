"""Sessions kept in the database as Django keeps them, with the member's id
in a column of its own: SESSION_ENGINE = "library.sessions".

Nearly every request reads its session, then the member it names with their
permissions, and every search the shelf's version token. On PostgreSQL each
statement is a round trip, and under load those cost more than what they
read (README, "Under load"), so the store reads all three in one statement
and keeps the member and the token for this request: MemberBackend.get_user
and ShelfVersion.current take them from here instead of asking again.
"""

import functools
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.sessions.backends import db
from django.core.signals import request_finished, request_started
from django.db import connections, router
from django.utils import timezone

from library.backends import user_statement

UNREAD = object()


@dataclass
class ReadWithSession:
    """What this request's session statement read besides the session."""

    user_id: int | None
    member_rows: list
    shelf_token: object = UNREAD


# Set when a request's session is read from the database, gone when the
# request ends: nothing read for one request may serve another, and nothing
# is kept for a session read outside a request (a shell, a command, a test).
read_with_session = ContextVar("read_with_session", default=None)
in_a_request = ContextVar("in_a_request", default=False)


def request_starts(**kwargs):
    read_with_session.set(None)
    in_a_request.set(True)


def request_ends(**kwargs):
    read_with_session.set(None)
    in_a_request.set(False)


request_started.connect(request_starts, dispatch_uid="library_sessions_start")
request_finished.connect(request_ends, dispatch_uid="library_sessions_end")


def take_member_rows(user_id):
    """The rows of member `user_id` and their permissions as this request's
    session statement read them, once; None where it read no such member
    (the id in the session's signed data is the one that counts)."""
    read = read_with_session.get()
    if read is None or read.user_id is None or read.user_id != user_id:
        return None
    read.user_id = None
    return read.member_rows


def take_shelf_token():
    """The shelf's version token as this request's session statement read
    it, once; UNREAD where it did not (or it was taken)."""
    read = read_with_session.get()
    if read is None:
        return UNREAD
    token, read.shelf_token = read.shelf_token, UNREAD
    return token


class MemberSessionStore:
    """Django's database sessions in library.MemberSession, each row naming
    the member its data logs in (set whenever the session is saved)."""

    @classmethod
    def get_model_class(cls):
        from library.models import MemberSession

        return MemberSession

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        user_id = data.get("_auth_user_id")
        session.user_id = int(user_id) if user_id is not None else None
        return session


# Named as Django's stores are: a session's data is signed with a salt made
# of the store's class name.
class SessionStore(MemberSessionStore, db.SessionStore):
    def _get_session_from_db(self):
        database = router.db_for_read(self.model)
        now = connections[database].ops.adapt_datetimefield_value(timezone.now())
        statement = session_statement(self.model._meta.db_table)
        with connections[database].cursor() as cursor:
            cursor.execute(statement, [self.session_key, now])
            rows = cursor.fetchall()
        read_with_session.set(None)
        if not rows:
            self._session_key = None
            return None
        session_data, user_id, shelf_token = rows[0][:3]
        member_rows = [row[3:] for row in rows if row[3] is not None]
        if in_a_request.get():
            read_with_session.set(ReadWithSession(user_id, member_rows, shelf_token))
        return self.model(
            session_key=self.session_key, session_data=session_data, user_id=user_id
        )


@functools.cache
def session_statement(session_table):
    """A live session's data and member id, the shelf's version token, then
    the member's columns and a permission: a row for each of their
    permissions, one with the member's columns empty where the session names
    nobody (or a member since deleted), none where the session is unknown or
    expired. Parameters: the session key, the time now."""
    from library.models import ShelfVersion

    member, _ = user_statement(member="(SELECT user_id FROM s)")
    return (
        "WITH s AS (SELECT session_data, user_id "
        f"FROM {session_table} WHERE session_key = %s AND expire_date > %s) "
        "SELECT s.session_data, s.user_id, "
        f"(SELECT token FROM {ShelfVersion._meta.db_table} WHERE id = 1), m.* "
        f"FROM s LEFT JOIN ({member}) m ON 1 = 1"
    )

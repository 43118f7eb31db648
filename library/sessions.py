"""Sessions kept in the database as Django keeps them, read by a plain
statement: SESSION_ENGINE = "library.sessions"."""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    """Django's database sessions. Every request reads its session, and a
    plain statement costs a fraction of compiling the queryset Django's
    store builds for it (README, "Under load"); the rest is Django's."""

    def _get_session_from_db(self):
        database = connections[router.db_for_read(self.model)]
        now = database.ops.adapt_datetimefield_value(timezone.now())
        with database.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {self.model._meta.db_table} "
                "WHERE session_key = %s AND expire_date > %s",
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=row[0])

"""Django's PostgreSQL backend, checking a persistent connection's health at
most once a second (settings.py: ENGINE = "gifshelf.postgresql").

Django checks a reused connection before the first query of every request
(CONN_HEALTH_CHECKS), a round trip of its own: under bench/load.py it was a
fifth of a worker's time. A connection checked or opened less than a second
ago is trusted instead, since a restarted server usually takes longer than
that to come back. What a trusted connection can miss is a connection closed
within that second (the server closing just this one, or recovering from a
crashed backend faster than a second): that request fails, and Django
replaces the connection when the request ends.
"""

import time

from django.db.backends.postgresql import base

HEALTH_CHECK_INTERVAL_S = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    checked_at = -float("inf")

    def connect(self):
        super().connect()
        self.checked_at = time.monotonic()

    def close_if_health_check_failed(self):
        due = (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
        )
        if due and time.monotonic() - self.checked_at < HEALTH_CHECK_INTERVAL_S:
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
        if due and self.connection is not None:
            self.checked_at = time.monotonic()

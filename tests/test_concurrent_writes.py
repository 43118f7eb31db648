"""Changes of many GIFs at once on PostgreSQL wait for each other rather than
deadlock: rebuilding search documents takes the GIFs' rows in id order."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from library import models
from library.models import Gif, MoodTag

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks are PostgreSQL's; SQLite's writers take turns",
)


def waiting_for_a_lock():
    """Whether some other connection to this database waits for a row lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_tag_renamed_while_another_change_holds_its_gifs_waits_for_it(
    upload_gif, monkeypatch
):
    # Small batches, so that three GIFs take two of them.
    monkeypatch.setattr(models, "REINDEX_BATCH", 2)
    happy = MoodTag.objects.get(name="Happy")
    first, _, last = (
        upload_gif(title=f"Wave {n}", mood=[happy], status=Gif.Status.APPROVED)
        for n in range(3)
    )
    other_holds_the_first = threading.Event()
    other_failed = []

    def another_change():
        """Another lead's change of many GIFs: it holds the first and will
        take the last next."""
        try:
            with transaction.atomic():
                connection.cursor().execute("SET LOCAL lock_timeout = '10s'")
                list(Gif.objects.filter(pk=first.pk).select_for_update())
                other_holds_the_first.set()
                deadline = time.monotonic() + 10
                while not waiting_for_a_lock() and time.monotonic() < deadline:
                    time.sleep(0.02)
                list(Gif.objects.filter(pk=last.pk).select_for_update())
        except Exception as error:  # a deadlock, found by PostgreSQL
            other_failed.append(error)
        finally:
            connections.close_all()

    other = threading.Thread(target=another_change)
    other.start()
    assert other_holds_the_first.wait(10)
    happy.name = "Joyful"
    happy.save()  # rebuilds the three GIFs' search documents
    other.join(20)

    assert not other.is_alive()
    assert other_failed == []
    found = Gif.objects.approved().search("joyful")
    assert {gif.title for gif in found} == {"Wave 0", "Wave 1", "Wave 2"}

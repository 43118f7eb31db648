"""PostgreSQL keeps a GIF's frame hashes and filmstrip out of its row, so a
search reading thousands of rows reads narrow ones (migration 0017)."""

import pytest
from django.db import connection

from library.models import Gif

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="TOAST storage is PostgreSQL's"
)


def out_of_line_chunks():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltoastrelid::regclass::text FROM pg_class"
            " WHERE oid = 'library_gif'::regclass"
        )
        toast_table = cursor.fetchone()[0]
        cursor.execute(f"SELECT count(*) FROM {toast_table}")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_long_gifs_lists_leave_its_row_and_come_back_whole(upload_gif):
    gif = upload_gif()
    # A long GIF's 80 hashes and 8 filmstrip frames: a row past 2 kB, which
    # PostgreSQL would otherwise keep whole by compressing the hashes.
    hashes = [f"{number * 7919:016x}" for number in range(80)]
    filmstrip = [
        {"frame": n, "at_ms": 40 * n, "name": f"filmstrip/{gif.pk}-{n}.png"}
        for n in range(8)
    ]
    before = out_of_line_chunks()

    Gif.objects.filter(pk=gif.pk).update(frame_hashes=hashes, filmstrip=filmstrip)

    assert out_of_line_chunks() > before
    gif.refresh_from_db()
    assert gif.frame_hashes == hashes
    assert gif.filmstrip == filmstrip

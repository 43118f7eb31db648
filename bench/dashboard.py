"""The team leads' dashboard on PostgreSQL at scale: its query plans and times.

Fills a fresh database with a large support organisation's year (default:
20,000 approved GIFs, 500 pending, 150 with an open agent flag, 400 agents,
1,000,000 copies over 365 days, most of them of a few popular GIFs, 60% in a
conversation context), then renders /dashboard/?days=90 as a team lead and
prints EXPLAIN (ANALYZE, BUFFERS) of every query it ran, and the page's time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gifshelf_prod \\
        .venv/bin/python bench/dashboard.py [--gifs N] [--copies M] [--days D]

The script creates its own database (<name in the URL>_dashboard) on that
server and drops it afterwards (--keep leaves it). A benchmark, not a test:
the plans go in docs/queries.md ("Dashboard").
"""

import argparse
import os
import platform
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gifshelf.settings")


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gifs", type=int, default=20_000, help="approved GIFs")
    parser.add_argument("--copies", type=int, default=1_000_000)
    parser.add_argument("--agents", type=int, default=400)
    parser.add_argument("--days", type=int, default=90, help="the dashboard's period")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="explain again on the database a --keep run left (migrating it first)",
    )
    return parser.parse_args()


@contextmanager
def fresh_database(keep, reuse):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL server (see --help).")
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'gifshelf'}_dashboard"
    if reuse:
        yield parts._replace(path=f"/{name}").geturl()
        return
    admin = psycopg.connect(
        dbname=parts.path.lstrip("/") or "postgres",
        user=parts.username,
        password=parts.password,
        host=parts.hostname,
        port=parts.port or 5432,
        autocommit=True,
    )
    with admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
        try:
            yield parts._replace(path=f"/{name}").geturl()
        finally:
            if not keep:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def fill(options):
    """The organisation's year, inserted by SQL: bulk, but shaped like use."""
    from django.db import connection, transaction

    from library.models import Member

    lead = Member.enrol("bench-lead", "lead")[0]
    curator = Member.enrol("bench-curator", "curator")[0]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO auth_user (password, is_superuser, username, first_name,
                last_name, email, is_staff, is_active, date_joined)
            SELECT '!', false, 'agent-' || n, '', '', '', false, true, now()
            FROM generate_series(1, %s) AS n
            """,
            [options.agents],
        )
        # Approved over the last two years, pending over the last week; the
        # first ones in id order are the popular ones (see the copies).
        cursor.execute(
            """
            INSERT INTO library_gif (public_id, title, alt_text, use_when,
                avoid_when, use_when_ru, avoid_when_ru, alt_text_ru, original,
                first_still,
                last_still, preview, format, width, height, frames, duration_ms,
                loops, byte_size, sha256,
                status, uploaded_by_id, reviewed_by_id, reviewed_at,
                rejection_reason, review_flags, review_note, flash_risk,
                flash_red, flash_per_second, frame_hashes, frame_details, filmstrip,
                search_tags, search_title, search_body, search_facets, copy_count,
                created_at, updated_at)
            SELECT md5(n::text || 'id')::uuid, 'Reaction ' || n, 'A reaction.',
                '', '', '', '', '', 'gifs/' || n || '.gif',
                'gifs/' || n || '-first.png',
                'gifs/' || n || '-last.png', 'gifs/' || n || '-preview.webp',
                'gif', 320, 240, 24, 2400, 0, 900000,
                lpad(to_hex(n), 64, '0'),
                CASE WHEN n <= %(approved)s THEN 'approved' ELSE 'pending' END,
                %(curator)s,
                CASE WHEN n <= %(approved)s THEN %(curator)s END,
                CASE WHEN n <= %(approved)s
                     THEN now() - (n %% 730) * interval '1 day' END,
                '', '[]', '', false, false, 0, '[]', '[]', '[]',
                'reaction', 'reaction ' || n, 'a reaction', '', 0,
                CASE WHEN n <= %(approved)s
                     THEN now() - (n %% 730 + 1) * interval '1 day'
                     ELSE now() - (n %% 7) * interval '1 day' END,
                now()
            FROM generate_series(1, %(total)s) AS n
            """,
            {
                "approved": options.gifs,
                "total": options.gifs + 500,
                "curator": curator.pk,
            },
        )
        # One or two moods each, from the seeded vocabulary.
        cursor.execute(
            """
            INSERT INTO library_moodtaggedgif (content_object_id, tag_id)
            SELECT g.id, t.id FROM library_gif g
            JOIN LATERAL (
                SELECT id FROM library_moodtag
                ORDER BY md5(g.id::text || name) LIMIT 1 + g.id % 2
            ) t ON true
            """
        )
        # Most copies go to a few GIFs: the GIF rank is random()^4 of them.
        cursor.execute(
            """
            WITH gifs AS (
                SELECT array_agg(id ORDER BY id) AS ids FROM library_gif
                WHERE status = 'approved'
            ), agents AS (
                SELECT array_agg(id) AS ids FROM auth_user
                WHERE username LIKE 'agent-%%'
            ), contexts AS (
                SELECT array_agg(id) AS ids FROM library_conversationcontext
            )
            INSERT INTO library_copy (gif_id, agent_id, format, context_id, at)
            SELECT
                gifs.ids[1 + floor(power(random(), 4) * cardinality(gifs.ids))::int],
                agents.ids[1 + floor(random() * cardinality(agents.ids))::int],
                (ARRAY['link', 'rich', 'markdown', 'drag'])[1 + n %% 4],
                CASE WHEN random() < 0.6 THEN contexts.ids[
                    1 + floor(random() * cardinality(contexts.ids))::int
                ] END,
                now() - random() * interval '365 days'
            FROM generate_series(1, %s) AS n, gifs, agents, contexts
            """,
            [options.copies],
        )
        cursor.execute(
            """
            UPDATE library_gif g SET copy_count = c.n
            FROM (SELECT gif_id, count(*) AS n FROM library_copy GROUP BY gif_id) c
            WHERE c.gif_id = g.id
            """
        )
        cursor.execute(
            """
            INSERT INTO library_agentflag (gif_id, raised_by_id, reason, note,
                resolution, created_at)
            SELECT id, (SELECT min(id) FROM auth_user WHERE username LIKE 'agent-%'),
                'other', 'Odd ending.', '', now() - (id % 20) * interval '1 hour'
            FROM library_gif WHERE status = 'approved' AND id % 131 = 0
            LIMIT 150
            """
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return lead


def explain_page(lead, days):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(lead)
    url = f"/dashboard/?days={days}"
    assert client.get(url).status_code == 200  # warm
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    print(
        f"GET {url}: {len(captured.captured_queries)} queries, "
        f"median {statistics.median(timings):.0f} ms of 5 "
        f"({', '.join(f'{t:.0f}' for t in timings)})\n"
    )
    with connection.cursor() as cursor:
        for number, query in enumerate(captured.captured_queries, 1):
            sql = query["sql"]
            table = sql.split(" FROM ", 1)[-1].lstrip(' "')
            if not sql.lstrip().upper().startswith("SELECT") or table.startswith(
                ("django_", "auth_", "library_session")
            ):
                continue  # the session, user and permission look-ups of every page
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            print(f"--- query {number} ({query['time']} s in the page)\n{sql}\n")
            print(plan, "\n")


def main():
    options = arguments()
    with fresh_database(options.keep or options.reuse, options.reuse) as url:
        os.environ["DATABASE_URL"] = url
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        settings.ALLOWED_HOSTS = ["testserver"]
        # Plain static names: no collectstatic manifest needed to render.
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
            },
        }
        settings.WHITENOISE_AUTOREFRESH = True
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        if options.reuse:
            from library.models import Member

            lead = Member.objects.get(username="bench-lead")
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE library_copy")
        else:
            lead = fill(options)
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            version = cursor.fetchone()[0].split(" on ")[0]
            cursor.execute(
                "SELECT pg_size_pretty(pg_total_relation_size('library_copy'))"
            )
            size = cursor.fetchone()[0]
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM library_copy")
            copies = cursor.fetchone()[0]
        print(
            f"{version}, Python {platform.python_version()}, {os.cpu_count()} cores; "
            f"filled in {time.perf_counter() - started:.0f} s: {options.gifs:,} "
            f"approved GIFs, {copies:,} copies ({size} with indexes), "
            f"{options.agents} agents\n"
        )
        explain_page(lead, options.days)
        connection.close()


if __name__ == "__main__":
    main()

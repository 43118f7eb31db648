"""How fast the picker's search answers at scale, against a naive scan.

Fills a fresh database with N approved GIFs (default 100,000) carrying
realistic titles, alt text, usage notes and tags from the seeded
vocabularies, plus a few hundred pending, rejected, retired and flagged ones
that must never show. Then sends a fixed mix of queries through the search
API (GET /api/gifs/ with Django's test client, logged in as an agent, so the
whole view runs) and the same mix through a naive `icontains` scan rendered by
the same view, and prints p50/p95 latency of each and their ratio.

    .venv/bin/python bench/search.py [--gifs N] [--queries M]

SQLite by default, in a temporary file. With DATABASE_URL set to PostgreSQL
the script creates its own database (gifshelf_bench) on that server and drops
it afterwards; the database named in the URL is only used to connect.

A benchmark, not a test: the figures go in README.md ("Search performance").
"""

import argparse
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from contextlib import contextmanager
from pathlib import Path
from unittest import mock
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gifshelf.settings")

BENCH_DATABASE = "gifshelf_bench"

# The mix an agent types: (label, query, context slug).
MIX = [
    ("shelf on opening", "", None),
    ("single word", "cat", None),
    ("single word", "happy", None),
    ("single word", "wave", None),
    ("prefix", "tha", None),
    ("prefix", "sor", None),
    ("prefix", "pe", None),
    ("two words", "cat waves", None),
    ("two words", "happy dog", None),
    ("whole tag", "thank you", None),
    ("whole tag", "please hold", None),
    ("Cyrillic alias", "спасибо", None),
    ("exclusion", "cat -angry", None),
    ("exclusion", "thank -sorry", None),
    ("context", "", "upset"),
    ("context", "happy", "outage"),
    # (Not a first contact or a formal customer: those send no GIF at all
    # since migration 0020, and answer without searching.)
    ("context", "thank you", "money-question"),
    ("context + exclusion", "dog -celebrating", "money-question"),
]

SUBJECTS = [
    "cat", "dog", "otter", "penguin", "owl", "baby", "grandma", "office worker",
    "robot", "astronaut", "chef", "goat", "panda", "toddler", "news anchor",
    "cartoon fox", "hamster", "parrot", "llama", "developer", "support agent",
    "puppy", "kitten", "sloth", "corgi", "raccoon", "duck", "teacher",
]  # fmt: skip
ACTIONS = [
    "waves", "bows", "claps", "nods", "shrugs", "dances", "facepalms",
    "gives a thumbs up", "high-fives a friend", "salutes", "winks",
    "hugs a pillow", "spins around", "types furiously", "takes a bow",
    "sips coffee", "blows a kiss", "does a happy dance", "sighs", "celebrates",
    "hides under a desk", "checks a watch", "reads the manual", "jumps for joy",
]  # fmt: skip
MANNERS = [
    "slowly", "happily", "dramatically", "politely", "awkwardly", "excitedly",
    "calmly", "twice", "", "", "", "",
]  # fmt: skip
CAPTIONS = {
    # caption -> mood or situation it usually carries
    "Thank you": "Thank you",
    "Thanks a lot": "Thank you",
    "Спасибо": "Thank you",
    "Merci beaucoup": "Thank you",
    "Danke schön": "Thank you",
    "Sorry!": "Sorry",
    "Oops": "Sorry",
    "On it": "On it",
    "Please hold": "Please hold",
    "One moment please": "Please hold",
    "Good news": "Good news",
    "Bug fixed": "Bug fixed",
    "Welcome aboard": "Welcome",
    "Hello there": "Greeting",
    "Bye for now": "Goodbye",
    "Problem solved": "Problem solved",
    "Working on it": "Working on it",
    "Let me think": "Thinking",
    "Great idea": "Feature request",
    "Hang in there": "Frustrated",
}
COLOURS = ["grey", "ginger", "tiny", "fluffy", "old", "cheerful", "sleepy", "big"]
PLACES = [
    "a laptop", "a window", "a green screen", "a birthday cake", "an office",
    "a whiteboard", "a beach", "a snowy street", "a server rack", "a sofa",
]  # fmt: skip
USE_WHEN = [
    "the customer thanks you for the fix",
    "closing a friendly chat on a smile",
    "a long wait is finally over",
    "the customer jokes about their own typo",
    "you need a minute to check the logs",
    "a feature the customer asked for has shipped",
    "greeting a regular who always sends emoji",
]
AVOID_WHEN = [
    "the customer is still waiting for a refund",
    "anyone is upset",
    "it is the first message in the conversation",
    "the outage is still going on",
    "the customer writes formally",
]
ALIASES = [
    ("спасибо", "Thank you"),
    ("thanks", "Thank you"),
    ("merci", "Thank you"),
    ("oops", "Sorry"),
    ("hi", "Greeting"),
    ("wait", "Please hold"),
]
HIDDEN = {"pending": 200, "rejected": 100, "retired": 100, "flagged": 200}


def main():
    options = parse_arguments()
    # WhiteNoise looks for collected static files, which the API never serves.
    warnings.filterwarnings("ignore", message="No directory at")
    kept = options.keep and Path(options.keep).exists()
    database = kept_database(options.keep) if options.keep else fresh_database()
    with database as (url, vendor):
        os.environ["DATABASE_URL"] = url
        # Persistent connections, as a production server keeps them: a new
        # connection per request would also start SQLite's page cache cold.
        os.environ["GIFSHELF_DB_CONN_MAX_AGE"] = "600"
        # The index is what is measured: with agents' answers cached, every
        # repeat of the mix would be served from memory (bench/load.py
        # measures the server with its cache on).
        os.environ["GIFSHELF_SEARCH_CACHE_SECONDS"] = "0"
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        if kept:
            hidden_ids = hidden()
        else:
            hidden_ids = fill(options.gifs, random.Random(options.seed))
        filled_in = time.perf_counter() - started
        print(machine(vendor, options.gifs, filled_in))
        check_documents(random.Random(options.seed))
        if vendor == "postgresql":
            settle()
        run(options, hidden_ids)
        from django.db import connections

        connections.close_all()


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gifs", type=int, default=100_000, help="approved GIFs")
    parser.add_argument(
        "--queries",
        type=int,
        default=540,
        help="timed search requests after the warm-up, cycling through the mix",
    )
    parser.add_argument(
        "--naive-queries",
        type=int,
        default=None,
        help="timed naive requests (default: one per query in the mix, twice)",
    )
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument(
        "--keep",
        metavar="PATH",
        help="SQLite only: fill this file once and reuse it on later runs "
        "(for iterating; the figures come from fresh databases)",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="also print, per query, where one request's database time goes "
        "and the plan of its ranked page",
    )
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        default=0,
        help="profile the search requests and print the N functions that take "
        "the most time (no naive scan then)",
    )
    options = parser.parse_args()
    if options.queries < len(MIX):
        parser.error(f"--queries must be at least {len(MIX)}: one of each in the mix")
    return options


@contextmanager
def fresh_database():
    """A URL for an empty database that is removed afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        folder = tempfile.mkdtemp(prefix="gifshelf-bench-")
        try:
            yield f"sqlite:///{folder}/bench.sqlite3", "sqlite"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return

    import psycopg

    parts = urlsplit(url)
    # Not parts.hostname: it lowercases, and %2F… may name a socket folder.
    host = parts.netloc.rpartition("@")[2].partition(":")[0]
    admin = psycopg.connect(
        dbname=parts.path.lstrip("/") or "postgres",
        user=parts.username,
        password=parts.password,
        host=unquote(host) or None,
        port=parts.port or 5432,
        autocommit=True,
    )
    with admin:
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
        admin.execute(f"CREATE DATABASE {BENCH_DATABASE}")
        try:
            yield parts._replace(path=f"/{BENCH_DATABASE}").geturl(), "postgresql"
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")


@contextmanager
def kept_database(path):
    yield f"sqlite:///{Path(path).resolve()}", "sqlite"


def hidden():
    """The ids of a kept database's GIFs that must never show."""
    from library.models import Gif

    return set(
        Gif.objects.exclude(pk__in=Gif.objects.listed()).values_list("pk", flat=True)
    )


# --- Filling -------------------------------------------------------------------


def fill(count, rng):
    """N approved GIFs and the hidden ones; return the ids that must not show."""
    from django.db import transaction
    from django.utils import timezone

    from library import search
    from library.models import (
        AgentFlag,
        AppropriatenessTag,
        AppropriatenessTaggedGif,
        Gif,
        Member,
        MoodTag,
        MoodTaggedGif,
        SituationTag,
        SituationTaggedGif,
        TagAlias,
    )

    curator = Member.enrol("bench-curator", "curator")[0]
    agent = Member.enrol("bench-agent", "agent")[0]
    for name, target in ALIASES:  # before any GIF: nothing to re-index yet
        TagAlias.objects.create(name=name, target=target)
    aliases = {}
    for name, target in ALIASES:
        aliases.setdefault(search.fold(target), []).append(name)
    vocabularies = [
        ("mood", MoodTag, MoodTaggedGif),
        ("situation", SituationTag, SituationTaggedGif),
        ("appropriateness", AppropriatenessTag, AppropriatenessTaggedGif),
    ]
    tags = {
        vocabulary: list(model.objects.all()) for vocabulary, model, _ in vocabularies
    }
    by_name = {tag.name: tag for found in tags.values() for tag in found}

    # (status, flagged): the hidden ones are shuffled in among the approved.
    shelf = [(Gif.Status.APPROVED, False)] * count
    shelf += [(Gif.Status.APPROVED, True)] * HIDDEN["flagged"]
    for status in (Gif.Status.PENDING, Gif.Status.REJECTED, Gif.Status.RETIRED):
        shelf += [(status, False)] * HIDDEN[status.value]
    rng.shuffle(shelf)

    now = timezone.now()
    batch, chosen_tags, hidden_ids, to_flag = [], [], set(), []

    def flush():
        with transaction.atomic():
            created = Gif.objects.bulk_create(batch)
            for vocabulary, _, through in vocabularies:
                through.objects.bulk_create(
                    [
                        through(content_object_id=gif.pk, tag_id=tag.pk)
                        for gif, chosen in zip(created, chosen_tags, strict=True)
                        for tag in chosen[vocabulary]
                    ],
                    batch_size=5000,
                )
            for gif in created:
                if gif.status != Gif.Status.APPROVED or gif.flag_me:
                    hidden_ids.add(gif.pk)
                if gif.flag_me:
                    to_flag.append(gif.pk)
        batch.clear()
        chosen_tags.clear()

    for number, (status, flag_me) in enumerate(shelf):
        text = describe(rng, tags, by_name)
        hide_this = flag_me or status != Gif.Status.APPROVED
        if hide_this:  # popular and saying "thank you": they would show
            text["title"] = f"Thank you {text['title'].lower()}"[:120]
            if by_name["Thank you"] not in text["mood"]:
                text["mood"].append(by_name["Thank you"])
        chosen = [
            (vocabulary, tag)
            for vocabulary, _, _ in vocabularies
            for tag in text[vocabulary]
        ]
        # Appropriateness tags say where a GIF is not to be sent: not searched.
        names = [
            name
            for vocabulary, tag in chosen
            if vocabulary in search.WORD_VOCABULARIES
            for name in tag.names
        ]
        keys = {search.fold(name) for name in names}
        frames = rng.randint(2, 60)
        gif = Gif(
            title=text["title"],
            alt_text=text["alt_text"],
            use_when=text["use_when"],
            avoid_when=text["avoid_when"],
            original=f"gifs/{number % 256:02x}/bench-{number}-original.gif",
            first_still=f"gifs/{number % 256:02x}/bench-{number}-first.png",
            last_still=f"gifs/{number % 256:02x}/bench-{number}-last.png",
            preview=f"gifs/{number % 256:02x}/bench-{number}-preview.webp",
            format=Gif.Format.GIF,
            width=rng.choice([240, 320, 480]),
            height=rng.choice([180, 240, 270]),
            frames=frames,
            duration_ms=rng.randint(400, 6000),
            loops=0,
            byte_size=rng.randint(40_000, 4_000_000),
            sha256=f"{number:064x}",
            status=status,
            uploaded_by=curator,
            reviewed_by=curator if status != Gif.Status.PENDING else None,
            reviewed_at=now if status != Gif.Status.PENDING else None,
            # As large as an upload's: rows this size are what a scan reads.
            frame_hashes=[f"{rng.getrandbits(64):016x}" for _ in range(frames)],
            filmstrip=[
                {
                    "frame": frame,
                    "at_ms": frame * 80,
                    "name": f"gifs/{number % 256:02x}/bench-{number}-frame-{frame}.png",
                }
                for frame in range(min(frames, 8))
            ],
            copy_count=popularity(rng) + (50 if hide_this else 0),
            # What refresh_search_document stores (check_documents checks it).
            search_tags=search.tag_keys(
                [*names, *(alias for key in keys for alias in aliases.get(key, []))]
            ),
            search_title=search.words(text["title"]),
            search_facets=search.facets(
                (vocabulary, tag.pk) for vocabulary, tag in chosen
            ),
        )
        gif.search_body = search.body(gif)
        gif.flag_me = flag_me
        batch.append(gif)
        chosen_tags.append({name: text[name] for name, _, _ in vocabularies})
        if len(batch) == 5000:
            flush()
    if batch:
        flush()

    # Open flags raised by an agent take the flagged ones off the shelf.
    AgentFlag.objects.bulk_create(
        [
            AgentFlag(gif_id=pk, raised_by=agent, reason=AgentFlag.Reason.OTHER)
            for pk in to_flag
        ]
    )
    return hidden_ids


def describe(rng, tags, by_name):
    """A title, alt text, usage notes and tags as curators write them."""
    subject, action = rng.choice(SUBJECTS), rng.choice(ACTIONS)
    manner = rng.choice(MANNERS)
    caption, tagged_as = rng.choice(list(CAPTIONS.items()))
    style = rng.random()
    if style < 0.4:
        title = f"{subject} {action} {manner}".strip().capitalize()
    elif style < 0.7:
        title = f"{caption} {subject}"
    else:
        title = f"{subject} says {caption.lower()}".capitalize()
    mood = rng.sample(tags["mood"], rng.choice([1, 1, 2]))
    situation = rng.sample(tags["situation"], rng.choice([0, 1, 1, 2]))
    if style >= 0.4 and rng.random() < 0.8:  # a caption mostly says its tag
        tag = by_name[tagged_as]
        chosen = mood if tag in tags["mood"] else situation
        if tag not in chosen:
            chosen.append(tag)
    roll = rng.random()
    appropriateness = (
        []
        if roll < 0.6
        else rng.sample(tags["appropriateness"], 1 if roll < 0.9 else 2)
    )
    return {
        "title": title[:120],
        "alt_text": (
            f"A {rng.choice(COLOURS)} {subject} {action} {manner} in front of "
            f"{rng.choice(PLACES)}."
        ).replace("  ", " "),
        "use_when": rng.choice(USE_WHEN) if rng.random() < 0.35 else "",
        "avoid_when": rng.choice(AVOID_WHEN) if rng.random() < 0.25 else "",
        "mood": mood,
        "situation": situation,
        "appropriateness": appropriateness,
    }


def popularity(rng):
    """Most GIFs are never copied; a few are the team's favourites."""
    if rng.random() < 0.7:
        return 0
    return min(int(rng.paretovariate(1.2)), 500)


def check_documents(rng):
    """The bulk-filled search documents are what an edit would store."""
    from library.models import Gif

    sample = rng.sample(list(Gif.objects.values_list("pk", flat=True)), 50)
    for gif in Gif.objects.filter(pk__in=sample).with_tags():
        fields = ("search_tags", "search_title", "search_body", "search_facets")
        before = [getattr(gif, field) for field in fields]
        gif.refresh_search_document()
        after = [getattr(gif, field) for field in fields]
        if before != after:
            raise SystemExit(f"Bench data differs from refresh_search_document: {gif}")


def settle():
    """What autovacuum does to a table that grew by N rows: without fresh
    statistics PostgreSQL misjudges the search and runs it for seconds."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


# --- Measuring -----------------------------------------------------------------


def run(options, hidden_ids):
    import json

    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import Client, RequestFactory

    from library.models import Member

    # Log in once, as a browser would, and send the session cookie with every
    # request to the WSGI handler itself: the whole middleware stack, session
    # and authentication run, without the test client's signal handlers.
    client = Client(SERVER_NAME="localhost")
    client.force_login(Member.objects.get(username="bench-agent"))
    name = settings.SESSION_COOKIE_NAME
    cookie = f"{name}={client.cookies[name].value}"
    handler = WSGIHandler()
    # CPU time of each request (Python and SQLite, both in this process):
    # what a request costs when other work shares the machine.
    cpu_times = []
    factory = RequestFactory(SERVER_NAME="localhost", HTTP_COOKIE=cookie)

    def ask(query, context):
        params = {"q": query, **({"context": context} if context else {})}
        environ = factory.get("/api/gifs/", params).environ
        status = []
        cpu_started = time.process_time()
        started = time.perf_counter()
        response = handler(environ, lambda code, headers: status.append(code))
        content = b"".join(response)
        response.close()
        elapsed = (time.perf_counter() - started) * 1000
        cpu_times.append((time.process_time() - cpu_started) * 1000)
        if not status[0].startswith("200"):
            raise SystemExit(f"{params}: {status[0]} {content[:500]}")
        body = json.loads(content)
        leaked = {result["id"] for result in body["results"]} & hidden_ids
        if leaked:
            raise SystemExit(f"{params} shows GIFs that must not show: {leaked}")
        return elapsed, body["count"]

    def measure(requests):
        for _, query, context in MIX:  # warm-up: caches, query plans
            ask(query, context)
        times = {index: [] for index in range(len(MIX))}
        counts = {}
        for number in range(requests):
            index = number % len(MIX)
            elapsed, counts[index] = ask(*MIX[index][1:])
            times[index].append(elapsed)
        return times, counts

    if options.explain:
        explain(ask)
    cpu_times.clear()
    if options.profile:
        profile(measure, options)
        return
    search_times, counts = measure(options.queries)
    search_cpu = cpu_times[len(MIX) :]  # after the warm-up
    with naive_search():
        naive_times, naive_counts = measure(options.naive_queries or 2 * len(MIX))
    report(search_times, counts, naive_times, naive_counts)
    print(
        f"search API CPU time per request: p50 {percentile(search_cpu, 0.5):.1f} ms, "
        f"p95 {percentile(search_cpu, 0.95):.1f} ms"
    )


def profile(measure, options):
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(measure, options.queries)
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("tottime").print_stats(options.profile)
    stats.sort_stats("cumulative").print_stats(options.profile)
    if os.environ.get("BENCH_CALLEES"):
        stats.print_callees(os.environ["BENCH_CALLEES"])


def explain(ask):
    """One request per query: its time, its slowest SQL statements, and how
    the database runs each (EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on
    PostgreSQL)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if connection.vendor == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    for label, query, slug in MIX:
        ask(query, slug)  # warm
        with CaptureQueriesContext(connection) as captured:
            elapsed, found = ask(query, slug)
        statements = sorted(
            captured.captured_queries, key=lambda q: float(q["time"]), reverse=True
        )
        in_sql = sum(float(q["time"]) for q in statements) * 1000
        print(f"\n### {label}: {query!r}" + (f" in {slug}" if slug else ""))
        print(f"\n{found} found, {elapsed:.1f} ms for the request; ", end="")
        print(f"{len(statements)} statements, {in_sql:.1f} ms in the database.")
        # The slowest statement, and every one that reads the search index.
        shown = [
            statement
            for number, statement in enumerate(statements)
            if number == 0
            or "library_gif_search" in statement["sql"]
            or "to_tsvector" in statement["sql"]
        ]
        for statement in shown:
            print(f"\n{float(statement['time']) * 1000:.1f} ms:\n\n```sql")
            print(statement["sql"])
            print("```\n\n```")
            with connection.cursor() as cursor:
                cursor.execute(prefix + statement["sql"])
                for row in cursor.fetchall():
                    print(" ".join(str(part) for part in row))
            print("```")


@contextmanager
def naive_search():
    """Swap the full-text search for an icontains scan, same order and view."""
    from django.db import models
    from django.db.models import Case, Q, When

    from library import search
    from library.models import GifQuerySet

    fields = (
        "title",
        "alt_text",
        "use_when",
        "avoid_when",
        "mood__name",
        "situation__name",
        "appropriateness__name",
    )

    def holds(word):
        found = Q()
        for field in fields:
            found |= Q(**{f"{field}__icontains": word})
        return found

    def pick(self, *, query="", mood=None, situation=None, context=None):
        parsed = search.parse(query)
        results = self.listed().suitable_for(context)
        for word in parsed.include:
            results = results.filter(holds(word))
        for word in parsed.exclude:
            results = results.exclude(holds(word))
        tag = Q()
        for vocabulary in ("mood", "situation"):
            tag |= Q(**{f"{vocabulary}__name__iexact": parsed.phrase})
        title = Q()
        for word in parsed.include:
            title &= Q(title__icontains=word)
        tiers = [When(tag, then=0)]
        if parsed.include:
            tiers.append(When(title, then=1))
        results = results.annotate(
            search_tier=Case(*tiers, default=2, output_field=models.IntegerField())
        ).distinct()
        if mood is not None:
            results = results.filter(mood__in=[mood])
        if situation is not None:
            results = results.filter(situation__in=[situation])
        return results.order_by("search_tier", "-copy_count", "-created_at", "-pk")

    def ranked(self, *, per_page=24, **choices):
        return pick(self, **choices).for_cards()

    with (
        mock.patch.object(GifQuerySet, "pick", pick),
        mock.patch.object(GifQuerySet, "ranked", ranked),
    ):
        yield


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(search_times, counts, naive_times, naive_counts):
    print()
    header = (
        f"{'kind':<20} {'query':<28} {'found':>6} {'search p50':>10} {'p95':>7} "
        f"{'naive p50':>9} {'×':>5}"
    )
    print(header)
    print("-" * len(header))
    for index, (label, query, context) in enumerate(MIX):
        shown = repr(query) + (f" in {context}" if context else "")
        searched = statistics.median(search_times[index])
        naive = statistics.median(naive_times[index])
        print(
            f"{label:<20} {shown:<28} {counts[index]:>6} {searched:>8.1f}ms "
            f"{percentile(search_times[index], 0.95):>5.1f}ms "
            f"{naive:>7.0f}ms {naive / searched:>4.0f}×"
        )
    every_search = [t for times in search_times.values() for t in times]
    every_naive = [t for times in naive_times.values() for t in times]
    search_p50, search_p95 = (percentile(every_search, s) for s in (0.5, 0.95))
    naive_p50, naive_p95 = (percentile(every_naive, s) for s in (0.5, 0.95))
    print("-" * len(header))
    print(f"{'':<24}{'requests':>10} {'p50':>9} {'p95':>9} {'max':>9}")
    for name, values, p50, p95 in (
        ("search API", every_search, search_p50, search_p95),
        ("naive icontains scan", every_naive, naive_p50, naive_p95),
    ):
        print(
            f"{name:<24}{len(values):>10} {p50:>7.1f}ms {p95:>7.1f}ms "
            f"{max(values):>7.1f}ms"
        )
    print(
        f"naive / search: {naive_p50 / search_p50:.0f}× at p50, "
        f"{naive_p95 / search_p95:.0f}× at p95 "
        f"(load average now {os.getloadavg()[0]:.1f})"
    )
    differing = [
        repr(MIX[index][1]) for index in counts if counts[index] != naive_counts[index]
    ]
    if differing:
        print(
            "(the naive scan finds other counts for "
            + ", ".join(differing)
            + ": substrings rather than word prefixes, no aliases)"
        )


def machine(vendor, gifs, filled_in):
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
        else:
            cursor.execute("show server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{gifs:,} approved GIFs (+{sum(HIDDEN.values())} hidden) on {database}, "
        f"filled in {filled_in:.0f} s; Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}, {time.strftime('%Y-%m-%d')}; "
        f"load average {load}"
    )


if __name__ == "__main__":
    main()

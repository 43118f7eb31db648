"""The shelf under load: gunicorn on loopback, agents and curators at once.

Fills a fresh database with N approved GIFs (bench/search.py's filling),
starts gunicorn on 127.0.0.1 with production settings, then for a fixed time
runs, over real HTTP with one keep-alive connection each:

- agents searching (GET /api/gifs/?q=…, the query mix of bench/search.py)
  and copying one of the results now and then (POST …/copies/), and
- curators uploading small GIFs (POST /api/gifs/) and approving each other's
  after watching them to their end (…/review/start/, wait, …/approve/).

It prints requests per second and p50/p99 latency per kind, the errors, the
CPU that gunicorn, a PostgreSQL server on this machine and the generator
used, and checks that the database recorded every copy the agents made.

    .venv/bin/python bench/load.py [--gifs N] [--agents A] [--curators C]
        [--seconds S] [--workers W] [--threads T]

SQLite by default, in a temporary file. With DATABASE_URL set to PostgreSQL
the script creates its own database (gifshelf_load) on that server and drops
it afterwards, as bench/search.py does with gifshelf_bench.

The issue's target on a 2-core machine: at least 500 search requests per
second, p99 under 100 ms, no errors, no copy lost. The load generator runs on
the same cores as the server. A benchmark, not a test: the figures go in
README.md ("Under load").
"""

import argparse
import importlib.util
import io
import json
import os
import queue
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gifshelf.settings")

HOST = "127.0.0.1"
TIMEOUT_S = 10
LOAD_DATABASE = "gifshelf_load"
COPY_SHARE = 0.3  # of searches followed by a copy of one of the results


def load_search_bench():
    """bench/search.py as a module: its fresh database, filling and query mix."""
    spec = importlib.util.spec_from_file_location(
        "bench_search", ROOT / "bench" / "search.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gifs", type=int, default=2_000, help="approved GIFs")
    parser.add_argument("--agents", type=int, default=8, help="searching agents")
    parser.add_argument(
        "--curators", type=int, default=2, help="2 or more approve each other's"
    )
    parser.add_argument("--seconds", type=float, default=30, help="measured time")
    parser.add_argument("--warm-up", type=float, default=3, help="unmeasured time")
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * os.cpu_count() + 1,
        help="gunicorn workers (default: make serve's, two per core plus one)",
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (make serve: 1)"
    )
    parser.add_argument("--seed", type=int, default=4)
    return parser.parse_args()


def main():
    options = parse_arguments()
    warnings.filterwarnings("ignore", message="No directory at")
    bench = load_search_bench()
    # Its own scratch database: bench/search.py may be running beside it.
    bench.BENCH_DATABASE = LOAD_DATABASE
    with (
        bench.fresh_database() as (url, vendor),
        tempfile.TemporaryDirectory(prefix="gifshelf-load-") as media,
    ):
        os.environ["DATABASE_URL"] = url
        # Sessions made here are signed with the key the server checks.
        os.environ["GIFSHELF_SECRET_KEY"] = uuid.uuid4().hex * 2
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        bench.fill(options.gifs, random.Random(options.seed))
        if vendor == "postgresql":
            bench.settle()
        people = enrol(options)
        print(
            f"{vendor}: {options.gifs:,} approved GIFs filled in "
            f"{time.perf_counter() - started:.0f} s; {options.agents} agents, "
            f"{options.curators} curators; gunicorn as make serve runs it, "
            f"{options.workers} workers × {options.threads} threads; load average "
            f"{load_average()} before"
        )
        uploads = calm_gifs(options.curators * 400, options.seed)
        before = copies_recorded()
        database_pid = database_server_pid()
        from django.db import connections

        connections.close_all()  # the server's workers own the database now
        with gunicorn(url, media, options) as (port, server):
            results = run(
                options, port, server, database_pid, people, bench.MIX, uploads
            )
        after = copies_recorded()
        report(options, results, before, after)
        connections.close_all()


def database_server_pid():
    """The PostgreSQL server's process id when it runs on this machine, for
    the CPU its backends use (on SQLite that is the workers' own), or None:
    the parent of this connection's backend. (A server in a container that
    answers on localhost shows a pid of its own namespace: the figure would
    then be another process's, or missing.)"""
    from django.db import DatabaseError, connection

    host = connection.settings_dict["HOST"]
    local = host in ("", "localhost", "127.0.0.1", "::1") or host.startswith("/")
    if connection.vendor != "postgresql" or not local:
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        # /proc/<pid>/stat: "pid (name) state ppid …"; a name may hold spaces.
        stat = Path(f"/proc/{backend}/stat").read_text()
        return int(stat.rsplit(")", 1)[1].split()[1])
    except (DatabaseError, OSError, ValueError, IndexError):
        print(
            "(PostgreSQL's CPU is not counted: its processes cannot be read from here)"
        )
        return None


def load_average():
    return " ".join(f"{figure:.1f}" for figure in os.getloadavg())


def enrol(options):
    """Members with a logged-in session each: (role, session key, csrf token)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.crypto import get_random_string

    from library.models import Member

    people = []
    for role, count in (("agent", options.agents), ("curator", options.curators)):
        for number in range(count):
            member = Member.enrol(f"load-{role}-{number}", role)[0]
            session = import_module(settings.SESSION_ENGINE).SessionStore()
            session[SESSION_KEY] = str(member.pk)
            # As the login page records it: the first backend, which took
            # the password.
            session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
            session[HASH_SESSION_KEY] = member.get_session_auth_hash()
            session.create()
            people.append((role, session.session_key, get_random_string(32)))
    return people


def calm_gifs(count, seed):
    """Distinct two-frame GIFs of a quarter second a frame: nothing flashes,
    and one loop is half a second to watch."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    made = []
    for number in range(count):
        frames = []
        for shade in range(2):
            colour = tuple(rng.randrange(256) for _ in range(3))
            frame = Image.new("RGB", (96, 72), colour)
            ImageDraw.Draw(frame).text((4, 4 + 30 * shade), f"{number}", fill="white")
            frames.append(frame)
        buffer = io.BytesIO()
        frames[0].save(
            buffer, "GIF", save_all=True, append_images=frames[1:], duration=250
        )
        made.append(buffer.getvalue())
    return made


def copies_recorded():
    from django.db.models import Sum

    from library.models import Copy, Gif

    return (
        Copy.objects.count(),
        Gif.objects.aggregate(total=Sum("copy_count"))["total"] or 0,
    )


@contextmanager
def gunicorn(url, media, options):
    """The app served by gunicorn on a free loopback port, as in production;
    yields the port and the master's process id."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "GIFSHELF_MEDIA_ROOT": media,
        "GIFSHELF_ALLOWED_HOSTS": HOST,
        "GIFSHELF_DB_CONN_MAX_AGE": "600",
        "GIFSHELF_DEBUG": "",
        "GIFSHELF_BIND": f"{HOST}:{port}",
        "GIFSHELF_WORKERS": str(options.workers),
        "GIFSHELF_THREADS": str(options.threads),
        "GIFSHELF_ACCESS_LOG": "",  # a line a request would only fill the log
        "PYTHONWARNINGS": "ignore",
    }
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                f"--config={ROOT / 'gifshelf' / 'gunicorn.conf.py'}",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(port, process)
            yield port, process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.seek(0)
            said = log.read().decode(errors="replace").strip()
            if said:
                print("gunicorn said:\n" + said[-3000:])


def wait_for(port, process):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


# --- The load -------------------------------------------------------------------


class Client:
    """One member's HTTP/1.1 connection with their session, kept open while
    the server keeps it (sync workers close it after each answer).

    A plain socket: each request is built as bytes and each answer read by
    its Content-Length. The generator shares the server's two cores, and
    http.client's header parsing cost it twice the CPU.
    """

    def __init__(self, port, session_key, csrf):
        self.port, self.csrf = port, csrf
        self.cookie = f"sessionid={session_key}; csrftoken={csrf}"
        self.connection = None

    def request(self, method, path, body=b"", content_type=None):
        """(status, body bytes); reconnects once if the server had closed."""
        head = [f"{method} {path} HTTP/1.1", f"Host: {HOST}", f"Cookie: {self.cookie}"]
        if method != "GET":
            head.append(f"X-CSRFToken: {self.csrf}")
            head.append(f"Referer: http://{HOST}:{self.port}/")
            head.append(f"Content-Length: {len(body)}")
        if content_type:
            head.append(f"Content-Type: {content_type}")
        message = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        while True:  # once more at most: a fresh connection is not retried
            reused = self.connection is not None
            if not reused:
                self.connection = socket.create_connection(
                    (HOST, self.port), timeout=TIMEOUT_S
                )
            try:
                self.connection.sendall(message)
                return self.read_answer()
            except (ConnectionError, EOFError):
                self.close()
                if not reused or method != "GET":
                    raise

    def read_answer(self):
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = self.connection.recv(65536)
            if not chunk:
                raise EOFError("the server closed before answering")
            received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = dict(
            (name.strip().lower(), value.strip())
            for name, _, value in (line.partition(":") for line in lines[1:])
        )
        length = int(headers.get("content-length", -1))
        while length < 0 or len(body) < length:
            chunk = self.connection.recv(65536)
            if not chunk:
                if length < 0:
                    break  # no length given: the answer ends with the connection
                raise EOFError("the server closed in the middle of an answer")
            body += chunk
        if length < 0 or headers.get("connection", "").lower() == "close":
            self.close()
        return status, body

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def post_json(self, path, data):
        return self.request("POST", path, json.dumps(data).encode(), "application/json")


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)  # kind -> [ms]
        self.errors = defaultdict(list)  # kind -> [what went wrong]
        self.copies = 0
        self.approved = 0
        self.measuring = False

    def record(self, kind, started, status, expected, body=b""):
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            if not self.measuring:
                return
            self.times[kind].append(elapsed)
            if status != expected:
                self.errors[kind].append(f"{status} {body[:200]!r}")

    def failed(self, kind, problem):
        with self.lock:
            self.errors[kind].append(repr(problem))


def cpu_seconds(pid):
    """CPU time used so far by process `pid` and its children (Linux), those
    that exited included: gunicorn replaces a worker after max_requests."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if stat.parent.name == str(pid):
            # Its own time, and that of the children it has reaped.
            total += sum(int(field) for field in fields[11:15]) / tick
        elif fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def run(options, port, server, database_pid, people, mix, uploads):
    results = Results()
    stop = threading.Event()
    # Each curator's uploads wait for the next curator, in that curator's own
    # queue. (One shared queue, where a curator put its own upload back and
    # uploaded again, could settle into one curator uploading nonstop while
    # the other approved: uploads ran at 2 to 3 times the approvals, and
    # their CPU swung the search rate from run to run.)
    curators = [number for number, (role, *_) in enumerate(people) if role != "agent"]
    to_review = {number: queue.Queue() for number in curators}
    uploads = iter(uploads)
    upload_lock = threading.Lock()

    def next_upload():
        with upload_lock:
            return next(uploads, None)

    def agent(session_key, csrf, rng):
        client = Client(port, session_key, csrf)
        while not stop.is_set():
            _, query, context = rng.choice(mix)
            params = {"q": query, **({"context": context} if context else {})}
            try:
                started = time.perf_counter()
                status, body = client.request("GET", "/api/gifs/?" + urlencode(params))
                results.record("search", started, status, 200, body)
                # The answer is read only when copying from it: the
                # generator's CPU is the server's too.
                copying = status == 200 and rng.random() < COPY_SHARE
                found = json.loads(body)["results"] if copying else []
                if found:
                    gif = rng.choice(found)
                    started = time.perf_counter()
                    status, body = client.post_json(
                        f"/api/gifs/{gif['id']}/copies/", {"format": "link"}
                    )
                    # Counted whenever the server said so, measured or not.
                    if status == 201:
                        with results.lock:
                            results.copies += 1
                    results.record("copy", started, status, 201, body)
            except Exception as problem:
                results.failed("search or copy", problem)
                client.close()

    def curator(number, session_key, csrf, rng):
        client = Client(port, session_key, csrf)
        while not stop.is_set():
            try:
                data = next_upload()
                if data is None:
                    return
                boundary = uuid.uuid4().hex
                fields = {
                    "title": f"Load test {rng.randrange(10**6)}",
                    "alt_text": "A colour fades into another.",
                    "mood": "Thank you",
                }
                body = b"".join(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
                    f"\r\n\r\n{value}\r\n".encode()
                    for name, value in fields.items()
                )
                body += (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                    'filename="load.gif"\r\nContent-Type: image/gif\r\n\r\n'
                ).encode()
                body += data + f"\r\n--{boundary}--\r\n".encode()
                started = time.perf_counter()
                status, answer = client.request(
                    "POST",
                    "/api/gifs/",
                    body,
                    f"multipart/form-data; boundary={boundary}",
                )
                results.record("upload", started, status, 201, answer)
                if status == 201 and len(curators) > 1:
                    reviewer = curators[(curators.index(number) + 1) % len(curators)]
                    to_review[reviewer].put(json.loads(answer)["id"])
                review_one(client, number)
            except Exception as problem:
                results.failed("upload or review", problem)
                client.close()

    def review_one(client, number):
        """Approve a GIF another curator uploaded, after one full loop."""
        try:
            pk = to_review[number].get(timeout=1)
        except queue.Empty:
            return
        started = time.perf_counter()
        status, body = client.post_json(f"/api/gifs/{pk}/review/start/", {})
        results.record("review start", started, status, 200, body)
        if status != 200:
            return
        if stop.wait(json.loads(body)["watch_ms"] / 1000 + 0.05):
            return  # time is up before the loop is: approving now would be early
        started = time.perf_counter()
        status, body = client.post_json(f"/api/gifs/{pk}/approve/", {})
        results.record("approve", started, status, 200, body)
        if status == 200:
            with results.lock:
                results.approved += 1

    rng = random.Random(options.seed)
    threads = []
    for number, (role, session_key, csrf) in enumerate(people):
        own = random.Random(rng.random())
        if role == "agent":
            target, arguments = agent, (session_key, csrf, own)
        else:
            target, arguments = curator, (number, session_key, csrf, own)
        threads.append(threading.Thread(target=target, args=arguments, daemon=True))
    for thread in threads:
        thread.start()
    time.sleep(options.warm_up)
    with results.lock:
        results.measuring = True
        results.started = time.perf_counter()
    server_cpu, client_cpu = cpu_seconds(server), time.process_time()
    database_cpu = cpu_seconds(database_pid) if database_pid else 0.0
    time.sleep(options.seconds)
    with results.lock:
        results.measuring = False
        results.elapsed = time.perf_counter() - results.started
    results.server_cpu = cpu_seconds(server) - server_cpu
    results.client_cpu = time.process_time() - client_cpu
    results.database_cpu = (
        cpu_seconds(database_pid) - database_cpu if database_pid else None
    )
    results.load_average = load_average()
    stop.set()
    for thread in threads:
        thread.join(timeout=TIMEOUT_S + 5)
    return results


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(options, results, before, after):
    print(
        f"\n{results.elapsed:.0f} s measured after {options.warm_up:.0f} s of "
        f"warm-up; load average {results.load_average} at the end\n"
    )
    header = f"{'kind':<14} {'requests':>9} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8}"
    header += f" {'errors':>7}"
    print(header)
    print("-" * len(header))
    kinds = ["search", "copy", "upload", "review start", "approve"]
    for kind in [*kinds, *sorted(set(results.errors) - set(kinds))]:
        times = results.times.get(kind, [])
        errors = len(results.errors.get(kind, []))
        if not times and not errors:
            continue
        rate = len(times) / results.elapsed
        p50 = f"{percentile(times, 0.5):8.1f}" if times else f"{'':>8}"
        p99 = f"{percentile(times, 0.99):8.1f}" if times else f"{'':>8}"
        print(f"{kind:<14} {len(times):9,} {rate:8.1f} {p50} {p99} {errors:7}")
    for kind, problems in results.errors.items():
        for problem in problems[:3]:
            print(f"  {kind}: {problem}")

    requests = max(sum(len(times) for times in results.times.values()), 1)
    database_cpu = ""
    if results.database_cpu is not None:
        database_cpu = (
            f"PostgreSQL {results.database_cpu:.1f} s "
            f"({1000 * results.database_cpu / requests:.1f} ms), "
        )
    print(
        f"\nCPU used while measuring: server {results.server_cpu:.1f} s "
        f"({1000 * results.server_cpu / requests:.1f} ms a request), {database_cpu}"
        f"load generator {results.client_cpu:.1f} s, of "
        f"{results.elapsed * (os.cpu_count() or 1):.0f} core-seconds"
    )

    recorded_rows = after[0] - before[0]
    counted = after[1] - before[1]
    lost = results.copies - recorded_rows
    print(
        f"\ncopies made {results.copies:,}; recorded {recorded_rows:,} rows, "
        f"copy counts up by {counted:,}: "
        + ("none lost" if lost == 0 and counted == results.copies else "MISMATCH")
    )
    print(f"GIFs approved by curators: {results.approved}")

    searches = results.times.get("search", [])
    rate = len(searches) / results.elapsed
    p99 = percentile(searches, 0.99) if searches else float("inf")
    errors = sum(len(problems) for problems in results.errors.values())
    checks = [
        (rate >= 500, f"search requests/s {rate:.0f} (target ≥ 500)"),
        (p99 < 100, f"search p99 {p99:.0f} ms (target < 100)"),
        (errors == 0, f"errors {errors} (target 0)"),
        (lost == 0 and counted == results.copies, "no copy lost"),
    ]
    print()
    for met, what in checks:
        print(f"{'met    ' if met else 'NOT met'}  {what}")


if __name__ == "__main__":
    main()

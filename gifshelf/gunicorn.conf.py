"""gunicorn's settings for `make serve`, from the environment (README.md).

gunicorn's own GUNICORN_CMD_ARGS and FORWARDED_ALLOW_IPS still apply on top.
"""

import multiprocessing
import os

wsgi_app = "gifshelf.wsgi:application"

# Comma-separated: host:port pairs or unix:/path sockets.
bind = [
    address.strip()
    for address in os.environ.get("GIFSHELF_BIND", "127.0.0.1:8000").split(",")
    if address.strip()
]
# The usual rule for synchronous workers: two per core, plus one.
workers = int(
    os.environ.get("GIFSHELF_WORKERS")
    or os.environ.get("WEB_CONCURRENCY")
    or 2 * multiprocessing.cpu_count() + 1
)
threads = int(os.environ.get("GIFSHELF_THREADS") or 1)
# An upload of many large animations is analysed within its request.
timeout = int(os.environ.get("GIFSHELF_TIMEOUT") or 120)
graceful_timeout = 30
keepalive = 5
# Restart each worker now and then, so memory Pillow leaves behind returns.
# Not too often: a new worker starts with an empty cache of search answers,
# and under bench/load.py a restart every 1,000 requests cost a tenth of the
# throughput (workers stayed at 80 MB without any restart).
max_requests = int(os.environ.get("GIFSHELF_MAX_REQUESTS") or 10_000)
max_requests_jitter = max_requests // 10
# Load the app once in the master: a configuration error (no secret key)
# stops the server with its message instead of failing every worker.
preload_app = True
accesslog = os.environ.get("GIFSHELF_ACCESS_LOG", "-") or None
errorlog = "-"

"""gunicorn's settings for `make serve`, from the environment (README.md).

gunicorn's own GUNICORN_CMD_ARGS and FORWARDED_ALLOW_IPS still apply on top.
"""

import multiprocessing
import os

from gifshelf.environment import env_int

wsgi_app = "gifshelf.wsgi:application"

# Comma-separated: host:port pairs or unix:/path sockets.
bind = [
    address.strip()
    for address in os.environ.get("GIFSHELF_BIND", "127.0.0.1:8000").split(",")
    if address.strip()
]
# The usual rule for synchronous workers: two per core, plus one.
# GIFSHELF_WORKERS wins over WEB_CONCURRENCY, which is then not read at all.
workers = env_int("GIFSHELF_WORKERS", None, minimum=1) or env_int(
    "WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1, minimum=1
)
threads = env_int("GIFSHELF_THREADS", 1, minimum=1)
# An upload of many large animations is analysed within its request.
timeout = env_int("GIFSHELF_TIMEOUT", 120, minimum=1)
graceful_timeout = 30
keepalive = 5
# Restart each worker now and then, so memory Pillow leaves behind returns.
# Not too often: a new worker starts with an empty cache of search answers,
# and under bench/load.py a restart every 1,000 requests cost a tenth of the
# throughput (workers stayed at 80 MB without any restart).
max_requests = env_int("GIFSHELF_MAX_REQUESTS", 10_000)
max_requests_jitter = max_requests // 10
# Load the app once in the master: a configuration error (no secret key)
# stops the server with its message instead of failing every worker.
preload_app = True
accesslog = os.environ.get("GIFSHELF_ACCESS_LOG", "-") or None
errorlog = "-"
# gunicorn's control socket (gunicornc) would go to ~/.gunicorn/ or
# $XDG_RUNTIME_DIR, one path shared by every server the account runs: only
# where the operator names one.
if os.environ.get("GIFSHELF_CONTROL_SOCKET"):
    control_socket = os.environ["GIFSHELF_CONTROL_SOCKET"]
else:
    control_socket_disable = True

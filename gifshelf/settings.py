"""gifshelf settings: one file, read from the environment, safe defaults.

Every setting an operator may change is an environment variable named here;
README.md lists them all.
"""

import os
import tempfile
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from gifshelf.environment import (
    UnreadableSetting,
    env_bool,
    env_database,
    env_int,
    env_list,
    env_time_zone,
)

BASE_DIR = Path(__file__).resolve().parent.parent


DEBUG = env_bool("GIFSHELF_DEBUG", False)

# The fallback key is for a laptop and the tests only: Django's deploy check
# (security.W009) flags its "django-insecure-" prefix, and gifshelf.wsgi, which
# every server loads, refuses to start with it unless DEBUG is on.
DEVELOPMENT_SECRET_KEY = "django-insecure-gifshelf-development-key-do-not-deploy"
SECRET_KEY = os.environ.get("GIFSHELF_SECRET_KEY") or DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env_list("GIFSHELF_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("GIFSHELF_CSRF_TRUSTED_ORIGINS", [])

# HTTPS. Off by default so that `make run` and the tests work over plain
# http; production turns GIFSHELF_HTTPS on, which makes cookies secure,
# redirects http to https and sends HSTS (each adjustable on its own).
HTTPS = env_bool("GIFSHELF_HTTPS", False)
# Only behind a proxy that terminates TLS and sets X-Forwarded-Proto itself,
# overwriting what clients send; otherwise anyone could claim https.
if env_bool("GIFSHELF_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("GIFSHELF_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = env_int("GIFSHELF_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
# These two bind every subdomain and the browsers' preload lists: opt in.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("GIFSHELF_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("GIFSHELF_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("GIFSHELF_SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Where the client's address is, for login throttling. Behind a proxy every
# request comes from the proxy: name the header it sets (X-Forwarded-For,
# whose last entry is the one the proxy added, or X-Real-IP).
GIFSHELF_CLIENT_IP_HEADER = os.environ.get("GIFSHELF_CLIENT_IP_HEADER", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "taggit",
    "library",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "library.middleware.content_security_policy",
    "library.middleware.same_for_everyone",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "library.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "library.uploads.RequestSizeLimitMiddleware",
    "library.middleware.method_not_allowed_page",
]

ROOT_URLCONF = "gifshelf.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "library.context_processors.review_queue",
            ],
        },
    },
]

WSGI_APPLICATION = "gifshelf.wsgi.application"

# Persistent connections save a connection per request; the health check
# replaces one the server closed meanwhile (on PostgreSQL at most once a
# second: docs/deploy.md). runserver (DEBUG) makes a thread
# per request, so there each connection closes with its request.
DATABASES = {
    "default": env_database(
        "DATABASE_URL",
        f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("GIFSHELF_DB_CONN_MAX_AGE", 0 if DEBUG else 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's, with the health check of a busy connection once a second
    # rather than before every request (gifshelf/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "gifshelf.postgresql"
    kept = DATABASES["default"]["CONN_MAX_AGE"] != 0
    if env_bool("GIFSHELF_DB_PREPARED_STATEMENTS", kept):
        # A statement a connection has run five times is prepared: PostgreSQL
        # plans it once, not on every request (half its CPU for a cached
        # search). Only where connections are kept (not behind PgBouncer in
        # transaction mode, as docs/deploy.md has it, which before 1.21, or
        # without max_prepared_statements, cannot keep them).
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5
        )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets searches read while a copy is being written; IMMEDIATE makes
    # a writer wait its turn (up to the timeout) where a transaction that
    # began reading would fail with "database is locked" on its first write.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("GIFSHELF_SQLITE_TIMEOUT", 20, minimum=1),
    }
    # The copies' covering index (INCLUDE) serves PostgreSQL; on SQLite Django
    # makes it a plain index, as intended, and need not warn on every command.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
    # Tests on a file as well: the live server's threads would share one
    # connection to an in-memory database, where two requests at once fail
    # with "database table is locked" instead of waiting.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(
            tempfile.gettempdir(), f"gifshelf-test-{os.getpid()}.sqlite3"
        )
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Agents' search answers are cached under the shelf's version token, so no
# process ever serves one from before a change another process made. Without
# GIFSHELF_CACHE_URL each process keeps its own; with a Redis server
# (redis://host:6379/0) they all share one, and sessions are read from it
# too, their rows staying in the database.
CACHE_URL = os.environ.get("GIFSHELF_CACHE_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "gifshelf",
        }
    }
    SESSION_ENGINE = "library.cached_sessions"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 1_000},
        }
    }
    # Django's database sessions, read with their member in one statement.
    SESSION_ENGINE = "library.sessions"
# How long an agent's search answer may be served again (0: never). Only a
# newly approved GIF and the popularity order can be that late: everything
# that hides a GIF replaces the answers at once (library.models.ShelfVersion).
GIFSHELF_SEARCH_CACHE_SECONDS = env_int("GIFSHELF_SEARCH_CACHE_SECONDS", 30)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# The sessions of members logged in before MemberBackend name ModelBackend.
AUTHENTICATION_BACKENDS = [
    "library.backends.MemberBackend",
    "django.contrib.auth.backends.ModelBackend",
]
CSRF_FAILURE_VIEW = "library.views.csrf_failure"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "library:home"
LOGOUT_REDIRECT_URL = "login"

# English unless the browser (Accept-Language), the language cookie or the
# member's preference asks for Russian. Catalogues are compiled by the build
# (`manage.py compile_catalogues`) from locale/*/LC_MESSAGES/django.po.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env_time_zone("GIFSHELF_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("GIFSHELF_STATIC_ROOT", BASE_DIR / "staticfiles"))

# Media is never served as a directory: approved files go out through
# library.views.public_file, which checks status and sets safe headers.
MEDIA_ROOT = Path(os.environ.get("GIFSHELF_MEDIA_ROOT", BASE_DIR / "media"))

# Where originals and renditions live: the local MEDIA_ROOT (default) or any
# S3-compatible object store (AWS S3, MinIO, Ceph, R2, ...). Either way the
# public links are the app's own /g/... URLs: the bucket stays private.
MEDIA_STORAGE = os.environ.get("GIFSHELF_STORAGE", "filesystem").strip().lower()
if MEDIA_STORAGE == "filesystem":
    MEDIA_BACKEND = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif MEDIA_STORAGE == "s3":
    MEDIA_BACKEND = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("GIFSHELF_S3_BUCKET", ""),
            # Unset: AWS itself. MinIO and the others need their URL.
            "endpoint_url": os.environ.get("GIFSHELF_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("GIFSHELF_S3_REGION") or None,
            # Unset: boto3's own chain (AWS_* variables, profile, instance role).
            "access_key": os.environ.get("GIFSHELF_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("GIFSHELF_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("GIFSHELF_S3_PREFIX", ""),
            "addressing_style": os.environ.get("GIFSHELF_S3_ADDRESSING_STYLE") or None,
            "signature_version": "s3v4",
            # Objects stay private: only the app (or nginx) reads them.
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    if not MEDIA_BACKEND["OPTIONS"]["bucket_name"]:
        raise UnreadableSetting("GIFSHELF_STORAGE=s3 needs GIFSHELF_S3_BUCKET.")
else:
    raise UnreadableSetting(
        f"GIFSHELF_STORAGE is {MEDIA_STORAGE!r}: use filesystem or s3."
    )

# Behind nginx, files on the local filesystem go out through an internal
# redirect to this prefix (an `internal` location aliased to MEDIA_ROOT;
# docs/deploy.md) instead of through Python. Objects in S3 are streamed by
# the app; a caching proxy in front keeps that to once per file.
GIFSHELF_ACCEL_REDIRECT = os.environ.get("GIFSHELF_ACCEL_REDIRECT", "")
if GIFSHELF_ACCEL_REDIRECT and not (
    GIFSHELF_ACCEL_REDIRECT.startswith("/") and GIFSHELF_ACCEL_REDIRECT.endswith("/")
):
    raise UnreadableSetting(
        "GIFSHELF_ACCEL_REDIRECT is a path that starts and ends with /, "
        "e.g. /protected-media/."
    )
if GIFSHELF_ACCEL_REDIRECT and MEDIA_STORAGE != "filesystem":
    raise UnreadableSetting(
        "GIFSHELF_ACCEL_REDIRECT hands nginx a file under MEDIA_ROOT: it works "
        "with GIFSHELF_STORAGE=filesystem only (docs/deploy.md)."
    )

STORAGES = {
    "default": MEDIA_BACKEND,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Upload limits. Each refusal is explained to the curator in plain words.
GIFSHELF_MAX_UPLOAD_BYTES = env_int("GIFSHELF_MAX_UPLOAD_BYTES", 15_000_000, minimum=1)
GIFSHELF_MAX_PIXELS = env_int("GIFSHELF_MAX_PIXELS", 4_000_000, minimum=1)
GIFSHELF_MAX_FRAMES = env_int("GIFSHELF_MAX_FRAMES", 1_000, minimum=1)
GIFSHELF_MAX_TOTAL_PIXELS = env_int("GIFSHELF_MAX_TOTAL_PIXELS", 300_000_000, minimum=1)
GIFSHELF_MAX_FILES_PER_UPLOAD = env_int("GIFSHELF_MAX_FILES_PER_UPLOAD", 20, minimum=1)

# Refuse a request whose declared body could not hold only allowed files
# before reading any of it; the per-file limit is enforced while streaming.
GIFSHELF_MAX_REQUEST_BYTES = (
    GIFSHELF_MAX_UPLOAD_BYTES * GIFSHELF_MAX_FILES_PER_UPLOAD + 1_000_000
)
# Django's own cap sits above ours, so the form can say how many to send.
DATA_UPLOAD_MAX_NUMBER_FILES = 2 * GIFSHELF_MAX_FILES_PER_UPLOAD
FILE_UPLOAD_HANDLERS = [
    "library.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Login throttling: this many failed log-ins within the window, for one
# account or from one address, lock it out until they age out of the window.
GIFSHELF_LOGIN_FAILURES_PER_ACCOUNT = env_int(
    "GIFSHELF_LOGIN_FAILURES_PER_ACCOUNT", 5, minimum=1
)
GIFSHELF_LOGIN_FAILURES_PER_ADDRESS = env_int(
    "GIFSHELF_LOGIN_FAILURES_PER_ADDRESS", 20, minimum=1
)
GIFSHELF_LOGIN_LOCKOUT_SECONDS = env_int(
    "GIFSHELF_LOGIN_LOCKOUT_SECONDS", 15 * 60, minimum=1
)

# One-curator teams may approve their own uploads; everyone else needs a
# second pair of eyes.
GIFSHELF_ALLOW_SELF_APPROVAL = env_bool("GIFSHELF_ALLOW_SELF_APPROVAL", False)

TAGGIT_CASE_INSENSITIVE = True

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts and styles come from our own static files only: no inline <script>,
# no on*= handlers, no style attributes (templates and JS keep to that), and
# nobody may frame the app. Public files set their own, stricter policy.
GIFSHELF_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

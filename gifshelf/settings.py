"""gifshelf settings: one file, read from the environment, safe defaults.

Every setting an operator may change is an environment variable named here;
README.md lists them all.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name)
    return default if value in (None, "") else int(value.replace("_", ""))


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("GIFSHELF_DEBUG", False)

# The fallback key is for a laptop only: Django's deploy check (security.W009)
# flags the "django-insecure-" prefix, so production must set a real one.
SECRET_KEY = os.environ.get(
    "GIFSHELF_SECRET_KEY", "django-insecure-gifshelf-development-key-do-not-deploy"
)

ALLOWED_HOSTS = env_list("GIFSHELF_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("GIFSHELF_CSRF_TRUSTED_ORIGINS", [])

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
    "library.uploads.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("GIFSHELF_DB_CONN_MAX_AGE", 0),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
CSRF_FAILURE_VIEW = "library.api.csrf_failure"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "library:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("GIFSHELF_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# Media is never served as a directory: approved files go out through
# library.views.public_file, which checks status and sets safe headers.
MEDIA_ROOT = Path(os.environ.get("GIFSHELF_MEDIA_ROOT", BASE_DIR / "media"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
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
GIFSHELF_MAX_UPLOAD_BYTES = env_int("GIFSHELF_MAX_UPLOAD_BYTES", 15_000_000)
GIFSHELF_MAX_PIXELS = env_int("GIFSHELF_MAX_PIXELS", 4_000_000)
GIFSHELF_MAX_FRAMES = env_int("GIFSHELF_MAX_FRAMES", 1_000)
GIFSHELF_MAX_TOTAL_PIXELS = env_int("GIFSHELF_MAX_TOTAL_PIXELS", 300_000_000)
GIFSHELF_MAX_FILES_PER_UPLOAD = env_int("GIFSHELF_MAX_FILES_PER_UPLOAD", 20)

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

# One-curator teams may approve their own uploads; everyone else needs a
# second pair of eyes.
GIFSHELF_ALLOW_SELF_APPROVAL = env_bool("GIFSHELF_ALLOW_SELF_APPROVAL", False)

TAGGIT_CASE_INSENSITIVE = True

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

"""What the data-safety commands share: which rows make up a shelf, walking
the media storage, file digests and the progress bar.

The commands are export_library, import_library, import_folder, backup and
check_orphans; README.md ("Data safety") says what each does.
"""

import datetime
import hashlib
import posixpath

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from tqdm import tqdm

ARCHIVE_FORMAT = "gifshelf-library"
ARCHIVE_VERSION = 1
MANIFEST = "manifest.json"

# Rows every instance makes for itself on `migrate`, whose ids differ from one
# instance to the next; archived rows name them by natural key instead.
INSTANCE_ROWS = {"contenttypes.contenttype", "auth.permission"}
# Rows an archive leaves out on purpose: sessions (everyone logs in again),
# failed log-ins (a lockout belongs to the instance that saw the attempts)
# and the shelf's version token (cached search answers belong to the
# instance that cached them; an import draws a new one).
LEFT_OUT = {
    "sessions.session",
    "library.membersession",
    "library.loginfailure",
    "library.shelfversion",
}
# Rows `migrate` seeds (roles, vocabularies, contexts, house rules). An empty instance
# holds them; an import replaces them with the archive's own.
SEEDED = {
    "auth.group",
    "library.moodtag",
    "library.situationtag",
    "library.appropriatenesstag",
    "library.conversationcontext",
    "library.houserules",
}
CHUNK = 1024 * 1024


def archived_models():
    """Every model whose rows an archive holds, in an order that loads.

    Whatever app adds a model later is archived too, unless named above.
    """
    app_list = [(config, None) for config in apps.get_app_configs()]
    ordered = serializers.sort_dependencies(app_list, allow_cycles=True)
    return [
        model
        for model in ordered
        if model._meta.label_lower not in INSTANCE_ROWS | LEFT_OUT
        and not model._meta.proxy
        and model._meta.managed
    ]


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds: its own cuts them
    to milliseconds (as ECMA-262 does), and a restore must not lose them."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def names_instance_rows(model):
    """Whether `model` points at content types or permissions, which are then
    written by natural key (app, model, codename) rather than by id."""
    return any(
        field.related_model in (ContentType, Permission)
        for field in model._meta.get_fields()
        if field.is_relation and not field.auto_created
    )


def stored_files(storage, folder=""):
    """Every file name under `folder` of `storage`, sorted, through its API."""
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in sorted(files):
        yield posixpath.join(folder, name) if folder else name
    for name in sorted(folders):
        yield from stored_files(storage, posixpath.join(folder, name))


def sha256_of(stream):
    """The SHA-256 of what is left in `stream`, read in chunks."""
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def copy_stream(source, target):
    """Copy `source` into `target` in chunks; return (bytes, SHA-256)."""
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        target.write(chunk)
    return size, digest.hexdigest()


def progress_bar(command, *, total, unit, shown, description=""):
    """A tqdm bar on the command's stderr, shown only on a terminal.

    `shown` is False with --no-progress; a pipe, a log file or a test gets
    no bar either, so their output stays readable.
    """
    stream = getattr(command.stderr, "_out", command.stderr)
    is_terminal = getattr(stream, "isatty", lambda: False)()
    return tqdm(
        total=total,
        unit=unit,
        desc=description,
        file=stream,
        disable=not (shown and is_terminal),
        dynamic_ncols=True,
        leave=False,
    )


def add_progress_argument(parser):
    parser.add_argument(
        "--no-progress",
        action="store_false",
        dest="progress",
        help="No progress bar (there is none anyway when stderr is not a terminal).",
    )

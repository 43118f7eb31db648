import csv
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from library import imaging
from library.datasafety import add_progress_argument, progress_bar
from library.forms import UploadForm
from library.imaging import ImageRefused
from library.models import DuplicateImage, Gif, upload_limits
from library.uploads import oversized_message

# Sidecar columns and the upload form field each fills.
COLUMNS = {
    "title": "title",
    "alt_text": "alt_text",
    "alt_text_ru": "alt_text_ru",
    "mood": "mood",
    "moods": "mood",
    "situation": "situation",
    "situations": "situation",
}


@dataclass
class Outcome:
    name: str
    gif: Gif | None = None
    refusal: str = ""


class Command(BaseCommand):
    help = "Upload every image in a folder for review, as the upload page does."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="The folder of images (read recursively).")
        parser.add_argument(
            "--by",
            required=True,
            metavar="USERNAME",
            help="The curator or team lead the uploads are recorded under.",
        )
        parser.add_argument(
            "--csv",
            dest="sidecar",
            metavar="FILE",
            help="A sidecar: filename,title,alt_text,alt_text_ru,moods,"
            "situations (tags comma-separated within a cell).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check every file and the sidecar; store nothing.",
        )
        add_progress_argument(parser)

    def handle(self, folder, by, sidecar, dry_run, progress, verbosity, **options):
        root = Path(folder)
        if root.is_file():
            raise CommandError(
                _(
                    "%(path)s is a file: give the folder that holds the images "
                    "(and a sidecar with --csv)."
                )
                % {"path": root}
            )
        if not root.is_dir():
            raise CommandError(_("There is no folder %(folder)s.") % {"folder": root})
        uploader = find_uploader(by)
        sidecar_path = Path(sidecar) if sidecar else None
        sidecar = read_sidecar(sidecar_path) if sidecar_path else {}
        paths = image_paths(root, skip=sidecar_path)
        outcomes = []
        seen = {}
        bar = progress_bar(
            self,
            total=len(paths),
            unit="file",
            shown=progress,
            description=_("Importing"),
        )
        # The summary says why each file was refused; the decoder's traceback
        # of every broken file is for -v 2.
        with bar, quieter("library.imaging", unless=verbosity >= 2):
            for path in paths:
                name = path.relative_to(root).as_posix()
                row = sidecar.pop(sidecar_key(name), {}).get("fields", {})
                if dry_run:
                    outcomes.append(check(path, name, row, seen))
                else:
                    outcomes.append(upload(path, name, row, uploader))
                bar.update()
        # What is left named no file: its title and tags reached nothing.
        unknown = sorted(row["name"] for row in sidecar.values())
        self.report(outcomes, unknown, dry_run)

    def report(self, outcomes, unknown, dry_run):
        imported = [outcome for outcome in outcomes if not outcome.refusal]
        refused = [outcome for outcome in outcomes if outcome.refusal]
        if not imported:
            line = (
                _("Nothing would be imported.") if dry_run else _("Nothing imported.")
            )
        elif dry_run:
            line = ngettext(
                "Would import %(count)d image for review.",
                "Would import %(count)d images for review.",
                len(imported),
            )
        else:
            line = ngettext(
                "Imported %(count)d image; it waits for review.",
                "Imported %(count)d images; they wait for review.",
                len(imported),
            )
        self.stdout.write(line % {"count": len(imported)})
        for outcome in imported:
            title = outcome.gif.title if outcome.gif else ""
            self.stdout.write(f"  {outcome.name}" + (f": “{title}”" if title else ""))
        if refused:
            self.stdout.write(
                ngettext(
                    "Refused %(count)d file:", "Refused %(count)d files:", len(refused)
                )
                % {"count": len(refused)}
            )
            for outcome in refused:
                self.stdout.write(f"  {outcome.name}: {outcome.refusal}")
        if unknown:
            self.stdout.write(
                _("In the CSV but not in the folder: %(names)s")
                % {"names": ", ".join(unknown)}
            )
        # A non-zero exit status, so that a script or cron job notices.
        if refused:
            raise CommandError(
                ngettext(
                    "%(count)d of %(total)d file was refused (listed above).",
                    "%(count)d of %(total)d files were refused (listed above).",
                    len(outcomes),
                )
                % {"count": len(refused), "total": len(outcomes)}
            )
        if unknown:
            raise CommandError(
                ngettext(
                    "%(count)d CSV row names no file in the folder (listed above).",
                    "%(count)d CSV rows name no file in the folder (listed above).",
                    len(unknown),
                )
                % {"count": len(unknown)}
            )


@contextmanager
def quieter(logger_name, *, unless):
    logger = logging.getLogger(logger_name)
    level = logger.level
    if not unless:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def find_uploader(username):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(_("There is no member %(name)s.") % {"name": username})
    if not (user.is_active and user.has_perm("library.add_gif")):
        raise CommandError(
            _("%(name)s may not upload: only curators and team leads can.")
            % {"name": username}
        )
    return user


def image_paths(root, skip=None):
    """Every file under `root`, hidden ones (".DS_Store") and the sidecar left out."""
    skip = skip.resolve() if skip else None
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(root).parts)
        and path.resolve() != skip
    )


def sidecar_key(name):
    """A file name as the CSV and the folder are matched: "./Cats\\Wave.GIF"
    names cats/wave.gif. Spreadsheets are typed by hand, on every system."""
    name = name.strip().replace("\\", "/")
    while name.startswith("./"):
        name = name[2:]
    return name.casefold()


def read_sidecar(path):
    """{sidecar_key(file name): {"name": as typed, "fields": {form field:
    value}}} from the CSV, checked for typos."""
    if not path.is_file():
        raise CommandError(_("There is no file %(path)s.") % {"path": path})
    # utf-8-sig: spreadsheets often start their CSV with a byte-order mark.
    with path.open(newline="", encoding="utf-8-sig") as stream:
        reader = csv.DictReader(stream, delimiter=delimiter_of(stream.readline()))
        stream.seek(0)
        columns = [column.strip().lower() for column in reader.fieldnames or []]
        if "filename" not in columns:
            raise CommandError(
                _("The CSV needs a “filename” column; it has %(columns)s.")
                % {"columns": ", ".join(columns) or _("none")}
            )
        fields = [COLUMNS[c] for c in columns if c in COLUMNS]
        twice = sorted({field for field in fields if fields.count(field) > 1})
        if twice:
            # "mood" and "moods" both: one would silently lose to the other.
            raise CommandError(
                _("The CSV has more than one column for %(fields)s: keep one.")
                % {"fields": ", ".join(twice)}
            )
        unknown = [c for c in columns if c != "filename" and c not in COLUMNS]
        if unknown:
            raise CommandError(
                _(
                    "The CSV has columns the shelf does not know: %(unknown)s. "
                    "Use %(known)s."
                )
                % {
                    "unknown": ", ".join(unknown),
                    "known": ", ".join(["filename", *COLUMNS]),
                }
            )
        rows, lines = {}, {}
        for raw in reader:
            row = {
                column.strip().lower(): (value or "").strip()
                for column, value in raw.items()
                if column
            }
            if not any(row.values()):
                continue  # a blank row (";;" from a spreadsheet) says nothing
            name = row.pop("filename")
            if not name:
                raise CommandError(
                    _(
                        "Line %(line)s of the CSV has no file name: fill in its "
                        "“filename” or delete the row; nothing was imported."
                    )
                    % {"line": reader.line_num}
                )
            lines.setdefault(sidecar_key(name), []).append(reader.line_num)
            rows[sidecar_key(name)] = {
                "name": name,
                "fields": {COLUMNS[column]: value for column, value in row.items()},
            }
    # Every twice-named file at once, before anything is imported: which row
    # was meant is the curator's to say.
    twice = [
        _("%(name)s (lines %(lines)s)")
        % {"name": rows[key]["name"], "lines": ", ".join(map(str, numbers))}
        for key, numbers in lines.items()
        if len(numbers) > 1
    ]
    if twice:
        raise CommandError(
            _(
                "The CSV names a file more than once: %(files)s. Keep one row "
                "for each file; nothing was imported."
            )
            % {"files": "; ".join(twice)}
        )
    return rows


def delimiter_of(header):
    """A comma, or a semicolon where the header is written with them: a
    spreadsheet saves its CSV with semicolons where the decimal mark is a
    comma (much of Europe, Russia)."""
    return ";" if header.count(";") > header.count(",") else ","


class SidecarForm(UploadForm):
    """The upload page's own form, with the Russian alt text a GIF's edit
    page takes, checked as that page checks it (at most 500 characters)."""

    alt_text_ru = Gif._meta.get_field("alt_text_ru").formfield()


def upload_form(path, name, row):
    """The upload form, filled from the file and its CSV row."""
    handle = path.open("rb")
    file = File(handle, name=path.name)
    form = SidecarForm(row, MultiValueDict({"files": [file]}))
    return form, handle


# Columns of free text: a refusal of theirs ("at most 120 characters") does
# not say which cell to change, so it is said first. Tag refusals name their
# vocabulary already.
TEXT_COLUMNS = ("title", "alt_text", "alt_text_ru")


def form_refusal(form):
    return " ".join(
        f"{field}: {message}" if field in TEXT_COLUMNS else str(message)
        for field, messages in form.errors.items()
        for message in messages
    )


def upload(path, name, row, uploader):
    if path.stat().st_size > settings.GIFSHELF_MAX_UPLOAD_BYTES:
        return Outcome(name, refusal=oversized_message())
    form, handle = upload_form(path, name, row)
    with handle:
        if not form.is_valid():
            return Outcome(name, refusal=form_refusal(form))
        try:
            gif = Gif.objects.create_from_upload(
                form.cleaned_data["files"][0],
                by=uploader,
                title=form.cleaned_data["title"],
                alt_text=form.cleaned_data["alt_text"],
                alt_text_ru=form.cleaned_data["alt_text_ru"],
                **form.tags(),
            )
        except ImageRefused as refusal:
            return Outcome(name, refusal=str(refusal))
    return Outcome(name, gif=gif)


def check(path, name, row, seen):
    """What upload() would say, storing nothing."""
    if path.stat().st_size > settings.GIFSHELF_MAX_UPLOAD_BYTES:
        return Outcome(name, refusal=oversized_message())
    form, handle = upload_form(path, name, row)
    with handle:
        if not form.is_valid():
            return Outcome(name, refusal=form_refusal(form))
        data = handle.read()
    try:
        facts = imaging.analyse(data, upload_limits()).facts
    except ImageRefused as refusal:
        return Outcome(name, refusal=str(refusal))
    if existing := Gif.objects.filter(sha256=facts.sha256).first():
        return Outcome(name, refusal=str(DuplicateImage(existing)))
    if facts.sha256 in seen:
        return Outcome(
            name,
            refusal=_("The same file as %(first)s, which comes first.")
            % {"first": seen[facts.sha256]},
        )
    seen[facts.sha256] = name
    return Outcome(name)

import time
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from library import demo
from library.imaging import ImageRefused
from library.models import (
    AppropriatenessTag,
    Gif,
    Member,
    MoodTag,
    Playback,
    SituationTag,
)

URL = "http://127.0.0.1:8000/"  # where `make run` serves, unless told otherwise


class Command(BaseCommand):
    help = (
        f"Load the demo: a login per role and {len(demo.LIBRARY)} GIFs drawn by Pillow."
    )
    requires_migrations_checks = True

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete every GIF the demo logins uploaded, then draw the demo again.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say what would change; change nothing.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even with DEBUG off (the demo passwords are public).",
        )
        parser.add_argument(
            "--url",
            default=URL,
            help=f"Where to tell people to open the shelf (default {URL}).",
        )

    def handle(self, *, reset, dry_run, force, url, verbosity, **options):
        if not (settings.DEBUG or force or dry_run):
            # Its logins have published passwords: never on a real shelf by accident.
            raise CommandError(
                "The demo gives its logins published passwords, so it loads only "
                "with GIFSHELF_DEBUG=1 (as `make run` does), or with --force."
            )
        self.verbosity = verbosity
        tags = Vocabularies()
        on_shelf = demo_gifs()
        if dry_run:
            self.say("Dry run: nothing is changed.")
        if reset:
            self.reset(on_shelf, dry_run)
        titles = set() if reset else set(on_shelf.values_list("title", flat=True))
        missing = [item for item in demo.LIBRARY if item.title not in titles]

        if dry_run:
            self.say(f"Would create or update the logins {usernames()}.")
            self.say(f"Would draw {gifs(len(missing))}, {already_there(missing)}.")
        else:
            members = enrol_logins()
            if missing:
                self.load(missing, members, tags)
            else:
                self.say(
                    f"The demo library is already loaded ({gifs(len(demo.LIBRARY))}); "
                    "--reset draws it again."
                )
        self.print_logins(url)

    def say(self, line, style=None):
        if self.verbosity:
            self.stdout.write(line, style)

    def reset(self, on_shelf, dry_run):
        count = on_shelf.count()
        if dry_run:
            self.say(f"Would delete the {gifs(count)} the demo logins uploaded.")
            return
        # The QuerySet removes the files once the rows are gone for good.
        with transaction.atomic():
            on_shelf.delete()
        self.say(f"Deleted the {gifs(count)} the demo logins uploaded.")

    def load(self, items, members, tags):
        self.say(f"Drawing {gifs(len(items))}, {already_there(items)}:")
        started = time.monotonic()
        # Loaded last to first, so the shelf (newest first) lists them in order.
        for number, item in enumerate(reversed(items), start=1):
            try:
                gif = put_on_shelf(item, members, tags)
            except ImageRefused as refusal:
                self.say(f"  skipped {item.title}: {refusal}", self.style.WARNING)
                continue
            self.say(
                f"  [{number:>2}/{len(items)}] {gif.title} "
                f"({gif.get_format_display()}, {gif.width}×{gif.height}, "
                f"{gif.frames} frame{pluralize(gif.frames)}): {item.status}"
            )
        seconds = time.monotonic() - started
        self.say(f"Loaded the demo library in {seconds:.1f} s.", self.style.SUCCESS)

    def print_logins(self, url):
        # Printed on every run, even at verbosity 0: `make run` relies on it.
        lines = ["", "Demo logins (for trying gifshelf on this machine only):"]
        for login in demo.LOGINS:
            role = Member.Role(login.role).label
            lines.append(
                f"  {login.username:<10} {login.password:<20} {role:<10} {login.does}"
            )
        lines += [f"Open {url} and log in with one of them.", ""]
        self.stdout.write("\n".join(lines))


class Vocabularies:
    """The seeded tags by lower-cased name; complains about any the demo
    needs that are missing (the database was not migrated, or a lead renamed
    one)."""

    def __init__(self):
        self.tags = {
            field: {tag.name.lower(): tag for tag in model.objects.all()}
            for field, model in (
                ("mood", MoodTag),
                ("situation", SituationTag),
                ("unsuitable_for", AppropriatenessTag),
            )
        }
        missing = {
            f"“{name}”"
            for item in demo.LIBRARY
            for field, known in self.tags.items()
            for name in getattr(item, field)
            if name.lower() not in known
        }
        if missing:
            raise CommandError(
                f"The demo needs tags the database lacks: {', '.join(sorted(missing))}."
                " Run `python manage.py migrate` first."
            )

    def of(self, item, field):
        return [self.tags[field][name.lower()] for name in getattr(item, field)]


def already_there(missing):
    return f"{len(demo.LIBRARY) - len(missing)} already on the shelf"


def gifs(count):
    return f"{count} GIF{pluralize(count)}"


def demo_gifs():
    names = {login.username for login in demo.LOGINS}
    return Gif.objects.filter(uploaded_by__username__in=names)


def usernames():
    return ", ".join(login.username for login in demo.LOGINS)


def enrol_logins():
    """Create the demo logins, or put back their roles and published passwords."""
    return {
        login.username: Member.enrol(login.username, login.role, login.password)[0]
        for login in demo.LOGINS
    }


def put_on_shelf(item, members, tags):
    """Upload one demo picture through the real pipeline, file it like a
    curator and a lead would, and give it its review outcome."""
    upload = SimpleUploadedFile(item.filename, demo.draw(item))
    gif = Gif.objects.create_from_upload(
        upload,
        by=members[item.uploaded_by],
        title=item.title,
        alt_text=item.alt_text,
        mood=tags.of(item, "mood"),
        situation=tags.of(item, "situation"),
    )
    try:
        with transaction.atomic():
            written = [
                "use_when",
                "avoid_when",
                "use_when_ru",
                "avoid_when_ru",
                "alt_text_ru",
            ]
            for name in written:
                setattr(gif, name, getattr(item, name))
            gif.save(update_fields=written)
            gif.appropriateness.set(tags.of(item, "unsuitable_for"))
            # The picker finds notes and hides ruled-out tags by this
            # document; setting them above left it as the upload wrote it.
            gif.refresh_search_document()
            if item.status != Gif.Status.PENDING:
                record_review(
                    gif,
                    item.status,
                    by=members[item.reviewed_by],
                    reason=item.avoid_when,
                )
    except BaseException:
        gif.delete()  # so a second run draws it again instead of skipping it
        raise
    return gif


def record_review(gif, status, *, by, reason):
    """Give a demo GIF its outcome through the review actions themselves.

    The demo reviewer is taken to have watched it through just now, so the
    history and "watched to the end by" read as they would on a real shelf.
    """
    if status == Gif.Status.REJECTED:
        gif.reject(by=by, reason=reason)
        return
    Playback.objects.update_or_create(
        gif=gif,
        reviewer=by,
        defaults={"started_at": timezone.now() - timedelta(milliseconds=gif.watch_ms)},
    )
    gif.approve(by=by, acknowledge_flashing=True)
    if status == Gif.Status.RETIRED:
        gif.retire(by=by, reason=reason)

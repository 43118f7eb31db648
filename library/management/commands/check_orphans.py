import os
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from library.datasafety import add_progress_argument, progress_bar, stored_files
from library.imaging import ImageRefused
from library.models import Gif, media_storage

# Every file gifshelf stores lives under this folder of the media storage.
FOLDER = "gifs"


class Command(BaseCommand):
    help = "Find files no GIF names and GIFs whose files are gone; --fix repairs."

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix",
            action="store_true",
            help="Delete orphan files and render lost renditions again from the "
            "original. A GIF whose original is lost is only reported.",
        )
        parser.add_argument(
            "--min-age",
            type=int,
            default=3600,
            metavar="SECONDS",
            help="Only files older than this count as orphans (default 3600): an "
            "upload writes its files a moment before its row.",
        )
        add_progress_argument(parser)

    def handle(self, fix, min_age, progress, **options):
        storage = media_storage()
        stored = set(stored_files(storage, FOLDER))
        gifs = Gif._base_manager.order_by("pk").only(
            "title",
            "status",
            "original",
            "first_still",
            "last_still",
            "preview",
            "filmstrip",
        )
        named, incomplete, checked = set(), [], 0
        bar = progress_bar(
            self,
            total=gifs.count(),
            unit="GIF",
            shown=progress,
            description=_("Checking"),
        )
        with bar:
            for gif in gifs.iterator(chunk_size=1000):
                names = gif.file_names()
                named.update(names)
                missing = [name for name in names if name not in stored]
                if missing:
                    incomplete.append((gif, missing))
                checked += 1
                bar.update()
        unnamed = sorted(stored - named)
        cutoff = timezone.now() - timedelta(seconds=min_age)
        orphans = [n for n in unnamed if storage.get_modified_time(n) < cutoff]
        recent = [n for n in unnamed if n not in orphans]

        # Through a link the file may be someone else's, outside the media
        # folder: --fix never deletes it (as it never removes such a folder).
        linked = reached_through_links(storage, orphans)
        deletable = [name for name in orphans if name not in linked]

        remaining = self.orphans(storage, deletable, fix)
        # What --fix would mend: orphans it may delete, and renditions of GIFs
        # whose original is there (a lost original it never replaces).
        fixable = remaining + sum(
            gif.original.name not in missing for gif, missing in incomplete
        )
        remaining += self.linked(linked)
        remaining += self.incomplete(incomplete, fix)
        if recent:
            self.stdout.write(
                ngettext(
                    "%(count)d file no GIF names is younger than %(age)d s "
                    "(perhaps an upload in progress); left alone:",
                    "%(count)d files no GIF names are younger than %(age)d s "
                    "(perhaps uploads in progress); left alone:",
                    len(recent),
                )
                % {"count": len(recent), "age": min_age}
            )
            for name in recent:
                self.stdout.write(f"  {name}")
        if remaining:
            found = (
                ngettext(
                    "%(count)d problem remains.",
                    "%(count)d problems remain.",
                    remaining,
                )
                if fix
                else ngettext(
                    "%(count)d problem found.", "%(count)d problems found.", remaining
                )
            )
            if fix or not fixable:
                hint = ""
            elif fixable == remaining:
                hint = " " + _("Run again with --fix to repair.")
            else:
                # A lost original is not among them: only a backup has it.
                hint = " " + _("Run again with --fix to repair %(count)d of them.") % {
                    "count": fixable
                }
            raise CommandError(found % {"count": remaining} + hint)
        if not (orphans or incomplete):
            counted = {
                "gifs": ngettext("%d GIF", "%d GIFs", checked) % checked,
                "files": ngettext("%d file", "%d files", len(stored)) % len(stored),
            }
            if recent:
                # Not "every stored file belongs to a GIF": the recent ones
                # above do not, yet.
                self.stdout.write(
                    _(
                        "No problems besides the recent files above: every GIF "
                        "has all its files (%(gifs)s, %(files)s). Run it again "
                        "later; a recent file that no GIF claims by then is an "
                        "orphan."
                    )
                    % counted
                )
            else:
                self.stdout.write(
                    _(
                        "No problems: every stored file belongs to a GIF, and "
                        "every GIF has all its files (%(gifs)s, %(files)s)."
                    )
                    % counted
                )

    def orphans(self, storage, orphans, fix):
        """Report (or delete) files no GIF names; return how many remain."""
        if not orphans:
            return 0
        if fix:
            for name in orphans:
                storage.delete(name)
            remove_empty_folders(storage, orphans)
            heading = ngettext(
                "Deleted %(count)d file no GIF names:",
                "Deleted %(count)d files no GIF names:",
                len(orphans),
            )
        else:
            heading = ngettext(
                "%(count)d file no GIF names:",
                "%(count)d files no GIF names:",
                len(orphans),
            )
        self.stdout.write(heading % {"count": len(orphans)})
        for name in orphans:
            self.stdout.write(f"  {name}")
        return 0 if fix else len(orphans)

    def linked(self, linked):
        """Report the orphans --fix leaves alone for the link on their way;
        return how many (they remain, for a person to look at)."""
        if linked:
            self.stdout.write(
                ngettext(
                    "%(count)d file no GIF names is reached through a link "
                    "(perhaps to a folder outside the media folder); left alone:",
                    "%(count)d files no GIF names are reached through a link "
                    "(perhaps to a folder outside the media folder); left alone:",
                    len(linked),
                )
                % {"count": len(linked)}
            )
            for name in linked:
                self.stdout.write(f"  {name}")
        return len(linked)

    def incomplete(self, incomplete, fix):
        """Report GIFs with lost files, rendering lost renditions again with
        --fix; return how many GIFs still lack a file."""
        remaining = 0
        for gif, missing in incomplete:
            label = _("GIF %(pk)s “%(title)s” (%(status)s)") % {
                "pk": gif.pk,
                "title": gif.title,
                "status": gif.get_status_display().lower(),
            }
            if gif.original.name in missing:
                remaining += 1
                self.stdout.write(
                    _(
                        "%(gif)s: its original %(name)s is lost, and --fix cannot "
                        "make it again. Copy it back from a backup (media/%(name)s "
                        "there), or delete the GIF in the admin; nothing was "
                        "changed."
                    )
                    % {"gif": label, "name": gif.original.name}
                )
                others = [name for name in missing if name != gif.original.name]
                if others:
                    # Said now, not only once the original is back.
                    self.stdout.write(
                        _(
                            "  It also lacks %(names)s; once the original is "
                            "back, --fix renders them again."
                        )
                        % {"names": ", ".join(others)}
                    )
                continue
            if not fix:
                remaining += 1
                self.stdout.write(
                    _("%(gif)s lacks %(names)s; --fix renders them again.")
                    % {"gif": label, "names": ", ".join(missing)}
                )
                continue
            try:
                gif.rebuild_renditions(missing)
            except ImageRefused as refusal:
                remaining += 1
                self.stdout.write(
                    _("%(gif)s lacks %(names)s and they cannot be rendered: %(why)s")
                    % {"gif": label, "names": ", ".join(missing), "why": refusal}
                )
            else:
                self.stdout.write(
                    _("%(gif)s: rendered %(names)s again from the original.")
                    % {"gif": label, "names": ", ".join(missing)}
                )
        return remaining


def remove_empty_folders(storage, deleted):
    """Remove the folders under FOLDER that deleting `deleted` left empty, on
    a local filesystem (an object store has no folders to leave behind)."""
    try:
        root = os.path.normpath(storage.path(FOLDER))
    except NotImplementedError:
        return
    real_root = os.path.realpath(root)
    folders = {os.path.dirname(storage.path(name)) for name in deleted}
    # The deepest first, so that a parent emptied by its child goes too.
    for folder in sorted(folders, key=len, reverse=True):
        folder = os.path.normpath(folder)
        while folder.startswith(root + os.sep) and reached_without_links(
            folder, root, real_root
        ):
            try:
                os.rmdir(folder)  # only ever removes an empty folder
            except OSError:
                break
            folder = os.path.dirname(folder)


def reached_through_links(storage, names):
    """The `names` under FOLDER, on a local filesystem, with a link on their
    way from it (the file itself a link included)."""
    try:
        root = os.path.normpath(storage.path(FOLDER))
    except NotImplementedError:
        return []
    real_root = os.path.realpath(root)
    return [
        name
        for name in names
        if not reached_without_links(
            os.path.normpath(storage.path(name)), root, real_root
        )
    ]


def reached_without_links(path, root, real_root):
    """Whether no link lies on the way from `root` to `path`, a folder or a
    file: through one, something of someone else's, outside the media folder,
    would go."""
    inside = os.path.join(real_root, os.path.relpath(path, root))
    return os.path.realpath(path) == inside

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from library.datasafety import add_progress_argument, progress_bar
from library.imaging import ImageRefused
from library.models import Gif, ShelfVersion


class Command(BaseCommand):
    help = (
        "Hash the frames of GIFs uploaded before detail hashes existed again "
        "from their files, and find their near-duplicates anew."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            dest="every",
            help="Every GIF, not only those without detail hashes.",
        )
        add_progress_argument(parser)

    def handle(self, every, progress, **options):
        gifs = Gif._base_manager.order_by("pk").only(
            "public_id", "title", "original", "frame_hashes", "frame_details"
        )
        if not every:
            gifs = gifs.filter(frame_details=[])
        hashed, added, dropped, failed = 0, 0, 0, []
        total = gifs.count()
        if not total:
            # What `make run` says on every start once the shelf is hashed.
            self.stdout.write(
                _("Every GIF's frames carry their detail hashes: nothing to do.")
            )
            return
        bar = progress_bar(
            self,
            total=total,
            unit="GIF",
            shown=progress,
            description=_("Hashing"),
        )
        with bar:
            for gif in gifs.iterator(chunk_size=100):
                try:
                    gained, lost = gif.hash_frames_again()
                except OSError:
                    failed.append((gif, _("its original could not be read")))
                except ImageRefused as refusal:
                    failed.append((gif, str(refusal)))
                else:
                    hashed, added, dropped = hashed + 1, added + gained, dropped + lost
                bar.update()
        if added or dropped:
            ShelfVersion.advance()  # cached answers list the old links
        done = ngettext(
            "Hashed the frames of %d GIF again.",
            "Hashed the frames of %d GIFs again.",
            hashed,
        )
        links = _("Near-duplicate links: %(dropped)d dropped, %(added)d added.") % {
            "dropped": dropped,
            "added": added,
        }
        self.stdout.write(f"{done % hashed} {links}")
        for gif, reason in failed:
            self.stdout.write(
                _(
                    "GIF %(pk)s “%(title)s” was left as it was: %(reason)s "
                    "(its frames are compared on their perceptual hashes alone)."
                )
                % {"pk": gif.pk, "title": gif.title, "reason": reason}
            )

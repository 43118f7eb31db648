from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from library.datasafety import add_progress_argument, progress_bar
from library.models import Gif, ShelfVersion


class Command(BaseCommand):
    help = (
        "Choose the still each card shows for GIFs uploaded before posters "
        "existed: an animation that fades in shows its first full frame."
    )

    def add_arguments(self, parser):
        add_progress_argument(parser)

    def handle(self, progress, **options):
        gifs = (
            Gif._base_manager.filter(poster_frame__isnull=True)
            .order_by("pk")
            .only("public_id", "title", "filmstrip", "poster_frame")
        )
        changed, unreadable, looked = 0, [], 0
        bar = progress_bar(
            self,
            total=gifs.count(),
            unit="GIF",
            shown=progress,
            description=_("Choosing"),
        )
        with bar:
            for gif in gifs.iterator(chunk_size=500):
                try:
                    changed += gif.choose_poster()
                except OSError:
                    unreadable.append(gif)
                looked += 1
                bar.update()
        if changed:
            ShelfVersion.advance()  # cached answers name the old stills
        looked_at = ngettext("Looked at %d GIF.", "Looked at %d GIFs.", looked)
        now_still = ngettext(
            "%d now holds still on a later frame.",
            "%d now hold still on a later frame.",
            changed,
        )
        self.stdout.write(f"{looked_at % looked} {now_still % changed}")
        for gif in unreadable:
            self.stdout.write(
                _(
                    "GIF %(pk)s “%(title)s”: a filmstrip file could not be read "
                    "(check_orphans --fix renders it again)."
                )
                % {"pk": gif.pk, "title": gif.title}
            )

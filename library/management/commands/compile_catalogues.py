from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


def stale_catalogues():
    """(.po, .mo) pairs whose .mo is missing or older than its .po."""
    pairs = []
    for folder in settings.LOCALE_PATHS:
        for po in sorted(Path(folder).glob("*/LC_MESSAGES/*.po")):
            mo = po.with_suffix(".mo")
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                pairs.append((po, mo))
    return pairs


def compile_catalogues():
    """Compile every stale .po into its .mo in pure Python (no gettext needed)."""
    pairs = stale_catalogues()
    for po, mo in pairs:
        partial = mo.with_suffix(".mo.partial")
        polib.pofile(str(po)).save_as_mofile(str(partial))
        partial.replace(mo)  # a running server never reads half a file
    return pairs


class Command(BaseCommand):
    help = "Compile the translation catalogues (.po to .mo) without GNU gettext."

    def handle(self, *args, **options):
        for po, _ in compile_catalogues():
            self.stdout.write(f"Compiled {po}")

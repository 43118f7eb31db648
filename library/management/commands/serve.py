import os
import runpy
import sys
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from gifshelf.checks import require_secret_key

GUNICORN_CONF = Path(settings.BASE_DIR) / "gifshelf" / "gunicorn.conf.py"


class Command(BaseCommand):
    help = "Serve in production: check, migrate, collect static files, run gunicorn."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-migrate",
            action="store_true",
            help="Leave the database as it is (another server migrates it).",
        )

    def handle(self, *args, no_migrate=False, **options):
        try:
            require_secret_key()
        except ImproperlyConfigured as refusal:
            raise CommandError(str(refusal)) from None
        # gunicorn reads its settings only after the migration; a worker count
        # it cannot read should stop the server before anything has changed.
        runpy.run_path(str(GUNICORN_CONF))
        # Warnings are printed for the operator; errors stop here.
        call_command("check", deploy=True, stdout=self.stdout, stderr=self.stderr)
        if not no_migrate:
            call_command("migrate", interactive=False, stdout=self.stdout)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write("Starting gunicorn.")
        self.stdout.flush()
        sys.stdout.flush()
        command = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF)]
        os.execve(sys.executable, command, gunicorn_environment(os.environ))


def gunicorn_environment(environment):
    """What gunicorn starts with. gunicorn reads WEB_CONCURRENCY itself, as a
    number, before our settings: where GIFSHELF_WORKERS overrides it, a value
    a platform set for another program ("auto") would stop it after the
    migration, so it is left out."""
    environment = dict(environment)
    if environment.get("GIFSHELF_WORKERS", "").strip():
        environment.pop("WEB_CONCURRENCY", None)
    return environment

from django.core.management.base import BaseCommand, CommandError

from library.models import Member


class Command(BaseCommand):
    help = "Create or update a team member and put them in one role."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--role", required=True, choices=Member.Role.values, help="Their role."
        )
        parser.add_argument(
            "--password",
            help="Set this password (new members without one cannot log in).",
        )

    def handle(self, username, role, password, **options):
        if not username.strip():
            raise CommandError("Give a username.")
        member, created = Member.enrol(username.strip(), role, password=password)
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} {member.username} as {member.role.label}.")
        if created and not password:
            self.stdout.write(
                "They have no password yet: run again with --password to set one."
            )

import getpass
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from library.models import Member


class Command(BaseCommand):
    stealth_options = ("stdin",)
    help = (
        "Create or update a team member and put them in one role, or "
        "deactivate one. Without --password, the password of a member who has "
        "none yet is asked for when run in a terminal."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--role", choices=Member.Role.values, help="Their role.")
        action.add_argument(
            "--deactivate",
            action="store_true",
            help="Stop them logging in (sessions too) and revoke their API "
            "tokens; their history stays. addmember with --role brings them back.",
        )
        password = parser.add_mutually_exclusive_group()
        password.add_argument(
            "--password",
            help="Set this password (it stays in the shell's history: prefer "
            "the prompt, or --password-stdin in scripts).",
        )
        password.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input.",
        )

    def handle(self, username, role, deactivate, password, password_stdin, **options):
        stdin = options.get("stdin", sys.stdin)  # another one in tests
        # As Django's own forms do: a name typed with a compatibility form of a
        # letter (a full-width "ａ") is the name the login form will look up.
        username = Member.normalize_username(username.strip())
        if deactivate:
            if password is not None or password_stdin:
                raise CommandError(
                    "--deactivate takes no password: a deactivated member "
                    "cannot log in whatever it is. Nothing was changed."
                )
            return self.deactivate(username)
        existing = self.check_username(username)
        if password_stdin:
            password = stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("Standard input held no password.")
        elif password is None and stdin.isatty() and not has_password(existing):
            password = self.ask_password(username)
        if password:
            self.check_password(password, existing or Member(username=username))
        was_inactive = existing is not None and not existing.is_active
        member, created = Member.enrol(username, role, password=password)
        if created:
            self.stdout.write(f"Created {member.username} as {member.role.label}.")
        elif was_inactive:
            self.stdout.write(
                f"Reactivated {member.username} as {member.role.label}: they "
                "can log in again."
            )
        else:
            self.stdout.write(f"Updated {member.username} as {member.role.label}.")
        if member.is_superuser:
            self.stdout.write(
                "They are a superuser: the role is for the app; the admin stays "
                "wholly theirs."
            )
        if created and not password:
            self.stdout.write(
                "They have no password yet: run again with --password-stdin "
                "(or in a terminal, to be asked) to set one."
            )

    def check_username(self, username):
        """The member of that name, or None; refuses names Django's own forms
        would, and a name that differs from another member's only in case:
        log-in throttling counts the two as one, so one would lock out the
        other."""
        if not username:
            raise CommandError("Give a username.")
        try:
            Member._meta.get_field("username").run_validators(username)
        except ValidationError as invalid:
            raise CommandError(" ".join(invalid.messages)) from None
        existing = Member.objects.filter(username=username).first()
        twin = Member.objects.filter(username__iexact=username).exclude(
            username=username
        )
        if existing is None and twin.exists():
            raise CommandError(
                f"There is already a member called {twin.first().username!r}, "
                "which differs only in case: use that name."
            )
        return existing

    def ask_password(self, username):
        try:
            first = getpass.getpass(f"Password for {username} (Enter for none yet): ")
            if first and getpass.getpass("The same password again: ") != first:
                raise CommandError("The two passwords differ: nothing was changed.")
        except (EOFError, KeyboardInterrupt):  # Ctrl-D or Ctrl-C at the prompt
            raise CommandError("No password given: nothing was changed.") from None
        return first

    def check_password(self, password, member):
        try:
            validate_password(password, user=member)
        except ValidationError as weak:
            problems = " ".join(weak.messages)
            raise CommandError(
                f"That password is refused: {problems} Nothing was changed."
            ) from None

    def deactivate(self, username):
        member = Member.objects.filter(username=username).first()
        if member is None:
            twin = Member.objects.filter(username__iexact=username).first()
            hint = f" Did you mean {twin.username!r}?" if twin else ""
            raise CommandError(f"There is no member called {username!r}.{hint}")
        if not member.is_active:
            self.stdout.write(f"{member.username} was already deactivated.")
            return
        member.deactivate()
        self.stdout.write(
            f"Deactivated {member.username}: they can no longer log in, their "
            "sessions stop working and their API tokens are revoked. Their "
            "uploads, reviews and history stay."
        )


def has_password(member):
    return member is not None and member.has_usable_password()

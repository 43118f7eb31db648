#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gifshelf.settings")
    from django.core.management import execute_from_command_line

    from gifshelf.environment import UnreadableSetting

    try:
        execute_from_command_line(sys.argv)
    except UnreadableSetting as unreadable:
        sys.exit(f"gifshelf: {unreadable}")


if __name__ == "__main__":
    main()

"""The sentences picker.js, review.js and upload.js show, in the page's
language: a JSON data block (not a script, so the CSP allows it) that the
scripts read. `{name}` marks a value the script fills in."""

from django import template
from django.utils.html import json_script
from django.utils.translation import gettext, ngettext, pgettext

register = template.Library()

# Intl.PluralRules categories and a number that falls in each, so the script
# picks the plural form gettext would for its number.
PLURAL_SAMPLES = {"one": 1, "few": 2, "many": 5, "other": 100}


def plural_forms(singular, plural):
    return {
        category: ngettext(singular, plural, n).replace("%(count)s", "{count}")
        for category, n in PLURAL_SAMPLES.items()
    }


def picker():
    return {
        "copied_link_for_rich": gettext(
            "Copied the link to “{title}”: this browser cannot copy images here, "
            "so paste the link."
        ),
        "copied_link": gettext("Copied the link to “{title}”."),
        "copied_rich": gettext("Copied the image of “{title}”."),
        "copied_markdown": gettext("Copied Markdown for “{title}”."),
        "copy_by_hand": gettext(
            "Could not copy “{title}” by itself: press Ctrl+C (⌘C) to copy the "
            "selected text."
        ),
        "drop": gettext("Drop “{title}” into the chat."),
        "off_shelf": gettext(
            "“{title}” is no longer on the shelf: do not send it. Search again "
            "for another GIF."
        ),
        "dismiss": gettext("Dismiss"),
        "still_loading": gettext(
            "Results are still loading: copy once the new ones are shown."
        ),
        "earlier_search": gettext(
            "These results are for an earlier search: search again (Enter in "
            "the search box), then copy."
        ),
        "server_error": gettext(
            "That did not load (the server had a problem). Try again in a moment."
        ),
        "reload": gettext(
            "That was not saved: this page is out of date (it was open too long, "
            "or your session changed). Reload the page and try again."
        ),
        "offline": gettext(
            "The shelf cannot be reached: check the connection and try again."
        ),
        "note_kept": gettext(
            "The preview stays open to keep what you typed: send the flag or "
            "clear it, then press / to search."
        ),
        "note_kept_on_escape": gettext(
            "The preview stays open to keep what you typed: send the flag or "
            "clear it, then press Esc to close it."
        ),
        "preview_loading": gettext(
            "The preview is still loading: copy once the new one is shown."
        ),
        "preview_failed": gettext(
            "This preview is out of date (the new one did not load): open the GIF "
            "again, then copy."
        ),
    }


def review():
    return {
        "still": gettext("Still image: nothing to wait for."),
        "watching": gettext("Watching: {elapsed} of {total}"),
        "watching_again": gettext(
            "Watching again from the start (the page was hidden): {elapsed} of {total}"
        ),
        "watch_started": gettext("Watching one loop of {total}."),
        "watch_started_again": gettext(
            "Watching again from the start (the page was hidden): one loop of {total}."
        ),
        "hidden": gettext(
            "Paused: the page is hidden, so you cannot see the GIF. The loop "
            "starts again when you come back."
        ),
        "rewinding": gettext(
            "Back in view: loading the GIF to play it from the start…"
        ),
        "seconds": gettext("{seconds} s"),
        "watched": gettext("Watched to the end. You may approve."),
        "clock_failed": gettext(
            "Could not start the review clock. Reload the page to try again."
        ),
        "stepped": gettext("Stepped through to the last frame. You may approve."),
        "step_failed": gettext(
            "Could not record the last frame. Reload the page to try again."
        ),
        "play_hint": gettext(
            "The filmstrip shows {shown} of its {total} frames, so stepping "
            "through it is not watching every frame: play it once to the end."
        ),
        "step_hint": gettext(
            "Step through the filmstrip to the last frame (arrow keys work)."
        ),
        "restarted_elsewhere": gettext(
            "The watch was started again in another tab or window, so this loop "
            "does not count and Approve stays disabled. Press “Watch it again” "
            "to watch it to the end here."
        ),
        "left_before_end": gettext(
            "You left the page before the end, so that loop does not count and "
            "Approve stays disabled. Press “Watch it again” to play it once more "
            "from the start."
        ),
        "flash_hint": gettext(
            "It can flash, so it is shown still. Press “Play it once” when you "
            "are ready: Approve waits until it has played to its end."
        ),
    }


def upload():
    return {
        "megabytes": gettext("{size} MB"),
        "kilobytes": gettext("{size} KB"),
        "bytes": plural_forms("%(count)s byte", "%(count)s bytes"),
        "too_large": gettext("larger than {limit}, it will be refused"),
        # Takes a file off the list, not off the disk (the aliases' "Remove"
        # deletes).
        "remove": pgettext("a chosen file, from the upload list", "Remove"),
        "remove_file": gettext("Remove “{name}”"),
        "removed": gettext("Removed “{name}” from the list."),
        "already_chosen": gettext(
            "“{name}” is already in the list, so it was not added again."
        ),
        "too_many": plural_forms(
            "One upload takes up to %(count)s file: choose fewer, or the whole "
            "upload will be refused.",
            "One upload takes up to %(count)s files: choose fewer, or the whole "
            "upload will be refused.",
        ),
    }


PAGES = {"picker": picker, "review": review, "upload": upload}


@register.simple_tag
def js_messages(page):
    return json_script(PAGES[page](), "js-messages")

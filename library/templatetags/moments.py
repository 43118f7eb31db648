"""How long ago something happened, and how long something takes, as the
pages say it."""

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.timesince import timesince
from django.utils.translation import gettext

register = template.Library()


@register.filter
def since(moment):
    """`timesince`, except that the first minute reads "less than a minute"
    (in the page's language), not "0 minutes"."""
    if timezone.now() - moment < timedelta(minutes=1):
        return gettext("less than a minute")
    return timesince(moment)


@register.filter
def duration(ms, decimals=1):
    """Milliseconds as the pages say a duration: "180.0 s", the decimal point
    as the page's language writes it, like the watch clock and the queue's
    "s to watch". `decimals` 2 keeps filmstrip frames a few hundredths of a
    second apart from reading alike."""
    seconds = number_format(ms / 1000, decimal_pos=decimals, use_l10n=True)
    return gettext("%(seconds)s s") % {"seconds": seconds}


@register.filter
def watch_time(gif):
    """How long a reviewer must watch `gif` to its end: "1.6 s to watch" (the
    decimal point as the page's language writes it), or that it is a still."""
    if not gif.watch_ms:
        return gettext("Still: nothing to wait for")
    seconds = number_format(gif.watch_ms / 1000, decimal_pos=1, use_l10n=True)
    return gettext("%(seconds)s s to watch") % {"seconds": seconds}

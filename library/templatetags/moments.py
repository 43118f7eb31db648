"""How long ago something happened, and how long something takes, as the
pages say it."""

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.timesince import timesince
from django.utils.translation import gettext, pgettext_lazy

register = template.Library()

# A month shortened after a day's number, as each language writes it: Django's
# "M" gives "Дек" in Russian, which writes "4 дек." (lower case, in the
# genitive, a dot where letters are left out; "1 мая" keeps the whole word).
MONTH_AFTER_A_DAY = {
    1: pgettext_lazy("month shortened after a day's number", "Jan"),
    2: pgettext_lazy("month shortened after a day's number", "Feb"),
    3: pgettext_lazy("month shortened after a day's number", "Mar"),
    4: pgettext_lazy("month shortened after a day's number", "Apr"),
    5: pgettext_lazy("month shortened after a day's number", "May"),
    6: pgettext_lazy("month shortened after a day's number", "Jun"),
    7: pgettext_lazy("month shortened after a day's number", "Jul"),
    8: pgettext_lazy("month shortened after a day's number", "Aug"),
    9: pgettext_lazy("month shortened after a day's number", "Sep"),
    10: pgettext_lazy("month shortened after a day's number", "Oct"),
    11: pgettext_lazy("month shortened after a day's number", "Nov"),
    12: pgettext_lazy("month shortened after a day's number", "Dec"),
}


def short_date(moment, format="j M Y"):
    """`moment` as Django's `date` would write it in `format`, except that "M"
    is the month shortened as the page's language writes it after a day:
    "4 Dec 2026", "4 дек. 2026"."""
    month = str(MONTH_AFTER_A_DAY[moment.month])
    # date_format("") would give the whole DATE_FORMAT, not nothing.
    return month.join(
        date_format(moment, part) if part else "" for part in format.split("M")
    )


@register.filter(name="short_date", expects_localtime=True)
def short_date_filter(moment, format="j M Y"):
    """The `date` filter with short_date's months; nothing for no moment."""
    return short_date(moment, format) if moment else ""


@register.filter
def as_written(text):
    """A dashboard cell as the page writes it: a moment as other pages do."""
    moment = getattr(text, "moment", None)
    return short_date(moment, text.page_format) if moment else text


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

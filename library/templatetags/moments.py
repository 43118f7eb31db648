"""How long ago something happened, as the pages say it."""

from datetime import timedelta

from django import template
from django.utils import timezone
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

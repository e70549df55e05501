"""Template filters of the caseworker pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def waiting(value: dt.timedelta) -> str:
    """A waiting time in days and hours, as a caseworker reads it."""
    if not isinstance(value, dt.timedelta):
        return ""
    days, seconds = value.days, value.seconds
    hours = seconds // 3600
    if days:
        return gettext("%(days)d日%(hours)d時間") % {"days": days, "hours": hours}
    if hours:
        return gettext("%(hours)d時間") % {"hours": hours}
    return gettext("1時間未満")

import datetime as dt

from django import template

from core.japanese import format_display_date

register = template.Library()


@register.filter
def wareki(value: dt.date | dt.datetime | None) -> str:
    """和暦 in Japanese (令和8年11月30日); '30 Nov 2026' in English."""
    if not value:
        return ""
    return format_display_date(value)


@register.filter
def wareki_time(value: dt.datetime | None) -> str:
    """和暦 with the local time (令和8年11月30日 17:20); '30 Nov 2026 17:20' in English."""
    if not value:
        return ""
    return format_display_date(value, time=True)

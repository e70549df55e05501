import datetime as dt

from django import template
from django.utils import timezone
from django.utils.translation import get_language

from core.japanese import format_wareki

register = template.Library()


@register.filter
def wareki(value: dt.date | dt.datetime | None) -> str:
    """和暦 in Japanese; ISO date in English."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = (
            timezone.localtime(value).date()
            if timezone.is_aware(value)
            else value.date()
        )
    if (get_language() or "ja").startswith("ja"):
        return format_wareki(value)
    return value.strftime("%d %b %Y")

"""The only tags and filters a document template may use.

Administrators write document templates in the browser, so they are
rendered by a separate template engine whose built-ins are this library:
no ``include``/``extends``/``load`` (no reading files), no ``debug`` (no
dumping the context), no ``url``/``csrf_token``, no ``autoescape off`` or
``safe`` (applicants' answers are always escaped).
"""

from __future__ import annotations

import datetime as dt

from django.template import Library, defaultfilters, defaulttags

from core.japanese import format_wareki

register = Library()

ALLOWED_TAGS = (
    "if",
    "for",
    "with",
    "cycle",
    "firstof",
    "spaceless",
    "comment",
    "verbatim",
    "now",
    "templatetag",
    "widthratio",
    "ifchanged",
    "resetcycle",
)
ALLOWED_FILTERS = (
    "add",
    "capfirst",
    "center",
    "cut",
    "date",
    "default",
    "default_if_none",
    "divisibleby",
    "escape",
    "filesizeformat",
    "first",
    "floatformat",
    "join",
    "last",
    "length",
    "linebreaks",
    "linebreaksbr",
    "ljust",
    "lower",
    "make_list",
    "pluralize",
    "rjust",
    "slice",
    "stringformat",
    "time",
    "title",
    "truncatechars",
    "truncatewords",
    "upper",
    "wordcount",
    "yesno",
)

for _name in ALLOWED_TAGS:
    register.tags[_name] = defaulttags.register.tags[_name]
for _name in ALLOWED_FILTERS:
    register.filters[_name] = defaultfilters.register.filters[_name]


@register.filter
def wareki(value: object) -> str:
    """An ISO date string or a date as 和暦: 令和8年11月26日."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return format_wareki(value)
    return ""


@register.filter
def yen(value: object) -> str:
    """12345 → 12,345円."""
    try:
        return f"{int(value):,}円"
    except (TypeError, ValueError):
        return ""

"""The route editor's error markup: the message next to its input, and the
input marked invalid and described by it."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def field_errors(errors: dict[str, list[str]], name: str) -> str:
    messages = errors.get(name)
    if not messages:
        return ""
    return format_html(
        '<div class="text-danger fw-bold" id="f-{}-error">{}</div>',
        name,
        format_html_join("", "<div>{}</div>", ((m,) for m in messages)),
    )


@register.simple_tag
def field_aria(errors: dict[str, list[str]], name: str) -> str:
    if not errors.get(name):
        return ""
    return format_html(' aria-invalid="true" aria-describedby="f-{}-error"', name)


@register.simple_tag
def autofocus(focus: str, name: str) -> str:
    """` autofocus` on the input a button press of the editor lands on."""
    return mark_safe(" autofocus") if focus and focus == name else ""


@register.simple_tag
def row_number(number: Any) -> str:
    """A row's number as the editor's script renumbers it (in labels and the
    buttons' hidden names) when rows are added, moved or removed."""
    return format_html("<span data-n>{}</span>", number)

"""Template helpers for the builder and the resident's page form."""

from __future__ import annotations

from typing import Any

from django import template

from forms_builder.fieldtypes import FIELD_TYPES, loc

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``mapping|get_item:key`` (dicts keyed by a variable)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def localized(text: Any) -> str:
    """A definition's {"ja", "en"} text in the active language."""
    return loc(text)


@register.filter
def type_label(type_name: str) -> str:
    field_type = FIELD_TYPES.get(type_name)
    return str(field_type.label) if field_type else type_name


@register.simple_tag
def progress_position(pages: list, current: int) -> int:
    """1-based position of the current page among the shown pages."""
    for position, page in enumerate(pages, start=1):
        if getattr(page, "index", None) == current:
            return position
    return 0

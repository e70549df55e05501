"""Template helpers of the resident portal."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import filesizeformat

from core.i18n import localized as _localized

register = template.Library()


@register.filter
def localized(obj: Any, field: str) -> str:
    """``{{ version|localized:"summary" }}``: the English twin in English when set."""
    return _localized(obj, field) if obj is not None else ""


@register.filter
def yen(value: int | None) -> str:
    """1200 -> "1,200"."""
    return f"{int(value or 0):,}"


@register.filter
def filesize(value: int | None) -> str:
    return filesizeformat(value or 0)

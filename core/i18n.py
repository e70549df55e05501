"""Bilingual model text: a Japanese field and its English twin."""

from __future__ import annotations

from django.utils.translation import get_language


def localized(obj: object, field: str) -> str:
    """``obj.<field>`` (Japanese) or ``obj.<field>_en`` in English when set."""
    if (get_language() or "ja").startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field)

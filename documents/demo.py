"""Demo data for the documents app, called by the lead's ``seed_demo``."""

from __future__ import annotations

from typing import Any

from documents.defaults import PRESETS
from documents.models import DocumentTemplate


def seed_demo_template(
    procedure_version: Any, preset: str = "permit"
) -> DocumentTemplate:
    """Give a demo procedure version a template (idempotent)."""
    template, _created = DocumentTemplate.objects.get_or_create(
        procedure_version=procedure_version,
        defaults={"preset": preset, **PRESETS[preset]},
    )
    return template

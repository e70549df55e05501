"""A procedure package's document part: the template as plain data."""

from __future__ import annotations

from typing import Any

from documents.models import DocumentTemplate
from documents.selectors import template_for_version

FIELDS = (
    "preset",
    "number_symbol",
    "approval_title",
    "approval_text",
    "rejection_title",
    "rejection_text",
    "closing_text",
    "shown_fields",
    "honorific",
    "print_seal",
    "html",
    "css",
)
FORMAT = 1


def export_template(procedure_version: Any) -> dict[str, Any]:
    """The version's document template (or the default) as JSON-ready data."""
    template = template_for_version(procedure_version)
    return {"format": FORMAT, **{name: getattr(template, name) for name in FIELDS}}


def import_template(procedure_version: Any, data: dict[str, Any]) -> None:
    """Replace the version's template with ``data``; ValueError if it is broken."""
    from django.core.exceptions import ValidationError

    if not isinstance(data, dict):
        raise ValueError("document template: expected an object")
    if data.get("format", FORMAT) != FORMAT:
        raise ValueError(f"document template: unknown format {data.get('format')!r}")
    unknown = set(data) - {*FIELDS, "format"}
    if unknown:
        raise ValueError(f"document template: unknown keys {sorted(unknown)}")
    for name in (
        "approval_title",
        "approval_text",
        "rejection_title",
        "rejection_text",
    ):
        if not isinstance(data.get(name), str) or not data[name].strip():
            raise ValueError(f"document template: {name} is required")
    for name in ("number_symbol", "closing_text", "html", "css", "preset"):
        if name in data and not isinstance(data[name], str):
            raise ValueError(f"document template: {name} must be text")
    if "print_seal" in data and not isinstance(data["print_seal"], bool):
        raise ValueError("document template: print_seal must be true or false")
    template = template_for_version(procedure_version)
    for name in FIELDS:
        if name in data:
            setattr(template, name, data[name])
    if "preset" not in data:
        template.preset = DocumentTemplate.Preset.PERMIT
    try:
        template.full_clean(exclude=["procedure_version"])
    except ValidationError as error:
        problems = "; ".join(
            f"{field}: {' '.join(str(m) for m in messages)}"
            for field, messages in error.message_dict.items()
        )
        raise ValueError(f"document template: {problems}") from error
    template.save()

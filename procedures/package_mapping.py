"""What a package will create, how its sections and positions map, what changes.

A package from another installation names its sections and positions by
that installation's codes. Imported as they are, unknown codes became new
posts that nobody holds, and cases queued for them would wait for ever.
Before importing, the administrator sees every incoming section and
position with the existing one it will use (matched by code, then by
name) and may choose another, or choose to create it.

The mapping is applied by rewriting the codes in the package: the parts
registered by other apps (the route from workflow) keep their own importer
and find the mapped rows by code, as they always have.
"""

from __future__ import annotations

import copy
import difflib
import json
from dataclasses import dataclass, field
from typing import Any

from organisation.models import Position, Section

CREATE = ""  # the mapping value that means "create it from the package"


@dataclass
class IncomingUnit:
    """A section or position the package names, and what it maps to."""

    kind: str  # "section" or "position"
    code: str
    name: str
    detail: str
    match: Any = None  # the existing row chosen by default, or None
    matched_by: str = ""  # "code", "name" or ""


@dataclass
class PackageDiff:
    """How the package differs from the procedure's published version."""

    fields: list[tuple[str, Any, Any]] = field(default_factory=list)
    form_fields: list[tuple[str, str]] = field(default_factory=list)
    parts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.fields or self.form_fields or self.parts)


def _walk(value: Any, visit: Any, key: str = "") -> None:
    if isinstance(value, dict):
        visit(value, key)
        for child_key, child in value.items():
            _walk(child, visit, str(child_key))
    elif isinstance(value, list):
        for item in value:
            _walk(item, visit, key)


def _is_position(data: dict[str, Any]) -> bool:
    return isinstance(data.get("code"), str) and "level" in data


def _is_section(data: dict[str, Any]) -> bool:
    return isinstance(data.get("code"), str) and isinstance(
        data.get("department"), dict
    )


def incoming_units(package: dict[str, Any]) -> list[IncomingUnit]:
    """Every section and position the package names, with its default match."""
    sections: dict[str, dict[str, Any]] = {}
    positions: dict[str, dict[str, Any]] = {}
    sections[package["version"]["section"]["code"]] = package["version"]["section"]

    def visit(data: dict[str, Any], _key: str) -> None:
        if _is_section(data):
            sections.setdefault(data["code"], data)
        elif _is_position(data):
            positions.setdefault(data["code"], data)

    _walk(package.get("sections", {}), visit)
    existing_sections = list(Section.objects.select_related("department"))
    existing_positions = list(Position.objects.all())
    units = []
    for code, data in sorted(sections.items()):
        match, by = _match(code, data.get("name", ""), existing_sections)
        department = data.get("department") or {}
        units.append(
            IncomingUnit(
                "section",
                code,
                data.get("name", ""),
                department.get("name", ""),
                match,
                by,
            )
        )
    for code, data in sorted(positions.items(), key=lambda item: item[1]["level"]):
        match, by = _match(code, data.get("name", ""), existing_positions)
        units.append(
            IncomingUnit(
                "position", code, data.get("name", ""), str(data["level"]), match, by
            )
        )
    return units


def _match(code: str, name: str, existing: list[Any]) -> tuple[Any, str]:
    for row in existing:
        if row.code == code:
            return row, "code"
    named = [row for row in existing if name and row.name == name]
    if len(named) == 1:
        return named[0], "name"
    return None, ""


def apply_mapping(
    package: dict[str, Any],
    *,
    sections: dict[str, str],
    positions: dict[str, str],
) -> dict[str, Any]:
    """The package with incoming codes replaced by the chosen existing codes.

    ``sections``/``positions`` map an incoming code to an existing code, or
    to :data:`CREATE` to keep the package's own (the importers create it).
    """
    package = copy.deepcopy(package)
    section_codes = {code: to for code, to in sections.items() if to}
    position_codes = {code: to for code, to in positions.items() if to}

    def visit(data: dict[str, Any], _key: str) -> None:
        if _is_section(data) and data["code"] in section_codes:
            existing = Section.objects.select_related("department").get(
                code=section_codes[data["code"]]
            )
            data["code"] = existing.code
            data["department"] = {
                **data["department"],
                "code": existing.department.code,
            }
        elif _is_position(data) and data["code"] in position_codes:
            data["code"] = position_codes[data["code"]]
        for key, value in data.items():
            # References to a position by its code (専決の職位, 合議の時期).
            if (
                key.endswith("position")
                and isinstance(value, str)
                and value in position_codes
            ):
                data[key] = position_codes[value]

    visit(package["version"]["section"], "section")
    _walk(package.get("sections", {}), visit)
    return package


def _form_fields(definition: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}

    def visit(data: dict[str, Any], _key: str) -> None:
        if isinstance(data.get("key"), str) and isinstance(data.get("type"), str):
            found[data["key"]] = data

    _walk(definition.get("pages", []), visit)
    return found


def _json_lines(value: Any) -> list[str]:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True).splitlines()


def package_diff(
    *, current: dict[str, Any], incoming: dict[str, Any], field_labels: dict[str, str]
) -> PackageDiff:
    """What importing ``incoming`` changes against the ``current`` package."""
    diff = PackageDiff()
    for name, label in field_labels.items():
        before = current["version"].get(name)
        after = incoming["version"].get(name)
        if before != after:
            diff.fields.append((label, before, after))
    before_fields = _form_fields(current["form"]["definition"])
    after_fields = _form_fields(incoming["form"]["definition"])
    for key in sorted(set(before_fields) | set(after_fields)):
        if key not in before_fields:
            diff.form_fields.append((key, "added"))
        elif key not in after_fields:
            diff.form_fields.append((key, "removed"))
        elif before_fields[key] != after_fields[key]:
            diff.form_fields.append((key, "changed"))
    parts = {
        "rules": (
            {k: v for k, v in current["form"]["definition"].items() if k != "pages"},
            {k: v for k, v in incoming["form"]["definition"].items() if k != "pages"},
        )
    }
    for name in sorted(set(current["sections"]) | set(incoming["sections"])):
        parts[name] = (
            current["sections"].get(name, {}),
            incoming["sections"].get(name, {}),
        )
    for name, (before, after) in parts.items():
        if before != after:
            lines = difflib.unified_diff(
                _json_lines(before),
                _json_lines(after),
                fromfile="published",
                tofile="package",
                lineterm="",
            )
            diff.parts.append((name, "\n".join(lines)))
    return diff

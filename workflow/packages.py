"""The approval route as a section of a procedure package.

Positions and sections are named by code, so a package moves between
installations: importing maps the codes to existing rows and creates the
missing ones, so that a package imports into an empty installation.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from organisation.models import Department, Position, Section
from workflow.models import FinalAuthorityRule, Route, RouteConsultation, RouteLevel


def _position_data(position: Position) -> dict[str, Any]:
    return {
        "code": position.code,
        "name": position.name,
        "name_en": position.name_en,
        "level": position.level,
        "scope": position.scope,
    }


def _section_data(section: Section) -> dict[str, Any]:
    return {
        "code": section.code,
        "name": section.name,
        "name_en": section.name_en,
        "department": {
            "code": section.department.code,
            "name": section.department.name,
            "name_en": section.department.name_en,
        },
    }


def export_route(version: Any) -> dict[str, Any]:
    """The route of ``version`` as JSON-ready data, or {} when it has none."""
    route = Route.objects.filter(procedure_version=version).first()
    if route is None:
        return {}
    return {
        "note": route.note,
        "levels": [
            _position_data(level.position)
            for level in route.levels.select_related("position").order_by("order")
        ],
        "final_rules": [
            {"label": rule.label, "rule": rule.rule, "position": rule.position.code}
            for rule in route.final_rules.select_related("position").order_by("order")
        ],
        "consultations": [
            {
                "section": _section_data(item.section),
                "position": _position_data(item.position),
                "before_position": item.before_position.code,
                "rule": item.rule,
            }
            for item in route.consultations.select_related(
                "section__department", "position", "before_position"
            )
        ],
    }


def _position(data: Any) -> Position:
    if not isinstance(data, dict) or not data.get("code"):
        raise ValueError(_("決裁ルートの職位にコードがありません。"))
    position, _created = Position.objects.get_or_create(
        code=data["code"],
        defaults={
            "name": data.get("name") or data["code"],
            "name_en": data.get("name_en", ""),
            "level": int(data.get("level") or 0),
            "scope": data.get("scope") or "section",
        },
    )
    return position


def _section(data: Any) -> Section:
    if not isinstance(data, dict) or not data.get("code"):
        raise ValueError(_("合議先の課室にコードがありません。"))
    existing = Section.objects.filter(code=data["code"]).first()
    if existing is not None:
        return existing
    department_data = data.get("department") or {}
    if not department_data.get("code"):
        raise ValueError(_("合議先の課室の部局にコードがありません。"))
    department, _created = Department.objects.get_or_create(
        code=department_data["code"],
        defaults={
            "name": department_data.get("name") or department_data["code"],
            "name_en": department_data.get("name_en", ""),
        },
    )
    return Section.objects.create(
        code=data["code"],
        department=department,
        name=data.get("name") or data["code"],
        name_en=data.get("name_en", ""),
    )


def _items(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(i, dict) for i in value):
        raise ValueError(_("決裁ルートの規則は { } の並びで書いてください。"))
    return value


def _rule_problems(runtime: Any, rule: Any) -> list[str]:
    """What is wrong with a rule, checked as the route editor checks it."""
    if not isinstance(rule, dict) or not rule:
        return [_("規則は { } で囲んだ JSON Logic で書いてください。")]
    return runtime.rule_errors(rule)


@transaction.atomic
def import_route(version: Any, data: dict[str, Any]) -> None:
    """Recreate a route on a new draft version; ValueError on broken data."""
    levels = data.get("levels")
    if not isinstance(levels, list) or not levels:
        raise ValueError(_("決裁ルートに段階がありません。"))
    # Rules are checked against the form's schema as the form's own rules are.
    runtime = version.form_version.runtime
    route, _created = Route.objects.update_or_create(
        procedure_version=version, defaults={"note": data.get("note", "")}
    )
    route.levels.all().delete()
    route.final_rules.all().delete()
    route.consultations.all().delete()
    positions = {}
    for order, level in enumerate(levels):
        position = _position(level)
        positions[position.code] = position
        RouteLevel.objects.create(route=route, order=order, position=position)
    for order, item in enumerate(_items(data.get("final_rules"))):
        problems = _rule_problems(runtime, item.get("rule"))
        if problems:
            raise ValueError(_("専決の条件に誤りがあります: ") + "; ".join(problems))
        if item.get("position") not in positions:
            raise ValueError(_("専決の職位が決裁ルートの段階にありません。"))
        FinalAuthorityRule.objects.create(
            route=route,
            order=order,
            label=item.get("label", ""),
            rule=item["rule"],
            position=positions[item["position"]],
        )
    for item in _items(data.get("consultations")):
        rule = item.get("rule") or {}
        if rule:
            problems = _rule_problems(runtime, rule)
            if problems:
                raise ValueError(
                    _("合議の条件に誤りがあります: ") + "; ".join(problems)
                )
        if item.get("before_position") not in positions:
            raise ValueError(_("合議の時期の職位が決裁ルートの段階にありません。"))
        RouteConsultation.objects.create(
            route=route,
            section=_section(item.get("section")),
            position=_position(item.get("position")),
            before_position=positions[item["before_position"]],
            rule=rule,
        )

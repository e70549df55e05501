"""Evaluate a procedure version's route on an application's answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

from forms_builder.rules import evaluate_rule, truthy
from organisation.selectors import slot_key
from workflow.models import Route


class RouteMissing(Exception):
    """The procedure version has no route with at least one level."""


@dataclass
class ChainPlan:
    """The chain a case would be given: levels, 合議, and why it stops where it does."""

    chain: list[dict[str, Any]]
    consultations: list[dict[str, Any]]
    top_level: int
    reason: str = ""
    slots: list[str] = field(default_factory=list)


def _holds(rule: dict[str, Any], answers: dict[str, Any]) -> bool:
    if not rule:
        return True
    # JSON Logic truthiness (empty lists and strings, 0 and null are false),
    # the same as the forms' rules in the browser.
    return truthy(evaluate_rule(rule, answers))


def route_for_version(version: Any) -> Route:
    """The route of ``version`` with everything evaluation needs (4 queries)."""
    route = (
        Route.objects.filter(procedure_version=version)
        .prefetch_related(
            "levels__position",
            "final_rules",
            "consultations__section",
            "consultations__position",
        )
        .first()
    )
    if route is None or not route.levels.all():
        raise RouteMissing(gettext("この手続には承認ルートが設定されていません。"))
    return route


def chain_plan(
    *, version: Any, answers: dict[str, Any], route: Route | None = None
) -> ChainPlan:
    """Apply the 専決 rules and the 合議 rules of ``version``'s route to ``answers``."""
    route = route or route_for_version(version)
    section = version.section
    levels = list(route.levels.all())
    final_position_id = levels[-1].position_id
    reason = gettext("専決の規則に当たらないため、最上位の職位が決裁します。")
    for rule in route.final_rules.all():
        if _holds(rule.rule, answers):
            final_position_id = rule.position_id
            reason = rule.label or str(rule)
            break
    chain: list[dict[str, Any]] = []
    for level in levels:
        position = level.position
        chain.append(
            {
                "position_id": position.pk,
                "position": position.name,
                "position_level": position.level,
                "slot": slot_key(position=position, section=section),
                "section": section.name,
                "final": False,
            }
        )
        if position.pk == final_position_id:
            break
    chain[-1]["final"] = True
    positions = [step["position_id"] for step in chain]
    consultations = []
    for number, consultation in enumerate(route.consultations.all()):
        if not _holds(consultation.rule, answers):
            continue
        # A consultation planned before a level the chain never reaches is held
        # before the final decision instead: it must not be skipped.
        before = (
            positions.index(consultation.before_position_id)
            if consultation.before_position_id in positions
            else len(chain) - 1
        )
        consultations.append(
            {
                "id": f"r{number}",
                "before_level": before,
                "slot": slot_key(
                    position=consultation.position, section=consultation.section
                ),
                "label": f"{consultation.section.name} {consultation.position.name}",
                "status": "pending",
            }
        )
    slots = [step["slot"] for step in chain] + [c["slot"] for c in consultations]
    return ChainPlan(
        chain=chain,
        consultations=consultations,
        top_level=levels[-1].position.level,
        reason=reason,
        slots=slots,
    )

"""Evaluate a procedure version's route on an application's answers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils.translation import gettext

from forms_builder.definition import dependencies
from forms_builder.rules import evaluate_rule, rule_vars, truthy
from organisation.models import Position, Section
from organisation.selectors import slot_for
from workflow.models import FinalAuthorityRule, Route, RouteConsultation, RouteLevel


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


def route_rule_keys(version: Any) -> set[str]:
    """The answer keys the route's 専決 and 合議 rules read."""
    rules = [
        *FinalAuthorityRule.objects.filter(
            route__procedure_version=version
        ).values_list("rule", flat=True),
        *RouteConsultation.objects.filter(route__procedure_version=version).values_list(
            "rule", flat=True
        ),
    ]
    return set().union(*(rule_vars(rule) for rule in rules if rule))


def route_data(*, version: Any, answers: dict[str, Any]) -> dict[str, Any]:
    """The data the route's rules see for ``answers`` (stored answers, by key).

    The form of ``version`` reads them as its own rules do: hidden questions
    are null, computed values are computed from the answers (never taken as
    given), files count. A submission and the route simulator both reach the
    rules through here (``chain_plan``), so they cannot disagree.
    """
    return version.form_version.runtime.rule_values(answers)


def simulation_questions(version: Any) -> tuple[list[Any], list[Any]]:
    """What the route simulator asks, and the computed values it shows.

    The questions the rules read, where a computed value is replaced by the
    questions it is computed from, together with the questions that decide
    whether any of them is shown: (questions to answer, computed values),
    each a list of the form's nodes in document order.
    """
    runtime = version.form_version.runtime
    wanted = set(route_rule_keys(version))
    pending = list(wanted)
    while pending:
        node = runtime.by_key.get(pending.pop())
        for key in dependencies(node) if node is not None else ():
            if key not in wanted:
                wanted.add(key)
                pending.append(key)
    nodes = [node for node in runtime.answer_nodes if node.key in wanted]
    return (
        [node for node in nodes if node.type != "computed"],
        [node for node in nodes if node.type == "computed"],
    )


# The route of a version in one statement of plain SQL (it runs inside every
# submission): its levels in order, then its 専決 rules in order, then its
# 合議 in the order they were added, told apart by ``kind``. Twelve columns
# in every branch; the ones a kind has no use for are NULL (typed where
# PostgreSQL would otherwise take two NULLs for text).
_INT_NULL = "CAST(NULL AS INTEGER)"
_ROUTE_SQL = f"""
SELECT 0 AS kind, l."order" AS sort, NULL AS rule, NULL AS label,
       l.position_id, p.name, p.level, p.scope,
       {_INT_NULL} AS before_id, {_INT_NULL} AS section_id, NULL AS section_name,
       {_INT_NULL} AS department_id
  FROM {RouteLevel._meta.db_table} l
  JOIN {Route._meta.db_table} r ON r.id = l.route_id
  JOIN {Position._meta.db_table} p ON p.id = l.position_id
 WHERE r.procedure_version_id = %s
UNION ALL
SELECT 1, f."order", f.rule, f.label, f.position_id, p.name, NULL, NULL,
       {_INT_NULL}, {_INT_NULL}, NULL, {_INT_NULL}
  FROM {FinalAuthorityRule._meta.db_table} f
  JOIN {Route._meta.db_table} r ON r.id = f.route_id
  JOIN {Position._meta.db_table} p ON p.id = f.position_id
 WHERE r.procedure_version_id = %s
UNION ALL
SELECT 2, c.id, c.rule, NULL, c.position_id, p.name, NULL, p.scope,
       c.before_position_id, c.section_id, s.name, s.department_id
  FROM {RouteConsultation._meta.db_table} c
  JOIN {Route._meta.db_table} r ON r.id = c.route_id
  JOIN {Position._meta.db_table} p ON p.id = c.position_id
  JOIN {Section._meta.db_table} s ON s.id = c.section_id
 WHERE r.procedure_version_id = %s
 ORDER BY 1, 2
"""


def _route_rows(version: Any) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """The route's levels, 専決 rules and 合議 of ``version`` (``_ROUTE_SQL``)."""
    with connection.cursor() as cursor:
        cursor.execute(_ROUTE_SQL, [version.pk] * 3)
        rows = cursor.fetchall()
    kinds: tuple[list[tuple], list[tuple], list[tuple]] = ([], [], [])
    for kind, _sort, rule, *rest in rows:
        # SQLite hands JSON back as text, PostgreSQL as values.
        if isinstance(rule, str):
            rule = json.loads(rule)
        kinds[kind].append((rule, *rest))
    return kinds


def chain_plan(*, version: Any, answers: dict[str, Any]) -> ChainPlan:
    """Apply the 専決 rules and the 合議 rules of ``version``'s route to ``answers``.

    ``answers`` are stored answers; the rules read them through
    :func:`route_data`. One query of plain values for the route (and the
    version's section and form): this runs inside every submission.
    """
    answers = route_data(version=version, answers=answers)
    level_rows, rule_rows, consultation_rows = _route_rows(version)
    levels = [
        (position_id, name, level, scope)
        for _rule, _label, position_id, name, level, scope, *_ in level_rows
    ]
    if not levels:
        raise RouteMissing(gettext("この手続には承認ルートが設定されていません。"))
    section = version.section
    final_position_id = levels[-1][0]
    reason = gettext("専決の規則に当たらないため、最上位の職位が決裁します。")
    for rule, label, position_id, position_name, *_ in rule_rows:
        if _holds(rule, answers):
            final_position_id = position_id
            reason = label or f"→ {position_name}"
            break
    chain: list[dict[str, Any]] = []
    for position_id, name, level, scope in levels:
        chain.append(
            {
                "position_id": position_id,
                "position": name,
                "position_level": level,
                "slot": slot_for(
                    scope=scope,
                    position_id=position_id,
                    section_id=section.pk,
                    department_id=section.department_id,
                ),
                "section": section.name,
                "final": False,
            }
        )
        if position_id == final_position_id:
            break
    chain[-1]["final"] = True
    positions = [step["position_id"] for step in chain]
    consultations = []
    for number, row in enumerate(consultation_rows):
        rule, _label, position_id, position_name, _level, scope, *place = row
        before_id, section_id, section_name, department_id = place
        if not _holds(rule, answers):
            continue
        # A consultation planned before a level the chain never reaches is held
        # before the final decision instead: it must not be skipped.
        before = (
            positions.index(before_id) if before_id in positions else len(chain) - 1
        )
        consultations.append(
            {
                "id": f"r{number}",
                "before_level": before,
                "slot": slot_for(
                    scope=scope,
                    position_id=position_id,
                    section_id=section_id,
                    department_id=department_id,
                ),
                "label": f"{section_name} {position_name}",
                "status": "pending",
            }
        )
    slots = [step["slot"] for step in chain] + [c["slot"] for c in consultations]
    return ChainPlan(
        chain=chain,
        consultations=consultations,
        top_level=levels[-1][2],
        reason=reason,
        slots=slots,
    )

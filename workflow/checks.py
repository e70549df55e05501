"""The route's checks before its procedure version is published
(``settings.PROCEDURES_PUBLISH_CHECKS``, called by procedures' publish).

Errors (publishing is refused): no level; a rule naming a question the
form version does not have, or comparing it with a value of another type
(a number with words…); a 専決 or 合議 on a post that is not on the chain;
amount bands that overlap or leave a gap; a post on the chain or consulted
that nobody holds, today or later. Warnings (shown, may be accepted): a
post nobody holds today (someone takes it up on a later date), or whose
holders are all absent today (their deputies decide, 代決).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from core.i18n import localized
from core.japanese import format_wareki
from organisation.selectors import slot_assignments, slot_for, slot_holders
from procedures.publishing import PublishProblem
from workflow.models import FinalAuthorityRule, RouteConsultation, RouteLevel
from workflow.route_rules import (
    KIND_LABELS,
    ORDERING,
    band_problems,
    split_band,
    subject_index,
    subject_of,
    subjects,
    value_text,
)

COMPARISONS = ORDERING | {"==", "!=", "===", "!=="}


def _comparisons(node: Any) -> Iterator[tuple[str, Any, Any]]:
    """Every (operator, a, b) comparison of two operands anywhere in a rule."""
    if isinstance(node, list):
        for item in node:
            yield from _comparisons(item)
    elif isinstance(node, dict):
        for op, args in node.items():
            if op in COMPARISONS and isinstance(args, list) and len(args) == 2:
                yield op, args[0], args[1]
            if op == "in" and isinstance(args, list) and len(args) == 2:
                yield op, args[1], args[0]
            yield from _comparisons(args)


def _literal_kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    return None


def _fits(kind: str, literal: str, op: str) -> bool:
    if op == "in":
        return kind == "list" and literal == "text"
    if kind in ("text", "date"):
        return literal == "text"
    if kind == "list":
        return False
    if kind == "boolean" and op in ORDERING:
        return False
    return kind == literal


def rule_type_errors(rule: Any, by_logic: dict[str, Any]) -> list[str]:
    """Comparisons of a question (or an aggregate) with a value of another type."""
    problems = []
    for op, left, right in _comparisons(rule):
        for subject_logic, literal in ((left, right), (right, left)):
            subject = subject_of(subject_logic, by_logic)
            kind = _literal_kind(literal)
            if subject is None or kind is None:
                continue
            if not _fits(subject.kind, kind, op):
                problems.append(
                    gettext(
                        "「%(subject)s」（%(kind)s）を「%(value)s」（%(other)s）と比べています。"
                    )
                    % {
                        "subject": subject.label,
                        "kind": KIND_LABELS[subject.kind],
                        "value": value_text(literal),
                        "other": KIND_LABELS[kind],
                    }
                )
    return problems


def _post_problems(slot: str, name: str, today: dt.date) -> list[PublishProblem]:
    holders = slot_holders(slot, today)
    if holders and any(not holder["absent"] for holder in holders):
        return []
    if holders:
        deputies = "、".join(str(holder["deputy"]) for holder in holders)
        return [
            PublishProblem(
                gettext("「%(post)s」は今日、全員不在です（代決: %(deputies)s）。")
                % {"post": name, "deputies": deputies},
                warning=True,
            )
        ]
    later = (
        slot_assignments(slot)
        .filter(start_date__gt=today)
        .select_related("user")
        .order_by("start_date")
        .first()
    )
    if later is not None:
        return [
            PublishProblem(
                gettext(
                    "「%(post)s」は今日は空席です（%(date)sから %(user)s が就きます）。"
                    "それまでの申請はこの職で止まります。"
                )
                % {
                    "post": name,
                    "date": format_wareki(later.start_date),
                    "user": later.user,
                },
                warning=True,
            )
        ]
    return [
        PublishProblem(
            gettext(
                "「%(post)s」には誰も配置されていません（代決する人もいません）。"
                "配置を登録するか、ルートを直してください。"
            )
            % {"post": name}
        )
    ]


def route_publish_problems(version: Any) -> list[PublishProblem]:
    """What is wrong with ``version``'s route, as errors and warnings."""
    section = version.section
    levels = list(
        RouteLevel.objects.filter(route__procedure_version=version)
        .order_by("order")
        .select_related("position")
    )
    if not levels:
        return [
            PublishProblem(
                gettext(
                    "承認ルートに審査の段階がありません。ルートの編集で段階を加えてください。"
                )
            )
        ]
    runtime = version.form_version.runtime
    by_logic = subject_index(subjects(runtime))
    on_chain = {level.position_id for level in levels}
    problems: list[PublishProblem] = []

    def rule_problems(where: str, rule: Any) -> None:
        if not rule:
            return
        for message in [*runtime.rule_errors(rule), *rule_type_errors(rule, by_logic)]:
            problems.append(PublishProblem(f"{where}: {message}"))

    rules = list(
        FinalAuthorityRule.objects.filter(route__procedure_version=version)
        .order_by("order")
        .select_related("position")
    )
    for number, rule in enumerate(rules, start=1):
        where = gettext("専決の規則 %(n)s（%(label)s）") % {
            "n": number,
            "label": rule.label or str(rule.position),
        }
        rule_problems(where, rule.rule)
        if rule.position_id not in on_chain:
            problems.append(
                PublishProblem(
                    gettext(
                        "%(where)s: 決裁する職「%(post)s」が審査の段階にありません。"
                    )
                    % {"where": where, "post": str(rule.position)}
                )
            )
    _start, shape, rows, _otherwise, otherwise_bound = split_band(
        [(rule.rule, rule.position_id) for rule in rules]
    )
    if shape is not None:
        for message in band_problems(shape[0], rows, otherwise_bound):
            problems.append(PublishProblem(message))
    consultations = list(
        RouteConsultation.objects.filter(route__procedure_version=version)
        .order_by("pk")
        .select_related("section__department", "position", "before_position")
    )
    for number, item in enumerate(consultations, start=1):
        where = gettext("合議 %(n)s（%(section)s %(post)s）") % {
            "n": number,
            "section": localized(item.section, "name"),
            "post": str(item.position),
        }
        rule_problems(where, item.rule)
        if item.before_position_id not in on_chain:
            problems.append(
                PublishProblem(
                    gettext("%(where)s: 「%(post)s」が審査の段階にありません。")
                    % {"where": where, "post": str(item.before_position)}
                )
            )
    today = timezone.localdate()
    for level in levels:
        slot = slot_for(
            scope=level.position.scope,
            position_id=level.position_id,
            section_id=section.pk,
            department_id=section.department_id,
        )
        problems.extend(_post_problems(slot, str(level.position), today))
    for item in consultations:
        slot = slot_for(
            scope=item.position.scope,
            position_id=item.position_id,
            section_id=item.section_id,
            department_id=item.section.department_id,
        )
        name = gettext("合議先 %(section)s %(post)s") % {
            "section": localized(item.section, "name"),
            "post": str(item.position),
        }
        problems.extend(_post_problems(slot, name, today))
    return problems

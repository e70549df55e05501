"""専決 and 合議 rules as rows an administrator fills in, and amount bands.

The route stores JSON Logic (``FinalAuthorityRule.rule``,
``RouteConsultation.rule``), which ``routes.chain_plan`` evaluates; this
module is the two-way translation between that JSON and what the route
editor shows, so that nothing new is stored and packages round-trip:

* a **condition rule** is ``{"and"|"or": [condition, …]}`` (always wrapped,
  even with one condition), each condition a comparison of a *left-hand
  side* with a typed value;
* an **amount band** is a run of bare ``{"<": [lhs, bound]}`` (or ``<=``)
  rows at the end of the 専決 rules, with the same left-hand side and rising
  bounds, optionally closed by the complement ``{">=": [lhs, last bound]}``
  (``>`` for ``<=``) naming the "otherwise" level; without it the route's
  last level decides, as for any amount no rule catches;
* a *left-hand side* is a question (``{"var": key}``) or an aggregate over a
  repeating group: the number of rows, or the sum of a number column
  (``reduce``, as the form's own computed values write it).

Anything else is shown as raw JSON Logic (the "advanced" mode).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

# The aggregates are written as the form's computed values write them.
from forms_builder.computed import count_rows as _count
from forms_builder.computed import sum_column as _sum
from forms_builder.fieldtypes import loc

# Field types whose answers rules read as numbers, booleans, lists or text.
NUMBER_TYPES = frozenset({"integer", "amount", "file"})
BOOLEAN_TYPES = frozenset({"yesno", "agreement", "checkbox"})
LIST_TYPES = frozenset({"multichoice"})
TEXT_TYPES = frozenset(
    {"text", "textarea", "address", "email", "phone", "postal_code", "choice"}
)

OPERATORS: dict[str, Any] = {
    "==": pgettext_lazy("比べ方", "等しい"),
    "!=": pgettext_lazy("比べ方", "等しくない"),
    "<": pgettext_lazy("比べ方", "未満"),
    "<=": pgettext_lazy("比べ方", "以下"),
    ">": pgettext_lazy("比べ方", "より大きい"),
    ">=": pgettext_lazy("比べ方", "以上"),
    "in": pgettext_lazy("比べ方", "を含む（複数選択）"),
    "!!": pgettext_lazy("比べ方", "回答がある"),
    "!": pgettext_lazy("比べ方", "回答がない"),
}
ORDERING = frozenset({"<", "<=", ">", ">="})
UNARY = frozenset({"!!", "!"})
COMPLEMENT = {"<": ">=", "<=": ">"}


def kind_of(node: Any) -> str | None:
    """What a question's answer is to a rule: number, boolean, list, text, date."""
    if node.type in NUMBER_TYPES:
        return "number"
    if node.type == "computed":
        if node.spec.get("format") in {"integer", "amount"}:
            return "number"
        return "text"
    if node.type in BOOLEAN_TYPES:
        return "boolean"
    if node.type in LIST_TYPES:
        return "list"
    if node.type == "date":
        return "date"
    if node.type in TEXT_TYPES:
        return "text"
    return None


KIND_LABELS = {
    "number": _("数値"),
    "boolean": _("はい・いいえ"),
    "list": _("複数選択"),
    "date": _("日付"),
    "text": _("文字"),
}


@dataclass(frozen=True)
class Subject:
    """A left-hand side the editor offers: a question or an aggregate."""

    value: str  # "field:amount", "count:items", "sum:items.cost"
    label: str
    kind: str
    logic: Any
    # A choice question's options (value, label): a row may name either.
    options: tuple[tuple[str, str], ...] = ()

    def option_value(self, text: str) -> str | None:
        """The stored value of the option ``text`` names (its value or label)."""
        for value, label in self.options:
            if text in (value, label):
                return value
        return None

    def option_label(self, value: Any) -> str | None:
        for option, label in self.options:
            if option == value:
                return label
        return None


def subjects(runtime: Any) -> list[Subject]:
    """Every question and aggregate a rule's row may compare, in form order."""
    items: list[Subject] = []
    for node in runtime.answer_nodes:
        if node.type == "repeat":
            items.append(
                Subject(
                    f"count:{node.key}",
                    gettext("%(label)sの行数") % {"label": node.label},
                    "number",
                    _count(node.key),
                )
            )
            for column in node.children:
                if kind_of(column) == "number" and column.type != "file":
                    items.append(
                        Subject(
                            f"sum:{node.key}.{column.key}",
                            gettext("%(group)sの%(column)sの合計")
                            % {"group": node.label, "column": column.label},
                            "number",
                            _sum(node.key, column.key),
                        )
                    )
            continue
        kind = kind_of(node)
        if kind is None:
            continue
        label = node.label
        if node.type == "file":
            label = gettext("%(label)s（添付ファイルの数）") % {"label": label}
        options = tuple(
            (str(option.get("value")), loc(option.get("label")))
            for option in node.spec.get("options") or []
            if node.type in ("choice", "multichoice")
        )
        items.append(
            Subject(f"field:{node.key}", label, kind, {"var": node.key}, options)
        )
    return items


def subject_of(logic: Any, by_logic: dict[str, Subject]) -> Subject | None:
    return by_logic.get(json.dumps(logic, sort_keys=True, ensure_ascii=False))


def subject_index(items: list[Subject]) -> dict[str, Subject]:
    """Subjects by their JSON Logic, to read stored rules back."""
    return {
        json.dumps(item.logic, sort_keys=True, ensure_ascii=False): item
        for item in items
    }


# --- what the editor holds ----------------------------------------------------


@dataclass
class Condition:
    subject: str = ""
    op: str = ""
    value: str = ""

    @property
    def blank(self) -> bool:
        return not (self.subject or self.op or self.value)


@dataclass
class RuleDraft:
    """A 専決 rule (label, position) or a 合議 (section, position, before)."""

    label: str = ""
    position: str = ""
    section: str = ""
    before: str = ""
    match: str = "and"
    advanced: bool = False
    logic: str = ""
    conditions: list[Condition] = field(default_factory=list)

    @property
    def blank(self) -> bool:
        return (
            not (self.label or self.position or self.section or self.before)
            and not self.logic.strip()
            and all(c.blank for c in self.conditions)
        )


@dataclass
class BandRow:
    bound: str = ""
    position: str = ""

    @property
    def blank(self) -> bool:
        return not (self.bound.strip() or self.position)


@dataclass
class BandDraft:
    subject: str = ""
    compare: str = "<"  # "<" (未満) or "<=" (以下)
    rows: list[BandRow] = field(default_factory=list)
    otherwise: str = ""  # a position id, or "" for the route's last level


def number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else str(value)


def value_text(value: Any) -> str:
    if isinstance(value, bool):
        return gettext("はい") if value else gettext("いいえ")
    if isinstance(value, int | float):
        return number_text(value)
    return "" if value is None else str(value)


def parse_number(text: str) -> int | float | None:
    cleaned = text.strip().replace(",", "").replace("，", "").replace("円", "")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def condition_from_logic(node: Any, by_logic: dict[str, Subject]) -> Condition | None:
    """A stored comparison as a row, or None when the row editor cannot show it."""
    if not isinstance(node, dict) or len(node) != 1:
        return None
    (op, args), *_ = node.items()
    if op in UNARY:
        args = args if isinstance(args, list) else [args]
        if len(args) != 1:
            return None
        subject = subject_of(args[0], by_logic)
        return Condition(subject.value, op, "") if subject else None
    if op not in OPERATORS or not isinstance(args, list) or len(args) != 2:
        return None
    if op == "in":
        value, lhs = args
    else:
        lhs, value = args
    subject = subject_of(lhs, by_logic)
    if subject is None or isinstance(value, dict | list):
        return None
    return Condition(
        subject.value, op, subject.option_label(value) or value_text(value)
    )


def rule_from_logic(rule: Any, by_logic: dict[str, Subject]) -> RuleDraft:
    """The draft of a stored rule: rows when the editor can show it, else JSON."""
    draft = RuleDraft()
    if not rule:
        return draft  # 合議 without a condition: always
    if isinstance(rule, dict) and len(rule) == 1:
        (op, args), *_ = rule.items()
        if op in ("and", "or") and isinstance(args, list) and args:
            conditions = [condition_from_logic(item, by_logic) for item in args]
            if all(conditions):
                draft.match = op
                draft.conditions = conditions
                return draft
    single = condition_from_logic(rule, by_logic)
    if single is not None:
        # One bare comparison: a rule of one row (saved wrapped in "and").
        draft.conditions = [single]
        return draft
    draft.advanced = True
    draft.logic = json.dumps(rule, ensure_ascii=False)
    return draft


def _bare(rule: Any) -> tuple[str, Any, Any] | None:
    """(operator, lhs, number) of a bare comparison with a number, else None."""
    if not isinstance(rule, dict) or len(rule) != 1:
        return None
    (op, args), *_ = rule.items()
    if op not in ORDERING or not isinstance(args, list) or len(args) != 2:
        return None
    lhs, bound = args
    if isinstance(bound, bool) or not isinstance(bound, int | float):
        return None
    return op, lhs, bound


def split_band(
    rules: list[tuple[Any, Any]],
) -> tuple[int, tuple[str, Any] | None, list[tuple[Any, Any]], Any, Any]:
    """Where the trailing amount band starts in ``rules`` ((rule, position) in
    order), its (operator, lhs), its rows ((bound, position)), its
    "otherwise" position (None when the last level decides) and where the
    "otherwise" row starts.

    A band is the longest run at the end of bare ``<``/``<=`` comparisons of
    one left-hand side with a number, optionally closed by one complement
    row, with at least two rows in all. Whether its bounds rise without gaps is checked by
    :func:`band_problems`, not assumed here: a stored route may be wrong.
    """
    end = len(rules)
    otherwise = otherwise_bound = None
    shape = None
    if rules:
        bare = _bare(rules[-1][0])
        if bare and bare[0] in (">", ">="):
            shape = ({">=": "<", ">": "<="}[bare[0]], bare[1])
            otherwise, otherwise_bound = rules[-1][1], bare[2]
            end -= 1
    start = end
    while start > 0:
        bare = _bare(rules[start - 1][0])
        if bare is None or bare[0] not in ("<", "<="):
            break
        if shape is None:
            shape = (bare[0], bare[1])
        if (bare[0], bare[1]) != shape:
            break
        start -= 1
    if end - start < (1 if otherwise is not None else 2):
        # One bare comparison is an ordinary rule (it keeps its own label);
        # a band has two bounds or an "otherwise" row.
        return len(rules), None, [], None, None
    rows = [(_bare(rule)[2], position) for rule, position in rules[start:end]]
    return start, shape, rows, otherwise, otherwise_bound


def band_problems(
    compare: str, rows: list[tuple[Any, Any]], otherwise_bound: Any = None
) -> list[str]:
    """Overlaps and gaps of a band: bounds must rise, and the "otherwise" row
    must start exactly where the last band ends."""
    problems = []
    bounds = [bound for bound, _position in rows]
    for lower, upper in itertools.pairwise(bounds):
        if upper <= lower:
            problems.append(
                gettext(
                    "金額の区分が重なっています: %(upper)s の区分は %(lower)s の区分の"
                    "後にあるため、決して当たりません。上限は小さい順に並べてください。"
                )
                % {"upper": number_text(upper), "lower": number_text(lower)}
            )
    if otherwise_bound is not None and bounds and otherwise_bound != bounds[-1]:
        word = gettext("すき間") if otherwise_bound > bounds[-1] else gettext("重なり")
        problems.append(
            gettext(
                "金額の区分に%(word)sがあります: 最後の区分の上限は %(last)s、"
                "「それ以外」は %(other)s からです。"
            )
            % {
                "word": word,
                "last": number_text(bounds[-1]),
                "other": number_text(otherwise_bound),
            }
        )
    return problems


def band_rules(
    lhs: Any, compare: str, rows: list[tuple[Any, Any]], otherwise: Any
) -> list[tuple[dict[str, Any], Any]]:
    """A band as stored rule rows ((rule, position)): see the module docstring."""
    stored = [({compare: [lhs, bound]}, position) for bound, position in rows]
    if otherwise is not None and rows:
        stored.append(({COMPLEMENT[compare]: [lhs, rows[-1][0]]}, otherwise))
    return stored

"""Computed values as shapes: a computed field's expression as "the sum of a
column", "A × rate", "A − B" … over the form's numbers, written as JSON Logic
and read back (the builder's editor is ``forms_builder.computed_editor``).

The editor stores the JSON Logic the runtime evaluates (``runtime.normalize_computed``
on the server, ``FormRules.normalizeComputed`` in the browser) and reads it
back: an expression of one of the shapes below, naming questions the form
still has, opens in the editor; anything else opens as raw JSON Logic, which
stays available to experts. Each shape has one way of being written:

=============  ====================================================
shape          JSON Logic (``x``, ``y``: an operand)
=============  ====================================================
sum            ``{"+": [x, y, …]}``
column_sum     ``{"reduce": [{"var": g}, {"+": [{"var": "accumulator"},
               {"var": "current.c"}]}, 0]}``
count          ``{"reduce": [{"var": g}, {"+": [{"var": "accumulator"}, 1]}, 0]}``
multiply       ``{"*": [x, n]}``, ``{"/": [x, d]}`` or ``{"/": [{"*": [x, n]}, d]}``
subtract       ``{"-": [x, y]}``
min / max      ``{"min": [x, y, …, limit?]}`` (``max`` alike)
ratio          ``{"/": [x, y]}`` or, as a percentage, ``{"/": [{"*": [x, 100]}, y]}``
=============  ====================================================

An operand is a number question (``{"var": key}``), or an aggregate over a
repeating group written as the route editor's 専決 rules write it
(``workflow.route_rules`` imports :func:`count_rows` and :func:`sum_column`
from here): the number of rows, or the sum of a number column.

A rate is kept as whole numbers (0.8 is ``× 8 ÷ 10``), so that 端数処理 of
an amount times a decimal rate does not fall one yen short on a float
(0.29 × 100 is 28.999… in binary floating point; 100 × 29 ÷ 100 is 29).
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from forms_builder.definition import Node
from forms_builder.fieldtypes import is_japanese

NUMBER_TYPES = frozenset({"integer", "amount"})
NUMBER_FORMATS = frozenset({"integer", "amount"})
# What a new computed field holds (the number 0 is not a rule): read as a
# sum with nothing chosen yet.
NEW_EXPRESSION: dict[str, Any] = {"+": [0]}

SHAPES = [
    ("sum", _("項目を足す（A ＋ B ＋ …）")),
    ("column_sum", _("繰り返しの列の合計（例: 世帯員の収入の合計）")),
    ("count", _("繰り返しの行数（例: 世帯員の人数）")),
    ("multiply", _("項目に率を掛ける（A × 率）")),
    ("subtract", _("項目から項目を引く（A − B）")),
    ("min", _("いちばん小さい値（上限を設けるときなど）")),
    ("max", _("いちばん大きい値（下限を設けるときなど）")),
    ("ratio", _("割合（A ÷ B）")),
]
_ROUNDING_UNITS = {
    1: _("円未満（1未満）"),
    10: _("10円未満"),
    100: _("百円未満"),
    1000: _("千円未満"),
    10000: _("万円未満"),
}
_ROUNDING_MODES = {"floor": _("切捨て"), "round": _("四捨五入"), "ceil": _("切上げ")}
ROUNDING_CHOICES = [("", _("しない（1未満を四捨五入）"))] + [
    (
        f"{mode}:{unit}",
        format_lazy(_("{unit}{mode}"), unit=unit_label, mode=mode_label),
    )
    for unit, unit_label in _ROUNDING_UNITS.items()
    for mode, mode_label in _ROUNDING_MODES.items()
]

LIST_SHAPES = ("sum", "min", "max")
MAX_RATE_DIGITS = 6  # 0.000001 at the finest: the products stay exact


def count_rows(group: str) -> dict[str, Any]:
    """The number of rows of a repeating group."""
    return {"reduce": [{"var": group}, {"+": [{"var": "accumulator"}, 1]}, 0]}


def sum_column(group: str, column: str) -> dict[str, Any]:
    """The sum of a column of a repeating group (an empty cell counts 0)."""
    return {
        "reduce": [
            {"var": group},
            {"+": [{"var": "accumulator"}, {"var": f"current.{column}"}]},
            0,
        ]
    }


def canonical(logic: Any) -> str:
    return json.dumps(logic, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class Operand:
    """A number an expression may use: a question or an aggregate of a group.

    ``value`` is the route editor's vocabulary: ``field:amount``,
    ``count:items``, ``sum:items.cost``.
    """

    value: str
    label: str
    logic: Any
    name: str = ""  # the label without the key, for sentences

    @property
    def kind(self) -> str:
        return self.value.partition(":")[0]


def number_operands(nodes: list[Node], *, exclude: str = "") -> list[Operand]:
    """Every number a computed value may use, in form order: integer and
    amount questions, computed numbers (not ``exclude``, the field itself),
    and for each repeating group its number of rows and the sums of its
    number columns."""
    operands: list[Operand] = []
    for node in nodes:
        if node.kind != "field" or node.in_repeat or node.key == exclude:
            continue
        if node.type == "repeat":
            operands.append(
                Operand(
                    f"count:{node.key}",
                    gettext("%(label)sの行数") % {"label": node.label},
                    count_rows(node.key),
                )
            )
            for column in node.children:
                if column.type in NUMBER_TYPES:
                    operands.append(
                        Operand(
                            f"sum:{node.key}.{column.key}",
                            gettext("%(group)sの%(column)sの合計")
                            % {"group": node.label, "column": column.label},
                            sum_column(node.key, column.key),
                        )
                    )
        elif node.type in NUMBER_TYPES or (
            node.type == "computed" and node.spec.get("format") in NUMBER_FORMATS
        ):
            operands.append(
                Operand(
                    f"field:{node.key}",
                    f"{node.label} [{node.key}]",
                    {"var": node.key},
                    name=node.label,
                )
            )
    return operands


@dataclass
class Computation:
    """What the editor shows: a shape and its parts (operands by value)."""

    shape: str = "sum"
    terms: list[str] = field(default_factory=list)  # sum, min, max
    a: str = ""  # column_sum, count, multiply, subtract, ratio
    b: str = ""  # subtract, ratio
    rate: str = ""  # multiply: "1/2", "0.8", "3"
    limit: str = ""  # min, max: a number compared with the terms
    percent: bool = False  # ratio × 100


# --- numbers as the editor writes them ----------------------------------------


def _whole(value: Any) -> int | None:
    """A positive whole number of JSON (never a boolean or a float)."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return None
    return value


def _is_power_of_ten(number: int) -> bool:
    text = str(number)
    return text[0] == "1" and set(text[1:]) <= {"0"}


def rate_text(numerator: int, denominator: int) -> str:
    """A rate as the administrator reads it: "3", "0.8", "1/2", "10/110".

    A decimal is shown only where typing it gives the same numbers back."""
    if denominator == 1:
        return str(numerator)
    if (
        _is_power_of_ten(denominator)
        and numerator % 10
        and len(str(denominator)) - 1 <= MAX_RATE_DIGITS
    ):
        value = Decimal(numerator) / Decimal(denominator)
        return format(value, "f")
    return f"{numerator}/{denominator}"


def parse_rate(text: str) -> tuple[int, int]:
    """(numerator, denominator) of "1/2", "0.8", "1.5", "3" or "10%"."""
    cleaned = unicodedata.normalize("NFKC", text or "").strip()
    cleaned = cleaned.replace(" ", "").replace(",", "")
    error = ValidationError(
        _("率は 1/2、0.8、10% のように、0 より大きい数で書いてください。")
    )
    if not cleaned:
        raise ValidationError(_("掛ける率を入力してください（例: 1/2、0.8、10%）。"))
    percent = cleaned.endswith("%")
    if percent:
        cleaned = cleaned[:-1]
    top_text, slash, bottom_text = cleaned.partition("/")
    if percent and slash:
        raise error
    try:
        top = Decimal(top_text)
        bottom = int(bottom_text) if slash else 1
    except (InvalidOperation, ValueError):
        raise error from None
    if not top.is_finite() or top <= 0 or bottom <= 0:
        raise error
    exponent = top.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if places > MAX_RATE_DIGITS or (slash and places):
        raise error
    numerator = int(top * 10**places)
    denominator = bottom * 10**places * (100 if percent else 1)
    if not slash:
        # 10% is 1/10, shown back as 0.1; a fraction stays as typed.
        while numerator % 10 == 0 and denominator % 10 == 0:
            numerator, denominator = numerator // 10, denominator // 10
    if numerator >= 10**9 or denominator >= 10**9:
        raise error
    return numerator, denominator


def rate_logic(operand: Any, numerator: int, denominator: int) -> Any:
    if denominator == 1:
        return {"*": [operand, numerator]}
    scaled = operand if numerator == 1 else {"*": [operand, numerator]}
    return {"/": [scaled, denominator]}


def parse_limit(text: str) -> int | None:
    """A whole number typed as 1,000,000 or １００００００円; None when blank."""
    cleaned = unicodedata.normalize("NFKC", text or "").strip()
    cleaned = cleaned.replace(",", "").replace(" ", "").removesuffix("円")
    if not cleaned:
        return None
    try:
        return int(cleaned)
    except ValueError:
        raise ValidationError(
            _("数は 1,000,000 のように整数で書いてください。")
        ) from None


def limit_text(value: int) -> str:
    return f"{value:,}"


# --- reading JSON Logic back ----------------------------------------------------


def read_computation(expression: Any, operands: dict[str, str]) -> Computation | None:
    """The editor's view of ``expression``, or None when it is not one of
    the shapes or names an operand the form does not have. ``operands``
    maps each operand's canonical JSON to its value."""

    def operand(node: Any) -> str | None:
        return operands.get(canonical(node))

    if canonical(expression) == canonical(NEW_EXPRESSION):
        return Computation("sum")
    if not isinstance(expression, dict) or len(expression) != 1:
        return None
    (operator, args), *_rest = expression.items()
    if operator == "reduce":
        value = operand(expression)
        if value is None:
            return None
        return Computation(
            "count" if value.startswith("count:") else "column_sum", a=value
        )
    if not isinstance(args, list) or not args:
        return None
    if operator == "+":
        terms = [operand(item) for item in args]
        return Computation("sum", terms=terms) if all(terms) else None
    if operator in ("min", "max"):
        limit = ""
        items = list(args)
        if _whole_or_int(items[-1]) is not None:
            limit = limit_text(items.pop())
        terms = [operand(item) for item in items]
        if not items or not all(terms) or len(args) < 2:
            return None
        return Computation(operator, terms=terms, limit=limit)
    if len(args) != 2:
        return None
    left, right = args
    if operator == "-":
        a, b = operand(left), operand(right)
        return Computation("subtract", a=a, b=b) if a and b else None
    if operator == "*":
        a, number = operand(left), _whole(right)
        rate = _rate(number, 1) if number else None
        return Computation("multiply", a=a, rate=rate) if a and rate else None
    if operator == "/":
        return _read_division(left, right, operand)
    return None


def _whole_or_int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _read_division(left: Any, right: Any, operand: Any) -> Computation | None:
    divisor = operand(right)
    if divisor is not None:  # a ratio: A ÷ B, or A × 100 ÷ B
        a = operand(left)
        if a:
            return Computation("ratio", a=a, b=divisor)
        if isinstance(left, dict) and list(left) == ["*"]:
            inner = left["*"]
            if isinstance(inner, list) and len(inner) == 2 and _whole(inner[1]) == 100:
                a = operand(inner[0])
                if a:
                    return Computation("ratio", a=a, b=divisor, percent=True)
        return None
    denominator = _whole(right)
    if denominator is None or denominator == 1:
        return None
    a, numerator = operand(left), 1
    if not a and isinstance(left, dict) and list(left) == ["*"]:
        inner = left["*"]
        if isinstance(inner, list) and len(inner) == 2:
            a, numerator = operand(inner[0]), _whole(inner[1]) or 1
            if numerator == 1:
                return None  # written without "*"
    rate = _rate(numerator, denominator)
    return Computation("multiply", a=a, rate=rate) if a and rate else None


def _rate(numerator: int, denominator: int) -> str | None:
    """The rate's text when typing it gives these numbers back (else the
    expression is shown as JSON Logic, so that saving never changes it)."""
    text = rate_text(numerator, denominator)
    try:
        return text if parse_rate(text) == (numerator, denominator) else None
    except ValidationError:
        return None


# --- writing JSON Logic --------------------------------------------------------


class Problem(Exception):
    """What keeps a computation from being written, for one editor field
    (named without the editor's prefix)."""

    def __init__(self, name: str, message: Any) -> None:
        super().__init__(str(message))
        self.name = name
        self.message = message


# (shape, part) -> the editor field that holds it; terms are <shape>_<n>.
FIELD_OF = {
    ("column_sum", "a"): "column",
    ("count", "a"): "group",
    ("multiply", "a"): "mul_a",
    ("multiply", "rate"): "mul_rate",
    ("subtract", "a"): "sub_a",
    ("subtract", "b"): "sub_b",
    ("ratio", "a"): "ratio_a",
    ("ratio", "b"): "ratio_b",
    ("ratio", "percent"): "ratio_percent",
    ("min", "limit"): "min_limit",
    ("max", "limit"): "max_limit",
}
MISSING = {
    ("column_sum", "a"): _("合計する列を選んでください。"),
    ("count", "a"): _("行数を数える繰り返しを選んでください。"),
    ("multiply", "a"): _("率を掛ける項目を選んでください。"),
    ("subtract", "a"): _("引かれる項目を選んでください。"),
    ("subtract", "b"): _("引く項目を選んでください。"),
    ("ratio", "a"): _("割られる項目を選んでください。"),
    ("ratio", "b"): _("割る項目を選んでください。"),
}


def write_computation(computation: Computation, operands: dict[str, Any]) -> Any:
    """The JSON Logic of ``computation``; ``operands`` maps each operand's
    value to its JSON Logic. Raises :class:`Problem`."""
    shape = computation.shape

    def operand(part: str) -> Any:
        value = getattr(computation, part)
        if value not in operands:
            raise Problem(FIELD_OF[shape, part], MISSING[shape, part])
        return operands[value]

    if shape in LIST_SHAPES:
        terms = [operands[value] for value in computation.terms if value in operands]
        if shape == "sum":
            if not terms:
                raise Problem("sum_1", _("足す項目を1つ以上選んでください。"))
            return {"+": terms}
        try:
            limit = parse_limit(computation.limit)
        except ValidationError as error:
            raise Problem(FIELD_OF[shape, "limit"], error.messages[0]) from None
        if not terms or len(terms) + (limit is not None) < 2:
            raise Problem(
                f"{shape}_1",
                _("比べる項目を2つ以上、または項目を1つと数を選んでください。"),
            )
        return {shape: terms + ([] if limit is None else [limit])}
    if shape in ("column_sum", "count"):
        return operand("a")
    if shape == "multiply":
        a = operand("a")
        try:
            numerator, denominator = parse_rate(computation.rate)
        except ValidationError as error:
            raise Problem("mul_rate", error.messages[0]) from None
        return rate_logic(a, numerator, denominator)
    if shape == "subtract":
        return {"-": [operand("a"), operand("b")]}
    if shape == "ratio":
        a, b = operand("a"), operand("b")
        return {"/": [{"*": [a, 100]} if computation.percent else a, b]}
    raise Problem("shape", _("計算のしかたを選んでください。"))


# --- in words -------------------------------------------------------------------


def formula(spec: dict[str, Any], operands: list[Operand]) -> str:
    """A computed field's expression in words for the builder's outline
    (「本人の収入 × 0.8、千円未満切捨て」), or "" when it is not one of the
    shapes (it is then edited as JSON Logic)."""
    names = {operand.value: operand.name or operand.label for operand in operands}
    computation = read_computation(
        spec.get("expression"),
        {canonical(operand.logic): operand.value for operand in operands},
    )
    if computation is None or (computation.shape == "sum" and not computation.terms):
        return ""
    a, b = names.get(computation.a, ""), names.get(computation.b, "")
    terms = [names[term] for term in computation.terms]
    shape = computation.shape
    if shape == "sum":
        text = " ＋ ".join(terms)
    elif shape in ("column_sum", "count"):
        text = a
    elif shape == "multiply":
        text = f"{a} × {computation.rate}"
    elif shape == "subtract":
        text = f"{a} − {b}"
    elif shape == "ratio":
        text = f"{a} ÷ {b}" + (" × 100" if computation.percent else "")
    else:
        comma = "、" if is_japanese() else ", "
        items = comma.join(
            [*terms, *([computation.limit] if computation.limit else [])]
        )
        template = (
            gettext("%(items)sのうち小さい方")
            if shape == "min"
            else gettext("%(items)sのうち大きい方")
        )
        text = template % {"items": items}
    rounding = spec.get("rounding")
    if isinstance(rounding, dict):
        label = dict(ROUNDING_CHOICES).get(
            f"{rounding.get('mode')}:{rounding.get('unit')}"
        )
        if label:
            text = f"{text}{'、' if is_japanese() else ', '}{label}"
    return text


def formulas(nodes: list[Node]) -> dict[str, str]:
    """The outline's words for every computed field of a definition's nodes."""
    answer_nodes = [n for n in nodes if n.kind == "field" and n.has_answer]
    return {
        node.key: formula(node.spec, number_operands(answer_nodes, exclude=node.key))
        for node in answer_nodes
        if node.type == "computed"
    }

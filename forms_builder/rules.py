"""Rules: JSON Logic that gives the same answer in Python and in the browser.

The Python port (json-logic-qubit) and json-logic-js 2.0.5 disagree on mixed
types: ``1 == "1.0"``, ``"+"`` on an empty answer (an exception here, NaN
there), ``%`` of negatives, ``cat`` of ``null`` ("None" vs "null"), ``in``
on numbers, string slicing of characters outside the BMP such as 𠮷. So:

* only the operators in :data:`ALLOWED_OPERATORS` may appear in a rule
  (``method`` and ``log`` would also let a rule call Python or print);
* the operators whose results differ are replaced, on both sides, by the
  small functions below; ``static/forms_builder/rules.js`` is the line-by-line
  twin of this module and the browser test compares them;
* ``var`` may only name a field of the form (and ``name``/``kana`` of a name
  pair, ``<row>.<column>`` of a repeating group); ``map``/``filter``/``all``/
  ``some``/``none``/``reduce`` iterate over repeating groups only, whose rows
  are never empty objects (the Python port replaces falsy data by ``{}``).

Semantics in one paragraph (documented in docs/forms.md): equality is strict
(``1 == "1"`` is false; numbers compare by value); ``< <= > >=`` compare two
numbers or two strings (by code point), anything else is false; arithmetic
treats an empty answer (null) as 0, gives null for anything that is not a
number and for division by zero; ``cat`` writes null as "" and whole numbers
without a decimal point; ``substr`` counts characters, not UTF-16 units.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Collection, Iterator, Mapping
from typing import Any

import json_logic
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# Operators whose two implementations agree once the overrides below apply.
ALLOWED_OPERATORS = frozenset(
    {
        "var", "missing", "missing_some",
        "if", "?:", "and", "or", "!", "!!",
        "==", "!=", "===", "!==", "<", "<=", ">", ">=", "in",
        "+", "-", "*", "/", "%", "min", "max",
        "cat", "substr", "merge",
        "map", "filter", "reduce", "all", "some", "none",
    }
)  # fmt: skip
SCOPED_OPERATORS = frozenset({"map", "filter", "reduce", "all", "some", "none"})


class _Undefined:
    pass


_NOTHING = _Undefined()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _normalize_number(value: float | int) -> float | int | None:
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if value.is_integer():
            return int(value)
    return value


def _equals(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    if _is_number(a) and _is_number(b):
        return a == b
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return False


def _not_equals(a: Any, b: Any) -> bool:
    return not _equals(a, b)


def _comparable(a: Any, b: Any) -> bool:
    return (_is_number(a) and _is_number(b)) or (
        isinstance(a, str) and isinstance(b, str)
    )


def _less(a: Any, b: Any, c: Any = _NOTHING) -> bool:
    if not _comparable(a, b) or not a < b:
        return False
    return c is _NOTHING or (_comparable(b, c) and b < c)


def _less_equal(a: Any, b: Any, c: Any = _NOTHING) -> bool:
    if not _comparable(a, b) or not a <= b:
        return False
    return c is _NOTHING or (_comparable(b, c) and b <= c)


def _greater(a: Any, b: Any) -> bool:
    return _less(b, a)


def _greater_equal(a: Any, b: Any) -> bool:
    return _less_equal(b, a)


def _in(a: Any, b: Any) -> bool:
    if isinstance(b, str):
        return isinstance(a, str) and a in b
    if isinstance(b, list):
        return any(_equals(a, item) for item in b)
    return False


def _operands(values: tuple[Any, ...]) -> list[float | int] | None:
    """Numbers for arithmetic: an empty answer counts as 0, anything else
    that is not a number makes the whole result empty."""
    numbers: list[float | int] = []
    for value in values:
        if value is None:
            numbers.append(0)
        elif _is_number(value):
            numbers.append(value)
        else:
            return None
    return numbers


def _add(*values: Any) -> Any:
    numbers = _operands(values)
    if numbers is None:
        return None
    total: float | int = 0
    for number in numbers:  # left to right, as JavaScript adds
        total = total + number
    return _normalize_number(total)


def _multiply(*values: Any) -> Any:
    numbers = _operands(values)
    if not numbers:
        return None
    product: float | int = 1
    for number in numbers:
        product = product * number
    return _normalize_number(product)


def _subtract(a: Any, b: Any = _NOTHING) -> Any:
    numbers = _operands((a,) if b is _NOTHING else (a, b))
    if numbers is None:
        return None
    if len(numbers) == 1:
        return _normalize_number(-numbers[0])
    return _normalize_number(numbers[0] - numbers[1])


def _divide(a: Any, b: Any) -> Any:
    numbers = _operands((a, b))
    if numbers is None or numbers[1] == 0:
        return None
    return _normalize_number(numbers[0] / numbers[1])


def _modulo(a: Any, b: Any) -> Any:
    numbers = _operands((a, b))
    if numbers is None or numbers[1] == 0:
        return None
    # JavaScript's % keeps the sign of the dividend, as math.fmod does.
    return _normalize_number(math.fmod(numbers[0], numbers[1]))


def _extreme(values: tuple[Any, ...], pick: Any) -> Any:
    present = [value for value in values if value is not None]
    if not present or not all(_is_number(value) for value in present):
        return None
    return _normalize_number(pick(present))


def _minimum(*values: Any) -> Any:
    return _extreme(values, min)


def _maximum(*values: Any) -> Any:
    return _extreme(values, max)


def to_text(value: Any) -> str:
    """How ``cat`` writes a value (the same as rules.js ``toText``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if _is_number(value):
        number = _normalize_number(value)
        return "" if number is None else str(number)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ",".join(to_text(item) for item in value)
    return ""


def _concatenate(*values: Any) -> str:
    return "".join(to_text(value) for value in values)


def _substring(source: Any, start: Any = 0, length: Any = _NOTHING) -> str:
    text = to_text(source)
    if not isinstance(start, int) or isinstance(start, bool):
        return ""
    begin = max(len(text) + start, 0) if start < 0 else min(start, len(text))
    rest = text[begin:]
    if length is _NOTHING or length is None:
        return rest
    if not isinstance(length, int) or isinstance(length, bool):
        return ""
    if length < 0:
        return rest[: max(len(rest) + length, 0)]
    return rest[:length]


_OVERRIDES = {
    "==": _equals,
    "===": _equals,
    "!=": _not_equals,
    "!==": _not_equals,
    "<": _less,
    "<=": _less_equal,
    ">": _greater,
    ">=": _greater_equal,
    "in": _in,
    "+": _add,
    "-": _subtract,
    "*": _multiply,
    "/": _divide,
    "%": _modulo,
    "min": _minimum,
    "max": _maximum,
    "cat": _concatenate,
    "substr": _substring,
}
# The Python port looks custom operations up before its own common ones, so
# registering under the standard names replaces them process-wide. Nothing
# else in the project evaluates JSON Logic except through this module.
for _name, _function in _OVERRIDES.items():
    json_logic.add_operation(_name, _function)


def evaluate_rule(rule: Any, data: Mapping[str, Any]) -> Any:
    """Evaluate a JSON Logic rule over answers with the project's semantics.

    ``data`` maps field keys to JSON answers. Rules that passed
    :func:`rule_errors` never raise; a rule that fails anyway (stored before
    a definition was validated) logs and gives ``None``, i.e. false.
    """
    if rule is None:
        return None
    try:
        return json_logic.jsonLogic(rule, dict(data))
    except Exception:
        logger.warning("rule evaluation failed: %r", rule, exc_info=True)
        return None


def truthy(value: Any) -> bool:
    """JSON Logic truthiness (an empty list is false), as jsonLogic.truthy.

    Python's bool() agrees on every answer value: rules never see an empty
    object or NaN (arithmetic gives null instead).
    """
    return bool(value)


def rule_holds(rule: Any, data: Mapping[str, Any]) -> bool:
    """Whether a condition holds (a missing rule never holds)."""
    return rule is not None and truthy(evaluate_rule(rule, data))


def _operator_of(node: Any) -> str | None:
    if isinstance(node, dict) and len(node) == 1:
        return next(iter(node))
    return None


def _arguments(node: dict[str, Any]) -> list[Any]:
    values = next(iter(node.values()))
    return values if isinstance(values, list) else [values]


def rule_vars(rule: Any) -> set[str]:
    """Field keys a rule reads (the first segment of every ``var`` and
    ``missing`` name), outside the scoped parts of map/filter/reduce."""
    found: set[str] = set()
    for path, scoped in _walk_vars(rule):
        if not scoped and path:
            found.add(path.split(".")[0])
    return found


def _walk_vars(node: Any, scoped: bool = False) -> Iterator[tuple[str, bool]]:
    operator = _operator_of(node)
    if operator is None:
        if isinstance(node, list):
            for item in node:
                yield from _walk_vars(item, scoped)
        return
    args = _arguments(node)
    if operator == "var":
        if args and isinstance(args[0], str):
            yield args[0], scoped
        return
    if operator in {"missing", "missing_some"}:
        names = args[1] if operator == "missing_some" and len(args) > 1 else args
        if len(names) == 1 and isinstance(names[0], list):
            names = names[0]
        for name in names:
            if isinstance(name, str):
                yield name, scoped
        return
    if operator in SCOPED_OPERATORS and args:
        yield from _walk_vars(args[0], scoped)
        for item in args[1:]:
            yield from _walk_vars(item, True)
        return
    for item in args:
        yield from _walk_vars(item, scoped)


def rule_errors(
    rule: Any,
    known_keys: Collection[str],
    *,
    subkeys: Mapping[str, Collection[str]] | None = None,
    repeat_keys: Collection[str] = (),
) -> list[str]:
    """Problems with a rule, as sentences for an administrator; [] when fine.

    ``known_keys`` are the field keys a ``var`` may name. ``subkeys`` gives
    the parts of composite answers (``{"applicant": ["name", "kana"]}``, the
    columns of a repeating group); ``repeat_keys`` are the repeating groups,
    the only lists that map/filter/reduce/all/some/none may iterate.
    """
    errors: list[str] = []
    _check(rule, set(known_keys), subkeys or {}, set(repeat_keys), None, errors)
    return list(dict.fromkeys(errors))


def _check(
    node: Any,
    known: set[str],
    subkeys: Mapping[str, Collection[str]],
    repeats: set[str],
    scope: tuple[str, str] | None,
    errors: list[str],
) -> None:
    if isinstance(node, list):
        for item in node:
            _check(item, known, subkeys, repeats, scope, errors)
        return
    if isinstance(node, dict):
        if len(node) != 1:
            errors.append(
                _("ルールのオブジェクトは演算子をひとつだけ持ちます（%(keys)s）。")
                % {"keys": ", ".join(map(str, node)) or "{}"}
            )
            return
        operator = next(iter(node))
        if operator not in ALLOWED_OPERATORS:
            errors.append(_("演算子「%(op)s」は使えません。") % {"op": operator})
            return
        args = _arguments(node)
        if operator == "var":
            _check_var(args, known, subkeys, scope, errors)
            return
        if operator in {"missing", "missing_some"}:
            names = args[1] if operator == "missing_some" and len(args) > 1 else args
            if operator == "missing_some" and (
                len(args) != 2 or not isinstance(args[1], list)
            ):
                errors.append(_("missing_some は [個数, [項目...]] の形で書きます。"))
                return
            if len(names) == 1 and isinstance(names[0], list):
                names = names[0]
            for name in names:
                _check_var([name], known, subkeys, scope, errors)
            return
        if operator in SCOPED_OPERATORS:
            _check_scoped(operator, args, known, subkeys, repeats, scope, errors)
            return
        if operator in {"and", "or"} and not args:
            errors.append(_("「%(op)s」には条件が必要です。") % {"op": operator})
        for item in args:
            _check(item, known, subkeys, repeats, scope, errors)
        return
    if node is None or isinstance(node, bool | int | float | str):
        if isinstance(node, float) and not math.isfinite(node):
            errors.append(_("数値が正しくありません。"))
        return
    errors.append(_("ルールに使えない値があります。"))


def _check_var(
    args: list[Any],
    known: set[str],
    subkeys: Mapping[str, Collection[str]],
    scope: tuple[str, str] | None,
    errors: list[str],
) -> None:
    if not args or not isinstance(args[0], str) or not args[0]:
        errors.append(_("var には項目のキーを文字列で指定してください。"))
        return
    if len(args) > 2:
        errors.append(_("var の引数は項目と既定値の2つまでです。"))
    path = args[0].split(".")
    if scope is not None:
        operator, repeat_key = scope
        columns = set(subkeys.get(repeat_key, ()))
        if operator == "reduce":
            ok = path == ["accumulator"] or path == ["current"]
            ok = ok or (len(path) == 2 and path[0] == "current" and path[1] in columns)
        else:
            ok = len(path) == 1 and path[0] in columns
        if not ok:
            errors.append(
                _("「%(path)s」は繰り返し「%(group)s」の列ではありません。")
                % {"path": args[0], "group": repeat_key}
            )
        return
    root = path[0]
    if root not in known:
        errors.append(
            _("ルールが存在しない項目「%(key)s」を参照しています。") % {"key": root}
        )
        return
    rest = path[1:]
    parts = subkeys.get(root)
    if not rest:
        return
    valid = False
    if parts is not None:
        if len(rest) == 1 and rest[0] in parts:
            valid = True  # name pair: applicant.kana
        elif len(rest) == 2 and rest[0].isdigit() and rest[1] in parts:
            valid = True  # repeating group: members.0.relationship
    if not valid:
        errors.append(
            _("「%(path)s」は項目「%(key)s」の中にありません。")
            % {"path": args[0], "key": root}
        )


def _check_scoped(
    operator: str,
    args: list[Any],
    known: set[str],
    subkeys: Mapping[str, Collection[str]],
    repeats: set[str],
    scope: tuple[str, str] | None,
    errors: list[str],
) -> None:
    expected = 3 if operator == "reduce" else 2
    if len(args) != expected:
        errors.append(
            _("「%(op)s」の引数は%(n)s個です。") % {"op": operator, "n": expected}
        )
        return
    source = args[0]
    repeat_key = None
    if _operator_of(source) == "var" and scope is None:
        var_args = _arguments(source)
        if len(var_args) == 1 and var_args[0] in repeats:
            repeat_key = var_args[0]
    if repeat_key is None:
        errors.append(
            _('「%(op)s」は繰り返し項目（{"var": "キー"}）にだけ使えます。')
            % {"op": operator}
        )
        return
    if operator == "reduce" and not (args[2] is None or _is_number(args[2])):
        errors.append(_("reduce の初期値は数値にしてください。"))
    _check(args[1], known, subkeys, repeats, (operator, repeat_key), errors)

"""The rule-row editor: a condition as rows of "field, operator, value or
another field" combined with "all" or "any", which become JSON Logic; a rule
the rows cannot express is kept and edited as raw JSON Logic.

Used by the form builder (visibility, requirement, cross-field checks) and
meant for any screen that edits a rule over a form's answers (the route
editor's 専決 and 合議 rules): give it the form's answer nodes
(``FormRuntime.field_keys()`` gives each one's ``node``) and render
``templates/forms_builder/rule_editor.html`` with ``editor=``.
"""

from __future__ import annotations

import json
import math
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.japanese import parse_japanese_date
from forms_builder.definition import Node

OPERATORS = [
    ("eq", _("＝ と等しい")),
    ("ne", _("≠ と等しくない")),
    ("gt", _("＞ より大きい")),
    ("ge", _("≧ 以上")),
    ("lt", _("＜ より小さい")),
    ("le", _("≦ 以下")),
    ("filled", _("が入力されている")),
    ("empty", _("が入力されていない")),
    ("contains", _("に次を含む（複数選択）")),
]
_JSON_OPERATOR = {"eq": "==", "ne": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
_OPERATOR_OF = {value: key for key, value in _JSON_OPERATOR.items()}
NUMERIC_TYPES = {"integer", "amount", "computed", "file"}


Row = tuple[str, str, str, str]  # field, operator, value (or factor), other field


def rule_to_rows(rule: Any) -> tuple[str, list[Row]] | None:
    """("all"|"any", [(field, operator, value, other)]) when the rows can
    express it; ``other`` is the field compared with (then ``value`` is its
    factor, "" for 1), or "" when the row compares with a value."""
    if rule is None:
        return "all", []
    combinator, parts = "all", [rule]
    if isinstance(rule, dict) and len(rule) == 1 and next(iter(rule)) in {"and", "or"}:
        combinator = "all" if "and" in rule else "any"
        parts = rule["and" if "and" in rule else "or"]
        if not isinstance(parts, list):
            return None
    rows = []
    for part in parts:
        row = _condition_row(part)
        if row is None:
            return None
        rows.append(row)
    return combinator, rows


def _var_name(node: Any) -> str | None:
    if isinstance(node, dict) and list(node) == ["var"]:
        value = node["var"]
        if isinstance(value, str):
            return value
    return None


def _condition_row(part: Any) -> Row | None:
    if not isinstance(part, dict) or len(part) != 1:
        return None
    operator, args = next(iter(part.items()))
    if operator in {"!!", "!"}:
        name = _var_name(args[0] if isinstance(args, list) and len(args) == 1 else args)
        if not name:
            return None
        return name, "filled" if operator == "!!" else "empty", "", ""
    if not isinstance(args, list) or len(args) != 2:
        return None
    if operator == "in":
        name = _var_name(args[1])
        if name and isinstance(args[0], str):
            return name, "contains", args[0], ""
        return None
    if operator in _OPERATOR_OF:
        name = _var_name(args[0])
        literal = args[1]
        if name and (literal is None or isinstance(literal, str | int | float | bool)):
            return name, _OPERATOR_OF[operator], _literal_text(literal), ""
        other = _scaled_var(literal)
        if name and other:
            return name, _OPERATOR_OF[operator], other[1], other[0]
    return None


def _number_text(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return str(int(value)) if float(value).is_integer() else str(value)


def _scaled_var(node: Any) -> tuple[str, str] | None:
    """(field, factor) of ``{"var": f}``, ``{"*": [{"var": f}, k]}``,
    ``{"/": [{"var": f}, d]}`` or ``{"/": [{"*": [{"var": f}, n]}, d]}``;
    the factor reads "", "k", "1/d" or "n/d"."""
    name = _var_name(node)
    if name:
        return name, ""
    if not isinstance(node, dict) or len(node) != 1:
        return None
    operator, args = next(iter(node.items()))
    if not isinstance(args, list) or len(args) != 2:
        return None
    number = _number_text(args[1])
    if number is None:
        return None
    if operator == "*":
        name = _var_name(args[0])
        return (name, number) if name else None
    if operator == "/":
        inner = _scaled_var(args[0])
        if inner and "/" not in inner[1] and "." not in number:
            return inner[0], f"{inner[1] or 1}/{number}"
    return None


def scaled_var(key: str, factor: str) -> Any:
    """The JSON Logic of another field times a factor ("", "0.8", "1/2")."""
    text = factor.strip().replace("／", "/").replace(" ", "")
    if not text:
        return {"var": key}
    numerator, _slash, denominator = text.partition("/")
    try:
        top = float(numerator)
        bottom = int(denominator) if denominator else 1
    except ValueError:
        raise ValidationError(_("倍率は 1/2 や 0.8 のように書いてください。")) from None
    if bottom <= 0 or not math.isfinite(top):
        raise ValidationError(_("倍率は 1/2 や 0.8 のように書いてください。"))
    scaled: Any = {"var": key}
    number = int(top) if top.is_integer() else top
    if number != 1:
        scaled = {"*": [scaled, number]}
    if bottom != 1:
        scaled = {"/": [scaled, bottom]}
    return scaled


def _literal_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


class RuleEditor:
    """Adds "field / operator / value" rows plus a raw JSON Logic box to a form."""

    def __init__(
        self,
        form: forms.Form,
        prefix: str,
        *,
        rule: Any,
        fields: list[Node],
        label: str,
    ) -> None:
        self.form = form
        self.prefix = prefix
        # A row compares one answer; a repeating group is read by aggregates.
        fields = [node for node in fields if node.type != "repeat"]
        self.types = {node.key: node.type for node in fields}
        parsed = rule_to_rows(rule)
        if parsed and any(
            row[0] not in self.types or (row[3] and row[3] not in self.types)
            for row in parsed[1]
        ):
            # A row naming a field that is gone could not be shown in a
            # select and would be lost on save: keep the rule as JSON.
            parsed = None
        advanced = parsed is None
        combinator, rows = parsed if parsed else ("all", [])
        count = max(len(rows) + 1, 2)
        self.row_names: list[tuple[str, str, str, str]] = []
        choices = [("", _("（項目を選ぶ）"))] + [
            (node.key, f"{node.label} [{node.key}]") for node in fields
        ]
        form.fields[f"{prefix}_combinator"] = forms.ChoiceField(
            label=label,
            choices=[
                ("all", _("次のすべてに当てはまるとき")),
                ("any", _("次のいずれかに当てはまるとき")),
            ],
            initial=combinator,
            required=False,
        )
        for index in range(count):
            names = (
                f"{prefix}_{index}_field",
                f"{prefix}_{index}_op",
                f"{prefix}_{index}_value",
                f"{prefix}_{index}_other",
            )
            self.row_names.append(names)
            row = rows[index] if index < len(rows) else ("", "eq", "", "")
            number = index + 1
            form.fields[names[0]] = forms.ChoiceField(
                label=_("条件%(n)s: 項目") % {"n": number},
                choices=choices,
                required=False,
                initial=row[0],
            )
            form.fields[names[1]] = forms.ChoiceField(
                label=_("条件%(n)s: 比べ方") % {"n": number},
                choices=OPERATORS,
                required=False,
                initial=row[1],
            )
            form.fields[names[2]] = forms.CharField(
                label=_("条件%(n)s: 値") % {"n": number},
                required=False,
                initial=row[2],
                # How to write values is said once, under the rows.
            )
            form.fields[names[3]] = forms.ChoiceField(
                label=_("条件%(n)s: または比べる項目") % {"n": number},
                choices=[("", _("（値と比べる）")), *choices[1:]],
                required=False,
                initial=row[3],
            )
        form.fields[f"{prefix}_advanced"] = forms.BooleanField(
            label=_("JSON Logic を直接編集する（上の条件の行は使いません）"),
            required=False,
            initial=advanced,
        )
        form.fields[f"{prefix}_raw"] = forms.CharField(
            label=_("JSON Logic"),
            required=False,
            initial=json.dumps(rule, ensure_ascii=False) if rule is not None else "",
            widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        )

    @property
    def bound(self) -> dict[str, Any]:
        """Bound fields for templates/forms_builder/rule_editor.html."""
        form = self.form
        return {
            "combinator": form[f"{self.prefix}_combinator"],
            "rows": [
                (form[a], form[b], form[c], form[d]) for a, b, c, d in self.row_names
            ],
            "advanced": form[f"{self.prefix}_advanced"],
            "raw": form[f"{self.prefix}_raw"],
        }

    @property
    def names(self) -> list[str]:
        flat = [f"{self.prefix}_combinator"]
        for row in self.row_names:
            flat.extend(row)
        return [*flat, f"{self.prefix}_advanced", f"{self.prefix}_raw"]

    def rule(self, cleaned: dict[str, Any]) -> Any:
        """The JSON Logic of the submitted rows (None when no row is filled)."""
        if cleaned.get(f"{self.prefix}_advanced"):
            raw = (cleaned.get(f"{self.prefix}_raw") or "").strip()
            if not raw:
                return None
            try:
                return json.loads(raw)
            except json.JSONDecodeError as error:
                self.form.add_error(
                    f"{self.prefix}_raw",
                    _("JSON として読めません: %(msg)s") % {"msg": error.msg},
                )
                return None
        parts = []
        for field_name, op_name, value_name, other_name in self.row_names:
            key = cleaned.get(field_name)
            if not key:
                continue
            operator = cleaned.get(op_name) or "eq"
            text = (cleaned.get(value_name) or "").strip()
            if operator in {"filled", "empty"}:
                parts.append({"!!" if operator == "filled" else "!": {"var": key}})
                continue
            other = cleaned.get(other_name)
            if other:
                if operator == "contains":
                    self.form.add_error(
                        other_name,
                        _("「含む」は項目どうしでは比べられません。"),
                    )
                    continue
                try:
                    scaled = scaled_var(other, text)
                except ValidationError as error:
                    self.form.add_error(value_name, error)
                    continue
                parts.append({_JSON_OPERATOR[operator]: [{"var": key}, scaled]})
                continue
            try:
                literal = self._literal(self.types.get(key, "text"), text)
            except ValidationError as error:
                self.form.add_error(value_name, error)
                continue
            if operator == "contains":
                parts.append({"in": [str(literal), {"var": key}]})
            else:
                parts.append({_JSON_OPERATOR[operator]: [{"var": key}, literal]})
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        combinator = (
            "or" if cleaned.get(f"{self.prefix}_combinator") == "any" else "and"
        )
        return {combinator: parts}

    @staticmethod
    def _literal(type_name: str, text: str) -> Any:
        """The value typed to match the answer (rules compare strictly)."""
        if type_name in NUMERIC_TYPES:
            try:
                return int(text.replace(",", ""))
            except ValueError:
                raise ValidationError(_("数値を入力してください。")) from None
        if type_name in {"yesno", "agreement", "checkbox"}:
            lowered = text.lower()
            if lowered in {"true", "yes", "はい", "1"}:
                return True
            if lowered in {"false", "no", "いいえ", "0"}:
                return False
            raise ValidationError(
                _("true（はい）か false（いいえ）を入力してください。")
            )
        if type_name == "date" and text:
            try:
                return parse_japanese_date(text).isoformat()
            except ValueError:
                raise ValidationError(_("日付として読めません。")) from None
        return text

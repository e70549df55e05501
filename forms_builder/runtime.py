"""The public facade: what other apps use to ask, check and show a form.

    from forms_builder.runtime import FormRuntime

    rt = FormRuntime(version.schema)          # or version.runtime (cached)
    rt.pages                                  # [Page(key, title, index)]
    rt.visible_page_indexes(answers)          # [0, 2] when page 1 is hidden
    form = rt.page_form(i, data=request.POST, files=request.FILES,
                        answers=answers, existing_files=refs_by_key)
    if form.is_valid():
        form.page_answers()                   # {key: JSON answer}, this page
        form.new_files()                      # {key: [UploadedFile]} to store
    rt.validate(answers)                      # {key: [messages]}; {} if valid
    rt.clean(answers)                         # hidden removed, computed redone
    rt.display(answers)                       # sections for confirmation/PDF
    rt.prefill(user)                          # first answers from the profile
    rt.field_keys(); rt.field(key)            # introspection for workflow rules
    rt.rule_errors(rule)                      # check a rule written over answers
    rt.rule_values(answers)                   # what such a rule reads
    rt.checks                                 # cross-field checks by field key

Answers are plain JSON by field key: text -> str; integer and amount -> int;
date -> "YYYY-MM-DD"; choice -> str; multichoice -> [str] in option order;
yesno -> bool; agreement -> bool; checkbox -> bool; corporate_number
-> str (13 digits); name_pair -> {"name", "kana"}; repeat ->
[{column: answer}]; file -> [{"id", "name", "size", "content_type"}];
computed -> number or str. An unanswered question is None.

A page form whose POST pressed a repeating group's "add row" / "remove row"
button (``_fb_action``) reports ``is_valid() == False`` without errors:
render it again and the rows have changed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from forms_builder.definition import (
    Node,
    answer_nodes,
    evaluation_order,
    rule_scope,
    validations,
    walk,
)
from forms_builder.fieldtypes import FIELD_TYPES, ff, loc
from forms_builder.forms import PageForm, answers_as_post
from forms_builder.rules import evaluate_rule, rule_errors, rule_holds, to_text


@dataclass(frozen=True)
class Page:
    """One page of the form; ``title`` is in the active language."""

    key: str
    index: int
    node: Node

    @property
    def title(self) -> str:
        return loc(self.node.spec.get("title"))


@dataclass(frozen=True)
class FieldInfo:
    """A question, for the workflow's delegated-authority rule editor."""

    key: str
    type: str
    node: Node

    @property
    def label(self) -> str:
        return self.node.label

    @property
    def options(self) -> list[tuple[str, str]]:
        return [
            (str(option.get("value")), loc(option.get("label")))
            for option in self.node.spec.get("options") or []
        ]

    def __iter__(self):  # unpacks as (key, label, type)
        return iter((self.key, self.label, self.type))


@dataclass
class Evaluation:
    """Which pages and fields are shown and required, and what rules saw."""

    visible: dict[str, bool]
    required: dict[str, bool]
    values: dict[str, Any]


def normalize_computed(
    value: Any, fmt: str | None, rounding: dict[str, Any] | None = None
) -> Any:
    """A computed result as stored; mirrors rules.js normalizeComputed."""
    if fmt in {"integer", "amount"}:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        if not math.isfinite(value):
            return None
        if isinstance(rounding, dict) and rounding.get("mode") in ROUNDING_MODES:
            return round_to_unit(value, rounding["mode"], int(rounding["unit"]))
        # Math.round in JavaScript rounds halves up, also below zero.
        return math.floor(value + 0.5)
    text = to_text(value)
    return text or None


ROUNDING_MODES = ("floor", "ceil", "round")
ROUNDING_UNITS = (1, 10, 100, 1000, 10000)


def round_to_unit(value: float, mode: str, unit: int) -> int:
    """端数処理: 切捨て (floor), 切上げ (ceil) or 四捨五入 (round) to ``unit``.

    Symmetric about zero, as 端数処理 of an amount is: 千円未満切捨て of
    -1,500 is -1,000. The same float steps as rules.js roundToUnit, so
    the browser shows what the server stores.
    """
    size = abs(value) / unit
    if mode == "floor":
        whole = math.floor(size)
    elif mode == "ceil":
        whole = math.ceil(size)
    else:
        whole = math.floor(size + 0.5)
    return int((-1 if value < 0 else 1) * whole * unit)


_SHAPES: dict[str, Any] = {
    "text": str, "textarea": str, "address": str, "email": str, "phone": str,
    "postal_code": str, "date": str, "choice": str,
    "integer": int, "amount": int,
    "yesno": bool, "agreement": bool, "checkbox": bool, "corporate_number": str,
    "multichoice": list, "repeat": list, "file": list, "name_pair": dict,
}  # fmt: skip


def answer_shape_ok(type_name: str, value: Any) -> bool:
    """Whether a stored answer has the JSON type its field type produces."""
    if value is None:
        return True
    expected = _SHAPES.get(type_name)
    if expected is None:
        return True
    if expected is int and isinstance(value, bool):
        return False
    if not isinstance(value, expected):
        return False
    if type_name == "multichoice":
        return all(isinstance(item, str) for item in value)
    if type_name == "repeat":
        return all(isinstance(row, dict) for row in value)
    if type_name == "file":
        return all(isinstance(ref, dict) and "id" in ref for ref in value)
    if type_name == "name_pair":
        return all(isinstance(value.get(part), str) for part in ("name", "kana"))
    return True


class FormRuntime:
    """A validated form definition, ready to ask, check and display answers."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self.nodes = walk(schema)
        self.by_key = {node.key: node for node in self.nodes if node.in_repeat is None}
        order, _cycles = evaluation_order(self.nodes)
        # A definition with cycles is never published; keep drafts previewable.
        self.order = order + [
            node.key
            for node in self.nodes
            if node.in_repeat is None and node.key not in order
        ]
        self.answer_nodes = answer_nodes(self.nodes)
        # Cross-field checks, by the question their message goes under.
        self.checks: dict[str, list[dict[str, Any]]] = {}
        for check in validations(schema):
            self.checks.setdefault(check["field"], []).append(check)
        self.pages = [
            Page(node.key, node.page_index, node)
            for node in self.nodes
            if node.kind == "page"
        ]

    # --- introspection ------------------------------------------------------

    def field_keys(self) -> list[FieldInfo]:
        """Every question with an answer, as (key, label, type), in order."""
        return [FieldInfo(node.key, node.type, node) for node in self.answer_nodes]

    def field(self, key: str) -> FieldInfo | None:
        node = self.by_key.get(key)
        if node is None or not node.has_answer:
            return None
        return FieldInfo(node.key, node.type, node)

    def columns(self, key: str) -> list[Node]:
        node = self.by_key.get(key)
        return list(node.children) if node is not None else []

    def page_nodes(self, index: int) -> list[Node]:
        """Top-level (non-column) fields of a page, in document order."""
        return [
            node
            for node in self.nodes
            if node.kind == "field" and node.page_index == index and not node.in_repeat
        ]

    # --- rules --------------------------------------------------------------

    def rule_data(self, answers: dict[str, Any]) -> dict[str, Any]:
        """Answers as rules see them: every key present, files as a count."""
        data: dict[str, Any] = {}
        for node in self.answer_nodes:
            value = answers.get(node.key)
            if node.type == "file":
                value = len(value) if isinstance(value, list) else 0
            elif node.type == "computed":
                value = None  # always recomputed
            elif not answer_shape_ok(node.type, value):
                value = None
            data[node.key] = value
        return data

    def rule_errors(self, rule: Any) -> list[str]:
        """Problems with a rule written over this form's answers (workflow's
        専決/合議 rules), checked in the scope the form's own rules have:
        composite parts, repeating groups and their columns."""
        known, subkeys, repeats = rule_scope(self.nodes)
        return rule_errors(rule, known, subkeys=subkeys, repeat_keys=repeats)

    def rule_values(self, answers: dict[str, Any]) -> dict[str, Any]:
        """Answers as a rule outside the form reads them: every key present,
        hidden questions null, computed values computed from the answers,
        files as a count. The one reading of answers for route rules, so a
        simulation and a submission see the same data."""
        return self.evaluate(self.rule_data(answers)).values

    def evaluate(self, data: dict[str, Any]) -> Evaluation:
        """Visibility, requirement and computed values for rule data.

        Keys are settled in ``self.order`` (every rule reads only keys settled
        before it); a hidden field's value is null for the rules after it.
        conditions.js runs the same loop over the same order.
        """
        values: dict[str, Any] = {node.key: None for node in self.answer_nodes}
        visible: dict[str, bool] = {}
        for key in self.order:
            node = self.by_key[key]
            spec = node.spec
            shown = visible.get(node.parent, True) if node.parent else True
            if shown and "show_if" in spec:
                shown = rule_holds(spec["show_if"], values)
            if shown and "hide_if" in spec:
                shown = not rule_holds(spec["hide_if"], values)
            visible[key] = shown
            if not node.has_answer:
                continue
            if not shown:
                values[key] = None
            elif node.type == "computed":
                result = evaluate_rule(spec.get("expression"), values)
                values[key] = normalize_computed(
                    result, spec.get("format"), spec.get("rounding")
                )
            else:
                values[key] = data.get(key)
        required = {
            node.key: bool(
                visible.get(node.key)
                and (
                    node.spec.get("required") is True
                    or rule_holds(node.spec.get("required_if"), values)
                )
            )
            for node in self.answer_nodes
        }
        return Evaluation(visible, required, values)

    def failed_checks(self, key: str, evaluation: Evaluation) -> list[str]:
        """Messages of the cross-field checks under ``key`` that do not hold.

        A check applies only to a question that is shown and answered: an
        empty answer is the business of ``required``, and a check on it
        would only repeat that with a less precise message.
        """
        if not evaluation.visible.get(key) or evaluation.values.get(key) is None:
            return []
        return [
            loc(check.get("message")) or _("入力内容を確認してください。")
            for check in self.checks.get(key, [])
            if not rule_holds(check["rule"], evaluation.values)
        ]

    def visible_page_indexes(self, answers: dict[str, Any]) -> list[int]:
        evaluation = self.evaluate(self.rule_data(answers))
        return [page.index for page in self.pages if evaluation.visible.get(page.key)]

    # --- pages --------------------------------------------------------------

    def page_form(
        self,
        index: int,
        *,
        data: Any = None,
        files: Any = None,
        answers: dict[str, Any] | None = None,
        existing_files: dict[str, list[dict[str, Any]]] | None = None,
    ) -> PageForm:
        """A Django form for one page, initialised from ``answers``."""
        return PageForm(
            self,
            index,
            data=data,
            files=files,
            answers=answers or {},
            existing_files=existing_files or {},
        )

    # --- whole-form operations ---------------------------------------------

    def clean(self, answers: dict[str, Any]) -> dict[str, Any]:
        """Answers of visible fields only, computed values recomputed."""
        evaluation = self.evaluate(self.rule_data(answers))
        cleaned: dict[str, Any] = {}
        for node in self.answer_nodes:
            if not evaluation.visible.get(node.key):
                continue
            if node.type == "computed":
                cleaned[node.key] = evaluation.values[node.key]
            elif node.key in answers:
                cleaned[node.key] = answers[node.key]
        return cleaned

    def validate(self, answers: dict[str, Any]) -> dict[str, list[str]]:
        """Every problem at submission, by field key; {} when the answers pass.

        Each visible page is validated by its own page form, fed with the
        answers as a browser would post them, so a submission is checked by
        exactly the rules that checked each page. Hidden fields are skipped.
        """
        errors: dict[str, list[str]] = {}
        for node in self.answer_nodes:
            if not answer_shape_ok(node.type, answers.get(node.key)):
                errors[node.key] = [_("回答の形式が正しくありません。")]
        safe = {key: value for key, value in answers.items() if key not in errors}
        existing = {
            node.key: list(safe.get(node.key) or [])
            for node in self.answer_nodes
            if node.type == "file"
        }
        for index in self.visible_page_indexes(safe):
            form = self.page_form(
                index,
                data=answers_as_post(self, index, safe),
                files={},
                answers=safe,
                existing_files=existing,
            )
            if not form.is_valid():
                for key, messages in form.errors_by_key().items():
                    errors.setdefault(key, []).extend(messages)
        return errors

    def display(self, answers: dict[str, Any]) -> list[dict[str, Any]]:
        """Visible answers by page, as text: for confirmation pages and documents.

        Each item: {"key", "label", "value" (text; dates in 和暦 in Japanese),
        "files" (refs, file fields only), "rows" (repeating groups only: a list
        of rows, each a list of {"key", "label", "value"})}.
        """
        evaluation = self.evaluate(self.rule_data(answers))
        sections: list[dict[str, Any]] = []
        for page in self.pages:
            if not evaluation.visible.get(page.key):
                continue
            items = []
            for node in self.page_nodes(page.index):
                if not node.has_answer or not evaluation.visible.get(node.key):
                    continue
                field_type = FIELD_TYPES[node.type]
                value = (
                    evaluation.values[node.key]
                    if node.type == "computed"
                    else answers.get(node.key)
                )
                item: dict[str, Any] = {
                    "key": node.key,
                    "label": node.label,
                    "type": node.type,
                    "value": field_type.display(node.spec, value),
                    "files": list(value or []) if node.type == "file" else [],
                }
                if node.type == "repeat":
                    item["rows"] = [
                        [
                            {
                                "key": column.key,
                                "label": column.label,
                                "value": FIELD_TYPES[column.type].display(
                                    column.spec, row.get(column.key)
                                ),
                            }
                            for column in node.children
                        ]
                        for row in value or []
                        if isinstance(row, dict)
                    ]
                items.append(item)
            sections.append(
                {"title": page.title, "page_index": page.index, "items": items}
            )
        return sections

    def sample_answers(self) -> dict[str, Any]:
        """Made-up answers of the right shape for every question of this form
        (見本 for previews of its documents), hidden ones left out and
        computed values computed, as a submission would store them."""
        answers: dict[str, Any] = {}
        for node in self.answer_nodes:
            if node.type == "repeat":
                answers[node.key] = [
                    {
                        column.key: _sample(column)
                        for column in node.children
                        if column.type in _SHAPES
                    }
                ]
            elif node.type != "computed":
                answers[node.key] = _sample(node)
        return self.clean(answers)

    def prefill(self, user: Any) -> dict[str, Any]:
        """First answers: each field's default, then the resident's profile."""
        profile = getattr(user, "profile_prefill", None) or {}
        answers: dict[str, Any] = {}
        for node in self.answer_nodes:
            if "default" in node.spec:
                answers[node.key] = node.spec["default"]
            source = node.spec.get("prefill")
            value = _profile_value(node.type, source, profile) if source else None
            if value is not None:
                answers[node.key] = value
        return answers


def _profile_value(type_name: str, source: str, profile: dict[str, Any]) -> Any:
    value = profile.get(source)
    if not value:
        return None
    if type_name == "name_pair":
        # The profile holds the フリガナ of the resident's own name only.
        kana = profile.get("full_name_kana") or "" if source == "full_name" else ""
        return {"name": str(value), "kana": ff.normalize_kana(str(kana))}
    if source == "birth_date":
        return value.isoformat() if hasattr(value, "isoformat") else None
    if source in ("postal_code", "business_postal_code"):
        try:
            return ff.PostalCodeField(required=False).clean(value) or None
        except Exception:
            return None
    return str(value)


_SAMPLES: dict[str, Any] = {
    "integer": 3,
    "amount": 1_000_000,
    "date": "2026-04-01",
    "email": "mihon@example.jp",
    "phone": "000-000-0000",
    "postal_code": "000-0000",
    "address": "架空県見本市中央一丁目2番3号",
    "name_pair": {"name": "見本 太郎", "kana": "ミホン タロウ"},
    "yesno": True,
    "agreement": True,
    "checkbox": True,
    "corporate_number": "9000000000000",  # a valid check digit, no company
    "file": [{"id": 0, "name": "見本.pdf", "size": 1024, "content_type": ""}],
}


def _sample(node: Node) -> Any:
    """A made-up answer for one question, within its own limits."""
    options = [
        str(option.get("value"))
        for option in node.spec.get("options") or []
        if isinstance(option, dict)
    ]
    if node.type == "choice":
        return options[0] if options else None
    if node.type == "multichoice":
        return options[:1] or None
    if node.type in {"integer", "amount"}:
        low, high = node.spec.get("min"), node.spec.get("max")
        value = _SAMPLES[node.type]
        if isinstance(high, int) and value > high:
            value = high
        if isinstance(low, int) and value < low:
            value = low
        return value
    if node.type == "date":
        return node.spec.get("min") or node.spec.get("max") or _SAMPLES["date"]
    if node.type in _SAMPLES:
        return _SAMPLES[node.type]
    # text, textarea: the question's own name, so the preview reads sensibly.
    return _("（%(label)sの見本）") % {"label": node.label}

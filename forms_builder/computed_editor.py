"""The computed-value editor on the field settings form: the way a value is
computed chosen from a list, its parts from the form's numbers, or raw JSON
Logic for experts (shapes and their JSON Logic: ``forms_builder.computed``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from forms_builder.computed import (
    FIELD_OF,
    LIST_SHAPES,
    SHAPES,
    Computation,
    Problem,
    canonical,
    number_operands,
    read_computation,
    write_computation,
)
from forms_builder.definition import Node


class ComputedEditor:
    """Adds the way of computing, its parts and an "edit as JSON Logic" box
    to a form (rendered by ``templates/forms_builder/computed_editor.html``).

    The raw box is the form's own ``raw`` field (``expression`` on the field
    settings form). A post without ``<prefix>_shape`` (a client of the older
    page, a test) is read as raw JSON Logic, as before the editor.
    """

    def __init__(
        self,
        form: forms.Form,
        prefix: str,
        *,
        expression: Any,
        fields: list[Node],
        exclude: str = "",
        raw: str = "expression",
    ) -> None:
        self.form = form
        self.prefix = prefix
        self.raw_name = raw
        self.operands = number_operands(fields, exclude=exclude)
        self.logic_of = {operand.value: operand.logic for operand in self.operands}
        read = read_computation(
            expression,
            {canonical(operand.logic): operand.value for operand in self.operands},
        )
        computation = read or Computation()
        self.parts: list[tuple[str, Any, list[str]]] = []
        self._field(
            "shape",
            forms.ChoiceField(label=_("計算のしかた"), choices=SHAPES),
            computation.shape,
        )

        def choices(kind: str, empty: Any) -> list[tuple[str, str]]:
            return [("", empty)] + [
                (o.value, o.label) for o in self.operands if kind in ("", o.kind)
            ]

        anything = choices("", _("（項目を選ぶ）"))
        for shape, legend in SHAPES:
            mine = computation if computation.shape == shape else Computation(shape)
            names: list[str] = []
            if shape in LIST_SHAPES:
                label = _("足す項目 %(n)s") if shape == "sum" else _("比べる項目 %(n)s")
                for index in range(max(len(mine.terms) + 1, 3)):
                    names.append(f"{shape}_{index + 1}")
                    self._field(
                        names[-1],
                        forms.ChoiceField(
                            label=label % {"n": index + 1}, choices=anything
                        ),
                        mine.terms[index] if index < len(mine.terms) else "",
                    )
            for part, form_field in self._part_fields(shape, anything, choices):
                names.append(FIELD_OF[shape, part])
                self._field(names[-1], form_field, getattr(mine, part))
            self.parts.append((shape, legend, names))
        self._field(
            "advanced",
            forms.BooleanField(
                label=_("JSON Logic を直接編集する（上で選んだ計算は使いません）")
            ),
            read is None,
        )

    @staticmethod
    def _part_fields(shape: str, anything: list, choices: Any) -> list:
        """(part, field) of a shape, besides its list of terms."""
        pick = forms.ChoiceField
        if shape in ("min", "max"):
            return [
                (
                    "limit",
                    forms.CharField(
                        label=_("上限とする数（任意）")
                        if shape == "min"
                        else _("下限とする数（任意）"),
                        help_text=_("例: 補助上限額 1,000,000。項目と並べて比べます。"),
                    ),
                )
            ]
        if shape == "column_sum":
            columns = choices("sum", _("（列を選ぶ）"))
            return [("a", pick(label=_("合計する列"), choices=columns))]
        if shape == "count":
            groups = choices("count", _("（繰り返しを選ぶ）"))
            return [("a", pick(label=_("行数を数える繰り返し"), choices=groups))]
        if shape == "multiply":
            help_text = _("例: 2分の1 なら 1/2、8割 なら 0.8、10% なら 10%。")
            return [
                ("a", pick(label=_("率を掛ける項目"), choices=anything)),
                ("rate", forms.CharField(label=_("掛ける率"), help_text=help_text)),
            ]
        if shape == "subtract":
            return [
                ("a", pick(label=_("引かれる項目（A）"), choices=anything)),
                ("b", pick(label=_("引く項目（B）"), choices=anything)),
            ]
        if shape == "ratio":
            percent = _("百分率（％）で表す（A ÷ B × 100）")
            return [
                ("a", pick(label=_("割られる項目（A）"), choices=anything)),
                ("b", pick(label=_("割る項目（B）"), choices=anything)),
                ("percent", forms.BooleanField(label=percent)),
            ]
        return []

    def _field(self, name: str, form_field: forms.Field, initial: Any) -> None:
        form_field.required = False
        form_field.initial = initial
        self.form.fields[f"{self.prefix}_{name}"] = form_field

    # -- for the template --

    @property
    def bound(self) -> dict[str, Any]:
        """Bound fields for templates/forms_builder/computed_editor.html."""
        form, prefix = self.form, self.prefix
        return {
            "shape": form[f"{prefix}_shape"],
            "parts": [
                (shape, legend, [form[f"{prefix}_{name}"] for name in names])
                for shape, legend, names in self.parts
            ],
            "advanced": form[f"{prefix}_advanced"],
            "raw": form[self.raw_name],
        }

    @property
    def has_operands(self) -> bool:
        return bool(self.operands)

    # -- reading the post --

    def computation(self, cleaned: dict[str, Any]) -> Computation:
        """What the posted parts of the chosen shape say."""
        shape = cleaned.get(f"{self.prefix}_shape") or "sum"
        computation = Computation(shape)
        for (of_shape, part), name in FIELD_OF.items():
            if of_shape == shape:
                value = cleaned.get(f"{self.prefix}_{name}")
                setattr(computation, part, value if part == "percent" else value or "")
        index = 1
        while f"{self.prefix}_{shape}_{index}" in self.form.fields:
            computation.terms.append(
                cleaned.get(f"{self.prefix}_{shape}_{index}") or ""
            )
            index += 1
        computation.terms = [term for term in computation.terms if term]
        computation.percent = bool(computation.percent)
        return computation

    def expression(self, cleaned: dict[str, Any]) -> Any:
        """The JSON Logic the post describes; a problem goes next to its
        field (and the result is then None)."""
        posted_by_editor = f"{self.prefix}_shape" in self.form.data
        if cleaned.get(f"{self.prefix}_advanced") or not posted_by_editor:
            return cleaned.get(self.raw_name)
        try:
            return write_computation(self.computation(cleaned), self.logic_of)
        except Problem as problem:
            self.form.add_error(f"{self.prefix}_{problem.name}", problem.message)
            return None

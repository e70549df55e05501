"""Forms of the caseworker pages and the route editor."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from forms_builder.rules import rule_errors
from workflow.models import FinalAuthorityRule, Route, RouteConsultation, RouteLevel

DECISION_CHOICES = [
    ("approve", _("承認する（次の段階へ、または最終決裁）")),
    ("send_back", _("前の段階へ差し戻す（差戻し）")),
    ("amend", _("申請者に補正を求める")),
    ("consult", _("他の課室に合議する")),
    ("reject", _("不許可とする（最終決裁のみ）")),
]


class DecisionForm(forms.Form):
    """The decision on a review task, with a comment."""

    decision = forms.ChoiceField(
        label=_("判断"), choices=DECISION_CHOICES, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("コメント"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("差戻し・補正・不許可・合議では必ず理由を書いてください。"),
    )
    target_level = forms.TypedChoiceField(
        label=_("差し戻す先"), required=False, coerce=int, empty_value=None
    )
    consult_to = forms.ChoiceField(label=_("合議先"), required=False)

    def __init__(
        self,
        *args: Any,
        earlier_levels: list[tuple[int, str]] = (),
        consult_choices: list[tuple[str, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target_level"].choices = [("", "—"), *earlier_levels]
        self.fields["consult_to"].choices = [("", "—"), *consult_choices]
        self.consult_labels = dict(consult_choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        decision = data.get("decision")
        if (
            decision in ("send_back", "amend", "reject", "consult")
            and not data.get("comment", "").strip()
        ):
            self.add_error("comment", gettext("理由を入力してください。"))
        if decision == "send_back" and data.get("target_level") is None:
            self.add_error("target_level", gettext("差し戻す先を選んでください。"))
        if decision == "consult" and not data.get("consult_to"):
            self.add_error("consult_to", gettext("合議先を選んでください。"))
        return data


class OpinionForm(forms.Form):
    """The opinion given in a consultation (合議)."""

    comment = forms.CharField(
        label=_("合議の意見"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("コメント"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RuleField(forms.CharField):
    """A JSON Logic rule typed as JSON text, checked against the form's keys."""

    def __init__(
        self, *args: Any, known_keys: list[str] | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault(
            "widget", forms.Textarea(attrs={"rows": 2, "class": "font-monospace"})
        )
        super().__init__(*args, **kwargs)
        self.known_keys = known_keys

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False) if value else ""
        return value

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if not value:
            return {}
        try:
            rule = json.loads(value)
        except ValueError as exc:
            raise forms.ValidationError(gettext("JSON として読めません。")) from exc
        if not isinstance(rule, dict):
            raise forms.ValidationError(
                gettext("規則は { } で囲んだ JSON Logic で書いてください。")
            )
        errors = (
            rule_errors(rule, self.known_keys) if self.known_keys is not None else []
        )
        if errors:
            raise forms.ValidationError(errors)
        return rule


def _rule_form(
    model: type, fields: list[str], required: bool, known_keys: list[str] | None
) -> type:
    class Form(forms.ModelForm):
        rule = RuleField(
            label=_("条件（JSON Logic）"), required=required, known_keys=known_keys
        )

        class Meta:
            pass

    Form.Meta.model = model
    Form.Meta.fields = fields
    return Form


def route_formsets(
    route: Route, data: Any = None, known_keys: list[str] | None = None
) -> dict[str, Any]:
    """The three inline formsets of the route editor (levels, 専決, 合議)."""
    levels = inlineformset_factory(
        Route, RouteLevel, fields=["order", "position"], extra=1, can_delete=True
    )
    rules = inlineformset_factory(
        Route,
        FinalAuthorityRule,
        form=_rule_form(
            FinalAuthorityRule, ["order", "label", "rule", "position"], True, known_keys
        ),
        fields=["order", "label", "rule", "position"],
        extra=1,
        can_delete=True,
    )
    consultations = inlineformset_factory(
        Route,
        RouteConsultation,
        form=_rule_form(
            RouteConsultation,
            ["section", "position", "before_position", "rule"],
            False,
            known_keys,
        ),
        fields=["section", "position", "before_position", "rule"],
        extra=1,
        can_delete=True,
    )
    return {
        "levels": levels(data, instance=route, prefix="levels"),
        "rules": rules(data, instance=route, prefix="rules"),
        "consultations": consultations(data, instance=route, prefix="consult"),
    }


class SimulateForm(forms.Form):
    """Sample answers for the route simulator, as JSON."""

    answers = forms.CharField(
        label=_("回答の例（JSON）"),
        widget=forms.Textarea(attrs={"rows": 6, "class": "font-monospace"}),
        help_text=_('例: {"amount": 5000000}'),
    )

    def clean_answers(self) -> dict[str, Any]:
        try:
            answers = json.loads(self.cleaned_data["answers"])
        except ValueError as exc:
            raise forms.ValidationError(gettext("JSON として読めません。")) from exc
        if not isinstance(answers, dict):
            raise forms.ValidationError(gettext("{ } で囲んだ JSON で書いてください。"))
        return answers

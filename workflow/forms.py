"""Forms of the caseworker pages and the route editor."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from forms_builder.rules import rule_errors
from workflow.decisions import applicant_message_rule, decision_text_errors
from workflow.models import FinalAuthorityRule, Route, RouteConsultation, RouteLevel


class Choices(forms.RadioSelect):
    """Radio buttons whose label target is the first choice.

    Django gives a radio group no label target, so the error summary's link
    to the question would lead nowhere.
    """

    def id_for_label(self, id_: str, index: str | None = "0") -> str:
        return super().id_for_label(id_, "0" if index is None else index)


class DecisionForm(forms.Form):
    """The decision on a review task, with its two texts kept apart.

    Only the decisions possible at this level are offered: reject at the
    final level, send back when there is an earlier level, consult when
    there is someone to consult. The message to the applicant and the
    internal comment are separate fields, each labelled with who reads it
    (issue 11); the services check the same again.
    """

    decision = forms.ChoiceField(
        label=_("判断"),
        widget=Choices(attrs={"class": "form-check-input"}),
        error_messages={"required": _("判断を選んでください。")},
    )
    applicant_message = forms.CharField(
        label=_("申請者へのメッセージ（申請者に表示されます）"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        help_text=_(
            "申請者のページとメールに表示され、不許可では通知書の「理由」に"
            "印刷されます。補正では直してほしい内容を、不許可では理由を必ず"
            "書いてください（行政手続法第8条）。許可では任意です。"
        ),
    )
    internal_comment = forms.CharField(
        label=_("内部コメント（申請者には表示されません）"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_(
            "職員だけが読むメモです。差戻しと合議では、理由を必ず書いてください。"
        ),
    )
    target_level = forms.TypedChoiceField(
        label=_("差し戻す先"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_("「前の段階へ差し戻す」を選んだときに選んでください。"),
    )
    consult_to = forms.ChoiceField(
        label=_("合議先"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_("「ほかの課に意見を聞く」を選んだときに選んでください。"),
    )

    def __init__(
        self,
        *args: Any,
        next_step: str | None = None,
        earlier_levels: list[tuple[int, str]] = (),
        consult_choices: list[tuple[str, str]] = (),
        outcomes: list[Any] = (),
        draft_outcomes: list[Any] = (),
        draft: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        draft = draft or {}
        self.final = next_step is None
        # The final level decides on one of the version's outcomes, sent as
        # the outcome's code (approve / reject for the permit defaults).
        self.outcomes = {outcome.code: outcome for outcome in outcomes}
        self.data_forms: dict[str, Any] = {}
        if next_step is None:
            choices = [
                (
                    outcome.code,
                    gettext("「%(outcome)s」と決定する（最終決裁）")
                    % {"outcome": outcome.label_text},
                )
                for outcome in outcomes
                if outcome.favourable
            ]
        else:
            choices = [
                (
                    "approve",
                    gettext("承認する（%(step)sへ回す）") % {"step": next_step},
                )
            ]
        if earlier_levels:
            choices.append(("send_back", gettext("前の段階へ差し戻す（差戻し）")))
        choices.append(("amend", gettext("申請者に補正を求める")))
        if consult_choices:
            choices.append(("consult", gettext("ほかの課に意見を聞く（合議）")))
        if next_step is None:
            choices.extend(
                (
                    outcome.code,
                    gettext("「%(outcome)s」と決定する（最終決裁）")
                    % {"outcome": outcome.label_text},
                )
                for outcome in outcomes
                if not outcome.favourable
            )

        self.fields["decision"].choices = choices
        # 起案 → 回議: a level below the final one drafts the decision (or
        # amends the draft) as it passes the case on; the final level sees
        # the draft chosen and filled in, and decides on it as it stands.
        self.draft_outcomes = {outcome.code: outcome for outcome in draft_outcomes}
        if draft_outcomes:
            self.fields["draft_outcome"] = forms.ChoiceField(
                label=_("起案する決定"),
                required=False,
                choices=[
                    ("", gettext("—（起案しない・起案のまま）")),
                    *((o.code, o.label_text) for o in draft_outcomes),
                ],
                initial=draft.get("outcome", ""),
                widget=forms.Select(attrs={"class": "form-select"}),
                help_text=_(
                    "「承認する」とともに、決定の案（決定の種類・決定内容・"
                    "申請者へのメッセージ）を起案または修正します。変更は履歴に残ります。"
                ),
            )
            self.order_fields(["decision", "draft_outcome"])
        posted = self.data.get("decision")
        if draft_outcomes and posted == "approve":
            posted = self.data.get("draft_outcome")
        self.data_forms = {
            outcome.code: decision_data_form(
                outcome,
                self.data if posted == outcome.code else None,
                answers=draft.get("decision_data") or {}
                if draft.get("outcome") == outcome.code
                else {},
            )
            for outcome in [*outcomes, *draft_outcomes]
            if outcome.decision_form is not None
        }
        for code, data_form in self.data_forms.items():
            # What decision.js matches: the outcome chosen as the decision,
            # or "draft:<code>" for the outcome drafted with an approval.
            data_form.show_for = f"draft:{code}" if draft_outcomes else code
        self.fields["applicant_message"].initial = draft.get("applicant_message", "")
        if draft.get("outcome") in self.outcomes:
            self.fields["decision"].initial = draft["outcome"]
        self.fields["target_level"].choices = [("", "—"), *earlier_levels]
        self.fields["consult_to"].choices = [("", "—"), *consult_choices]
        if not earlier_levels:
            del self.fields["target_level"]
        if not consult_choices:
            del self.fields["consult_to"]
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{name}-hint"
        self.consult_labels = dict(consult_choices)
        # The decisions that send the applicant a message, for the page to
        # show the field only then (static/workflow/decision.js).
        self.applicant_message_for = [
            value
            for value, _label in choices
            if applicant_message_rule(
                value, final=self.final, outcome=self.outcomes.get(value)
            )
            != "unused"
        ] + [f"draft:{code}" for code in self.draft_outcomes]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        decision = data.get("decision")
        drafted = (
            self.draft_outcomes.get(data.get("draft_outcome") or "")
            if decision == "approve"
            else None
        )
        if decision:
            errors = decision_text_errors(
                decision=decision,
                final=self.final,
                applicant_message=data.get("applicant_message", ""),
                internal_comment=data.get("internal_comment", ""),
                outcome=self.outcomes.get(decision) or drafted,
            )
            for field, message in errors.items():
                self.add_error(field, message)
        data_form = self.data_forms.get(drafted.code if drafted else decision)
        if data_form is not None and not data_form.is_valid():
            # The errors show next to each field of the decision form.
            self.add_error(None, gettext("決定内容に誤りがあります。"))
        if decision == "send_back" and data.get("target_level") is None:
            self.add_error("target_level", gettext("差し戻す先を選んでください。"))
        if decision == "consult" and not data.get("consult_to"):
            self.add_error("consult_to", gettext("合議先を選んでください。"))
        return data


def decision_data_form(
    outcome: Any, data: Any, *, answers: dict[str, Any] | None = None
) -> Any:
    """The outcome's decision form as inputs on the case page, ``dd-<code>-`` names.

    The form builder's own page form checks it (types, required, min/max,
    rules); its fields are named by key, so the posted names are read back
    without the prefix and the inputs render with it.
    """
    prefix = f"dd-{outcome.code}"
    if data is not None:
        start = f"{prefix}-"
        stripped = {
            key[len(start) :]: data.getlist(key)
            for key in data
            if key.startswith(start)
        }
        merged = data.copy()
        for key, values in stripped.items():
            merged.setlist(key, values)
        data = merged
    form = outcome.decision_form.runtime.page_form(0, data=data, answers=answers or {})
    form.prefix = prefix
    form.outcome = outcome
    return form


def decision_data_answers(form: Any) -> dict[str, Any]:
    """What a valid decision form holds, as the service takes it."""
    return form.page_answers()


class OpinionForm(forms.Form):
    """The answer of a consultation (合議), with its text: for colleagues only.

    同意, 条件付き同意 (the condition in the text) or 異議 (the reason): an
    objection holds the case at the level that asked until it resolves it.
    """

    opinion = forms.ChoiceField(
        label=_("合議の回答"),
        choices=[
            ("agree", _("同意")),
            ("conditional", _("条件付き同意")),
            ("object", _("異議")),
        ],
        initial="agree",
        widget=Choices(attrs={"class": "form-check-input"}),
        error_messages={"required": _("合議の回答を選んでください。")},
    )

    internal_comment = forms.CharField(
        label=_("合議の意見（申請者には表示されません）"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        error_messages={"required": _("合議の意見を入力してください。")},
    )


class CommentForm(forms.Form):
    """An optional internal comment (引戻し, 後閲): never shown to the applicant."""

    comment = forms.CharField(
        label=_("内部コメント（申請者には表示されません）"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
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


def _sample_field(info: Any) -> forms.Field:
    """An input for one question's sample answer, shaped like its real answer."""
    common = {"label": info.label, "required": False}
    if info.type in ("integer", "amount"):
        return forms.IntegerField(
            widget=forms.NumberInput(attrs={"class": "form-control"}), **common
        )
    if info.type in ("yesno", "agreement"):
        return forms.TypedChoiceField(
            choices=[("", "—"), ("1", _("はい")), ("0", _("いいえ"))],
            coerce=lambda value: value == "1",
            empty_value=None,
            widget=forms.Select(attrs={"class": "form-select"}),
            **common,
        )
    if info.type == "choice":
        return forms.ChoiceField(
            choices=[("", "—"), *info.options],
            widget=forms.Select(attrs={"class": "form-select"}),
            **common,
        )
    if info.type == "multichoice":
        return forms.MultipleChoiceField(
            choices=info.options, widget=forms.CheckboxSelectMultiple, **common
        )
    return forms.CharField(
        widget=forms.TextInput(attrs={"class": "form-control"}), **common
    )


class SimulateForm(forms.Form):
    """Sample answers for the route simulator: one input per question the rules read."""

    def __init__(self, *args: Any, questions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for info in questions:
            self.fields[info.key] = _sample_field(info)
            self.fields[info.key].widget.attrs["aria-describedby"] = (
                f"id_{info.key}-hint"
            )

    def answers(self) -> dict[str, Any]:
        """The sample answers as the rules read them: a blank is null."""
        return {
            key: None if value in ("", []) else value
            for key, value in self.cleaned_data.items()
        }

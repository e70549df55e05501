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


class Choices(forms.RadioSelect):
    """Radio buttons whose label target is the first choice.

    Django gives a radio group no label target, so the error summary's link
    to the question would lead nowhere.
    """

    def id_for_label(self, id_: str, index: str | None = "0") -> str:
        return super().id_for_label(id_, "0" if index is None else index)


# Decisions that settle the application at the final level (決裁).
FINAL_DECISIONS = ("approve", "reject")


class DecisionForm(forms.Form):
    """The decision on a review task, with a comment.

    Only the decisions possible at this level are offered: reject at the
    final level, send back when there is an earlier level, consult when
    there is someone to consult. The services check the same again.
    """

    decision = forms.ChoiceField(
        label=_("判断"),
        widget=Choices(attrs={"class": "form-check-input"}),
        error_messages={"required": _("判断を選んでください。")},
    )
    comment = forms.CharField(
        label=_("コメント"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        help_text=_("差戻し・補正・不許可・合議では、理由を必ず書いてください。"),
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
        needs_code: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if needs_code:
            # 決裁 with a second factor older than STAFF_REAUTH_MINUTES: the
            # code again, checked by the view (accounts.second_factor.reverify).
            self.fields["otp_code"] = forms.CharField(
                label=_("確認コード（決裁）"),
                required=False,
                max_length=32,
                help_text=_(
                    "承認・不許可の決裁の前に、認証アプリの確認コードを"
                    "もう一度入力してください。"
                ),
                widget=forms.TextInput(
                    attrs={
                        "class": "form-control",
                        "autocomplete": "one-time-code",
                        "inputmode": "numeric",
                    }
                ),
            )
        if next_step is None:
            choices = [("approve", gettext("承認する（最終決裁）"))]
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
            choices.append(("reject", gettext("不許可とする")))
        self.fields["decision"].choices = choices
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
        if (
            "otp_code" in self.fields
            and decision in FINAL_DECISIONS
            and not data.get("otp_code", "").strip()
        ):
            self.add_error("otp_code", gettext("確認コードを入力してください。"))
        return data


class OpinionForm(forms.Form):
    """The opinion given in a consultation (合議)."""

    comment = forms.CharField(
        label=_("合議の意見"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )


class CommentForm(forms.Form):
    """An optional comment (引戻し, 後閲)."""

    comment = forms.CharField(
        label=_("コメント"),
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

"""Forms of the caseworker pages and the route editor."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

from django import forms
from django.core.exceptions import ObjectDoesNotExist
from django.forms.utils import ErrorDict
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from forms_builder.fieldtypes import FIELD_TYPES
from forms_builder.forms import ACTION as ROW_ACTION
from forms_builder.forms import DEFAULT_MAX_ROWS
from workflow.decisions import applicant_message_rule, decision_text_errors, settles


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
            "申請者のページとメールに表示されます。補正では直してほしい内容を"
            "書いてください。申請を認めない決定では理由を必ず書いてください"
            "（行政手続法第8条）。通知書の「理由」に印刷されます。"
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
    # Issue 15: the resident's deadline for a 補正 (the version's default
    # when left blank).
    amendment_due_date = forms.DateField(
        label=_("補正期限"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
        help_text=_("空欄のときは、手続で決めた日数後の日になります。"),
    )

    def _name_reasoned_outcomes(self, outcomes: list[Any]) -> None:
        """Say which of this procedure's outcomes print the message as their
        reason (却下, 減額認定…), rather than words of a permit."""
        labels = list(
            dict.fromkeys(
                outcome.label_text for outcome in outcomes if outcome.reason_required
            )
        )
        if labels:
            self.fields["applicant_message"].help_text = gettext(
                "申請者のページとメールに表示されます。補正では直してほしい内容を"
                "書いてください。%(outcomes)sでは理由を必ず書いてください"
                "（行政手続法第8条）。通知書の「理由」に印刷されます。"
            ) % {"outcomes": "・".join(f"「{label}」" for label in labels)}

    def __init__(
        self,
        *args: Any,
        next_step: str | None = None,
        earlier_levels: list[tuple[int, str]] = (),
        consult_choices: list[tuple[str, str]] = (),
        needs_code: bool = False,
        outcomes: list[Any] = (),
        draft_outcomes: list[Any] = (),
        draft: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        draft = draft or {}
        self.draft = draft
        self.final = next_step is None
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
        self._name_reasoned_outcomes([*outcomes, *draft_outcomes])
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
        # 「行を追加」 of a decision form's repeating group (works without
        # JavaScript): the page comes back with one more row, nothing saved.
        self.row_action = next(
            (
                outcome.code
                for outcome in [*outcomes, *draft_outcomes]
                if outcome.decision_form is not None
                and self.data.get(f"dd-{outcome.code}-{ROW_ACTION}")
            ),
            None,
        )
        if self.row_action:
            posted = self.row_action
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

    def full_clean(self) -> None:
        if self.is_bound and self.row_action:
            # Not a decision: no errors, the form is shown again.
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()

    def is_valid(self) -> bool:
        return not self.row_action and super().is_valid()

    def _is_drafted_message(self, data: dict[str, Any]) -> bool:
        drafted = (self.draft.get("applicant_message") or "").replace("\r\n", "\n")
        posted = (data.get("applicant_message") or "").replace("\r\n", "\n")
        return bool(drafted.strip()) and posted == drafted

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        decision = data.get("decision")
        drafted = (
            self.draft_outcomes.get(data.get("draft_outcome") or "")
            if decision == "approve"
            else None
        )
        if decision:
            outcome = self.outcomes.get(decision) or drafted
            rule = applicant_message_rule(decision, final=self.final, outcome=outcome)
            if rule == "unused" and self._is_drafted_message(data):
                # The draft's message fills the field in for the decisions
                # that send it; a 合議 or 差戻し sends nothing, and the field
                # (hidden for them) still carries that text: not something
                # the caseworker wrote, so it is dropped rather than refused.
                data["applicant_message"] = ""
            elif decision == "amend" and self._is_drafted_message(data):
                # Left as drafted, the decision's reason (「…許可しません」)
                # would reach the applicant as what to correct.
                self.add_error(
                    "applicant_message",
                    gettext(
                        "補正で直してほしい内容を書いてください。"
                        "いまの文面は、起案した決定の文面のままです。"
                    ),
                )
            errors = decision_text_errors(
                decision=decision,
                final=self.final,
                applicant_message=data.get("applicant_message", ""),
                internal_comment=data.get("internal_comment", ""),
                outcome=outcome,
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
        if (
            "otp_code" in self.fields
            and settles(final=self.final, decision=decision)
            and not data.get("otp_code", "").strip()
        ):
            self.add_error("otp_code", gettext("確認コードを入力してください。"))
        due = data.get("amendment_due_date")
        if decision == "amend" and due and due <= timezone.localdate():
            self.add_error(
                "amendment_due_date", gettext("補正期限は明日以降の日にしてください。")
            )
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
    start = f"{prefix}-"
    stripped: dict[str, list[Any]] = {}
    if data is not None:
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
    if form.is_bound and form.action:
        # 「この行を削除」 moved the rows after it up under their unprefixed
        # names; the inputs render from the prefixed ones, which follow.
        for name in stripped:
            if name in form.data:
                form.data.setlist(f"{start}{name}", form.data.getlist(name))
            else:
                form.data.pop(f"{start}{name}", None)
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


class CaseExtendForm(forms.Form):
    """延長: the new due date and the reason, both for the applicant (issue 15)."""

    due_date = forms.DateField(
        label=_("新しい処理期限"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
        error_messages={"required": _("新しい処理期限を入力してください。")},
    )
    reason = forms.CharField(
        label=_("延長の理由（申請者に表示されます）"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("申請者のページとメールに、新しい予定日と一緒に表示されます。"),
        error_messages={"required": _("延長の理由を書いてください。")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs["aria-describedby"] = "id_reason-hint"


class CommentForm(forms.Form):
    """An optional internal comment (引戻し, 後閲): never shown to the applicant."""

    comment = forms.CharField(
        label=_("内部コメント（申請者には表示されません）"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


class RuleField(forms.CharField):
    """A JSON Logic rule typed as JSON text (the form checks it against the
    version's form: see :func:`rule_form`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.Textarea(attrs={"rows": 2, "class": "font-monospace"})
        )
        super().__init__(*args, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False) if value else ""
        return value

    def has_changed(self, initial: Any, data: Any) -> bool:
        # A blank box is the empty rule ({}), not a change from a new row's
        # missing initial value: otherwise a blank extra row reads as filled
        # in and is validated (「この項目は必須です」 on a row nobody wrote).
        try:
            data = self.to_python(data)
        except forms.ValidationError:
            return True
        return (initial or {}) != (data or {})

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
        return rule


def rule_form(model: type, *, runtime: Any = None) -> type:
    """A model form for a 専決 or 合議 row; its fields are chosen by the
    formset (the route editor, the admin).

    The rule is checked against the version's form (``runtime``, else the
    form of the row's route) exactly as the form's own rules are, so
    ``reduce`` over a repeating group and ``<group>.<column>`` are known.
    """
    blank = model._meta.get_field("rule").blank

    class Form(forms.ModelForm):
        rule = RuleField(
            label=model._meta.get_field("rule").verbose_name, required=not blank
        )

        class Meta:
            fields = ["rule"]

        def clean_rule(self) -> dict[str, Any]:
            rule = self.cleaned_data["rule"]
            form_runtime = runtime or _route_runtime(self.instance)
            errors = form_runtime.rule_errors(rule) if rule and form_runtime else []
            if errors:
                raise forms.ValidationError(errors)
            return rule

    Form.Meta.model = model
    return Form


def _route_runtime(row: Any) -> Any:
    """The form of the version a row's route belongs to; None while the
    route has no version yet (the route's own form reports that)."""
    try:
        return row.route.procedure_version.form_version.runtime
    except ObjectDoesNotExist:
        return None


ADD_ROW = "_add_row"  # the name of the simulator's add-row buttons
HOLDERS_ON = (
    "_holders_on"  # the simulator's second date (no question key starts with _)
)


def next_april_first(today: dt.date | None = None) -> dt.date:
    """The next 1 April after today: the usual day of the 人事異動."""
    today = today or timezone.localdate()
    april = dt.date(today.year, 4, 1)
    return april if april > today else dt.date(today.year + 1, 4, 1)


SAMPLE_ROWS = 3  # rows a repeating group offers before any is added


def _sample_input(form_field: forms.Field) -> forms.Field:
    """A form type's own field, shaped for a sample: never required, and a
    choice may be left unanswered ("—") as a resident may leave it."""
    form_field.required = False
    widget = form_field.widget
    if isinstance(widget, forms.RadioSelect) and not isinstance(
        widget, forms.CheckboxSelectMultiple
    ):
        form_field.widget = widget = forms.Select()
        form_field.choices = [("", "—"), *form_field.choices]
    if isinstance(widget, forms.CheckboxSelectMultiple):
        widget.attrs["class"] = "form-check-input"
    elif isinstance(widget, forms.Select):
        widget.attrs["class"] = "form-select"
    elif isinstance(widget, forms.CheckboxInput):
        widget.attrs["class"] = "form-check-input"
    else:
        widget.attrs["class"] = "form-control"
    return form_field


@dataclasses.dataclass
class SampleQuestion:
    """One question of the simulator: its node, its inputs and, for a
    repeating group, its rows of inputs."""

    node: Any
    names: list[str]
    rows: list[list[str]]
    can_add_row: bool = False
    bound: list[forms.BoundField] = dataclasses.field(default_factory=list)
    bound_rows: list[list[forms.BoundField]] = dataclasses.field(default_factory=list)

    @property
    def key(self) -> str:
        return self.node.key

    @property
    def label(self) -> str:
        return self.node.label

    @property
    def type(self) -> str:
        return self.node.type


class SimulateForm(forms.Form):
    """Sample answers for the route simulator, typed as the form types them.

    Each question gets the inputs of its own field type (a number is a
    number, a date a date, a repeating group rows of its columns), and
    :meth:`answers` gives the answers as a submission stores them; the rules
    then read them through ``routes.route_data`` as they read a real
    application's. Computed values are not asked: they are computed.
    """

    def __init__(self, data: Any = None, *, questions: list[Any]) -> None:
        self.adding: str | None = None
        rows: dict[str, int] = {}
        if data is not None:
            data = data.copy()
            self.adding = data.get(ADD_ROW) or None
        for node in questions:
            if node.type != "repeat":
                continue
            high = node.spec.get("max_rows") or DEFAULT_MAX_ROWS
            low = node.spec.get("min_rows") or 0
            try:
                count = int(data.get(f"{node.key}-rows")) if data else SAMPLE_ROWS
            except (TypeError, ValueError):
                count = SAMPLE_ROWS
            if self.adding == node.key:
                count += 1
            rows[node.key] = max(min(count, high), low, 1)
            if data is not None:
                data[f"{node.key}-rows"] = str(rows[node.key])
        super().__init__(data)
        # Who holds each post on the chain today, and on a later day such as
        # the 1 April 人事異動 (dated assignments entered in advance).
        self.fields[HOLDERS_ON] = forms.DateField(
            label=_("担当者を確かめるもう一つの日付"),
            required=False,
            help_text=_(
                "人事異動の日（4月1日など）を入れると、その日の担当者も示します。"
            ),
            widget=forms.DateInput(
                attrs={"type": "date", "class": "form-control w-auto"},
                format="%Y-%m-%d",
            ),
        )
        self.fields[HOLDERS_ON].widget.attrs["aria-describedby"] = (
            f"id_{HOLDERS_ON}-hint"
        )
        self.initial[HOLDERS_ON] = next_april_first()
        self.questions: list[SampleQuestion] = []
        for node in questions:
            self.questions.append(self._add_question(node, rows.get(node.key, 0)))

    def _add_question(self, node: Any, rows: int) -> SampleQuestion:
        field_type = FIELD_TYPES[node.type]
        if node.type == "repeat":
            counter = forms.IntegerField(required=False, widget=forms.HiddenInput)
            self.fields[f"{node.key}-rows"] = counter
            self.initial[f"{node.key}-rows"] = rows
            names = []
            for index in range(rows):
                row = []
                for column in node.children:
                    base = f"{node.key}-{index}-{column.key}"
                    inputs = FIELD_TYPES[column.type].form_fields(
                        column.spec, base, required=False
                    )
                    for name, form_field in inputs.items():
                        # A name pair's parts keep their own labels (氏名, フリガナ).
                        label = column.label
                        if name != base:
                            label = f"{label}（{form_field.label}）"
                        form_field.label = gettext("%(n)s行目の%(label)s") % {
                            "n": index + 1,
                            "label": label,
                        }
                        self.fields[name] = self._described(node, form_field)
                        row.append(name)
                names.append(row)
            high = node.spec.get("max_rows") or DEFAULT_MAX_ROWS
            return SampleQuestion(node, [], names, can_add_row=rows < high)
        if node.type == "file":
            # Rules count the attachments; a sample has no files to store.
            self.fields[node.key] = forms.IntegerField(
                label=gettext("%(label)s（添付するファイルの数）")
                % {"label": node.label},
                required=False,
                min_value=0,
                max_value=node.spec.get("max_files") or 1,
                widget=forms.NumberInput(attrs={"class": "form-control"}),
            )
            self._described(node, self.fields[node.key])
            return SampleQuestion(node, [node.key], [])
        inputs = field_type.form_fields(node.spec, node.key, required=False)
        for name, form_field in inputs.items():
            if name == node.key:
                form_field.label = node.label
            self.fields[name] = self._described(node, form_field)
        return SampleQuestion(node, list(inputs), [])

    @staticmethod
    def _described(node: Any, form_field: forms.Field) -> forms.Field:
        """The input shaped for a sample, described by its question's hint
        (the key the rules use)."""
        form_field = _sample_input(form_field)
        form_field.widget.attrs["aria-describedby"] = f"id_{node.key}-hint"
        return form_field

    def bound_questions(self) -> list[SampleQuestion]:
        """The questions with their bound inputs, for the template."""
        for question in self.questions:
            question.bound = [self[name] for name in question.names]
            question.bound_rows = [
                [self[name] for name in row] for row in question.rows
            ]
        return self.questions

    def is_valid(self) -> bool:
        # An add-row press shows one more row; it is not a simulation.
        return self.adding is None and super().is_valid()

    def answers(self) -> dict[str, Any]:
        """The sample answers as a submission stores them (after is_valid):
        a blank is unanswered, an empty row is left out."""
        cleaned = self.cleaned_data
        answers: dict[str, Any] = {}
        for question in self.questions:
            node = question.node
            if node.type == "repeat":
                rows = [self._row(node, i, cleaned) for i in range(len(question.rows))]
                answers[node.key] = [
                    row for row in rows if any(v is not None for v in row.values())
                ]
            elif node.type == "file":
                answers[node.key] = [
                    {"id": f"sample-{n}", "name": "", "size": 0, "content_type": ""}
                    for n in range(cleaned.get(node.key) or 0)
                ]
            else:
                answers[node.key] = FIELD_TYPES[node.type].answer(
                    node.spec, node.key, cleaned
                )
        return answers

    @staticmethod
    def _row(node: Any, index: int, cleaned: dict[str, Any]) -> dict[str, Any]:
        return {
            column.key: FIELD_TYPES[column.type].answer(
                column.spec, f"{node.key}-{index}-{column.key}", cleaned
            )
            for column in node.children
            if column.type in FIELD_TYPES
        }

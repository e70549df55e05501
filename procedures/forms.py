"""Forms of the resident portal and of the procedure administration."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from core.japanese import format_wareki, processing_due_date
from forms_builder.models import FormVersion
from procedures.addressee import (
    ROLE_KEYS,
    ROLES,
    guess_mapping,
    required_roles,
    roles_for,
)
from procedures.models import Category, Outcome, Procedure, ProcedureVersion
from procedures.outcomes import is_whole_number
from procedures.services import VERSION_FIELDS


class CatalogueSearchForm(forms.Form):
    q = forms.CharField(
        label=_("キーワード"), required=False, max_length=100, strip=True
    )
    category = forms.SlugField(label=_("分類"), required=False, max_length=32)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("取り下げる理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("担当課に伝わります。例: 別の制度を利用することにしたため"),
        error_messages={"required": _("取り下げる理由を入力してください。")},
    )
    confirm = forms.BooleanField(
        label=_("この申請を取り下げます。取り下げた申請は元に戻せません。"),
        error_messages={
            "required": _("取り下げてよいか確認し、チェックを入れてください。")
        },
    )


class ProcedureCreateForm(forms.ModelForm):
    class Meta:
        model = Procedure
        fields = ["code", "receipt_prefix", "category"]


class ProcedureCategoryForm(forms.ModelForm):
    class Meta:
        model = Procedure
        fields = ["category"]


# Longer periods are not previewed: counting business days one by one over
# decades would make every keystroke cost a second.
PREVIEW_MAX_DAYS = 3660
WEEKDAYS = "月火水木金土日"


def due_date_sentence(days: int, *, business_days: bool) -> str:
    """What a period means for an application received today: its due date,
    computed as application_submit computes it."""
    today = timezone.localdate()
    due = processing_due_date(today, days, business_days=business_days)
    if (get_language() or "ja").startswith("ja"):
        due_text = f"{format_wareki(due)}（{WEEKDAYS[due.weekday()]}）"
        today_text = format_wareki(today)
    else:
        due_text = due.strftime("%a %d %b %Y")
        today_text = today.strftime("%d %b %Y")
    if business_days:
        message = gettext(
            "今日（%(today)s）受け付けた申請なら、処理期限は %(due)s"
            "（開庁日で %(days)s 日目）です。"
        )
    else:
        message = gettext(
            "今日（%(today)s）受け付けた申請なら、処理期限は %(due)s"
            "（暦日で %(days)s 日目、末日が閉庁日なら翌開庁日）です。"
        )
    return message % {"today": today_text, "due": due_text, "days": days}


class DueDatePreviewForm(forms.Form):
    """The period typed so far, for the due date shown while it is edited."""

    days = forms.IntegerField(min_value=0, max_value=PREVIEW_MAX_DAYS)
    business = forms.BooleanField(required=False)

    def sentence(self) -> str:
        return due_date_sentence(
            self.cleaned_data["days"], business_days=self.cleaned_data["business"]
        )


DEADLINE_FIELDS = ("amendment_days", "escalation_working_days")


class ProcedureVersionForm(forms.ModelForm):
    class Meta:
        model = ProcedureVersion
        # The addressee mapping is chosen question by question below.
        fields = [f for f in VERSION_FIELDS if f != "addressee_fields"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "summary_en": forms.Textarea(attrs={"rows": 3}),
            "eligibility": forms.Textarea(attrs={"rows": 3}),
            "eligibility_en": forms.Textarea(attrs={"rows": 3}),
            "required_documents": forms.Textarea(attrs={"rows": 3}),
            "required_documents_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from forms_builder.models import FormVersion

        field = self.fields["form_version"]
        field.queryset = FormVersion.objects.filter(
            status=FormVersion.Status.PUBLISHED
        ).select_related("form")
        field.label_from_instance = lambda fv: (
            f"{fv.form.title}（{fv.form.code} 第{fv.number}版）"
        )
        field.help_text = _("公開済みのフォームの版から選びます。")
        self.fields["section"].queryset = self.fields[
            "section"
        ].queryset.select_related("department")
        self._preview_due_date()
        # Omitted (an older page still open): keep what the version says.
        self.fields["applicant_kind"].required = False
        self._add_addressee_fields()
        # Deadline settings (issue 15): left out, they keep what they were.
        for name in DEADLINE_FIELDS:
            self.fields[name].required = False

    def _raw(self, name: str) -> Any:
        # Read without a BoundField: one made now would keep the help text
        # as it was before the preview is added to it.
        field = self.fields[name]
        if self.is_bound:
            return field.widget.value_from_datadict(
                self.data, self.files, self.add_prefix(name)
            )
        return self.get_initial_for_field(field, name)

    def _preview_due_date(self) -> None:
        """Next to the setting: the due date of an application received
        today, for the period as it stands (typed, or saved); a script keeps
        it current while the administrator edits (procedures/due-date.js)."""
        field = self.fields["processing_in_business_days"]
        days, business = (
            self._raw("processing_days"),
            self._raw("processing_in_business_days"),
        )
        try:
            days = int(days)
        except (TypeError, ValueError):
            days = None
        sentence = (
            due_date_sentence(days, business_days=bool(business))
            if days is not None and 0 <= days <= PREVIEW_MAX_DAYS
            else ""
        )
        field.help_text = format_html(
            '{}<br><strong data-due-date-preview data-url="{}" data-days="{}" '
            'data-business="{}" aria-live="polite">{}</strong>',
            field.help_text,
            reverse("procedures_manage:due_date"),
            self.auto_id % self.add_prefix("processing_days"),
            self.auto_id % self.add_prefix("processing_in_business_days"),
            sentence,
        )

    def _add_addressee_fields(self) -> None:
        """The addressee mapping, next to who may apply (see AddresseeChoice).

        Drawn for the form version, kind and 代理申請 posted (else saved): a
        post whose drop-downs were drawn for others (a page without script
        where the form or the kind was changed) comes back with them redrawn
        and guessed, to be checked and saved again.
        """
        version = self.instance
        form_version = None
        if self.is_bound:
            try:
                form_version = self.fields["form_version"].clean(
                    self._raw("form_version")
                )
            except forms.ValidationError:
                form_version = None
            kind = self._raw("applicant_kind") or version.applicant_kind
            allows_proxy = bool(self._raw("allows_proxy"))
        else:
            if version.form_version_id:
                form_version = version.form_version
            kind, allows_proxy = version.applicant_kind, version.allows_proxy
        self.addressee = AddresseeChoice(
            self,
            form_version=form_version,
            kind=kind,
            allows_proxy=allows_proxy,
            mapping=version.addressee_fields or {},
        )

    @property
    def main_fields(self) -> list[forms.BoundField]:
        """Every setting but who applies and the addressee (shown together)."""
        return [
            self[name]
            for name in self.fields
            if name not in APPLICANT_SETTINGS and not name.startswith("addressee_")
        ]

    @property
    def applicant_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in APPLICANT_SETTINGS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("applicant_kind"):
            cleaned["applicant_kind"] = self.instance.applicant_kind
        for name in DEADLINE_FIELDS:
            if cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = getattr(self.instance, name)
        cleaned["addressee_fields"] = self.addressee.mapping(cleaned)
        return cleaned


APPLICANT_SETTINGS = ("applicant_kind", "allows_proxy")


class AddresseeChoice:
    """One drop-down per part of the addressee that the kind of applicant
    uses (procedures.addressee.roles_for), listing the questions of the form
    version that fit it; added to a form with the prefix ``addressee_``.

    Where nothing of the kind is mapped yet, every part starts with the
    question its key or label suggests (guess_mapping, said under the
    drop-down); otherwise only the parts publishing needs and nobody chose.
    ``addressee_drawn`` records what the drop-downs were drawn for.
    """

    def __init__(
        self,
        form: forms.Form,
        *,
        form_version: FormVersion | None,
        kind: str,
        allows_proxy: bool,
        mapping: dict[str, str],
    ) -> None:
        self.form = form
        questions = form_version.runtime.field_keys() if form_version else []
        self.has_form = form_version is not None
        self.roles = roles_for(kind=kind, allows_proxy=allows_proxy)
        self.token = (
            f"{form_version.pk if form_version else ''}:{kind}:{int(allows_proxy)}"
        )
        posted = self._posted()
        redrawn = posted is not None and posted[0] != self.token
        if redrawn:
            mapping = posted[1]  # what was chosen, kept where it still fits
        choices = {
            role.key: [
                (info.key, f"{info.label}（{info.key}）")
                for info in questions
                if info.type in role.types and not info.node.in_repeat
            ]
            for role in ROLES
        }
        chosen = {
            role: key
            for role, key in mapping.items()
            if role in self.roles and key in dict(choices.get(role, []))
        }
        required = required_roles(kind=kind, allows_proxy=allows_proxy)
        needed = set(required) if chosen else set(self.roles)
        # A post drawn for another form or kind is refused to be checked
        # only when a part publishing needs was not chosen in it.
        self.redrawn = redrawn and not set(required) <= set(chosen)
        guesses = guess_mapping(
            [q for q in questions if q.key not in chosen.values()],
            [role for role in self.roles if role in needed and role not in chosen],
        )
        labels = {role.key: role.label for role in ROLES}
        for role in self.roles:
            form.fields[f"addressee_{role}"] = forms.ChoiceField(
                label=_("宛名: %(role)s") % {"role": labels[role]},
                required=False,
                choices=[("", _("使わない")), *choices[role]],
                initial=chosen.get(role) or guesses.get(role, ""),
                help_text=_(
                    "項目の名前やキーから推測して選びました。確かめてください。"
                )
                if role in guesses
                else "",
            )
        form.fields["addressee_drawn"] = forms.CharField(
            widget=forms.HiddenInput, required=False, initial=self.token
        )
        if redrawn:
            # Read as drawn now, not as posted: the posted choices were for
            # another form or another kind of applicant; shown again with
            # the guesses when a needed part is missing.
            data = form.data.copy()
            for role in self.roles:
                value = chosen.get(role, "")
                if self.redrawn:
                    value = value or guesses.get(role, "")
                data[form.add_prefix(f"addressee_{role}")] = value
            data[form.add_prefix("addressee_drawn")] = self.token
            form.data = data

    def _posted(self) -> tuple[str, dict[str, str]] | None:
        """(token, choices) of a post made with the drop-downs; None otherwise
        (no post, or a client that does not send them)."""
        form = self.form
        if not form.is_bound:
            return None
        token = form.data.get(form.add_prefix("addressee_drawn"))
        if token is None:
            return None
        return token, {
            role: value
            for role in ROLE_KEYS
            if (value := form.data.get(form.add_prefix(f"addressee_{role}")))
        }

    @property
    def fields(self) -> list[forms.BoundField]:
        return [self.form[f"addressee_{role}"] for role in self.roles]

    @property
    def drawn(self) -> forms.BoundField:
        return self.form["addressee_drawn"]

    def mapping(self, cleaned: dict[str, Any]) -> dict[str, str]:
        """The mapping to save; a redrawn post is refused to be checked first."""
        if self.redrawn:
            self.form.add_error(
                None,
                _(
                    "宛名に使う項目を、選んだフォームと申請できる者に合わせて"
                    "選び直しました。「申請者と宛名」を確かめて、もう一度保存して"
                    "ください。"
                ),
            )
        return {
            role: cleaned[f"addressee_{role}"]
            for role in self.roles
            if cleaned.get(f"addressee_{role}")
        }


class AddresseeRedrawForm(forms.Form):
    """What the addressee drop-downs are redrawn for while the version form
    is edited (procedures/addressee.js asks on every change of the form
    version, the kind of applicant or 代理申請)."""

    form_version = forms.ModelChoiceField(
        queryset=FormVersion.objects.filter(status=FormVersion.Status.PUBLISHED),
        required=False,
    )
    applicant_kind = forms.ChoiceField(
        choices=ProcedureVersion._meta.get_field("applicant_kind").choices,
        required=False,
    )
    allows_proxy = forms.BooleanField(required=False)
    prefix = forms.RegexField(regex=r"^[a-z]{0,20}$", required=False)

    def addressee(self) -> AddresseeChoice:
        """The drop-downs on a form of their own (after is_valid), keeping the
        choices sent where they still fit."""
        data = self.cleaned_data
        target = forms.Form(prefix=data.get("prefix") or None)
        return AddresseeChoice(
            target,
            form_version=data.get("form_version"),
            kind=data.get("applicant_kind") or "person",
            allows_proxy=bool(data.get("allows_proxy")),
            mapping={
                role: str(self.data[f"addressee_{role}"])
                for role in ROLE_KEYS
                if self.data.get(f"addressee_{role}")
            },
        )


class CategoryChoiceForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(), required=False, label=_("分類")
    )


class PackageImportForm(forms.Form):
    package = forms.FileField(
        label=_("手続パッケージ（JSON ファイル）"),
        help_text=_("「書き出し」で作ったファイルを選びます。"),
    )

    MAX_BYTES = 5 * 1024 * 1024

    def clean_package(self) -> bytes:
        upload = self.cleaned_data["package"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("ファイルが大きすぎます（5MBまで）。"))
        return upload.read()


class AccountCloseForm(forms.Form):
    """退会: the resident confirms, with their password where they have one."""

    password = forms.CharField(
        label=_("パスワード"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_(
            "下書きが削除され、このアカウントでログインできなくなることを確認しました"
        ),
        error_messages={"required": _("確認のチェックを入れてください。")},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            del self.fields["password"]  # signed up through an identity provider

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("パスワードが正しくありません。"))
        return password


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["code", "name", "name_en", "order"]
        help_texts = {"order": _("小さい数ほど手続の一覧で先に示します。")}


class PackageMappingForm(forms.Form):
    """Which existing section and position each incoming one becomes.

    The package itself travels back in a hidden field so that what is
    imported is exactly what was previewed.
    """

    content = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: list[Any], **kwargs: Any) -> None:
        from organisation.models import Position, Section

        super().__init__(*args, **kwargs)
        self.units = units
        sections = [
            (s.code, f"{s}（{s.code}）")
            for s in Section.objects.select_related("department")
        ]
        positions = [
            (p.code, f"{p}（{p.code}, {p.level}）") for p in Position.objects.all()
        ]
        for unit in units:
            if unit.kind == "section":
                label = _("課室「%(name)s」（%(code)s）") % {
                    "name": unit.name,
                    "code": unit.code,
                }
                choices = sections
            else:
                label = _("職位「%(name)s」（%(code)s）") % {
                    "name": unit.name,
                    "code": unit.code,
                }
                choices = positions
            self.fields[f"{unit.kind}__{unit.code}"] = forms.ChoiceField(
                label=label,
                choices=[("", _("パッケージの内容で新しく作る")), *choices],
                required=False,
                initial=unit.match.code if unit.match else "",
                help_text=(
                    _("コードが一致するものを選んでいます。")
                    if unit.matched_by == "code"
                    else _("名称が一致するものを選んでいます。")
                    if unit.matched_by == "name"
                    else _(
                        "一致するものがありません。新しく作ると、配置するまで"
                        "誰も担当しません。"
                    )
                ),
            )

    def clean_content(self) -> bytes:
        try:
            return base64.b64decode(self.cleaned_data["content"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise forms.ValidationError(
                _("パッケージのファイルをもう一度選んでください。")
            ) from exc

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for unit in self.units:
            name = f"{unit.kind}__{unit.code}"
            # The importers match by code: "create" cannot create a second
            # row with a code that is taken, it would silently reuse it.
            if cleaned.get(name) == "" and unit.matched_by == "code":
                self.add_error(
                    name,
                    _(
                        "このコードはすでに使われているため新しく作れません。"
                        "当てるものを選んでください。"
                    ),
                )
        return cleaned

    def mapping(self) -> dict[str, dict[str, str]]:
        result: dict[str, dict[str, str]] = {"section": {}, "position": {}}
        for unit in self.units:
            result[unit.kind][unit.code] = self.cleaned_data.get(
                f"{unit.kind}__{unit.code}", ""
            )
        return result


class OutcomeForm(forms.Form):
    """One outcome of a version on the administrator's screen (no JSON to type).

    The model's own rules (a refusal states its reason, codes the decision
    names do not use) and the decision form's limits are checked here as
    they are on import, each next to its field.
    """

    code = forms.SlugField(label=_("コード"), max_length=32)
    kind = forms.ChoiceField(label=_("種類"), choices=Outcome.Kind.choices)
    label = forms.CharField(label=_("名称"), max_length=60)
    label_en = forms.CharField(label=_("名称（英語）"), max_length=60, required=False)
    status_label = forms.CharField(
        label=_("決定後の状態の表示"), max_length=60, required=False
    )
    status_label_en = forms.CharField(
        label=_("決定後の状態の表示（英語）"), max_length=60, required=False
    )
    notice_title = forms.CharField(
        label=_("通知書の表題"), max_length=100, required=False
    )
    reason_required = forms.BooleanField(label=_("理由の提示が必要"), required=False)
    decision_form = forms.ModelChoiceField(
        label=_("決定内容のフォーム"),
        queryset=FormVersion.objects.none(),
        required=False,
        help_text=_(
            "フォームビルダーで作って公開したフォームの版です（例: 交付決定額、交付の条件）。"
        ),
    )
    limit_field = forms.ChoiceField(
        label=_("上限を設ける決定内容の項目"), required=False
    )
    limit_answer = forms.ChoiceField(
        label=_("上限とする申請の項目"),
        required=False,
        help_text=_("決定内容の項目は、この申請の回答を超えられません（例: 申請額）。"),
    )

    def __init__(self, *args: Any, version: ProcedureVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        published = FormVersion.objects.filter(
            status=FormVersion.Status.PUBLISHED
        ).select_related("form")
        self.fields["decision_form"].queryset = published
        self.fields["decision_form"].label_from_instance = lambda fv: (
            f"{fv.form.title} ({fv.form.code} v{fv.number})"
        )
        numeric = ("integer", "amount")
        decided = {}
        for form_version in published:
            for info in form_version.runtime.field_keys():
                if info.type in numeric:
                    decided.setdefault(info.key, f"{info.label} ({info.key})")
        self.fields["limit_field"].choices = [("", "—"), *sorted(decided.items())]
        # A computed whole number (申請額の合計) may be the ceiling too.
        self.fields["limit_answer"].choices = [
            ("", "—"),
            *(
                (info.key, f"{info.label} ({info.key})")
                for info in version.form_version.runtime.field_keys()
                if is_whole_number(info)
            ),
        ]

    def clean(self) -> dict[str, Any]:
        from django.core.exceptions import ValidationError

        from procedures.outcomes import outcome_check

        data = super().clean()
        if self.errors or not data.get("code"):
            return data
        field, answer = data.get("limit_field"), data.get("limit_answer")
        if bool(field) != bool(answer):
            self.add_error(
                "limit_answer" if field else "limit_field",
                _("上限は、決定内容の項目と申請の項目の両方を選んでください。"),
            )
            return data
        data["limits"] = [{"field": field, "answer": answer}] if field else []
        outcome = Outcome(
            procedure_version=self.version,
            **{
                name: data.get(name)
                for name in (
                    "code",
                    "kind",
                    "label",
                    "label_en",
                    "status_label",
                    "status_label_en",
                    "notice_title",
                    "reason_required",
                    "decision_form",
                    "limits",
                )
            },
        )
        try:
            outcome_check(outcome)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                target = "limit_field" if name == "limits" else name
                for message in messages:
                    self.add_error(target if target in self.fields else None, message)
        return data


class BaseOutcomeFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        from procedures.outcomes import outcome_errors

        if any(self.errors):
            return
        kept = [
            Outcome(code=form.cleaned_data["code"], kind=form.cleaned_data["kind"])
            for form in self.forms
            if form.cleaned_data
            and form.cleaned_data.get("code")
            and not form.cleaned_data.get("DELETE")
        ]
        problems = outcome_errors(kept)
        if problems:
            raise forms.ValidationError(problems)

    def items(self) -> list[dict[str, Any]]:
        """The outcomes to keep, in order, as ``outcomes_replace`` takes them."""
        items = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or not data.get("code") or data.get("DELETE"):
                continue
            items.append(
                {
                    "order": len(items),
                    "code": data["code"],
                    "kind": data["kind"],
                    "label": data["label"],
                    "label_en": data["label_en"],
                    "status_label": data["status_label"],
                    "status_label_en": data["status_label_en"],
                    "notice_title": data["notice_title"],
                    "reason_required": data["reason_required"],
                    "decision_form": data["decision_form"],
                    "limits": data["limits"],
                }
            )
        return items


OutcomeFormSet = forms.formset_factory(
    OutcomeForm, formset=BaseOutcomeFormSet, extra=1, can_delete=True
)


def outcome_initial(outcome: Outcome) -> dict[str, Any]:
    limit = (outcome.limits or [{}])[0]
    return {
        "code": outcome.code,
        "kind": outcome.kind,
        "label": outcome.label,
        "label_en": outcome.label_en,
        "status_label": outcome.status_label,
        "status_label_en": outcome.status_label_en,
        "notice_title": outcome.notice_title,
        "reason_required": outcome.reason_required,
        "decision_form": outcome.decision_form_id,
        "limit_field": limit.get("field", ""),
        "limit_answer": limit.get("answer", ""),
    }

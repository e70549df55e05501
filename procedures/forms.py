"""Forms of the resident portal and of the procedure administration."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from forms_builder.models import FormVersion
from procedures.models import Category, Outcome, Procedure, ProcedureVersion
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


class ProcedureVersionForm(forms.ModelForm):
    class Meta:
        model = ProcedureVersion
        fields = list(VERSION_FIELDS)
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
        self.fields["limit_answer"].choices = [
            ("", "—"),
            *(
                (info.key, f"{info.label} ({info.key})")
                for info in version.form_version.runtime.field_keys()
                if info.type in numeric
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

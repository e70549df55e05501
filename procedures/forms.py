"""Forms of the resident portal and of the procedure administration."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from procedures.models import Category, Procedure, ProcedureVersion
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
        # Omitted (an older page still open): keep what the version says.
        self.fields["applicant_kind"].required = False
        self._add_addressee_fields()

    def _add_addressee_fields(self) -> None:
        """One choice per part of the addressee, from the form's questions.

        The questions are those of the version's saved form; after changing
        the form, save once and choose again (publishing checks the mapping).
        """
        from procedures.addressee import ROLES

        version = self.instance
        questions = (
            version.form_version.runtime.field_keys()
            if version.pk and version.form_version_id
            else []
        )
        mapping = version.addressee_fields or {}
        for role in ROLES:
            choices = [("", _("使わない"))] + [
                (info.key, f"{info.label}（{info.key}）")
                for info in questions
                if info.type in role.types
            ]
            self.fields[f"addressee_{role.key}"] = forms.ChoiceField(
                label=_("宛名: %(role)s") % {"role": role.label},
                required=False,
                choices=choices,
                initial=mapping.get(role.key, ""),
            )

    def clean(self) -> dict[str, Any]:
        from procedures.addressee import ROLE_KEYS

        cleaned = super().clean()
        if not cleaned.get("applicant_kind"):
            cleaned["applicant_kind"] = self.instance.applicant_kind
        cleaned["addressee_fields"] = {
            key: cleaned[f"addressee_{key}"]
            for key in ROLE_KEYS
            if cleaned.get(f"addressee_{key}")
        }
        return cleaned


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

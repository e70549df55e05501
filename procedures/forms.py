"""Forms of the resident portal and of the procedure administration."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from core.japanese import format_wareki, processing_due_date
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
        self._preview_due_date()
        # Deadline settings (issue 15): left out, they keep what they were.
        for name in DEADLINE_FIELDS:
            self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in DEADLINE_FIELDS:
            if data.get(name) is None and name not in self.errors:
                data[name] = getattr(self.instance, name)
        return data

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

"""Forms of the documents app: the public upload and the template editor."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from documents.models import DocumentTemplate

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class VerifyUploadForm(forms.Form):
    """A PDF a member of the public wants checked."""

    file = forms.FileField(
        label=_("確認するPDFファイル"),
        help_text=_(
            "県から受け取った通知書などのPDFファイルを選んでください（10MBまで）。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("ファイルが大きすぎます。10MBまでのPDFを選んでください。")
            )
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError(
                _("PDFファイルではありません。PDFファイルを選んでください。")
            )
        return upload


class DocumentTemplateForm(forms.ModelForm):
    """Editing a procedure version's document template."""

    shown_fields_text = forms.CharField(
        label=_("印刷する回答項目"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("項目キーを1行に1つ書きます。空なら、すべての回答を印刷します。"),
    )

    class Meta:
        model = DocumentTemplate
        fields = [
            "preset",
            "number_symbol",
            "approval_title",
            "approval_text",
            "rejection_title",
            "rejection_text",
            "closing_text",
            "honorific",
            "print_seal",
            "html",
            "css",
        ]
        widgets = {
            "approval_text": forms.Textarea(attrs={"rows": 4}),
            "rejection_text": forms.Textarea(attrs={"rows": 4}),
            "closing_text": forms.Textarea(attrs={"rows": 4}),
            "html": forms.Textarea(attrs={"rows": 12, "class": "font-monospace"}),
            "css": forms.Textarea(attrs={"rows": 6, "class": "font-monospace"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Omitted (an older page still open): keep the template's honorific.
        self.fields["honorific"].required = False
        self.fields["shown_fields_text"].initial = "\n".join(
            self.instance.shown_fields or []
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("honorific"):
            cleaned["honorific"] = self.instance.honorific or "様"
            self.instance.honorific = cleaned["honorific"]
        text = cleaned.get("shown_fields_text") or ""
        self.instance.shown_fields = [
            line.strip() for line in text.splitlines() if line.strip()
        ]
        return cleaned

    def shown_fields_json(self) -> str:
        return json.dumps(self.instance.shown_fields, ensure_ascii=False)


class MailingForm(forms.Form):
    """The caseworker's record of a printed notice sent by post."""

    mailed_on = forms.DateField(
        label=_("発送日"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    method = forms.ChoiceField(
        label=_("発送方法"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, **kwargs):
        from documents.models import MailMethod

        super().__init__(*args, **kwargs)
        self.fields["method"].choices = MailMethod.choices
        self.fields["method"].initial = MailMethod.KANI_KAKITOME

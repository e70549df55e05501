"""Forms of the documents app: the public upload and the template editor."""

from __future__ import annotations

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
    """Editing a procedure version's document template.

    The printed answers are chosen from the form's own questions (in form
    order), not typed as keys; a key stored earlier that the form no longer
    has stays listed, marked, so saving never drops it silently.
    """

    shown_fields = forms.MultipleChoiceField(
        label=_("印刷する回答項目"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "選んだ項目だけを印刷します。何も選ばなければ、すべての回答を印刷します。"
        ),
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

    def __init__(self, *args, questions=(), **kwargs):
        """``questions``: (key, label) of the form's answers, in form order."""
        super().__init__(*args, **kwargs)
        # Omitted (an older page still open): keep the template's honorific.
        self.fields["honorific"].required = False
        choices = [(key, f"{label}（{key}）") for key, label in questions]
        known = {key for key, _label in questions}
        stored = [key for key in self.instance.shown_fields or [] if key]
        choices += [
            (key, _("%(key)s（フォームにない項目）") % {"key": key})
            for key in stored
            if key not in known
        ]
        self.fields["shown_fields"].choices = choices
        self.fields["shown_fields"].initial = stored

    def clean(self):
        cleaned = super().clean()
        self.instance.shown_fields = list(cleaned.get("shown_fields") or [])
        if not cleaned.get("honorific"):
            cleaned["honorific"] = self.instance.honorific or "様"
            self.instance.honorific = cleaned["honorific"]
        return cleaned


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

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class RecordsSelectionForm(forms.Form):
    """The applications an administrator chose on the list of due records."""

    application = forms.TypedMultipleChoiceField(
        label=_("対象の申請"),
        coerce=int,
        error_messages={"required": _("対象の申請を選んでください。")},
    )
    action = forms.ChoiceField(
        choices=[("dispose", _("廃棄する")), ("export", _("移管用に出力する"))]
    )
    confirm = forms.BooleanField(
        label=_("廃棄した記録は元に戻せないことを確認しました"), required=False
    )

    def __init__(self, *args, choices: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["application"].choices = [(pk, pk) for pk in choices]

    def clean(self):
        data = super().clean()
        if data.get("action") == "dispose" and not data.get("confirm"):
            self.add_error(
                "confirm", _("廃棄するときは、元に戻せないことの確認が必要です。")
            )
        return data

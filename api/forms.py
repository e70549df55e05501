"""The token page's form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("トークンの名前"),
        max_length=100,
        help_text=_("どのシステムで使うか分かる名前にします。例: 会計システム連携"),
        error_messages={"required": _("トークンの名前を入力してください。")},
    )

"""The token page's form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from api.services import TOKEN_DEFAULT_DAYS, token_validity_days_for


def validity_error(days: tuple[int, ...]) -> str:
    """The refusal of a validity that is not offered (page and API say the same)."""
    return gettext("有効期間（日数）は %(choices)s のいずれかを選んでください。") % {
        # The list separator is language's too: 「30、90、365」, "30, 90, 365".
        "choices": gettext("、").join(str(d) for d in days)
    }


def validity_label(days: int) -> str:
    if days == TOKEN_DEFAULT_DAYS:
        return gettext("%(days)s日（標準）") % {"days": days}
    return gettext("%(days)s日") % {"days": days}


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("トークンの名前"),
        max_length=100,
        help_text=_("どのシステムで使うか分かる名前にします。例: 会計システム連携"),
        error_messages={"required": _("トークンの名前を入力してください。")},
    )
    # Not sent at all (an old client): the default, as in the API.
    validity_days = forms.TypedChoiceField(
        label=_("有効期間"),
        coerce=int,
        required=False,
        empty_value=TOKEN_DEFAULT_DAYS,
        initial=TOKEN_DEFAULT_DAYS,
        widget=forms.RadioSelect,
        help_text=_("期限を過ぎたトークンは使えなくなります。"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        days = token_validity_days_for(user)
        field = self.fields["validity_days"]
        field.choices = [(d, validity_label(d)) for d in days]
        field.error_messages["invalid_choice"] = validity_error(days)

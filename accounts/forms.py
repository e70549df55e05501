from __future__ import annotations

from typing import Any

from axes.helpers import get_cool_off
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core import roles
from core.outbox import outbox_mail


class RateLimitedLoginForm(AuthenticationForm):
    """Login form of every area.

    Failed attempts are counted by django-axes (``accounts.lockout``): past
    ``AXES_FAILURE_LIMIT`` for one account from one address, that pair is
    refused without checking the password until the cool-off has passed.
    """

    username = forms.EmailField(
        label=_("メールアドレス"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    area = "resident"
    error_messages = {
        "invalid_login": _(
            "メールアドレスまたはパスワードが正しくありません。"
            "入力内容を確かめてもう一度お試しください。"
        ),
        "inactive": _(
            "このアカウントはまだ有効になっていません。"
            "登録時にお送りしたメールのリンクを開いてください。"
        ),
        "rate_limited": _(
            "ログインの失敗が続いたため、この端末からはしばらくログインできません。"
            "%(minutes)d分ほどたってからもう一度お試しください。"
        ),
        "wrong_area": _("このアカウントではこの画面にログインできません。"),
    }

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except forms.ValidationError:
            # axes refused (or just locked) this account from this address.
            if getattr(self.request, "axes_locked_out", False):
                cool_off = get_cool_off(self.request)
                raise forms.ValidationError(
                    self.error_messages["rate_limited"],
                    code="rate_limited",
                    params={"minutes": int(cool_off.total_seconds() // 60)},
                ) from None
            raise

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        allowed = {
            "resident": not user.is_staff,
            "caseworker": roles.is_caseworker(user),
            "administrator": roles.can_enter_manage_area(user),
        }[self.area]
        if not allowed:
            raise forms.ValidationError(
                self.error_messages["wrong_area"], code="wrong_area"
            )


class CaseworkerLoginForm(RateLimitedLoginForm):
    area = "caseworker"


class AdministratorLoginForm(RateLimitedLoginForm):
    area = "administrator"


class RegistrationForm(forms.Form):
    email = forms.EmailField(
        label=_("メールアドレス"),
        help_text=_("確認のメールをお送りします。"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    full_name = forms.CharField(
        label=_("氏名"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label=_("パスワード"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("10文字以上で、推測されにくいものにしてください。"),
    )
    password2 = forms.CharField(
        label=_("パスワード（確認）"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    preferred_language = forms.ChoiceField(
        label=_("連絡に使う言語"), choices=settings.LANGUAGES, initial="ja"
    )

    def clean_email(self) -> str:
        # An address already registered is not refused here: saying so would
        # tell anyone which addresses have accounts. The service mails the
        # owner instead (accounts.services.resident_register).
        return self.cleaned_data["email"].lower()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("確認用のパスワードが一致しません。"))
        elif p1:
            candidate = User(
                email=cleaned.get("email", ""), full_name=cleaned.get("full_name", "")
            )
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


BUSINESS_FIELDS = (
    "business_name",
    "corporate_number",
    "business_postal_code",
    "business_address",
    "representative_title",
    "representative_name",
)


class ProfileForm(forms.ModelForm):
    # Longer than the 13 digits: hyphens and spaces are taken out in clean.
    corporate_number = forms.CharField(
        label=User._meta.get_field("corporate_number").verbose_name,
        help_text=User._meta.get_field("corporate_number").help_text,
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    class Meta:
        model = User
        fields = [
            "full_name",
            "full_name_kana",
            "postal_code",
            "address",
            "phone",
            "birth_date",
            "preferred_language",
            *BUSINESS_FIELDS,
        ]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}),
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "postal_code": forms.TextInput(
                attrs={"autocomplete": "postal-code", "inputmode": "numeric"}
            ),
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "business_postal_code": forms.TextInput(attrs={"inputmode": "numeric"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["business_name"].help_text = _(
            "法人・個人事業主として申請するとき、申請フォームにあらかじめ入力されます。"
        )

    def clean_corporate_number(self) -> str:
        # Written as on a certificate (1234-56-789012 or full-width digits).
        value = self.cleaned_data.get("corporate_number") or ""
        value = value.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
        return "".join(ch for ch in value if ch not in "- 　－")


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, its mail written to the outbox instead of sent inline.

    A mail server that is down must not turn the request into an error page.
    """

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        from django.template import loader

        subject = "".join(
            loader.render_to_string(subject_template_name, context).splitlines()
        )
        body = loader.render_to_string(email_template_name, context)
        outbox_mail(
            to=to_email, subject=subject, body=body, from_email=from_email or ""
        )


class SecondFactorCodeForm(forms.Form):
    """A six-digit code from the authenticator app (or, at sign-in, a recovery code)."""

    code = forms.CharField(
        label=_("確認コード"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self) -> str:
        # Apps show the code as "123 456"; recovery codes are lower case.
        return "".join(self.cleaned_data["code"].split()).lower()

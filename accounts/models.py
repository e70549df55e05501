"""One account per person: residents and staff share the user model."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

katakana_validator = RegexValidator(
    r"^[\u30A0-\u30FF\u3000 ー・]*$", _("全角カタカナで入力してください。")
)
phone_validator = RegexValidator(
    r"^0\d{1,4}-?\d{1,4}-?\d{3,4}$",
    _("電話番号は 03-1234-5678 や 09012345678 のように入力してください。"),
)
postal_code_validator = RegexValidator(
    r"^\d{3}-?\d{4}$", _("郵便番号は 123-4567 の形で入力してください。")
)


def validate_corporate_number(value: str) -> None:
    """法人番号: 13 digits whose first is the check digit of the other twelve.

    The check digit is 9 − (Σ Pn × Qn mod 9), Pn being the n-th digit from
    the right of the twelve and Qn 1 for odd n, 2 for even n (法人番号の
    指定等に関する省令 第2条).
    """
    from django.core.exceptions import ValidationError

    if not re.fullmatch(r"\d{13}", value or ""):
        raise ValidationError(
            _("法人番号は13桁の数字で入力してください。"), code="corporate_number"
        )
    body = value[1:]
    total = sum(
        int(digit) * (1 if n % 2 else 2)
        for n, digit in enumerate(reversed(body), start=1)
    )
    if int(value[0]) != 9 - total % 9:
        raise ValidationError(
            _("法人番号が正しくありません（チェックディジットが一致しません）。"),
            code="corporate_number_check",
        )


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(
        self, email: str, password: str | None = None, **extra: object
    ) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str, **extra: object) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: a resident, a caseworker or an administrator.

    The profile (name, フリガナ, address, phone, birth date) lives on the
    account so that every procedure pre-fills from the same place.
    """

    email = models.EmailField(_("メールアドレス"), unique=True)
    full_name = models.CharField(_("氏名"), max_length=100, blank=True)
    full_name_kana = models.CharField(
        _("フリガナ"), max_length=100, blank=True, validators=[katakana_validator]
    )
    postal_code = models.CharField(
        _("郵便番号"), max_length=8, blank=True, validators=[postal_code_validator]
    )
    address = models.CharField(_("住所"), max_length=255, blank=True)
    phone = models.CharField(
        _("電話番号"), max_length=20, blank=True, validators=[phone_validator]
    )
    birth_date = models.DateField(_("生年月日"), null=True, blank=True)
    # A resident may also apply for a business (法人・個人事業主) they represent.
    business_name = models.CharField(
        _("法人・事業者の名称"), max_length=200, blank=True
    )
    corporate_number = models.CharField(
        _("法人番号"),
        max_length=13,
        blank=True,
        validators=[validate_corporate_number],
        help_text=_("13桁の数字です。個人事業主の方は空欄にしてください。"),
    )
    business_postal_code = models.CharField(
        _("所在地の郵便番号"),
        max_length=8,
        blank=True,
        validators=[postal_code_validator],
    )
    business_address = models.CharField(_("所在地"), max_length=255, blank=True)
    representative_title = models.CharField(
        _("代表者の役職"), max_length=100, blank=True
    )
    representative_name = models.CharField(
        _("代表者の氏名"), max_length=100, blank=True
    )
    preferred_language = models.CharField(
        _("連絡に使う言語"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="ja",
    )
    email_verified_at = models.DateTimeField(_("メール確認日時"), null=True, blank=True)
    is_staff = models.BooleanField(
        _("職員"),
        default=False,
        help_text=_(
            "職員用の画面に入れるアカウントです。住民のアカウントには付けません。"
        ),
    )
    is_active = models.BooleanField(_("有効"), default=True)
    date_joined = models.DateTimeField(_("登録日時"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("アカウント")
        verbose_name_plural = _("アカウント")
        permissions = [
            ("access_caseworker_area", _("審査担当の画面を使える")),
            ("access_admin_area", _("手続管理の画面を使える")),
            ("manage_organisation", _("所属管理の画面を使える")),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile")

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name or self.email

    @property
    def profile_prefill(self) -> dict[str, object]:
        """Values a form may pre-fill from, by profile key."""
        return {
            "full_name": self.full_name,
            "full_name_kana": self.full_name_kana,
            "postal_code": self.postal_code,
            "address": self.address,
            "phone": self.phone,
            "birth_date": self.birth_date,
            "email": self.email,
            "business_name": self.business_name,
            "corporate_number": self.corporate_number,
            "business_postal_code": self.business_postal_code,
            "business_address": self.business_address,
            "representative_title": self.representative_title,
            "representative_name": self.representative_name,
        }


class ExternalIdentity(models.Model):
    """An account's link to a subject at an external OpenID Connect provider.

    Accounts are found by the provider's stable subject (``sub``), never by an
    e-mail address alone, so that an address at a provider cannot take over
    an existing account.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="external_identities"
    )
    issuer = models.CharField(_("ID提供者"), max_length=255)
    subject = models.CharField(_("識別子"), max_length=255)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("外部ID")
        verbose_name_plural = _("外部ID")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="external_identity_unique_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject}"

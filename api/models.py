"""API tokens (only their hash is stored) and answered idempotent requests."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A token a system uses to act as one person; the secret itself is never stored.

    Only the SHA-256 of the token is kept: the token is 256 random bits, so a
    fast hash is enough (a slow password hash protects guessable secrets).
    Every token expires: a forgotten token in some system must not act for
    the person forever.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("アカウント"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("名前"), max_length=100)
    prefix = models.CharField(_("先頭の文字"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最終利用日時"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("無効にした日時"), null=True, blank=True)
    expires_at = models.DateTimeField(_("有効期限"))

    class Meta:
        verbose_name = _("APIトークン")
        verbose_name_plural = _("APIトークン")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="apitoken_user_idx")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        """Usable now: neither revoked nor expired."""
        return self.revoked_at is None and not self.is_expired

    @property
    def status(self) -> str:
        """``revoked``, ``expired`` or ``active`` (revoked wins: it was a decision)."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.is_expired else "active"


class IdempotencyRecord(models.Model):
    """The answer to a request sent with an ``Idempotency-Key``, per user.

    A retried request with the same key and body gets the same answer and
    changes nothing; the same key with another body is refused.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("冪等キー")
        verbose_name_plural = _("冪等キー")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], name="idempotency_unique_user_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"

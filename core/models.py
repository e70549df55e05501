"""Cross-cutting records: the staff audit log and the outbox of messages."""

from __future__ import annotations

import hashlib
import hmac
import json

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.japanese import format_display_date


class AuditEvent(models.Model):
    """One staff or system action, chained by keyed hash to the one before it.

    Each row's hash is an HMAC over its content and the previous row's hash,
    so an edited or deleted row breaks the chain at its index, and nobody
    without the key can recompute the chain after an edit (see
    ``core.audit.audit_verify_chain``). ``key_id`` names the key, so keys can
    be rotated while older rows still verify.
    """

    created_at = models.DateTimeField(_("日時"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("操作"), max_length=64)
    target_type = models.CharField(_("対象の種類"), max_length=64, blank=True)
    target_id = models.CharField(_("対象のID"), max_length=64, blank=True)
    data = models.JSONField(_("内容"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IPアドレス"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    key_id = models.CharField(max_length=32)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("監査ログ")
        verbose_name_plural = _("監査ログ")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx")
        ]

    def __str__(self) -> str:
        return f"{format_display_date(self.created_at, time=True)} {self.action}"

    def compute_hash(self, key: bytes) -> str:
        payload = json.dumps(
            {
                "prev": self.prev_hash,
                "at": self.created_at.isoformat(),
                "actor": self.actor_id,
                "action": self.action,
                "target": [self.target_type, self.target_id],
                "data": self.data,
                "ip": self.ip_address,
                "kid": self.key_id,
            },
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        )
        return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


class AccessRecord(models.Model):
    """One look by staff at a resident's personal data (閲覧記録).

    Written in the request that shows the data, without the audit chain's
    lock (page views are many and need no ordering), so that the prefecture
    can answer a resident's request for the list of staff who viewed their
    application (個人情報の開示請求).
    """

    class What(models.TextChoices):
        CASE = "case", _("案件（申請内容）")
        ATTACHMENT = "attachment", _("添付ファイル")
        DOCUMENT = "document", _("発行文書")

    class Channel(models.TextChoices):
        PAGE = "page", _("画面")
        API = "api", _("API")

    created_at = models.DateTimeField(_("日時"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("閲覧者"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_type = models.CharField(_("対象の種類"), max_length=64)
    target_id = models.CharField(_("対象のID"), max_length=64)
    what = models.CharField(_("閲覧したもの"), max_length=16, choices=What.choices)
    detail = models.CharField(_("詳細"), max_length=255, blank=True)
    channel = models.CharField(_("経路"), max_length=8, choices=Channel.choices)
    ip_address = models.GenericIPAddressField(_("IPアドレス"), null=True, blank=True)

    class Meta:
        verbose_name = _("閲覧記録")
        verbose_name_plural = _("閲覧記録")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["target_type", "target_id", "created_at"],
                name="access_target_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.what}"


class OutboxMessage(models.Model):
    """A message to send (e-mail; later webhooks), written with the change it reports.

    The row is created in the same transaction as the change, so a message
    exists exactly when its change committed; a worker delivers it later
    with retries (``core.outbox``), and a failure is for administrators to
    see at /manage/outbox/, never an error for the user who caused it.
    """

    class Kind(models.TextChoices):
        EMAIL = "email", _("メール")
        WEBHOOK = "webhook", _("チャット通知（Webhook）")

    class Status(models.TextChoices):
        PENDING = "pending", _("送信待ち")
        WORKING = "working", _("送信中")
        FAILED = "failed", _("失敗（再試行待ち）")
        ABANDONED = "abandoned", _("失敗（自動の再試行を終了）")
        SENT = "sent", _("送信済み")

    kind = models.CharField(
        _("種類"), max_length=16, choices=Kind.choices, default=Kind.EMAIL
    )
    status = models.CharField(
        _("状態"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    recipient = models.CharField(_("宛先"), max_length=254)
    subject = models.CharField(_("件名"), max_length=255, blank=True)
    payload = models.JSONField(_("内容"), default=dict)
    attempts = models.PositiveIntegerField(_("試行回数"), default=0)
    last_error = models.TextField(_("直近のエラー"), blank=True)
    # A webhook's last HTTP answer (sections ask whether theirs arrived).
    response_status = models.PositiveSmallIntegerField(
        _("HTTP ステータス"), null=True, blank=True
    )
    next_attempt_at = models.DateTimeField(_("次の試行"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now)
    sent_at = models.DateTimeField(_("送信日時"), null=True, blank=True)
    # What the message is about (an application), named the way the access
    # log names its targets: core sits below the apps whose records it
    # names. Records disposal erases the messages of what it disposes of.
    about_type = models.CharField(_("関連する記録の種類"), max_length=64, blank=True)
    about_id = models.CharField(_("関連する記録のID"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("送信待ちのメッセージ")
        verbose_name_plural = _("送信待ちのメッセージ")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
            models.Index(fields=["about_type", "about_id"], name="outbox_about_idx"),
            models.Index(fields=["status", "sent_at"], name="outbox_sent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"

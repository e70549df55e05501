"""Cross-cutting records: the staff audit log."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.japanese import format_display_date


class AuditEvent(models.Model):
    """One staff or system action, chained by hash to the one before it.

    Each row's hash covers its content and the previous row's hash, so an
    edited or deleted row breaks the chain at its index (see
    ``core.audit.audit_verify_chain``).
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

    def compute_hash(self) -> str:
        payload = json.dumps(
            {
                "prev": self.prev_hash,
                "at": self.created_at.isoformat(),
                "actor": self.actor_id,
                "action": self.action,
                "target": [self.target_type, self.target_id],
                "data": self.data,
                "ip": self.ip_address,
            },
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()

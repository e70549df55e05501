"""The register of records that left the platform at the end of their
retention period (廃棄簿・移管簿), and the batches handed to the archives."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TransferBatch(models.Model):
    """Records exported for the archives (移管), erased once receipt is confirmed."""

    class Status(models.TextChoices):
        EXPORTED = "exported", _("出力済み（引渡し待ち）")
        TRANSFERRED = "transferred", _("移管済み")

    created_at = models.DateTimeField(_("出力日時"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("出力した職員"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状態"), max_length=16, choices=Status.choices, default=Status.EXPORTED
    )
    application_ids = models.JSONField(default=list)
    manifest_sha256 = models.CharField(_("目録のSHA-256"), max_length=64)
    confirmed_at = models.DateTimeField(_("移管日時"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("移管を確認した職員"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("移管の出力")
        verbose_name_plural = _("移管の出力")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} ({len(self.application_ids)})"


class DisposalRecord(models.Model):
    """One line of the 廃棄簿 or 移管簿: what was erased, when, on whose approval.

    Holds nothing personal: the receipt and document numbers, the procedure
    and the dates are enough to answer "what happened to application X".
    """

    class Action(models.TextChoices):
        DISPOSE = "dispose", _("廃棄")
        TRANSFER = "transfer", _("移管")

    action = models.CharField(_("区分"), max_length=16, choices=Action.choices)
    receipt_number = models.CharField(_("受付番号"), max_length=40, unique=True)
    procedure_code = models.CharField(_("手続コード"), max_length=64)
    procedure_title = models.CharField(_("手続"), max_length=200)
    retention_years = models.PositiveSmallIntegerField(_("保存期間（年）"))
    submitted_on = models.DateField(_("申請日"), null=True)
    closed_on = models.DateField(_("事案の終了日"))
    kept_until = models.DateField(_("保存期間の満了日"))
    document_number = models.CharField(_("文書番号"), max_length=60, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承認した職員"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    done_at = models.DateTimeField(_("実施日時"), default=timezone.now)
    transfer = models.ForeignKey(
        TransferBatch,
        verbose_name=_("移管の出力"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
    )

    class Meta:
        verbose_name = _("廃棄・移管の記録")
        verbose_name_plural = _("廃棄・移管の記録")
        ordering = ["-done_at", "-id"]

    def __str__(self) -> str:
        return f"{self.receipt_number} {self.get_action_display()}"

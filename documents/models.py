"""Official documents: their templates, their numbers and the issued files.

An issued document is written in two steps. Inside the final decision's
transaction a row is created with its number and a snapshot of everything
printed on it; after commit, a worker renders, signs and uploads the file
and records its SHA-256. The snapshot makes every retry print the same
document, and the row is the outbox: nothing is lost if storage is down.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DocumentTemplate(models.Model):
    """How a procedure version's notices look and read (sandboxed HTML/CSS)."""

    class Preset(models.TextChoices):
        PERMIT = "permit", _("許可書")
        GRANT = "grant", _("交付決定通知書")
        NOTICE = "notice", _("決定通知書")

    procedure_version = models.OneToOneField(
        "procedures.ProcedureVersion",
        verbose_name=_("手続の版"),
        on_delete=models.CASCADE,
        related_name="document_template",
    )
    preset = models.CharField(
        _("ひな形"), max_length=16, choices=Preset.choices, default=Preset.PERMIT
    )
    number_symbol = models.CharField(
        _("文書記号"),
        max_length=20,
        blank=True,
        help_text=_("文書番号の記号です（例: 福政）。空欄なら部局名を使います。"),
    )
    approval_title = models.CharField(_("許可・決定時の表題"), max_length=60)
    approval_text = models.TextField(
        _("許可・決定時の本文"),
        help_text=_("テンプレート記法が使えます（例: {{ procedure.title }}）。"),
    )
    rejection_title = models.CharField(_("不許可時の表題"), max_length=60)
    rejection_text = models.TextField(_("不許可時の本文"))
    closing_text = models.TextField(
        _("教示文・付記"),
        blank=True,
        help_text=_("審査請求・取消訴訟の教示など、本文の後に印刷する文です。"),
    )
    shown_fields = models.JSONField(
        _("印刷する回答項目"),
        default=list,
        blank=True,
        help_text=_("項目キーの一覧です。空なら、すべての回答を印刷します。"),
    )
    # How the addressee is honoured and whether the 公印 is printed are each
    # prefecture's rules per kind of notice (公印省略 is then stated).
    honorific = models.CharField(
        _("宛名の敬称"),
        max_length=4,
        choices=[("様", "様"), ("殿", "殿")],
        default="様",
    )
    print_seal = models.BooleanField(
        _("公印を印刷する"),
        default=True,
        help_text=_("オフのときは公印を印刷せず「公印省略」と記載します。"),
    )
    html = models.TextField(
        _("レイアウト（HTML）"),
        blank=True,
        help_text=_("空欄なら標準のレイアウトを使います。"),
    )
    css = models.TextField(_("追加のCSS"), blank=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("文書テンプレート")
        verbose_name_plural = _("文書テンプレート")

    def __str__(self) -> str:
        return str(self.procedure_version)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from documents.rendering import TemplateSyntaxProblem, compile_template

        errors = {}
        for name in ("approval_text", "rejection_text", "closing_text", "html"):
            try:
                compile_template(getattr(self, name))
            except TemplateSyntaxProblem as problem:
                errors[name] = str(problem)
        if not isinstance(self.shown_fields, list) or not all(
            isinstance(key, str) for key in self.shown_fields
        ):
            errors["shown_fields"] = _("項目キーの一覧で指定してください。")
        if errors:
            raise ValidationError(errors)


class DocumentCounter(models.Model):
    """The last document number used per department and fiscal year."""

    department = models.ForeignKey(
        "organisation.Department", on_delete=models.PROTECT, related_name="+"
    )
    fiscal_year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("文書番号の採番")
        verbose_name_plural = _("文書番号の採番")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "fiscal_year"], name="document_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department_id}/{self.fiscal_year}: {self.last_number}"


def _verification_token() -> str:
    return secrets.token_urlsafe(18)


class MailMethod(models.TextChoices):
    """How a printed notice was sent."""

    KANI_KAKITOME = "kani_kakitome", _("簡易書留")
    KAKITOME = "kakitome", _("一般書留")
    HAITATSU_SHOMEI = "haitatsu_shomei", _("配達証明")
    TOKUBETSU_SOTATSU = "tokubetsu_sotatsu", _("特別送達")
    ORDINARY = "ordinary", _("普通郵便")
    HAND = "hand", _("窓口で手渡し")


class IssuedDocument(models.Model):
    """One official notice of an application: its number, snapshot and file."""

    class Status(models.TextChoices):
        PENDING = "pending", _("作成待ち")
        WORKING = "working", _("作成中")
        FAILED = "failed", _("失敗（再試行待ち）")
        ISSUED = "issued", _("発行済み")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        "procedures.Application",
        verbose_name=_("申請"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    approved = models.BooleanField(_("許可"))
    status = models.CharField(
        _("状態"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    department = models.ForeignKey(
        "organisation.Department",
        verbose_name=_("発行部局"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    serial = models.PositiveIntegerField(_("連番"))
    number = models.CharField(_("文書番号"), max_length=60)
    issued_on = models.DateField(_("発行日"))
    title = models.CharField(_("表題"), max_length=60)
    snapshot = models.JSONField(_("印刷内容"))
    verification_token = models.CharField(
        max_length=32, unique=True, default=_verification_token, editable=False
    )
    file = models.FileField(_("ファイル"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    signature_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    size = models.PositiveIntegerField(_("サイズ"), default=0)
    attempts = models.PositiveIntegerField(_("試行回数"), default=0)
    last_error = models.TextField(_("直近のエラー"), blank=True)
    next_attempt_at = models.DateTimeField(_("次の試行"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    stored_at = models.DateTimeField(_("保存日時"), null=True, blank=True)
    # Delivery (処分通知等のデジタル化): electronically when the applicant
    # consented (デジタル手続法第7条), else printed and mailed by the office.
    electronic_delivery = models.BooleanField(_("電子交付"), default=True)
    mailed_on = models.DateField(_("発送日"), null=True, blank=True)
    mail_method = models.CharField(
        _("発送方法"), max_length=24, choices=MailMethod.choices, blank=True
    )
    mailed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("発送を記録した職員"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The applicant's first download: when they can be taken to have learned
    # of the decision (the 審査請求 period of the 教示 starts then).
    first_downloaded_at = models.DateTimeField(
        _("申請者が初めてダウンロードした日時"), null=True, blank=True
    )
    first_downloaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("初めてダウンロードした人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unread_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("発行文書")
        verbose_name_plural = _("発行文書")
        ordering = ["-created_at"]
        constraints = [
            # One notice per decided application: a retried decision or task
            # finds this row instead of numbering a second document.
            models.UniqueConstraint(
                fields=["application"], name="document_one_per_application"
            ),
            # 文書番号 are never reused: one serial per department and year.
            models.UniqueConstraint(
                fields=["department", "fiscal_year", "serial"],
                name="document_unique_number",
            ),
            models.CheckConstraint(
                condition=~Q(status="issued") | ~Q(sha256=""),
                name="document_issued_has_digest",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"], name="document_pending_idx"
            ),
            # The KPI rollup: electronic notices stored / first downloaded on
            # a day (stats.services).
            models.Index(
                fields=["stored_at"],
                name="document_stored_idx",
                condition=Q(status="issued", electronic_delivery=True),
            ),
            models.Index(
                fields=["first_downloaded_at"],
                name="document_downloaded_idx",
                condition=Q(
                    status="issued",
                    electronic_delivery=True,
                    first_downloaded_at__isnull=False,
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_download_url(self) -> str:
        """The applicant's permission-checked download."""
        return reverse("documents:download", kwargs={"public_id": self.public_id})

    def get_verification_url(self) -> str:
        return reverse(
            "documents:verify_token", kwargs={"token": self.verification_token}
        )

    @property
    def absolute_verification_url(self) -> str:
        return f"{settings.SITE_URL}{self.get_verification_url()}"

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED

    @property
    def claim_is_stale(self) -> bool:
        """Working for longer than any attempt lasts: its worker died."""
        grace = dt.timedelta(seconds=settings.DOCUMENT_CLAIM_GRACE_SECONDS)
        return (
            self.status == self.Status.WORKING
            and self.claimed_at is not None
            and self.claimed_at < timezone.now() - grace
        )

    def is_mailed(self) -> bool:
        return self.mailed_on is not None

    @property
    def filename(self) -> str:
        return f"{self.number}.pdf"

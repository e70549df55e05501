"""Procedures that administrators publish, and the applications residents make.

A procedure's content lives in versions; an application points at the
version it was started with and keeps it until it ends, so editing or
republishing a procedure never changes a running case.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.i18n import localized


class Category(models.Model):
    """A heading of the catalogue (福祉, 環境, 産業 …)."""

    code = models.SlugField(_("コード"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("名称（英語）"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("分類")
        verbose_name_plural = _("分類")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return localized(self, "name")


class Procedure(models.Model):
    """A procedure as a whole: its code, lifecycle and published version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("作成中")
        PUBLISHED = "published", _("公開中")
        SUSPENDED = "suspended", _("受付停止中")
        RETIRED = "retired", _("廃止")

    code = models.SlugField(
        _("手続コード"),
        max_length=32,
        unique=True,
        help_text=_("受付番号にも使う英数字の短い名前です（例: kaigo-josei）。"),
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("分類"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="procedures",
    )
    status = models.CharField(
        _("状態"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    current_version = models.ForeignKey(
        "ProcedureVersion",
        verbose_name=_("公開中の版"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    receipt_prefix = models.CharField(
        _("受付番号の記号"),
        max_length=12,
        unique=True,
        help_text=_("受付番号の先頭に付ける記号です（例: KJ）。"),
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("手続")
        verbose_name_plural = _("手続")
        ordering = ["code"]

    def __str__(self) -> str:
        version = self.current_version
        return version.title_text if version else self.code

    def get_absolute_url(self) -> str:
        return reverse("procedures:detail", kwargs={"code": self.code})

    @property
    def accepts_applications(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED and self.current_version_id is not None
        )


# 保存期間の区分 of the prefecture's 公文書 rules.
RETENTION_CHOICES = [
    (1, _("1年")),
    (3, _("3年")),
    (5, _("5年")),
    (10, _("10年")),
    (30, _("30年")),
]


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("個人")
    BUSINESS = "business", _("法人・個人事業主")
    EITHER = "either", _("個人または法人・個人事業主")


class ProcedureVersion(models.Model):
    """One version of a procedure: texts, form, section and period.

    The approval route (workflow) and the document template (documents) hang
    off the version by one-to-one relations, so the whole procedure is
    versioned together.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("下書き")
        PUBLISHED = "published", _("公開済み")
        SUPERSEDED = "superseded", _("旧版")

    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("手続"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("版"))
    status = models.CharField(
        _("状態"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    title = models.CharField(_("名称"), max_length=200)
    title_en = models.CharField(_("名称（英語）"), max_length=200, blank=True)
    summary = models.TextField(_("概要"), blank=True)
    summary_en = models.TextField(_("概要（英語）"), blank=True)
    keywords = models.CharField(
        _("検索用キーワード"),
        max_length=255,
        blank=True,
        help_text=_("名称にない言葉で探す人のために、空白で区切って入力します。"),
    )
    eligibility = models.TextField(_("申請できる方"), blank=True)
    eligibility_en = models.TextField(_("申請できる方（英語）"), blank=True)
    required_documents = models.TextField(_("必要な書類"), blank=True)
    required_documents_en = models.TextField(_("必要な書類（英語）"), blank=True)
    fee_yen = models.PositiveIntegerField(_("手数料（円）"), default=0)
    fee_note = models.CharField(_("手数料の説明"), max_length=200, blank=True)
    fee_note_en = models.CharField(
        _("手数料の説明（英語）"), max_length=200, blank=True
    )
    section = models.ForeignKey(
        "organisation.Section",
        verbose_name=_("担当課"),
        on_delete=models.PROTECT,
        related_name="procedure_versions",
    )
    contact = models.CharField(_("問い合わせ先"), max_length=255, blank=True)
    contact_en = models.CharField(_("問い合わせ先（英語）"), max_length=255, blank=True)
    processing_days = models.PositiveSmallIntegerField(
        _("標準処理期間（日）"),
        help_text=_("受付の翌日から数えます（初日不算入）。"),
    )
    # Calendar days by default: most ordinances state 標準処理期間 in days
    # (暦日), and 30 business days is six weeks, not a month.
    processing_in_business_days = models.BooleanField(
        _("開庁日で数える"),
        default=False,
        help_text=_("オフのときは暦日で数え、末日が閉庁日なら翌開庁日までとします。"),
    )
    # Issue 15: the resident's time for a 補正 (editable per request by the
    # caseworker), and how long a case may be overdue before the level above
    # the one holding it is told.
    amendment_days = models.PositiveSmallIntegerField(
        _("補正期限（日）"),
        default=14,
        help_text=_("補正を依頼した日の翌日から数えます。依頼ごとに変更できます。"),
    )
    escalation_working_days = models.PositiveSmallIntegerField(
        _("上位の職への通知（期限超過後の開庁日数）"),
        default=3,
        help_text=_(
            "処理期限を過ぎてからこの開庁日数がたつと、一つ上の段階の職員に知らせます。"
        ),
    )
    retention_years = models.PositiveSmallIntegerField(
        _("保存期間（年）"),
        choices=RETENTION_CHOICES,
        default=5,
        help_text=_(
            "申請と発行文書を保存する期間です。事案が終わった日の属する年度の"
            "翌年度の4月1日から数えます。"
        ),
    )
    form_version = models.ForeignKey(
        "forms_builder.FormVersion",
        verbose_name=_("申請フォームの版"),
        on_delete=models.PROTECT,
        related_name="procedure_versions",
    )
    # Who may apply and which answers address the notice (procedures.addressee).
    applicant_kind = models.CharField(
        _("申請できる者"),
        max_length=16,
        choices=ApplicantKind.choices,
        default=ApplicantKind.PERSON,
    )
    allows_proxy = models.BooleanField(
        _("代理申請を認める"),
        default=False,
        help_text=_("代理人が申請するときは委任状の添付を必須にします。"),
    )
    addressee_fields = models.JSONField(_("宛名に使う項目"), default=dict, blank=True)
    # デジタル手続法第7条: a notice is delivered electronically only to an
    # applicant who said so; the others get it by post.
    asks_delivery_consent = models.BooleanField(
        _("通知書の電子交付の同意を申請時に確認する"),
        default=True,
        help_text=_(
            "オフのときは、通知書をすべて印刷して郵送します。"
            "同意しなかった申請者にも郵送します。"
        ),
    )
    published_at = models.DateTimeField(_("公開日時"), null=True, blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("手続の版")
        verbose_name_plural = _("手続の版")
        ordering = ["procedure", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "number"], name="procedure_version_unique_number"
            ),
            # Editing happens on the one draft; two drafts would fork the text.
            models.UniqueConstraint(
                fields=["procedure"],
                condition=Q(status="draft"),
                name="procedure_version_one_draft",
            ),
            models.UniqueConstraint(
                fields=["procedure"],
                condition=Q(status="published"),
                name="procedure_version_one_published",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"

    @property
    def title_text(self) -> str:
        return localized(self, "title")

    @property
    def department(self) -> Any:
        return self.section.department

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


# Codes an outcome cannot take: the caseworker's page and the API send the
# outcome's code as the decision, beside these decisions of the chain.
RESERVED_OUTCOME_CODES = ("send_back", "amend", "consult", "opinion", "decide")


class Outcome(models.Model):
    """One possible final decision (処分) of a procedure version.

    The version's outcomes are what the final level chooses from (開示決定 /
    部分開示決定 / 不開示決定, 交付決定 / 減額交付決定 / 不交付決定, 許可 /
    不許可): their words are the application's status, the e-mails and the
    notice's title, so a disclosure decision is never worded as a permit.
    They hang off the version, so a running case keeps its version's words.
    """

    class Kind(models.TextChoices):
        FAVOURABLE = "favourable", _("認容")
        PARTIAL = "partial", _("一部認容")
        UNFAVOURABLE = "unfavourable", _("不認容")

    procedure_version = models.ForeignKey(
        ProcedureVersion,
        verbose_name=_("手続の版"),
        on_delete=models.CASCADE,
        related_name="outcomes",
    )
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    code = models.SlugField(
        _("コード"),
        max_length=32,
        help_text=_("API と記録で使う英数字の短い名前です（例: grant）。"),
    )
    kind = models.CharField(_("種類"), max_length=16, choices=Kind.choices)
    label = models.CharField(
        _("名称"),
        max_length=60,
        help_text=_(
            "職員の選択肢、メール、申請者のページで使う言葉です（例: 交付決定）。"
        ),
    )
    label_en = models.CharField(_("名称（英語）"), max_length=60, blank=True)
    status_label = models.CharField(
        _("決定後の状態の表示"),
        max_length=60,
        blank=True,
        help_text=_("通知書の発行後に申請の状態として表示します。空なら名称です。"),
    )
    status_label_en = models.CharField(
        _("決定後の状態の表示（英語）"), max_length=60, blank=True
    )
    notice_title = models.CharField(
        _("通知書の表題"),
        max_length=100,
        blank=True,
        help_text=_("空なら文書テンプレートの表題（許可・不許可）を使います。"),
    )
    reason_required = models.BooleanField(
        _("理由の提示が必要"),
        default=True,
        help_text=_(
            "不認容・一部認容では必ず理由を示します（行政手続法第8条・第14条）。"
        ),
    )
    decision_form = models.ForeignKey(
        "forms_builder.FormVersion",
        verbose_name=_("決定内容のフォーム"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "交付決定額や条件など、決定で入力する項目です。フォームビルダーで"
            "作って公開したフォームの版を選びます。"
        ),
    )
    # [{"field": decision form key, "answer": application answer key}]: the
    # decided value may not exceed what was applied for (交付決定額 ≤ 申請額).
    limits = models.JSONField(_("上限"), default=list, blank=True)

    class Meta:
        verbose_name = _("決定の種類")
        verbose_name_plural = _("決定の種類")
        ordering = ["procedure_version", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure_version", "code"], name="outcome_unique_code"
            ),
            # 行政手続法第8条: a refusal, even a partial one, states its reason.
            models.CheckConstraint(
                condition=Q(kind="favourable") | Q(reason_required=True),
                name="outcome_refusal_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.label_text

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.code in RESERVED_OUTCOME_CODES:
            raise ValidationError(
                {"code": _("このコードは判断の名前として使われています。")}
            )
        if self.kind != self.Kind.FAVOURABLE and not self.reason_required:
            raise ValidationError(
                {
                    "reason_required": _(
                        "不認容・一部認容の決定には理由の提示が必要です"
                        "（行政手続法第8条）。"
                    )
                }
            )

    @property
    def label_text(self) -> str:
        return localized(self, "label")

    @property
    def status_text(self) -> str:
        return localized(self, "status_label") or self.label_text

    @property
    def favourable(self) -> bool:
        """Whether the notice grants (in whole or in part) what was asked."""
        return self.kind != self.Kind.UNFAVOURABLE


class ApplicationQuerySet(models.QuerySet["Application"]):
    def of(self, user: Any) -> ApplicationQuerySet:
        """Only the applications of ``user``: every resident lookup starts here."""
        return self.filter(applicant=user)


class Application(models.Model):
    """A resident's application, from draft to decision.

    ``public_id`` is what URLs carry, so ids cannot be enumerated. Business
    data lives here; the workflow links its process to this row.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("下書き")
        SUBMITTED = "submitted", _("申請済み")
        UNDER_REVIEW = "under_review", _("審査中")
        AMENDMENT_REQUESTED = "amendment_requested", _("補正依頼中")
        ISSUING = "issuing", _("決定済み（通知書を作成中）")
        APPROVED = "approved", _("許可・交付済み")
        REJECTED = "rejected", _("不許可")
        WITHDRAWN = "withdrawn", _("取下げ")

    OPEN_STATUSES = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.AMENDMENT_REQUESTED)
    FINAL_STATUSES = (Status.APPROVED, Status.REJECTED, Status.WITHDRAWN)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    procedure_version = models.ForeignKey(
        ProcedureVersion,
        verbose_name=_("手続の版"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    # Empty only once the record is disposed of after its retention period.
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申請者"),
        null=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    status = models.CharField(
        _("状態"), max_length=24, choices=Status.choices, default=Status.DRAFT
    )
    receipt_number = models.CharField(
        _("受付番号"), max_length=40, unique=True, null=True, blank=True
    )
    answers = models.JSONField(_("回答"), default=dict, blank=True)
    # Denormalised from the answers at submission so that the inbox can search
    # by name without reading JSON.
    applicant_name = models.CharField(_("申請者名"), max_length=200, blank=True)
    revision = models.PositiveIntegerField(_("提出回数"), default=0)
    # The addressee (宛名) of notices and e-mails as taken from the answers at
    # the last (re)submission, and the login account as the submitter (提出者):
    # later edits of the answers or the profile never change a notice's
    # addressee (procedures.addressee).
    addressee = models.JSONField(_("宛名"), default=dict, blank=True)
    # デジタル手続法第7条: when the applicant agreed to receive the notice
    # electronically; empty means it is printed and mailed.
    delivery_consent_at = models.DateTimeField(
        _("電子交付に同意した日時"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    submitted_at = models.DateTimeField(_("申請日時"), null=True, blank=True)
    due_date = models.DateField(_("処理期限"), null=True, blank=True)
    # While a 補正 is asked: the resident's deadline (never a reason for the
    # platform to reject on its own; the office decides what follows).
    amendment_due_date = models.DateField(_("補正期限"), null=True, blank=True)
    decided_at = models.DateTimeField(_("決定日時"), null=True, blank=True)
    # The final decision: which of the version's outcomes, and the values
    # decided with it (交付決定額, 条件 …) by the outcome's decision form.
    outcome = models.ForeignKey(
        Outcome,
        verbose_name=_("決定"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_data = models.JSONField(_("決定内容"), default=dict, blank=True)
    closed_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    # A draft left alone is deleted; the resident is told once beforehand.
    purge_reminded_at = models.DateTimeField(null=True, blank=True)
    # Set when the retention period ended and the personal data was erased
    # (廃棄) or handed to the archives (移管); see the records app.
    disposed_at = models.DateTimeField(_("廃棄・移管日時"), null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("申請")
        verbose_name_plural = _("申請")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["applicant", "-created_at"], name="application_mine_idx"
            ),
            models.Index(fields=["status"], name="application_status_idx"),
            # The reminder scan: open cases by due date (workflow.deadlines).
            models.Index(
                fields=["due_date"],
                name="application_open_due_idx",
                condition=Q(status__in=["submitted", "under_review"]),
            ),
            # The KPI rollup: drafts last changed on a day (abandoned drafts).
            models.Index(
                fields=["updated_at"],
                name="application_draft_touched_idx",
                condition=Q(status="draft"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(receipt_number__isnull=False),
                name="application_submitted_has_receipt",
            )
        ]

    def __str__(self) -> str:
        return self.receipt_number or str(self.public_id)

    def get_absolute_url(self) -> str:
        return reverse(
            "procedures:application_detail", kwargs={"public_id": self.public_id}
        )

    @property
    def procedure(self) -> Procedure:
        return self.procedure_version.procedure

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def addressee_name(self) -> str:
        """The addressee in one line (a business with its representative)."""
        from procedures.addressee import display_name

        return display_name(self.addressee or {}) or self.applicant_name

    @property
    def is_proxy(self) -> bool:
        return bool((self.addressee or {}).get("agent"))

    @property
    def status_text(self) -> str:
        """The status in the outcome's words once decided (開示決定, not 許可)."""
        if self.outcome_id is not None and self.status in (
            self.Status.APPROVED,
            self.Status.REJECTED,
        ):
            return self.outcome.status_text
        if self.outcome_id is not None and self.status == self.Status.ISSUING:
            return _("%(outcome)s（通知書を作成中）") % {
                "outcome": self.outcome.label_text
            }
        return self.get_status_display()

    @property
    def can_withdraw(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def amendment_overdue(self) -> bool:
        """補正期限切れ: the resident has not answered a 補正 by its deadline."""
        from django.utils import timezone

        return bool(
            self.status == self.Status.AMENDMENT_REQUESTED
            and self.amendment_due_date
            and self.amendment_due_date < timezone.localdate()
        )


class ApplicationRevision(models.Model):
    """The answers as submitted, once per (re)submission: the case's history."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("提出回数"))
    answers = models.JSONField(_("回答"))
    submitted_at = models.DateTimeField(_("提出日時"))

    class Meta:
        verbose_name = _("提出内容")
        verbose_name_plural = _("提出内容")
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "number"], name="revision_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} #{self.number}"


def attachment_storage_name(instance: Attachment, filename: str) -> str:
    # Generated names only: the resident's file name is kept as data, never
    # used as a path (no traversal, no guessing, no clash).
    return f"attachments/{instance.application.public_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file a resident attached; immutable once stored."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    field_key = models.CharField(_("項目"), max_length=64)
    file = models.FileField(
        _("ファイル"), upload_to=attachment_storage_name, max_length=255
    )
    original_name = models.CharField(_("ファイル名"), max_length=255)
    content_type = models.CharField(_("種類"), max_length=100)
    size = models.PositiveBigIntegerField(_("サイズ"))
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("添付ファイル")
        verbose_name_plural = _("添付ファイル")
        ordering = ["application", "created_at"]

    def __str__(self) -> str:
        return self.original_name

    def as_ref(self) -> dict[str, Any]:
        """The reference stored in the answers (see forms_builder)."""
        return {
            "id": self.pk,
            "name": self.original_name,
            "size": self.size,
            "content_type": self.content_type,
        }


class ApplicationEvent(models.Model):
    """One line of a case's timeline: who did what, when, on whose behalf."""

    class Kind(models.TextChoices):
        CREATED = "created", _("下書きを作成")
        SUBMITTED = "submitted", _("申請")
        RESUBMITTED = "resubmitted", _("補正後に再申請")
        CLAIMED = "claimed", _("担当者が受付")
        RELEASED = "released", _("担当を解除")
        APPROVED = "approved", _("承認")
        SENT_BACK = "sent_back", _("差戻し")
        PULLED_BACK = "pulled_back", _("引戻し")
        CONSULTED = "consulted", _("合議を依頼")
        OPINION = "opinion", _("合議の意見")
        AMENDMENT_REQUESTED = "amendment_requested", _("補正を依頼")
        DECIDED_APPROVE = "decided_approve", _("許可の決定")
        DECIDED_REJECT = "decided_reject", _("不許可の決定")
        POST_REVIEWED = "post_reviewed", _("後閲")
        DOCUMENT_ISSUED = "document_issued", _("通知書を発行")
        WITHDRAWN = "withdrawn", _("取下げ")
        MESSAGE = "message", _("担当課からのお知らせ")
        EXTENDED = "extended", _("処理期間の延長")
        ASSIGNED = "assigned", _("担当を割り当て")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="events"
    )
    created_at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("種類"), max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代決の対象者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Two texts, never one field for both (issue 11): what the applicant
    # reads (a decision's message, what to correct in a 補正, the office's
    # notice, their own reason for a 取下げ) and what only colleagues read.
    # Resident pages, the resident API and e-mails read applicant_message
    # alone (procedures.selectors); internal_comment stays on the staff side.
    applicant_message = models.TextField(
        _("申請者へのメッセージ（申請者に表示されます）"), blank=True
    )
    internal_comment = models.TextField(
        _("内部コメント（申請者には表示されません）"), blank=True
    )
    data = models.JSONField(default=dict, blank=True)
    # Internal steps (claims, consultations) are on the staff timeline only.
    visible_to_applicant = models.BooleanField(_("申請者に表示"), default=False)

    class Meta:
        verbose_name = _("経過")
        verbose_name_plural = _("経過")
        ordering = ["application", "created_at", "id"]
        constraints = [
            # A message to the applicant on a line they never see would be
            # lost without a word.
            models.CheckConstraint(
                condition=Q(applicant_message="") | Q(visible_to_applicant=True),
                name="event_applicant_message_is_shown",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.get_kind_display()}"


class ReceiptCounter(models.Model):
    """The last receipt number used per procedure and fiscal year."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "fiscal_year"], name="receipt_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id}/{self.fiscal_year}: {self.last_number}"

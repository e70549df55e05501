"""Approval routes (what administrators model) and cases (what runs).

A route hangs off a procedure version: ordered review levels, the
delegated-final-authority rules (専決) and the consultations (合議). When an
application is (re)submitted, the route is evaluated on the answers and the
resulting chain is snapshotted into the case, so editing a route never
changes a running case.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import AbstractProcess, AbstractTask

HUMAN = "HUMAN"
OPEN_STATUSES = ("NEW", "ASSIGNED", "STARTED")


class Route(models.Model):
    """承認ルート of one procedure version."""

    procedure_version = models.OneToOneField(
        "procedures.ProcedureVersion",
        verbose_name=_("手続の版"),
        on_delete=models.CASCADE,
        related_name="route",
    )
    note = models.CharField(_("メモ"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("承認ルート")
        verbose_name_plural = _("承認ルート")

    def __str__(self) -> str:
        return str(self.procedure_version)


class RouteLevel(models.Model):
    """One level of review, in order (担当 → 係長 → 課長 …)."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="levels")
    order = models.PositiveSmallIntegerField(_("順番"))
    position = models.ForeignKey(
        "organisation.Position", verbose_name=_("職位"), on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("審査の段階")
        verbose_name_plural = _("審査の段階")
        ordering = ["route", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["route", "order"], name="route_level_unique_order"
            ),
            models.UniqueConstraint(
                fields=["route", "position"], name="route_level_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}: {self.position}"


class FinalAuthorityRule(models.Model):
    """専決: when ``rule`` holds on the answers, ``position`` takes the final decision.

    Rules are tried in order; the first that holds wins. When none holds,
    the route's last level decides.
    """

    route = models.ForeignKey(
        Route, on_delete=models.CASCADE, related_name="final_rules"
    )
    order = models.PositiveSmallIntegerField(_("順番"))
    label = models.CharField(_("説明"), max_length=200, blank=True)
    rule = models.JSONField(_("条件（JSON Logic）"))
    position = models.ForeignKey(
        "organisation.Position",
        verbose_name=_("最終決裁の職位"),
        on_delete=models.PROTECT,
    )

    class Meta:
        verbose_name = _("専決の規則")
        verbose_name_plural = _("専決の規則")
        ordering = ["route", "order"]

    def __str__(self) -> str:
        return self.label or f"→ {self.position}"


class RouteConsultation(models.Model):
    """合議: another section gives its opinion before ``before_position`` decides."""

    route = models.ForeignKey(
        Route, on_delete=models.CASCADE, related_name="consultations"
    )
    section = models.ForeignKey(
        "organisation.Section", verbose_name=_("合議先の課室"), on_delete=models.PROTECT
    )
    position = models.ForeignKey(
        "organisation.Position",
        verbose_name=_("合議先の職位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    before_position = models.ForeignKey(
        "organisation.Position",
        verbose_name=_("この職位の審査の前に"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    rule = models.JSONField(
        _("条件（JSON Logic、空なら常に）"), default=dict, blank=True
    )

    class Meta:
        verbose_name = _("合議")
        verbose_name_plural = _("合議")
        ordering = ["route", "pk"]

    def __str__(self) -> str:
        return f"{self.section} {self.position}"


class Case(AbstractProcess):
    """The case of one application: the chain it was given, and where it stands.

    ``chain`` is a list of levels ({"slot", "position", "section", "final"…});
    ``level`` indexes it. ``decision`` is the last decision taken at a level,
    which the flow's gateway routes on.
    """

    application = models.OneToOneField(
        "procedures.Application",
        verbose_name=_("申請"),
        on_delete=models.CASCADE,
        related_name="case",
    )
    # Copied from the application so that new tasks carry them without a query.
    procedure = models.ForeignKey(
        "procedures.Procedure",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    due_date = models.DateField(null=True, blank=True)
    chain = models.JSONField(_("決裁の順路"), default=list)
    consultations = models.JSONField(_("合議"), default=list, blank=True)
    top_level = models.PositiveSmallIntegerField(
        _("ルートの最上位の職位レベル"), default=0
    )
    level = models.PositiveSmallIntegerField(_("現在の段階"), default=0)
    decision = models.CharField(_("直前の判断"), max_length=16, blank=True)
    # Every slot that ever appears in this case: who may open it (404 otherwise).
    slots = models.JSONField(default=list, blank=True)
    # 起案 → 回議 → 決裁: the decision as drafted and amended on its way up
    # ({"outcome", "decision_data", "applicant_message"}), and every change
    # with who and when ([{"level", "position", "by", "at", "changes"}]).
    draft = models.JSONField(_("起案"), default=dict, blank=True)
    draft_history = models.JSONField(_("起案の履歴"), default=list, blank=True)

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")

    def __str__(self) -> str:
        return f"{self.application_id}"

    @property
    def current_step(self) -> dict[str, Any] | None:
        return self.chain[self.level] if self.level < len(self.chain) else None

    @property
    def is_final_level(self) -> bool:
        return self.level >= len(self.chain) - 1

    @property
    def has_pending_consultation(self) -> bool:
        # A property, not a method: viewflow gateways read attributes without
        # calling them (a bound method is always truthy).
        return any(
            item["status"] == "pending" and item["before_level"] == self.level
            for item in self.consultations
        )


class CaseTask(AbstractTask):
    """A viewflow task of a case, with what the inbox shows and searches.

    The application, procedure and due date are copied onto the task so
    that the inbox pages through an index on open human tasks alone.
    """

    class Kind(models.TextChoices):
        REVIEW = "review", _("審査・決裁")
        CONSULT = "consult", _("合議")
        OTHER = "", _("その他")

    # viewflow reads the reverse relation as ``process.task_set``.
    process = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="task_set", verbose_name=_("案件")
    )
    data = models.JSONField(default=dict, blank=True)
    kind = models.CharField(max_length=8, choices=Kind.choices, blank=True)
    application = models.ForeignKey(
        "procedures.Application",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    procedure = models.ForeignKey(
        "procedures.Procedure",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    due_date = models.DateField(null=True, blank=True)
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    decision = models.CharField(max_length=16, blank=True)
    # For colleagues only (opinions, reasons of a 差戻し or 引戻し, notes on a
    # decision); what the applicant reads is applicant_message (issue 11).
    comment = models.TextField(
        _("内部コメント（申請者には表示されません）"), blank=True
    )
    applicant_message = models.TextField(
        _("申請者へのメッセージ（申請者に表示されます）"), blank=True
    )
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("タスク")
        verbose_name_plural = _("タスク")
        ordering = ["created", "id"]
        indexes = [
            # The queue: unclaimed human tasks of a slot, oldest first.
            models.Index(
                fields=["owner_permission", "created", "id"],
                name="casetask_queue_idx",
                condition=Q(status="NEW", flow_task_type=HUMAN),
            ),
            models.Index(
                fields=["owner_permission", "due_date", "id"],
                name="casetask_queue_due_idx",
                condition=Q(status="NEW", flow_task_type=HUMAN),
            ),
            # My tasks: claimed and not finished.
            models.Index(
                fields=["owner", "created", "id"],
                name="casetask_mine_idx",
                condition=Q(status__in=["ASSIGNED", "STARTED"], flow_task_type=HUMAN),
            ),
            # The KPI rollup: review tasks finished on a day (stats.services).
            models.Index(
                fields=["finished"],
                name="casetask_review_done_idx",
                condition=Q(status="DONE", kind="review"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.flow_task} #{self.pk} {self.status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Denormalise what the inbox filters on from the in-memory case (no
        # query): viewflow creates tasks itself, so this is the one place.
        task_type = self.flow_task.task_type if self.flow_task is not None else ""
        if self._state.adding and task_type == HUMAN:
            case = self.process
            self.application_id = case.application_id
            self.procedure_id = case.procedure_id
            self.due_date = case.due_date
            self.level = case.level
            name = self.flow_task.name
            self.kind = name if name in ("review", "consult") else ""
            if name == "review":
                step = case.chain[case.level]
                self.data = {**self.data, "step": step["position"]}
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def step_label(self) -> str:
        return self.data.get("step") or self.data.get("label", "")


class PostReview(models.Model):
    """後閲: the holder reviews a decision their deputy took for them (代決)."""

    task = models.OneToOneField(
        CaseTask, on_delete=models.CASCADE, related_name="post_review"
    )
    application = models.ForeignKey(
        "procedures.Application", on_delete=models.CASCADE, related_name="+"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("後閲日時"), null=True, blank=True)
    comment = models.TextField(_("コメント"), blank=True)

    class Meta:
        verbose_name = _("後閲")
        verbose_name_plural = _("後閲")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["holder", "created_at"],
                name="postreview_open_idx",
                condition=Q(reviewed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.holder} ← {self.deputy} ({self.application_id})"


class Reminder(models.Model):
    """A deadline message, sent once: its row is claimed before it is sent.

    The unique key is the application, the kind and the deadline it is
    about, so two schedulers (beat and a cron run, two workers) send it
    once, and an extension or a new 補正期限 starts a new round.
    """

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("処理期限の前日")
        OVERDUE = "overdue", _("処理期限の超過")
        ESCALATION = "escalation", _("上位の職への通知")
        AMENDMENT_SOON = "amendment_soon", _("補正期限の前")

    application = models.ForeignKey(
        "procedures.Application", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("種類"), max_length=16, choices=Kind.choices)
    deadline = models.DateField(_("期限"))
    created_at = models.DateTimeField(_("送信日時"), auto_now_add=True)
    # Who was written to (addresses), for the record.
    recipients = models.JSONField(_("宛先"), default=list, blank=True)

    class Meta:
        verbose_name = _("期限の通知")
        verbose_name_plural = _("期限の通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind", "deadline"],
                name="reminder_once_per_deadline",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind} {self.deadline}"


class NotificationSetting(models.Model):
    """How one member of staff hears of new tasks for their posts (issue 15).

    No row means the default: a daily digest.
    """

    class Email(models.TextChoices):
        IMMEDIATE = "immediate", _("届いたらすぐにメールで知らせる")
        DIGEST = "digest", _("毎朝（開庁日）まとめてメールで知らせる")
        NONE = "none", _("メールでは知らせない（受信箱で確認する）")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_setting",
    )
    email = models.CharField(
        _("新しいタスクのお知らせ"),
        max_length=16,
        choices=Email.choices,
        default=Email.DIGEST,
    )

    class Meta:
        verbose_name = _("通知の設定")
        verbose_name_plural = _("通知の設定")

    def __str__(self) -> str:
        return f"{self.user}: {self.email}"


class SectionWebhook(models.Model):
    """A section's chat channel, told of each new task for its posts.

    The URL of an incoming webhook is a credential (whoever has it posts to
    the channel): it is shown only masked (``masked_target``), never in the
    audit log, the outbox's recipient or the logs. Chatwork's target is a
    room ID, not a secret: the credential is the site's
    ``CHATWORK_API_TOKEN``.
    """

    class Service(models.TextChoices):
        SLACK = "slack", _("Slack 互換（Incoming Webhook の JSON）")
        TEAMS = "teams", _("Microsoft Teams（Incoming Webhook）")
        CHATWORK = "chatwork", _("Chatwork（API。トークンの設定が必要）")

    section = models.ForeignKey(
        "organisation.Section",
        verbose_name=_("課室"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    service = models.CharField(_("サービス"), max_length=16, choices=Service.choices)
    target = models.CharField(
        _("Webhook の URL（Chatwork はルーム ID）"),
        max_length=500,
        help_text=_("URL は秘密の情報です。画面や送信記録には表示しません。"),
    )
    active = models.BooleanField(_("有効"), default=True)

    class Meta:
        verbose_name = _("課室のチャット通知")
        verbose_name_plural = _("課室のチャット通知")
        ordering = ["section", "pk"]

    def __str__(self) -> str:
        return f"{self.section} ({self.get_service_display()})"

    def clean(self) -> None:
        if not self.target:
            return  # the field itself says it is required
        if self.service == self.Service.CHATWORK:
            if not self.target.isdigit():
                raise ValidationError(
                    {"target": _("Chatwork のルーム ID（数字）を入力してください。")}
                )
            return
        problem = webhook_url_problem(self.target)
        if problem:
            raise ValidationError({"target": problem})

    @property
    def masked_target(self) -> str:
        """The target as screens show it: the host and the URL's last four
        characters (enough to tell two channels apart, useless to post with)."""
        if self.service == self.Service.CHATWORK:
            return self.target
        return mask_url(self.target)


def mask_url(url: str) -> str:
    """``https://hooks.slack.com/…abcd`` for any URL; "…" when it is too short
    to show anything of it safely."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "…"
    if port:
        host = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    tail = url[-4:] if len(url) >= 24 else ""
    return f"{parts.scheme}://{host}/…{tail}" if host else "…"


def _loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def webhook_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a webhook's address, or None.

    https only: the URL is a credential and the messages name cases. A
    receiver on this machine (http allowed) only with
    ``WEBHOOK_ALLOW_LOOPBACK`` (development, tests). Link-local addresses
    (the cloud's metadata service at 169.254.169.254) never: an address
    typed here is posted to by the server. Private addresses stay allowed:
    a prefecture's own chat server (Mattermost, Rocket.Chat) lives there.
    """
    try:
        URLValidator(schemes=["https", "http"])(url)
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except (ValidationError, ValueError):
        return _("https:// で始まる Webhook の URL を入力してください。")
    if _loopback(host):
        if settings.WEBHOOK_ALLOW_LOOPBACK:
            return None
        return _("このサーバー自身（localhost）のアドレスには送れません。")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None and (address.is_link_local or address.is_unspecified):
        return _(
            "このアドレスには送れません。チャットサービスの URL を入力してください。"
        )
    if parts.scheme != "https":
        return _("https:// で始まる URL にしてください（http は使えません）。")
    return None


class TaskNotification(models.Model):
    """A new task's notification, claimed once (by the job or the poll)."""

    task = models.OneToOneField(CaseTask, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The addresses mailed now, put in digests, and the channels told.
    recipients = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("新しいタスクの通知")
        verbose_name_plural = _("新しいタスクの通知")

    def __str__(self) -> str:
        return f"{self.task_id}"


class DigestItem(models.Model):
    """A new task waiting for its holder's next daily digest."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    task = models.ForeignKey(CaseTask, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("まとめて知らせるタスク")
        verbose_name_plural = _("まとめて知らせるタスク")
        constraints = [
            models.UniqueConstraint(fields=["user", "task"], name="digest_item_once")
        ]
        indexes = [
            models.Index(
                fields=["user", "created_at"],
                name="digest_item_waiting_idx",
                condition=Q(sent_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.task_id}"

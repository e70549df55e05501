"""Figures of the work the platform does: daily rollups and decided cases.

Nothing here is the source of truth: every row is recomputed from the
applications, their timelines and the paper register by
``services.rollup_days`` (``manage.py stats_rollup``), so a day can be
rebuilt at any time and gives the same figures. The dashboard reads these
tables only, never the applications, so it stays fast as history grows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PaperApplication(models.Model):
    """An application received on paper, registered by a caseworker.

    Only counts are kept (no applicant data): it is here so that the online
    share compares like with like.
    """

    procedure = models.ForeignKey(
        "procedures.Procedure",
        verbose_name=_("手続"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    section = models.ForeignKey(
        "organisation.Section",
        verbose_name=_("担当課"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_on = models.DateField(_("受付日"))
    decided_on = models.DateField(_("決定日"), null=True, blank=True)
    # A string key, like the online outcomes (approved, rejected, withdrawn…).
    outcome = models.CharField(_("結果"), max_length=32, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登録者"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("紙の申請")
        verbose_name_plural = _("紙の申請")
        ordering = ["-received_on", "-pk"]
        indexes = [
            models.Index(fields=["received_on"], name="paper_received_idx"),
            models.Index(fields=["decided_on"], name="paper_decided_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id} {self.received_on}"


# The counters of a rollup row, summed over days and months alike.
COUNTERS = (
    "started",
    "submitted",
    "paper_received",
    "withdrawn",
    "decided",
    "paper_decided",
    "within_period",
    "amended",
    "amendment_rounds",
    "amendment_days",
    "human_actions",
    "send_backs",
    "consultations",
    "delegated",
    "pages",
    "extensions",
    "abandoned",
    "draft_days",
    "notices_issued",
    "notices_downloaded",
)


class RollupFigures(models.Model):
    """The counters of a rollup row (a day's, or a month's sum of its days).

    ``outcome`` is empty on the row of volumes, and names the outcome kind
    on the rows of decisions (a string key, so new kinds of outcome need no
    migration). Durations are sums; medians and p90 come from
    ``DurationHistogram``.
    """

    procedure = models.ForeignKey(
        "procedures.Procedure", on_delete=models.CASCADE, related_name="+"
    )
    section = models.ForeignKey(
        "organisation.Section", on_delete=models.CASCADE, related_name="+"
    )
    outcome = models.CharField(_("結果"), max_length=32, blank=True)
    started = models.PositiveIntegerField(_("作成された申請"), default=0)
    submitted = models.PositiveIntegerField(_("電子申請の受付"), default=0)
    paper_received = models.PositiveIntegerField(_("紙の申請の受付"), default=0)
    withdrawn = models.PositiveIntegerField(_("取下げ"), default=0)
    decided = models.PositiveIntegerField(_("決定"), default=0)
    paper_decided = models.PositiveIntegerField(_("紙の申請の決定"), default=0)
    within_period = models.PositiveIntegerField(_("標準処理期間内の決定"), default=0)
    amended = models.PositiveIntegerField(_("補正があった決定"), default=0)
    amendment_rounds = models.PositiveIntegerField(_("補正の回数"), default=0)
    amendment_days = models.PositiveIntegerField(_("補正の日数"), default=0)
    human_actions = models.PositiveIntegerField(_("職員の操作"), default=0)
    send_backs = models.PositiveIntegerField(_("差戻し"), default=0)
    consultations = models.PositiveIntegerField(_("合議"), default=0)
    delegated = models.PositiveIntegerField(_("専決による決定"), default=0)
    pages = models.PositiveIntegerField(_("電子化したページ"), default=0)
    extensions = models.PositiveIntegerField(_("処理期間の延長"), default=0)
    abandoned = models.PositiveIntegerField(_("放置された下書き"), default=0)
    draft_days = models.PositiveIntegerField(_("作成から申請までの日数"), default=0)
    notices_issued = models.PositiveIntegerField(_("電子交付した通知書"), default=0)
    notices_downloaded = models.PositiveIntegerField(
        _("ダウンロードされた通知書"), default=0
    )

    class Meta:
        abstract = True


class DailyRollup(RollupFigures):
    """The figures of one day, procedure, section and outcome."""

    day = models.DateField(_("日"))

    class Meta:
        verbose_name = _("日次集計")
        verbose_name_plural = _("日次集計")
        ordering = ["day", "procedure", "section", "outcome"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "procedure", "section", "outcome"],
                name="daily_rollup_unique",
            )
        ]
        indexes = [models.Index(fields=["day"], name="daily_rollup_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.procedure_id}/{self.section_id} {self.outcome}"


class MonthlyRollup(RollupFigures):
    """The sum of a month's daily rows, refreshed with them: what the
    dashboard reads, so its cost depends on months shown, not on cases."""

    month = models.DateField(_("月"))

    class Meta:
        verbose_name = _("月次集計")
        verbose_name_plural = _("月次集計")
        ordering = ["month", "procedure", "section", "outcome"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "procedure", "section", "outcome"],
                name="monthly_rollup_unique",
            )
        ]
        indexes = [models.Index(fields=["month"], name="monthly_rollup_month_idx")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.procedure_id}/{self.section_id}"


class DurationHistogram(models.Model):
    """How many cases decided in a month took each number of days.

    Exact medians and percentiles for any set of months come from adding
    these counts up: the number of rows is bounded by the distinct
    durations, not by the number of cases.
    """

    class Measure(models.TextChoices):
        CALENDAR = "calendar", _("暦日")
        BUSINESS = "business", _("開庁日")
        # Days from the first draft to the submission, by submission day.
        DRAFT = "draft", _("作成から申請までの日数")
        # Not a duration: ``days`` is the last page with an answer of each
        # draft abandoned that month (a distribution all the same).
        ABANDONED_PAGE = "page", _("放置された下書きの最後のページ")

    # Also "wait:<level>": hours a review task of that level of the chain
    # waited from its creation to its completion, by completion day.
    WAIT_PREFIX = "wait:"

    month = models.DateField(_("月"))
    procedure = models.ForeignKey(
        "procedures.Procedure", on_delete=models.CASCADE, related_name="+"
    )
    section = models.ForeignKey(
        "organisation.Section", on_delete=models.CASCADE, related_name="+"
    )
    measure = models.CharField(max_length=16)
    days = models.PositiveIntegerField(_("日数"))
    cases = models.PositiveIntegerField(_("件数"))

    class Meta:
        verbose_name = _("処理日数の分布")
        verbose_name_plural = _("処理日数の分布")
        ordering = ["month", "procedure", "section", "measure", "days"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "procedure", "section", "measure", "days"],
                name="duration_histogram_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.measure} {self.days}: {self.cases}"


class DailyHistogram(models.Model):
    """A day's distributions other than the decided cases' durations (the
    waits per level, days from draft to submission, abandoned drafts' last
    pages): recomputed with the day, added up into the month's
    ``DurationHistogram``."""

    day = models.DateField(_("日"))
    procedure = models.ForeignKey(
        "procedures.Procedure", on_delete=models.CASCADE, related_name="+"
    )
    section = models.ForeignKey(
        "organisation.Section", on_delete=models.CASCADE, related_name="+"
    )
    measure = models.CharField(max_length=16)
    days = models.PositiveIntegerField(_("値"))
    cases = models.PositiveIntegerField(_("件数"))

    class Meta:
        verbose_name = _("日ごとの分布")
        verbose_name_plural = _("日ごとの分布")
        ordering = ["day", "procedure", "section", "measure", "days"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "procedure", "section", "measure", "days"],
                name="daily_histogram_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.measure} {self.days}: {self.cases}"


class DecidedCase(models.Model):
    """One decided case (online or on paper), slim: what exact medians need.

    Keyed by the day of decision so that a period's median and p90 are read
    from an index range without touching the applications.
    """

    decided_on = models.DateField(_("決定日"))
    procedure = models.ForeignKey(
        "procedures.Procedure", on_delete=models.CASCADE, related_name="+"
    )
    section = models.ForeignKey(
        "organisation.Section", on_delete=models.CASCADE, related_name="+"
    )
    application = models.OneToOneField(
        "procedures.Application",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    paper = models.OneToOneField(
        PaperApplication,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    outcome = models.CharField(_("結果"), max_length=32)
    received_on = models.DateField(_("受付日"))
    calendar_days = models.PositiveIntegerField(_("処理日数（暦日）"))
    business_days = models.PositiveIntegerField(_("処理日数（開庁日）"))
    amendment_days = models.PositiveIntegerField(_("補正の日数"), default=0)
    # Unknown for paper applications, whose 補正 are not recorded here.
    within_period = models.BooleanField(_("標準処理期間内"), null=True)

    class Meta:
        verbose_name = _("決定した案件")
        verbose_name_plural = _("決定した案件")
        ordering = ["decided_on", "pk"]
        indexes = [
            models.Index(
                fields=["decided_on", "procedure"], name="decided_case_day_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.decided_on} {self.outcome}"


class KgiTarget(models.Model):
    """A target an administrator set (KGI); rows are never changed or deleted.

    The target in force for a procedure and measure is its latest row; the
    earlier rows are its history. A row with ``target`` empty withdraws it.
    """

    class Measure(models.TextChoices):
        WITHIN_SHARE = "within_share", _("標準処理期間内に決定した割合（%）")
        ONLINE_SHARE = "online_share", _("電子申請の割合（%）")
        MEDIAN_DAYS = "median_days", _("受付から決定までの日数の中央値（暦日）")
        AMENDMENT_SHARE = "amendment_share", _("補正があった割合（%）")

    # Lower is better for these; the others are reached from below.
    LOWER_IS_BETTER = (Measure.MEDIAN_DAYS, Measure.AMENDMENT_SHARE)

    procedure = models.ForeignKey(
        "procedures.Procedure",
        verbose_name=_("手続"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("空なら県全体の目標です。"),
    )
    measure = models.CharField(_("指標"), max_length=32, choices=Measure.choices)
    target = models.DecimalField(
        _("目標値"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    due_on = models.DateField(_("期限"))
    note = models.CharField(_("説明"), max_length=200, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("設定者"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("設定日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("目標（KGI）")
        verbose_name_plural = _("目標（KGI）")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} {self.target}"


class OpenDataRelease(models.Model):
    """The open data of one month, as an administrator approved it.

    A release is prepared (its files generated and shown for review), then
    approved, and from then on it never changes: a correction is a new
    release of the same month with the next number.
    """

    month = models.DateField(_("対象月"))
    number = models.PositiveSmallIntegerField(_("版"))
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作成者"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    prepared_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承認者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("公開日時"), null=True, blank=True)
    note = models.CharField(_("訂正の内容"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("オープンデータの公開")
        verbose_name_plural = _("オープンデータの公開")
        ordering = ["-month", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "number"], name="opendata_release_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} #{self.number}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class OpenDataFile(models.Model):
    """One file of a release, kept byte for byte as it was approved."""

    release = models.ForeignKey(
        OpenDataRelease, on_delete=models.PROTECT, related_name="files"
    )
    dataset = models.CharField(_("データセット"), max_length=32)
    format = models.CharField(_("形式"), max_length=8)
    content = models.BinaryField(_("内容"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("オープンデータのファイル")
        verbose_name_plural = _("オープンデータのファイル")
        ordering = ["release", "dataset", "format"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "dataset", "format"], name="opendata_file_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.release} {self.dataset}.{self.format}"

"""Keeping the figures: the daily rollup and the paper register."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext

from procedures.models import Application, ApplicationEvent, Attachment, Procedure
from stats.figures import (
    DECISION_KINDS,
    business_days_between,
    case_figures,
    count_pdf_pages,
    local_day,
)
from stats.models import (
    COUNTERS,
    DailyHistogram,
    DailyRollup,
    DecidedCase,
    DurationHistogram,
    KgiTarget,
    MonthlyRollup,
    OpenDataFile,
    OpenDataRelease,
    PaperApplication,
)

Kind = ApplicationEvent.Kind
logger = logging.getLogger(__name__)


class StatsError(ValueError):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _day_range(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, timezone.make_aware(
        dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
    )


def _pages(storage_file: Any) -> int:
    if not storage_file:
        return 0
    try:
        with storage_file.open("rb") as stream:
            return count_pdf_pages(stream)
    except Exception:  # a disposed or unreachable file is no paper avoided
        logger.warning("could not count the pages of %s", storage_file.name)
        return 0


def _pages_by_application(ids: list[int]) -> dict[int, int]:
    """Pages of the PDFs attached to, and issued for, each application."""
    from documents.models import IssuedDocument

    pages: dict[int, int] = defaultdict(int)
    for attachment in Attachment.objects.filter(
        application_id__in=ids, content_type="application/pdf"
    ):
        pages[attachment.application_id] += _pages(attachment.file)
    for document in IssuedDocument.objects.filter(
        application_id__in=ids, status=IssuedDocument.Status.ISSUED
    ):
        pages[document.application_id] += _pages(document.file)
    return pages


def _delegated(ids: list[int]) -> set[int]:
    """Applications decided by 専決: a chain shorter than the route's longest."""
    from workflow.models import Case, RouteLevel

    cases = list(
        Case.objects.filter(application_id__in=ids).values(
            "application_id", "chain", "application__procedure_version_id"
        )
    )
    longest = dict(
        RouteLevel.objects.filter(
            route__procedure_version_id__in={
                c["application__procedure_version_id"] for c in cases
            }
        )
        .values_list("route__procedure_version_id")
        .annotate(levels=Count("pk"))
    )
    return {
        c["application_id"]
        for c in cases
        if c["chain"]
        and len(c["chain"]) < longest.get(c["application__procedure_version_id"], 0)
    }


@transaction.atomic
def rollup_day(*, day: dt.date) -> int:
    """Recompute the figures of ``day`` from the raw rows; returns rows written.

    Idempotent: the day's rows are replaced, so running it twice, or after
    a late event, leaves the same figures as running it once at the end.
    """
    start, end = _day_range(day)
    rows: dict[tuple[int, int, str], dict[str, int]] = defaultdict(
        lambda: defaultdict(int)
    )
    versions: dict[int, tuple[int, int]] = {}

    def key(application_version_id: int, outcome: str = "") -> tuple[int, int, str]:
        procedure_id, section_id = versions[application_version_id]
        return procedure_id, section_id, outcome

    # {(procedure, section, measure, value): cases}: the day's distributions.
    histogram: dict[tuple[int, int, str, int], int] = defaultdict(int)
    day_events = list(
        ApplicationEvent.objects.filter(
            created_at__gte=start,
            created_at__lt=end,
            kind__in=[
                Kind.CREATED,
                Kind.SUBMITTED,
                Kind.WITHDRAWN,
                Kind.EXTENDED,
                *DECISION_KINDS,
            ],
        ).values_list(
            "kind",
            "application_id",
            "application__procedure_version_id",
            "application__procedure_version__procedure_id",
            "application__procedure_version__section_id",
            "application__created_at",
        )
    )
    decided_ids: set[int] = set()
    for (
        kind,
        application_id,
        version_id,
        procedure_id,
        section_id,
        created,
    ) in day_events:
        versions[version_id] = (procedure_id, section_id)
        field = {
            Kind.CREATED: "started",
            Kind.SUBMITTED: "submitted",
            Kind.WITHDRAWN: "withdrawn",
            Kind.EXTENDED: "extensions",
        }.get(kind)
        if field:
            rows[key(version_id)][field] += 1
        else:
            decided_ids.add(application_id)
        if kind == Kind.SUBMITTED:
            # Days from the first draft (Application.created_at) to submission.
            waited = max((day - local_day(created)).days, 0)
            rows[key(version_id)]["draft_days"] += waited
            histogram[
                (procedure_id, section_id, DurationHistogram.Measure.DRAFT, waited)
            ] += 1
    _waits(day, start, end, histogram)
    _abandoned_drafts(day, rows, histogram)
    _notices(start, end, rows)

    facts: list[DecidedCase] = []
    if decided_ids:
        applications = Application.objects.filter(pk__in=decided_ids).select_related(
            "procedure_version", "outcome"
        )
        timelines: dict[int, list[ApplicationEvent]] = defaultdict(list)
        for event in ApplicationEvent.objects.filter(
            application_id__in=decided_ids
        ).only("application_id", "kind", "created_at", "actor_id"):
            timelines[event.application_id].append(event)
        ids = sorted(decided_ids)
        delegated = _delegated(ids)
        pages = _pages_by_application(ids)
        for application in applications:
            figures = case_figures(application, timelines[application.pk])
            # A case decided again later belongs to its last decision day.
            if figures is None or figures.decided_on != day:
                continue
            version = application.procedure_version
            row = rows[key(version.pk, figures.outcome)]
            row["decided"] += 1
            row["within_period"] += figures.within_period
            row["amended"] += figures.amendment_rounds > 0
            row["amendment_rounds"] += figures.amendment_rounds
            row["amendment_days"] += figures.amendment_days
            row["human_actions"] += figures.human_actions
            row["send_backs"] += figures.send_backs
            row["consultations"] += figures.consultations
            row["delegated"] += application.pk in delegated
            row["pages"] += pages.get(application.pk, 0)
            procedure_id, section_id = versions[version.pk]
            facts.append(
                DecidedCase(
                    decided_on=day,
                    procedure_id=procedure_id,
                    section_id=section_id,
                    application=application,
                    outcome=figures.outcome,
                    received_on=figures.received_on,
                    calendar_days=figures.calendar_days,
                    business_days=figures.business_days,
                    amendment_days=figures.amendment_days,
                    within_period=figures.within_period,
                )
            )

    for paper in PaperApplication.objects.filter(received_on=day):
        rows[(paper.procedure_id, paper.section_id, "")]["paper_received"] += 1
    for paper in PaperApplication.objects.filter(decided_on=day).exclude(outcome=""):
        rows[(paper.procedure_id, paper.section_id, paper.outcome)][
            "paper_decided"
        ] += 1
        facts.append(
            DecidedCase(
                decided_on=day,
                procedure_id=paper.procedure_id,
                section_id=paper.section_id,
                paper=paper,
                outcome=paper.outcome,
                received_on=paper.received_on,
                calendar_days=(day - paper.received_on).days,
                business_days=business_days_between(paper.received_on, day),
                within_period=None,
            )
        )

    DailyRollup.objects.filter(day=day).delete()
    DecidedCase.objects.filter(decided_on=day).delete()
    DecidedCase.objects.filter(
        application_id__in=[f.application_id for f in facts if f.application_id]
    ).delete()
    DecidedCase.objects.filter(
        paper_id__in=[f.paper_id for f in facts if f.paper_id]
    ).delete()
    DailyRollup.objects.bulk_create(
        DailyRollup(
            day=day,
            procedure_id=procedure_id,
            section_id=section_id,
            outcome=outcome,
            **values,
        )
        for (procedure_id, section_id, outcome), values in rows.items()
    )
    DecidedCase.objects.bulk_create(facts)
    DailyHistogram.objects.filter(day=day).delete()
    DailyHistogram.objects.bulk_create(
        DailyHistogram(
            day=day,
            procedure_id=procedure_id,
            section_id=section_id,
            measure=measure,
            days=value,
            cases=cases,
        )
        for (procedure_id, section_id, measure, value), cases in histogram.items()
    )
    return len(rows)


def _waits(
    day: dt.date,
    start: dt.datetime,
    end: dt.datetime,
    histogram: dict[tuple[int, int, str, int], int],
) -> None:
    """Hours each review task finished on ``day`` waited, per level of the chain."""
    from viewflow.workflow.status import STATUS

    from workflow.models import CaseTask

    for procedure_id, section_id, level, created, finished in (
        CaseTask.objects.filter(
            kind=CaseTask.Kind.REVIEW,
            status=STATUS.DONE,
            level__isnull=False,
            finished__gte=start,
            finished__lt=end,
            application__isnull=False,
        )
        .order_by()
        .values_list(
            "application__procedure_version__procedure_id",
            "application__procedure_version__section_id",
            "level",
            "created",
            "finished",
        )
    ):
        hours = max(int((finished - created).total_seconds() // 3600), 0)
        measure = f"{DurationHistogram.WAIT_PREFIX}{level}"
        histogram[(procedure_id, section_id, measure, hours)] += 1


def _abandoned_drafts(
    day: dt.date,
    rows: dict[tuple[int, int, str], dict[str, int]],
    histogram: dict[tuple[int, int, str, int], int],
) -> None:
    """Drafts never submitted whose last change was exactly N days before
    ``day`` (STATS_DRAFT_ABANDONED_DAYS): abandoned on ``day``, by the last
    page with an answer."""
    from procedures.selectors import draft_summary

    touched_start, touched_end = _day_range(
        day - dt.timedelta(days=settings.STATS_DRAFT_ABANDONED_DAYS)
    )
    drafts = Application.objects.filter(
        status=Application.Status.DRAFT,
        submitted_at__isnull=True,
        updated_at__gte=touched_start,
        updated_at__lt=touched_end,
    ).select_related("procedure_version__form_version")
    for draft in drafts:
        version = draft.procedure_version
        try:
            page = draft_summary(application=draft).page
        except Exception:  # a form that no longer renders still counts
            logger.warning("could not find the last page of draft %s", draft.pk)
            page = 1
        rows[(version.procedure_id, version.section_id, "")]["abandoned"] += 1
        histogram[
            (
                version.procedure_id,
                version.section_id,
                DurationHistogram.Measure.ABANDONED_PAGE,
                page,
            )
        ] += 1


def _notices(
    start: dt.datetime,
    end: dt.datetime,
    rows: dict[tuple[int, int, str], dict[str, int]],
) -> None:
    """Electronic notices issued on the day, and first downloaded on the day."""
    from documents.models import IssuedDocument

    electronic = IssuedDocument.objects.filter(
        status=IssuedDocument.Status.ISSUED, electronic_delivery=True
    )
    scope = (
        "application__procedure_version__procedure_id",
        "application__procedure_version__section_id",
    )
    for field, lookup in (
        ("notices_issued", "stored_at"),
        ("notices_downloaded", "first_downloaded_at"),
    ):
        for procedure_id, section_id in (
            electronic.filter(**{f"{lookup}__gte": start, f"{lookup}__lt": end})
            .order_by()
            .values_list(*scope)
        ):
            rows[(procedure_id, section_id, "")][field] += 1


def rollup_days(*, days: Iterable[dt.date]) -> dict[str, int]:
    """Recompute each of ``days`` (each in its own transaction), then their months."""
    written = 0
    count = 0
    months = set()
    for day in sorted(set(days)):
        written += rollup_day(day=day)
        months.add(day.replace(day=1))
        count += 1
    for month in sorted(months):
        rollup_month(month=month)
    return {"days": count, "rows": written}


@transaction.atomic
def rollup_month(*, month: dt.date) -> None:
    """Refresh a month's sums and duration histograms from its daily rows."""
    last = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    MonthlyRollup.objects.filter(month=month).delete()
    MonthlyRollup.objects.bulk_create(
        MonthlyRollup(month=month, **row)
        for row in DailyRollup.objects.filter(day__gte=month, day__lte=last)
        .values("procedure_id", "section_id", "outcome")
        .annotate(**{name: Sum(name) for name in COUNTERS})
    )
    DurationHistogram.objects.filter(month=month).delete()
    decided = DecidedCase.objects.filter(decided_on__gte=month, decided_on__lte=last)
    for measure, field in (
        (DurationHistogram.Measure.CALENDAR, "calendar_days"),
        (DurationHistogram.Measure.BUSINESS, "business_days"),
    ):
        DurationHistogram.objects.bulk_create(
            DurationHistogram(
                month=month,
                procedure_id=row["procedure_id"],
                section_id=row["section_id"],
                measure=measure,
                days=row[field],
                cases=row["cases"],
            )
            for row in decided.values("procedure_id", "section_id", field).annotate(
                cases=Count("pk")
            )
        )
    DurationHistogram.objects.bulk_create(
        DurationHistogram(month=month, **row)
        for row in DailyHistogram.objects.filter(day__gte=month, day__lte=last)
        .values("procedure_id", "section_id", "measure", "days")
        .annotate(cases=Sum("cases"))
    )


def rollup_recent() -> dict[str, int]:
    """The periodic job: yesterday and today (late events of yesterday included)."""
    today = timezone.localdate()
    return rollup_days(days=[today - dt.timedelta(days=1), today])


def _refresh(*days: dt.date | None) -> None:
    """Bring the figures of a changed paper day up to date after the commit."""
    wanted = [day for day in days if day is not None]
    transaction.on_commit(lambda: rollup_days(days=wanted))


def paper_application_register(
    *,
    procedure: Procedure,
    received_on: dt.date,
    actor: Any,
    decided_on: dt.date | None = None,
    outcome: str = "",
) -> PaperApplication:
    """Record an application received on paper (counts only, no personal data)."""
    version = procedure.current_version
    if version is None:
        raise StatsError(
            gettext("この手続には公開中の版がありません。"), field="procedure"
        )
    if received_on > timezone.localdate():
        raise StatsError(
            gettext("受付日に未来の日付は指定できません。"), field="received_on"
        )
    paper = PaperApplication(
        procedure=procedure,
        section_id=version.section_id,
        received_on=received_on,
        registered_by=actor,
    )
    _set_decision(paper, decided_on=decided_on, outcome=outcome)
    paper.save()
    _refresh(paper.received_on, paper.decided_on)
    return paper


def paper_application_decide(
    *, paper: PaperApplication, decided_on: dt.date, outcome: str
) -> PaperApplication:
    """Record the outcome of a paper application, later than its receipt."""
    previous = paper.decided_on
    _set_decision(paper, decided_on=decided_on, outcome=outcome)
    paper.save(update_fields=["decided_on", "outcome"])
    _refresh(previous, paper.decided_on)
    return paper


PAPER_OUTCOMES = ("approved", "rejected", "withdrawn")


def _set_decision(
    paper: PaperApplication, *, decided_on: dt.date | None, outcome: str
) -> None:
    if (decided_on is None) != (not outcome):
        raise StatsError(
            gettext("決定日と結果は両方とも入力してください。"), field="outcome"
        )
    if outcome and outcome not in PAPER_OUTCOMES:
        raise StatsError(gettext("結果を選んでください。"), field="outcome")
    if decided_on is not None:
        if decided_on < paper.received_on:
            raise StatsError(
                gettext("決定日は受付日より後の日付にしてください。"),
                field="decided_on",
            )
        if decided_on > timezone.localdate():
            raise StatsError(
                gettext("決定日に未来の日付は指定できません。"), field="decided_on"
            )
    paper.decided_on = decided_on
    paper.outcome = outcome


def kgi_target_set(
    *,
    procedure: Procedure | None,
    measure: str,
    target: Any,
    due_on: dt.date,
    actor: Any,
    note: str = "",
) -> KgiTarget:
    """Set (or, with ``target`` None, withdraw) a target: a new row, never an edit."""
    if measure not in KgiTarget.Measure.values:
        raise StatsError(gettext("指標を選んでください。"), field="measure")
    is_share = measure != KgiTarget.Measure.MEDIAN_DAYS
    if target is not None and is_share and not 0 <= target <= 100:
        raise StatsError(
            gettext("割合は0から100までの数で入力してください。"), field="target"
        )
    if target is not None and target < 0:
        raise StatsError(gettext("0以上の数を入力してください。"), field="target")
    return KgiTarget.objects.create(
        procedure=procedure,
        measure=measure,
        target=target,
        due_on=due_on,
        note=note,
        set_by=actor,
    )


# --- Open data -----------------------------------------------------------


@transaction.atomic
def opendata_release_prepare(
    *, month: dt.date, actor: Any, base_url: str, note: str = ""
) -> OpenDataRelease:
    """Generate a month's files for review: a new release, or the draft again.

    Only a month that has ended can be released. Once a release is approved
    it is never touched again; preparing the month anew makes the next
    release (a correction).
    """
    from stats import opendata

    month = month.replace(day=1)
    if month >= timezone.localdate().replace(day=1):
        raise StatsError(gettext("公開できるのは終わった月だけです。"), field="month")
    if not opendata.valid_lg_code(settings.PREFECTURE_CODE):
        raise StatsError(
            gettext("PREFECTURE_CODE が全国地方公共団体コードとして正しくありません。")
        )
    latest = (
        OpenDataRelease.objects.select_for_update()
        .filter(month=month)
        .order_by("-number")
        .first()
    )
    if latest is not None and not latest.is_approved:
        latest.files.all().delete()
        release = latest
        release.prepared_by = actor
        release.note = note
        release.save(update_fields=["prepared_by", "note"])
    else:
        release = OpenDataRelease.objects.create(
            month=month,
            number=(latest.number + 1) if latest else 1,
            prepared_by=actor,
            note=note,
        )
    # The month is recomputed from the raw rows first, so that the release
    # holds every late event and correction made before it was prepared.
    last = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    rollup_days(days=[month + dt.timedelta(days=n) for n in range(last.day)])
    OpenDataFile.objects.bulk_create(
        OpenDataFile(
            release=release,
            dataset=dataset,
            format=fmt,
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
        )
        for (dataset, fmt), content in opendata.release_files(month, base_url).items()
    )
    return release


@transaction.atomic
def opendata_release_approve(
    *, release: OpenDataRelease, actor: Any
) -> OpenDataRelease:
    """Publish a reviewed release; from now on its files never change."""
    release = OpenDataRelease.objects.select_for_update().get(pk=release.pk)
    if release.is_approved:
        return release
    newer = OpenDataRelease.objects.filter(
        month=release.month, number__gt=release.number
    ).exists()
    if newer:
        raise StatsError(gettext("より新しい版があります。"))
    release.approved_by = actor
    release.approved_at = timezone.now()
    release.save(update_fields=["approved_by", "approved_at"])
    return release

"""What one case contributes to the figures, from its timeline alone.

Pure functions over events (no queries). The daily rollup stores what they
return per decided case (``DecidedCase``), and the drill-down lists read
those rows, so a figure and the cases behind it cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.utils import timezone

from core.japanese import is_office_holiday, processing_due_date
from procedures.models import Application, ApplicationEvent

Kind = ApplicationEvent.Kind

# What a member of staff does by hand on a case: the tasks the working group
# wants to remove. System lines (the notice issued, the resident's steps)
# are not counted.
STAFF_KINDS = frozenset(
    {
        Kind.CLAIMED,
        Kind.RELEASED,
        Kind.APPROVED,
        Kind.SENT_BACK,
        Kind.PULLED_BACK,
        Kind.CONSULTED,
        Kind.OPINION,
        Kind.AMENDMENT_REQUESTED,
        Kind.DECIDED_APPROVE,
        Kind.DECIDED_REJECT,
        Kind.POST_REVIEWED,
        Kind.MESSAGE,
    }
)
DECISION_KINDS = (Kind.DECIDED_APPROVE, Kind.DECIDED_REJECT)

_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def count_pdf_pages(stream: IO[bytes]) -> int:
    """Pages of a PDF, counted cheaply from its page objects.

    Compressed object streams hide their pages from this count; such a file
    counts as one page, which keeps "paper avoided" an underestimate.
    """
    data = stream.read()
    if not data.startswith(b"%PDF"):
        return 0
    return max(1, len(_PAGE.findall(data)))


def local_day(value: dt.datetime) -> dt.date:
    return timezone.localdate(value)


def business_days_between(start: dt.date, end: dt.date) -> int:
    """Office days after ``start`` up to and including ``end`` (初日不算入)."""
    days = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if not is_office_holiday(day):
            days += 1
    return days


@dataclass(frozen=True)
class CaseFigures:
    """What a decided case adds to the rollup of its decision day."""

    received_on: dt.date
    decided_on: dt.date
    outcome: str
    calendar_days: int
    business_days: int
    amendment_rounds: int
    amendment_days: int
    within_period: bool
    human_actions: int
    send_backs: int
    consultations: int


def amendment_pauses(events: Sequence[Any]) -> list[tuple[dt.date, dt.date]]:
    """(requested, resubmitted) days of each 補正; an open one runs to the last event."""
    pauses = []
    requested: dt.date | None = None
    for event in events:
        if event.kind == Kind.AMENDMENT_REQUESTED and requested is None:
            requested = local_day(event.created_at)
        elif event.kind == Kind.RESUBMITTED and requested is not None:
            pauses.append((requested, local_day(event.created_at)))
            requested = None
    if requested is not None and events:
        pauses.append((requested, local_day(events[-1].created_at)))
    return pauses


def outcome_of(application: Application, decision: Any) -> str:
    """The outcome kind: the modelled outcome's kind (認容, 一部認容, 不認容)
    where the case was decided with one, else the final status today.

    While the notice is being made the status is still 'issuing'; the
    decision's own line says which way it went.
    """
    if application.outcome_id is not None:
        return str(application.outcome.kind)
    if application.status in (Application.Status.APPROVED, Application.Status.REJECTED):
        return str(application.status)
    if decision.kind == Kind.DECIDED_APPROVE:
        return str(Application.Status.APPROVED)
    return str(Application.Status.REJECTED)


def case_figures(application: Application, events: Sequence[Any]) -> CaseFigures | None:
    """The figures of a decided case from its ordered timeline; None if undecided."""
    submitted = next((e for e in events if e.kind == Kind.SUBMITTED), None)
    decision = next((e for e in reversed(events) if e.kind in DECISION_KINDS), None)
    if submitted is None or decision is None:
        return None
    received_on = local_day(submitted.created_at)
    decided_on = local_day(decision.created_at)
    pauses = amendment_pauses(
        [e for e in events if e.created_at <= decision.created_at]
    )
    amendment_days = sum((end - start).days for start, end in pauses)
    version = application.procedure_version
    # 補正 time is the resident's, not the office's (行政手続法第6条): the
    # period is extended by exactly the days the case waited for them, as
    # application_resubmit moves the due date.
    due = processing_due_date(
        received_on,
        version.processing_days,
        business_days=version.processing_in_business_days,
    ) + dt.timedelta(days=amendment_days)
    kinds = [e.kind for e in events]
    return CaseFigures(
        received_on=received_on,
        decided_on=decided_on,
        outcome=outcome_of(application, decision),
        calendar_days=(decided_on - received_on).days,
        business_days=business_days_between(received_on, decided_on),
        amendment_rounds=kinds.count(Kind.AMENDMENT_REQUESTED),
        amendment_days=amendment_days,
        within_period=decided_on <= due,
        human_actions=sum(
            1 for e in events if e.kind in STAFF_KINDS and e.actor_id is not None
        ),
        send_backs=kinds.count(Kind.SENT_BACK),
        consultations=kinds.count(Kind.CONSULTED),
    )


def percentile(values: Iterable[int], fraction: float) -> float | None:
    """The exact percentile, interpolated between ranks as PostgreSQL's
    percentile_cont does (so the median of 1, 2 is 1.5 on either database)."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)

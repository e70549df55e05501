"""Reads of the figures: monthly series from the rollups, never from the cases.

Every function here runs a fixed number of queries whatever the number of
applications behind the figures (the dashboard's query budget).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Aggregate, FloatField, QuerySet, Sum

from stats.models import COUNTERS, DurationHistogram, MonthlyRollup


class PercentileCont(Aggregate):
    """PostgreSQL's exact percentile (interpolated, as the median is defined)."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        super().__init__(expression, fraction=float(fraction), **extra)


@dataclass
class Month:
    """The figures of one month (a period's row of every chart and table)."""

    start: dt.date
    totals: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    outcomes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    median_days: float | None = None
    p90_days: float | None = None
    median_business_days: float | None = None
    p90_business_days: float | None = None
    # {level: (median, p90)} hours a review task of that level waited.
    waits: dict[int, tuple[float, float]] = field(default_factory=dict)
    draft_median: float | None = None
    draft_p90: float | None = None
    # {last page with an answer: drafts abandoned}
    abandoned_pages: dict[int, int] = field(default_factory=dict)

    def wait(self, level: int) -> tuple[float | None, float | None]:
        return self.waits.get(level, (None, None))

    @property
    def download_share(self) -> float | None:
        return self.share("notices_downloaded", self.totals["notices_issued"])

    @property
    def key(self) -> str:
        return self.start.strftime("%Y-%m")

    @property
    def received(self) -> int:
        return self.totals["submitted"] + self.totals["paper_received"]

    @property
    def decided_all(self) -> int:
        return self.totals["decided"] + self.totals["paper_decided"]

    def share(self, part: str, whole: int) -> float | None:
        return round(100 * self.totals[part] / whole, 1) if whole else None

    @property
    def online_share(self) -> float | None:
        return self.share("submitted", self.received)

    @property
    def within_share(self) -> float | None:
        return self.share("within_period", self.totals["decided"])

    @property
    def amendment_share(self) -> float | None:
        return self.share("amended", self.totals["decided"])

    @property
    def delegated_share(self) -> float | None:
        return self.share("delegated", self.totals["decided"])

    @property
    def actions_per_case(self) -> float | None:
        decided = self.totals["decided"]
        return round(self.totals["human_actions"] / decided, 1) if decided else None


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    months = []
    month = start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _filtered(
    queryset: QuerySet[Any],
    *,
    day_field: str,
    start: dt.date,
    end: dt.date,
    procedure_id: int | None,
    section_ids: list[int] | None,
) -> QuerySet[Any]:
    queryset = queryset.filter(**{f"{day_field}__gte": start, f"{day_field}__lte": end})
    if procedure_id:
        queryset = queryset.filter(procedure_id=procedure_id)
    if section_ids is not None:
        queryset = queryset.filter(section_id__in=section_ids)
    return queryset


def _histogram_percentiles(counts: dict[int, int]) -> tuple[float, float]:
    """Exact median and p90 of a histogram {days: cases}, as percentile_cont."""
    values = sorted(counts)
    total = sum(counts.values())

    def at(rank: int) -> int:
        seen = 0
        for value in values:
            seen += counts[value]
            if rank < seen:
                return value
        return values[-1]

    def cont(fraction: float) -> float:
        position = fraction * (total - 1)
        lower = int(position)
        low, high = at(lower), at(min(lower + 1, total - 1))
        return low + (high - low) * (position - lower)

    return cont(0.5), cont(0.9)


def _histograms(
    *,
    start: dt.date,
    end: dt.date,
    procedure_id: int | None,
    section_ids: list[int] | None,
) -> dict[tuple[dt.date, str], dict[int, int]]:
    """{(month, measure): {days: cases}} over the months: one query."""
    counts: dict[tuple[dt.date, str], dict[int, int]] = defaultdict(
        lambda: defaultdict(int)
    )
    rows = (
        _filtered(
            DurationHistogram.objects,
            day_field="month",
            start=start.replace(day=1),
            end=end,
            procedure_id=procedure_id,
            section_ids=section_ids,
        )
        .values("month", "measure", "days")
        .annotate(total=Sum("cases"))
    )
    for row in rows:
        counts[(row["month"], row["measure"])][row["days"]] += row["total"]
    return counts


def _month_percentiles(
    *,
    start: dt.date,
    end: dt.date,
    procedure_id: int | None,
    section_ids: list[int] | None,
) -> dict[tuple[Any, str], tuple[float, float]]:
    """Exact median and p90 per month and measure, found in the database.

    The histogram is added up per number of days and walked with a running
    sum, and only the rows holding the ranks the percentiles need come back
    (at most four per month and measure): what Python reads does not grow
    with the spread of durations.
    """
    grouped = (
        _filtered(
            DurationHistogram.objects,
            day_field="month",
            start=start.replace(day=1),
            end=end,
            procedure_id=procedure_id,
            section_ids=section_ids,
        )
        .values("month", "measure", "days")
        .annotate(n=Sum("cases"))
        .order_by()
    )
    sql, params = grouped.query.sql_with_params()
    ranks = " OR ".join(
        f"(before <= {rank} AND {rank} < upto)"
        for rank in (
            # Integer arithmetic, so both databases and Python agree on
            # the ranks (PostgreSQL rounds a cast where SQLite truncates).
            "(CAST(total AS INTEGER) - 1) * 5 / 10",
            "(CAST(total AS INTEGER) - 1) * 5 / 10 + 1",
            "(CAST(total AS INTEGER) - 1) * 9 / 10",
            "(CAST(total AS INTEGER) - 1) * 9 / 10 + 1",
        )
    )
    query = f"""
        WITH h AS ({sql}),
        c AS (
            SELECT month, measure, days,
                SUM(n) OVER (PARTITION BY month, measure ORDER BY days) - n AS before,
                SUM(n) OVER (PARTITION BY month, measure ORDER BY days) AS upto,
                SUM(n) OVER (PARTITION BY month, measure) AS total
            FROM h
        )
        SELECT month, measure, days, before, upto, total FROM c WHERE {ranks}
    """
    # The ranks above are constants; every value is a query parameter.
    found: dict[tuple[Any, str], list[tuple[int, int, int, int]]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for month, measure, days, before, upto, total in cursor.fetchall():
            found[(month, measure)].append(
                (int(days), int(before), int(upto), int(total))
            )
    result = {}
    for key, rows in found.items():
        total = rows[0][3]

        def at(rank: int, rows: list[tuple[int, int, int, int]] = rows) -> int:
            return next(
                days for days, before, upto, _t in rows if before <= rank < upto
            )

        def cont(tenths: int, total: int = total) -> float:
            lower, rest = divmod((total - 1) * tenths, 10)
            low, high = at(lower), at(min(lower + 1, total - 1))
            return low + (high - low) * rest / 10

        result[key] = (cont(5), cont(9))
    return result


def monthly_figures(
    *,
    start: dt.date,
    end: dt.date,
    procedure_id: int | None = None,
    section_ids: list[int] | None = None,
) -> list[Month]:
    """One ``Month`` per month of [start, end] from the monthly rollups and
    histograms: two queries, whatever the number of cases behind them."""
    months = {month: Month(start=month) for month in months_between(start, end)}
    scope = {"procedure_id": procedure_id, "section_ids": section_ids}
    rows = (
        _filtered(
            MonthlyRollup.objects,
            day_field="month",
            start=start.replace(day=1),
            end=end,
            **scope,
        )
        .values("month", "outcome")
        .annotate(**{name: Sum(name) for name in COUNTERS})
    )
    for row in rows:
        month = months[_as_date(row["month"])]
        for name in COUNTERS:
            month.totals[name] += row[name] or 0
        if row["outcome"]:
            month.outcomes[row["outcome"]] += (row["decided"] or 0) + (
                row["paper_decided"] or 0
            )
    for (month_start, measure), (median, p90) in _month_percentiles(
        start=start, end=end, **scope
    ).items():
        month = months[_as_date(month_start)]
        if measure == DurationHistogram.Measure.CALENDAR:
            month.median_days, month.p90_days = median, p90
        elif measure == DurationHistogram.Measure.BUSINESS:
            month.median_business_days, month.p90_business_days = median, p90
        elif measure == DurationHistogram.Measure.DRAFT:
            month.draft_median, month.draft_p90 = median, p90
        elif measure.startswith(DurationHistogram.WAIT_PREFIX):
            level = int(measure.removeprefix(DurationHistogram.WAIT_PREFIX))
            month.waits[level] = (median, p90)
    # The abandoned drafts' last pages are counts, not percentiles.
    for row in (
        _filtered(
            DurationHistogram.objects,
            day_field="month",
            start=start.replace(day=1),
            end=end,
            **scope,
        )
        .filter(measure=DurationHistogram.Measure.ABANDONED_PAGE)
        .values("month", "days")
        .annotate(total=Sum("cases"))
    ):
        month = months[_as_date(row["month"])]
        month.abandoned_pages[row["days"]] = row["total"]
    return list(months.values())


def _as_date(value: Any) -> dt.date:
    if isinstance(value, str):  # SQLite's raw cursor returns text
        return dt.date.fromisoformat(value[:10])
    return value.date() if isinstance(value, dt.datetime) else value


def _period_totals(months: list[Month], start: dt.date) -> Month:
    """The months of a period added up (medians come from their own query)."""
    total = Month(start=start)
    for month in months:
        for name, value in month.totals.items():
            total.totals[name] += value
    return total


def median_days(
    *, start: dt.date, end: dt.date, procedure_id: int | None
) -> float | None:
    """The exact median over whole months from the histograms."""
    counts: dict[int, int] = defaultdict(int)
    for (_month, measure), histogram in _histograms(
        start=start, end=end, procedure_id=procedure_id, section_ids=None
    ).items():
        if measure == DurationHistogram.Measure.CALENDAR:
            for days, cases in histogram.items():
                counts[days] += cases
    return _histogram_percentiles(counts)[0] if counts else None


def kgi_progress(*, today: dt.date) -> list[dict[str, Any]]:
    """Each target in force with the actual value of its fiscal year so far."""
    from core.japanese import fiscal_year
    from stats.models import KgiTarget

    latest: dict[tuple[int | None, str], KgiTarget] = {}
    for target in KgiTarget.objects.select_related(
        "procedure__current_version", "set_by"
    ).order_by("created_at", "pk"):
        latest[(target.procedure_id, target.measure)] = target
    progress = []
    for target in latest.values():
        if target.target is None:
            continue
        start = dt.date(fiscal_year(target.due_on), 4, 1)
        end = min(today, target.due_on)
        months = monthly_figures(start=start, end=end, procedure_id=target.procedure_id)
        total = _period_totals(months, start)
        actual: float | None
        if target.measure == KgiTarget.Measure.MEDIAN_DAYS:
            actual = median_days(start=start, end=end, procedure_id=target.procedure_id)
        else:
            actual = getattr(total, target.measure)
        lower = target.measure in KgiTarget.LOWER_IS_BETTER
        reached = None
        if actual is not None:
            reached = actual <= target.target if lower else actual >= target.target
        progress.append(
            {"target": target, "actual": actual, "reached": reached, "since": start}
        )
    return progress

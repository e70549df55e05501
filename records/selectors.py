"""What is due for disposal or transfer (保存期間の満了)."""

from __future__ import annotations

import datetime as dt
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.japanese import fiscal_year
from procedures.models import RETENTION_CHOICES, Application


def kept_until(*, closed: dt.date, years: int) -> dt.date:
    """The last day a record is kept: the period counts from the 1 April of
    the fiscal year after the one in which the case closed (起算日), as the
    公文書 rules count it, so it always ends on a 31 March."""
    return dt.date(fiscal_year(closed) + 1 + years, 3, 31)


def _closed_before(years: int, today: dt.date) -> dt.datetime:
    # kept_until(closed) < today  <=>  closed < 1 April of (FY(today) - years)
    start = dt.date(fiscal_year(today) - years, 4, 1)
    return timezone.make_aware(dt.datetime.combine(start, dt.time.min))


def records_due(*, today: dt.date | None = None) -> QuerySet[Application]:
    """Closed applications whose retention period has ended, not yet erased."""
    today = today or timezone.localdate()
    expired = reduce(
        or_,
        (
            Q(
                procedure_version__retention_years=years,
                closed_at__lt=_closed_before(years, today),
            )
            for years, _label in RETENTION_CHOICES
        ),
    )
    return (
        Application.objects.filter(
            expired,
            status__in=Application.FINAL_STATUSES,
            disposed_at__isnull=True,
        )
        .select_related("procedure_version__procedure")
        .order_by("closed_at", "id")
    )

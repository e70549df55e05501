"""Fixtures for the KPI tests: the workflow tests' office and procedures, and a
writer of case histories at chosen moments (a generated history needs dates
spread over weeks, holidays and 補正 pauses, which real services cannot
produce without waiting)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.utils import timezone

from procedures.models import Application, ApplicationEvent
from tests.factories import ResidentFactory
from tests.workflow.conftest import DEFINITION, org, published_version  # noqa: F401

Kind = ApplicationEvent.Kind
_numbers = itertools.count(1)


@pytest.fixture
def procedures(org):  # noqa: F811
    """Two procedures of 福祉政策課: 30 calendar days, and 10 business days."""
    first = published_version(
        org, code="kpi-koyomi", prefix="KK", title="暦日の手続", definition=DEFINITION
    )
    second = published_version(
        org, code="kpi-kaicho", prefix="KB", title="開庁日の手続", definition=DEFINITION
    )
    second.processing_days = 10
    second.processing_in_business_days = True
    second.save()
    return [first, second]


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def write_history(
    version: Any,
    steps: list[tuple[str, dt.datetime]],
    *,
    status: str,
    staff: Any = None,
    applicant: Any = None,
) -> Application:
    """An application whose timeline is ``steps`` (event kind, moment), in order."""
    applicant = applicant or ResidentFactory()
    submitted = [moment for kind, moment in steps if kind == Kind.SUBMITTED]
    decided = [moment for kind, moment in steps if kind.startswith("decided_")]
    application = Application.objects.create(
        procedure_version=version,
        applicant=applicant,
        status=status,
        receipt_number=f"KPI-{next(_numbers)}" if submitted else None,
        submitted_at=submitted[0] if submitted else None,
        decided_at=decided[-1] if decided else None,
    )
    # created_at and updated_at are automatic: the first draft and the last
    # change are the history's first and last moments.
    Application.objects.filter(pk=application.pk).update(
        created_at=steps[0][1], updated_at=steps[-1][1]
    )
    application.created_at = steps[0][1]
    for kind, moment in steps:
        actor = applicant if kind in (Kind.CREATED, Kind.SUBMITTED) else staff
        event = ApplicationEvent.objects.create(
            application=application, kind=kind, actor=actor
        )
        # created_at is auto_now_add: the moment is set afterwards.
        ApplicationEvent.objects.filter(pk=event.pk).update(created_at=moment)
    return application

"""The deadline reminder scan among 1,000 and 100,000 open cases (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/bench_reminder_scan.py

Target (issue 15): finding the reminders due (``workflow.deadlines.
reminders_due``) among 100,000 open cases takes at most 1.3 x the time among
1,000. The cases due are the same few in both runs (due tomorrow, overdue,
a 補正期限 soon, with earlier overdue ones already reminded); the rest are
open cases due weeks ahead, added in bulk between the two measurements.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

from bench_workflow_common import p95, seed, setup_django, teardown

RUNS = 200


def add_cases(ctx, start: int, stop: int, *, due: dt.date, **fields) -> list:
    from django.utils import timezone

    from procedures.models import Application
    from workflow.flows import CaseFlow
    from workflow.models import Case

    chain = [{"position": "担当", "slot": "x", "section": "課", "final": True}]
    apps = Application.objects.bulk_create(
        Application(
            procedure_version=ctx["version"],
            applicant=ctx["resident"],
            status=fields.get("status", "under_review"),
            receipt_number=f"R-{n:07d}",
            applicant_name=f"県民 {n}",
            submitted_at=timezone.now(),
            due_date=due,
            amendment_due_date=fields.get("amendment_due_date"),
        )
        for n in range(start, stop)
    )
    Case.objects.bulk_create(
        Case(
            flow_class=CaseFlow,
            application=app,
            procedure_id=ctx["procedure"].pk,
            chain=chain,
            slots=["x"],
        )
        for app in apps
    )
    return apps


def measure(today: dt.date) -> tuple[float, float, int]:
    from workflow.deadlines import reminders_due

    samples = []
    found = 0
    for _ in range(RUNS):
        t0 = time.perf_counter()
        found = len(reminders_due(today=today))
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples) * 1000, p95(samples) * 1000, found


def main() -> None:
    setup_django()
    try:
        from django.db import connection

        from workflow.models import Reminder

        ctx = seed()
        today = dt.date(2026, 12, 8)  # a Tuesday
        # The few that are due, the same in both measurements.
        add_cases(ctx, 0, 5, due=today + dt.timedelta(days=1))
        add_cases(ctx, 5, 10, due=today - dt.timedelta(days=1))
        add_cases(
            ctx,
            10,
            15,
            due=today + dt.timedelta(days=30),
            status="amendment_requested",
            amendment_due_date=today + dt.timedelta(days=2),
        )
        # Overdue long ago, already reminded and escalated: scanned, not due.
        reminded = add_cases(ctx, 15, 100, due=today - dt.timedelta(days=60))
        Reminder.objects.bulk_create(
            Reminder(application=app, kind=kind, deadline=app.due_date)
            for app in reminded
            for kind in ("overdue", "escalation")
        )
        add_cases(ctx, 100, 1_000, due=today + dt.timedelta(days=40))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        small = measure(today)
        for lo in range(1_000, 100_000, 10_000):
            add_cases(
                ctx, lo, min(100_000, lo + 10_000), due=today + dt.timedelta(days=40)
            )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        large = measure(today)
        for label, (median, high, found) in (("1,000", small), ("100,000", large)):
            print(
                f"{label:>7} open cases: median {median:6.2f} ms, "
                f"p95 {high:6.2f} ms, {found} reminders due"
            )
        print(
            f"ratio median(100k)/median(1k): {large[0] / small[0]:.2f} (target <= 1.3)"
        )
    finally:
        teardown()


if __name__ == "__main__":
    main()

"""KPI dashboard p95 with the figures of 10,000 and of 1,000,000 applications,
side by side (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/bench_kpi_dashboard.py

Target: p95(1,000,000) <= 1.5 x p95(10,000). The dashboard reads the
monthly rollups and duration histograms only (stats.selectors), never the
applications, so the bench writes those rows as the rollup job would leave
them for that many applications spread over three years and 20 procedures
per section, rather than a million full cases: a "small" section holds the
figures of 10,000 applications and a "large" section those of 1,000,000,
in the same tables. Each measurement is a full GET /manage/kpi/ through the
test client (administrator with a verified second factor, twelve months,
one section), the two sections interleaved so the machine's noise hits
both alike.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from collections import Counter

os.environ.setdefault("BENCH_DB_NAME", "bench_kpi")

from bench_workflow_common import p95, seed, setup_django, teardown

SIZES = {"small": 10_000, "large": 1_000_000}
PROCEDURES = 20
MONTHS = 36
REQUESTS = 200


def add_figures(ctx, section, applications: int, rng: random.Random) -> None:
    """The monthly rows the rollup job leaves for ``applications`` cases."""
    from procedures.models import Procedure, ProcedureVersion
    from stats.models import DurationHistogram, MonthlyRollup

    start = dt.date(2024, 1, 1)
    months = []
    month = start
    for _ in range(MONTHS):
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    procedures = []
    for n in range(PROCEDURES):
        procedure = Procedure.objects.create(
            code=f"{section.code}-{n}",
            receipt_prefix=f"{section.code[:3].upper()}{n}",
            status="published",
        )
        version = ProcedureVersion.objects.create(
            procedure=procedure,
            number=1,
            status="published",
            title=f"手続 {n}",
            section=section,
            processing_days=30,
            form_version=ctx["version"].form_version,
        )
        procedure.current_version = version
        procedure.save(update_fields=["current_version"])
        procedures.append(procedure)
    per_cell = applications // (MONTHS * PROCEDURES)
    rollups, histograms = [], []
    for month in months:
        for procedure in procedures:
            approved = int(per_cell * 0.8)
            rejected = per_cell - approved
            common = {
                "month": month,
                "procedure_id": procedure.pk,
                "section_id": section.pk,
            }
            rollups.append(
                MonthlyRollup(
                    **common,
                    started=per_cell + per_cell // 10,
                    submitted=per_cell,
                    withdrawn=per_cell // 50,
                )
            )
            for outcome, count in (("approved", approved), ("rejected", rejected)):
                rollups.append(
                    MonthlyRollup(
                        **common,
                        outcome=outcome,
                        decided=count,
                        within_period=int(count * 0.9),
                        human_actions=count * 4,
                        pages=count * 3,
                    )
                )
            # Processing days: most within the 30-day period, a long tail.
            calendar = Counter(
                min(int(rng.expovariate(1 / 18)), 180) for _ in range(per_cell)
            )
            for measure, days_of in (
                ("calendar", calendar),
                ("business", Counter({d * 5 // 7: c for d, c in calendar.items()})),
            ):
                histograms.extend(
                    DurationHistogram(**common, measure=measure, days=days, cases=cases)
                    for days, cases in days_of.items()
                )
    MonthlyRollup.objects.bulk_create(rollups, batch_size=5_000)
    DurationHistogram.objects.bulk_create(histograms, batch_size=5_000)
    print(
        f"  {section.code}: {applications:,} applications -> "
        f"{len(rollups):,} monthly rows, {len(histograms):,} histogram rows"
    )


def main() -> None:
    setup_django()
    try:
        run()
    finally:
        teardown()


def run() -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from organisation.models import Section
    from tests.factories import AdministratorFactory
    from tests.second_factor import verified_login

    settings.ALLOWED_HOSTS = ["*"]
    ctx = seed()
    department = ctx["version"].section.department
    rng = random.Random(13)
    sections = {}
    print("writing the rollups ...")
    for name, size in SIZES.items():
        section = Section.objects.create(
            department=department, code=name, name=f"{name}課"
        )
        add_figures(ctx, section, size, rng)
        sections[name] = section
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = verified_login(Client(), AdministratorFactory())
    samples: dict[str, list[float]] = {name: [] for name in SIZES}
    for round_ in range(REQUESTS + 10):
        for name, section in sections.items():
            query = {"start": "2026-01", "end": "2026-12", "section": section.pk}
            began = time.perf_counter()
            response = client.get("/manage/kpi/", query)
            elapsed = (time.perf_counter() - began) * 1000
            assert response.status_code == 200, response.status_code
            if round_ >= 10:  # warm-up
                samples[name].append(elapsed)
    small, large = p95(samples["small"]), p95(samples["large"])
    print(f"p95 10,000 applications:    {small:6.1f} ms")
    print(f"p95 1,000,000 applications: {large:6.1f} ms")
    print(f"ratio {large / small:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()

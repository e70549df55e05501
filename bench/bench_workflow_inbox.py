"""Inbox p95 latency at 1k, 10k and 100k open tasks, side by side (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/bench_workflow_inbox.py

Target: p95(100k) <= 1.3 x p95(1k) and under 50 ms. Tasks are bulk-inserted
(applications, cases, open review tasks queued for the 担当 slot); each
measurement is a full GET /staff/inbox/ through the test client (session,
user, slots, one keyset page, post-reviews, procedures), first page and a
deep page reached by cursor.
"""

from __future__ import annotations

import time

from bench_workflow_common import p95, seed, setup_django, teardown

SIZES = [1_000, 10_000, 100_000]
REQUESTS = 200


def add_tasks(ctx, start: int, stop: int, slot: str) -> None:
    from django.utils import timezone

    from procedures.models import Application
    from workflow.flows import CaseFlow
    from workflow.models import Case, CaseTask

    version, resident = ctx["version"], ctx["resident"]
    chain = [
        {"position": "担当", "slot": slot, "section": "福祉政策課", "final": False}
    ]
    now = timezone.now()
    for lo in range(start, stop, 10_000):
        hi = min(stop, lo + 10_000)
        apps = Application.objects.bulk_create(
            Application(
                procedure_version=version,
                applicant=resident,
                status="submitted",
                receipt_number=f"J-{slot[-8:]}-{n:06d}",
                applicant_name=f"県民 {n}",
                answers={"amount": n},
                submitted_at=now,
                due_date=timezone.localdate(),
            )
            for n in range(lo, hi)
        )
        cases = Case.objects.bulk_create(
            Case(
                flow_class=CaseFlow,
                application=app,
                procedure_id=ctx["procedure"].pk,
                chain=chain,
                slots=[slot],
            )
            for app in apps
        )
        CaseTask.objects.bulk_create(
            CaseTask(
                process=case,
                flow_task=CaseFlow.review,
                flow_task_type="HUMAN",
                status="NEW",
                owner_permission=slot,
                kind="review",
                level=0,
                application_id=case.application_id,
                procedure_id=ctx["procedure"].pk,
                due_date=timezone.localdate(),
                data={"step": "担当"},
            )
            for case in cases
        )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> None:
    setup_django()
    try:
        from django.test import Client
        from django.test.utils import setup_test_environment

        setup_test_environment()
        from django.conf import settings

        settings.ALLOWED_HOSTS = ["*"]
        from django.contrib.auth.models import Permission

        ctx = seed()
        import datetime as dt

        from accounts.models import User
        from organisation.models import Assignment, Position, Section
        from organisation.selectors import slot_key

        tanto = Position.objects.get(code="tanto")
        permission = Permission.objects.get(codename="access_caseworker_area")
        clients = {}
        # Three queues of different sizes in one table (111k open tasks),
        # measured in turn so that the machine's noise hits them alike.
        for size in SIZES:
            section = Section.objects.create(
                department=ctx["version"].section.department,
                code=f"s{size}",
                name=f"課{size}",
            )
            user = User.objects.create_user(f"t{size}@example.jp", "x", is_staff=True)
            user.user_permissions.add(permission)
            Assignment.objects.create(
                user=user,
                section=section,
                position=tanto,
                start_date=dt.date(2020, 4, 1),
            )
            add_tasks(ctx, 0, size, slot_key(position=tanto, section=section))
            client = Client()
            client.force_login(user)
            clients[size] = client
        samples = {size: [] for size in SIZES}
        for _ in range(REQUESTS):
            for size in SIZES:
                t0 = time.perf_counter()
                response = clients[size].get("/staff/inbox/")
                samples[size].append(time.perf_counter() - t0)
                assert response.status_code == 200
        results = {size: p95(samples[size]) * 1000 for size in SIZES}
        for size in SIZES:
            print(f"{size:>7} open tasks in the queue: p95 {results[size]:6.1f} ms")
        ratio = results[SIZES[-1]] / results[SIZES[0]]
        print(f"ratio p95(100k)/p95(1k): {ratio:.2f} (target <= 1.3, and p95 < 50 ms)")
    finally:
        teardown()


if __name__ == "__main__":
    main()

"""Whole cases per second vs plain one-row ORM inserts, and two worker
processes vs one, measured side by side in one run (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/bench_workflow_cases.py

A whole case: application_start + application_submit (receipt number, due
date, revision, timeline, case start with its chain snapshot), then three
claim-and-decide steps 担当 → 係長 → 課長 (課長専決 at 500,000 yen) to the end
of the flow, without the document (rendered after commit, measured by
documents) and without mail. Each step is its own transaction, as in the
pages. Targets: cases/s >= 1/40 of inserts/s; two processes >= 1.8x one.
"""

from __future__ import annotations

import multiprocessing as mp
import time

from bench_workflow_common import seed, setup_django, teardown

SECONDS = 8


def one_case(ctx) -> None:
    from procedures import services as procedures
    from workflow import services
    from workflow.models import CaseTask

    application = procedures.application_start(
        procedure=ctx["procedure"], applicant=ctx["resident"]
    )
    application.answers = {"amount": 500_000}
    application.save(update_fields=["answers"])
    application = procedures.application_submit(application=application)
    case_id = application.case.pk
    for who in ("tanto", "kakaricho", "kacho"):
        user = ctx["people"][who]
        task_id = (
            CaseTask.objects.filter(process_id=case_id, status="NEW", kind="review")
            .values_list("pk", flat=True)
            .get()
        )
        services.task_claim(task_id=task_id, case_id=case_id, user=user)
        services.task_decide(
            task_id=task_id, case_id=case_id, user=user, decision="approve"
        )


def floor_case(ctx) -> None:
    """The same eight steps as ``one_case``, each only the ORM statements it
    cannot do without: no engine, no route, no receipt number, no audit
    chain, no grants check. What limits a case: 1/40 of plain inserts is
    about where even this lands (bench/README.md).
    """
    from django.db import transaction
    from django.utils import timezone

    from procedures.models import Application, ApplicationEvent
    from workflow.flows import CaseFlow
    from workflow.models import Case, CaseTask

    application = Application.objects.create(
        procedure_version=ctx["version"], applicant=ctx["resident"]
    )
    Application.objects.filter(pk=application.pk).update(answers={"amount": 500_000})
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        application.status = "submitted"
        application.receipt_number = f"F-{application.pk}"
        application.submitted_at = timezone.now()
        application.save(update_fields=["status", "receipt_number", "submitted_at"])
        case = Case.objects.create(
            flow_class=CaseFlow, application=application, chain=ctx["chain"]
        )
        task = CaseTask.objects.create(
            process=case, flow_task=CaseFlow.review, owner_permission="slot"
        )
    for level, who in enumerate(("tanto", "kakaricho", "kacho")):
        user = ctx["people"][who]
        with transaction.atomic():  # claim
            task = CaseTask.objects.select_for_update().get(pk=task.pk)
            task.owner, task.status = user, "ASSIGNED"
            task.save(update_fields=["owner", "status"])
            ApplicationEvent.objects.create(
                application=application, kind="claimed", actor=user
            )
        with transaction.atomic():  # decide
            task = CaseTask.objects.select_for_update().get(pk=task.pk)
            task.status, task.finished = "DONE", timezone.now()
            task.save(update_fields=["status", "finished"])
            ApplicationEvent.objects.create(
                application=application, kind="approved", actor=user
            )
            case.level = level + 1  # CaseTask.save copies it onto the next task
            if level < 2:
                task = CaseTask.objects.create(
                    process=case, flow_task=CaseFlow.review, owner_permission="slot"
                )


def one_insert(n: int) -> None:
    from organisation.models import Department

    Department.objects.create(code=f"d{time.monotonic_ns()}-{n}", name="部")


def _run(kind: str, seconds: float, ctx) -> int:
    done = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        if kind == "case":
            one_case(ctx)
        elif kind == "floor":
            floor_case(ctx)
        else:
            one_insert(done)
        done += 1
    return done


def _worker(kind: str, seconds: float, queue) -> None:
    from bench_workflow_common import setup_django as setup

    setup(create=False)
    ctx = _context()
    queue.put(_run(kind, seconds, ctx))


def _context():
    from accounts.models import User
    from procedures.models import Procedure
    from workflow.routes import chain_plan

    procedure = Procedure.objects.get(code="josei")
    version = procedure.current_version
    return {
        "procedure": procedure,
        "version": version,
        "chain": chain_plan(version=version, answers={"amount": 500_000}).chain,
        "resident": User.objects.get(email="resident@example.jp"),
        "people": {
            c: User.objects.get(email=f"{c}@example.jp")
            for c in ("tanto", "kakaricho", "kacho")
        },
    }


def parallel(kind: str, workers: int) -> float:
    queue = mp.get_context("spawn").Queue()
    procs = [
        mp.get_context("spawn").Process(target=_worker, args=(kind, SECONDS, queue))
        for _ in range(workers)
    ]
    for proc in procs:
        proc.start()
    total = sum(queue.get() for _ in procs)
    for proc in procs:
        proc.join()
    return total / SECONDS


def main() -> None:
    setup_django()
    try:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        seed()
        ctx = _context()
        one_case(ctx)  # warm-up
        with CaptureQueriesContext(connection) as queries:
            one_case(ctx)
        sql = [q["sql"] for q in queries.captured_queries]
        statements = len(sql)
        savepoints = sum(q.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")) for q in sql)
        audit = sum("core_auditevent" in q or "pg_advisory" in q for q in sql)
        # Interleave short rounds so the machine's noise hits both alike.
        with CaptureQueriesContext(connection) as queries:
            floor_case(ctx)
        floor_statements = len(queries.captured_queries)
        cases = inserts = floors = 0.0
        rounds = 4
        for _ in range(rounds):
            cases += _run("case", SECONDS / rounds, ctx)
            inserts += _run("insert", SECONDS / rounds, ctx)
            floors += _run("floor", SECONDS / rounds, ctx)
        cases_s, inserts_s = cases / SECONDS, inserts / SECONDS
        floor_s = floors / SECONDS
        print(f"plain ORM one-row inserts: {inserts_s:8.1f} /s")
        print(
            f"whole cases (submit + 3 claim/decide): {cases_s:6.1f} /s, "
            f"{statements} SQL statements ({savepoints} SAVEPOINT/RELEASE, "
            f"{audit} for the audit chain)"
        )
        print(
            f"ratio cases/inserts: 1/{inserts_s / cases_s:.0f} (target 1/40 or better)"
        )
        print(
            f"floor (the same steps as bare ORM statements): {floor_s:6.1f} /s, "
            f"{floor_statements} SQL statements, 1/{inserts_s / floor_s:.0f} of inserts"
        )
        connection.close()
        one = parallel("case", 1)
        two = parallel("case", 2)
        print(f"one worker process: {one:6.1f} cases/s; two: {two:6.1f} cases/s")
        print(f"ratio two/one: {two / one:.2f} (target >= 1.8)")
    finally:
        from django.db import connection

        connection.close()
        teardown()


if __name__ == "__main__":
    main()

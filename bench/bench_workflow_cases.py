"""Whole cases per second against a floor of bare statements and against
plain one-row ORM inserts, and two worker processes against one, measured
side by side in one run (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/bench_workflow_cases.py [-v] [--no-parallel]

A whole case is five transactions, each a person's action: the draft with
its answers (as the API's one-request application), the submission
(receipt number, due date, revision, timeline, the case with its chain
snapshot), then 担当, 係長 and 課長 each decide from the queue (claim and
decision in one transaction, issue 15; 課長専決 at 500,000 yen) to the end
of the flow. The notice's document row and the mails are left out (their
rendering and sending run after commit; bench_documents.py measures the
notice): ``bench_workflow_common`` replaces both services.

Prints the SQL statements and the time of each transaction (``-v`` lists
the statements), the same for the floor (``floor_steps``), and the ratio.
Targets (issue 15): whole case <= 2x the floor in the same run; two
processes >= 1.8x one.
"""

from __future__ import annotations

import inspect
import multiprocessing as mp
import sys
import time
from collections.abc import Callable

from bench_workflow_common import seed, setup_django, teardown

SECONDS = 8
INSERTS_PER_PAIR = 10


def case_steps(ctx) -> list[tuple[str, Callable[[dict], None]]]:
    """The five transactions of a whole case, each a person's action.

    The resident opens a draft with the answers of its one page (the first
    save of the page creates the draft), then submits; 担当, 係長 and 課長
    each decide from their queue, which claims and decides in one
    transaction (issue 15).
    """
    from django.db import transaction

    from procedures import services as procedures
    from workflow.models import CaseTask
    from workflow.queue import task_decide_from_queue

    def draft(state: dict) -> None:
        # One transaction, as POST /api/v1/applications/ with answers: the
        # draft written with its answers where the service takes them
        # (issue 15), created and then saved with them before.
        with transaction.atomic():
            if "answers" in inspect.signature(procedures.application_start).parameters:
                state["application"] = procedures.application_start(
                    procedure=ctx["procedure"],
                    applicant=ctx["resident"],
                    answers={"amount": 500_000},
                )
                return
            application = procedures.application_start(
                procedure=ctx["procedure"], applicant=ctx["resident"]
            )
            state["application"] = procedures.application_save_answers(
                application=application, answers={"amount": 500_000}
            )

    def submit(state: dict) -> None:
        application = procedures.application_submit(application=state["application"])
        state["case_id"] = application.case.pk

    def decide(who: str) -> Callable[[dict], None]:
        def step(state: dict) -> None:
            # The inbox row gives the task's and the case's ids.
            task_id = (
                CaseTask.objects.filter(
                    process_id=state["case_id"], status="NEW", kind="review"
                )
                .values_list("pk", flat=True)
                .get()
            )
            task_decide_from_queue(
                task_id=task_id,
                case_id=state["case_id"],
                user=ctx["people"][who],
                decision="approve",
            )

        return step

    return [
        ("draft (start + answers)", draft),
        ("submit", submit),
        ("担当 decides from the queue", decide("tanto")),
        ("係長 decides from the queue", decide("kakaricho")),
        ("課長 decides from the queue (専決, final)", decide("kacho")),
    ]


def _steps(steps, spent: list[float] | None) -> None:
    state: dict = {}
    for index, (_label, step) in enumerate(steps):
        started = time.perf_counter()
        step(state)
        if spent is not None:
            spent[index] += time.perf_counter() - started


def one_case(ctx) -> None:
    _steps(ctx["case_steps"], ctx.get("case_spent"))


def floor_steps(ctx) -> list[tuple[str, Callable[[dict], None]]]:
    """The same five transactions as ``case_steps``, as bare ORM statements.

    The floor writes every row the whole case leaves behind, each once and
    by one statement (two rows of a table in one ``bulk_create``), and takes
    one locking read per transaction: the draft with its answers and its
    first timeline line; the receipt number from the fiscal year's counter,
    the submitted application, its revision, its timeline line, the case and
    the first task; per level the task claimed and done, the claim's and the
    decision's timeline lines and audit rows, the case moved on and the
    next task (at the first level the application under review, at the last
    the decision on the application and the case finished); the queued
    notification job of each new task after commit; and the inbox row each
    caseworker starts from (the same query as ``case_steps``).

    Left out, as what the real code adds to it: the form's validation,
    reading the route and the grants, the audit chain's lock and tail (the
    audit rows are inserted unchained), viewflow's own rows (the start and
    end tasks, the links between tasks) and every savepoint and re-read.
    """
    from django.db import transaction
    from django.utils import timezone

    from core.background import enqueue
    from core.models import AuditEvent
    from procedures.models import (
        Application,
        ApplicationEvent,
        ApplicationRevision,
        ReceiptCounter,
    )
    from procedures.services import _bump_counter
    from workflow.flows import CaseFlow
    from workflow.models import Case, CaseTask
    from workflow.tasks import notify_task

    version, procedure = ctx["version"], ctx["procedure"]
    outcome = ctx["outcome"]
    ReceiptCounter.objects.get_or_create(procedure=procedure, fiscal_year=2999)

    def notify(task_id: int) -> None:
        transaction.on_commit(lambda: enqueue(notify_task, task_id))

    def draft(state: dict) -> None:
        with transaction.atomic():
            application = Application.objects.create(
                procedure_version=version,
                applicant=ctx["resident"],
                answers={"amount": 500_000},
            )
            ApplicationEvent.objects.create(
                application=application, kind="created", actor=ctx["resident"]
            )
        state["application"] = application

    def submit(state: dict) -> None:
        with transaction.atomic():
            application = Application.objects.select_for_update().get(
                pk=state["application"].pk
            )
            now = timezone.now()
            number = _bump_counter(procedure.pk, 2999)
            application.status = "submitted"
            application.receipt_number = f"F-{number:05d}"
            application.submitted_at = now
            application.due_date = now.date()
            application.revision = 1
            application.save(
                update_fields=[
                    "status",
                    "receipt_number",
                    "submitted_at",
                    "due_date",
                    "revision",
                ]
            )
            ApplicationRevision.objects.create(
                application=application,
                number=1,
                answers=application.answers,
                submitted_at=now,
            )
            ApplicationEvent.objects.create(
                application=application, kind="submitted", actor=ctx["resident"]
            )
            case = Case.objects.create(
                flow_class=CaseFlow,
                application=application,
                procedure=procedure,
                chain=ctx["chain"],
            )
            task = CaseTask.objects.create(
                process=case, flow_task=CaseFlow.review, owner_permission="slot"
            )
            notify(task.pk)
        state["case_id"] = case.pk

    def decide(level: int, who: str) -> Callable[[dict], None]:
        def step(state: dict) -> None:
            user, final = ctx["people"][who], level == 2
            task_id = (
                CaseTask.objects.filter(
                    process_id=state["case_id"], status="NEW", kind="review"
                )
                .values_list("pk", flat=True)
                .get()
            )
            with transaction.atomic():  # claim and decide
                task = (
                    CaseTask.objects.select_related("process__application")
                    .select_for_update(of=("process__application", "process", "self"))
                    .get(pk=task_id)
                )
                case, application = task.process, task.process.application
                now = timezone.now()
                task.owner, task.status, task.finished = user, "DONE", now
                task.decision, task.acted_by = "approve", user
                task.save(
                    update_fields=[
                        "owner",
                        "status",
                        "finished",
                        "decision",
                        "acted_by",
                    ]
                )
                if level == 0:
                    Application.objects.filter(pk=application.pk).update(
                        status="under_review", updated_at=now
                    )
                ApplicationEvent.objects.bulk_create(
                    [
                        ApplicationEvent(
                            application=application, kind="claimed", actor=user
                        ),
                        ApplicationEvent(
                            application=application,
                            kind="decided_approve" if final else "approved",
                            actor=user,
                        ),
                    ]
                )
                case.chain[level]["done"] = {"user_id": user.pk, "action": "approve"}
                if final:
                    case.status, case.finished = "DONE", now
                    case.save(update_fields=["chain", "status", "finished"])
                    Application.objects.filter(pk=application.pk).update(
                        status="issuing",
                        decided_at=now,
                        outcome=outcome,
                        decision_data={},
                        updated_at=now,
                    )
                else:
                    case.level = level + 1  # CaseTask.save copies it
                    case.save(update_fields=["chain", "level"])
                    task = CaseTask.objects.create(
                        process=case, flow_task=CaseFlow.review, owner_permission="slot"
                    )
                    notify(task.pk)
                events = [
                    AuditEvent(
                        actor=user,
                        action=action,
                        target_type="procedures.application",
                        target_id=str(application.pk),
                        data={"task": task_id},
                        key_id="floor",
                    )
                    for action in ("workflow.task_claim", "workflow.task_decide")
                ]
                for event in events:  # signed, but not chained to the tail
                    event.hash = event.compute_hash(b"floor")
                AuditEvent.objects.bulk_create(events)

        return step

    return [
        ("draft (start + answers)", draft),
        ("submit", submit),
        ("担当 decides from the queue", decide(0, "tanto")),
        ("係長 decides from the queue", decide(1, "kakaricho")),
        ("課長 decides from the queue (専決, final)", decide(2, "kacho")),
    ]


def floor_case(ctx) -> None:
    _steps(ctx["floor_steps"], ctx.get("floor_spent"))


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
    from procedures.models import Outcome, Procedure
    from workflow.routes import chain_plan

    procedure = Procedure.objects.get(code="josei")
    version = procedure.current_version
    ctx = {
        "procedure": procedure,
        "version": version,
        "chain": chain_plan(version=version, answers={"amount": 500_000}).chain,
        "resident": User.objects.get(email="resident@example.jp"),
        "people": {
            c: User.objects.get(email=f"{c}@example.jp")
            for c in ("tanto", "kakaricho", "kacho")
        },
    }
    one_case(ctx | {"case_steps": case_steps(ctx)})  # the outcomes exist now
    ctx["outcome"] = Outcome.objects.filter(procedure_version=version).first()
    ctx["case_steps"] = case_steps(ctx)
    ctx["floor_steps"] = floor_steps(ctx)
    return ctx


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


def _count(steps, verbose: bool) -> list[int]:
    """SQL statements of each step of one case (BEGIN and COMMIT included)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts, state = [], {}
    for label, step in steps:
        with CaptureQueriesContext(connection) as queries:
            step(state)
        counts.append(len(queries.captured_queries))
        if verbose:
            print(f"--- {label}")
            for query in queries.captured_queries:
                print("   ", query["sql"][:160])
    return counts


def _table(title: str, steps, counts: list[int], spent: list[float], n: float) -> None:
    print(f"{title}: {sum(counts)} SQL statements per case (SQL, ms per step)")
    for (label, _step), count, seconds in zip(steps, counts, spent, strict=True):
        print(f"    {count:3d} {1000 * seconds / n:6.1f}  {label}")


def main() -> None:
    verbose = "-v" in sys.argv
    setup_django()
    try:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        seed()
        ctx = _context()
        one_case(ctx)  # warm-up
        floor_case(ctx)
        with CaptureQueriesContext(connection) as queries:
            one_case(ctx)
        sql = [q["sql"] for q in queries.captured_queries]
        savepoints = sum(q.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")) for q in sql)
        audit = sum("core_auditevent" in q or "pg_advisory" in q for q in sql)
        case_counts = _count(ctx["case_steps"], verbose)
        floor_counts = _count(ctx["floor_steps"], verbose)
        ctx["case_spent"] = [0.0] * len(ctx["case_steps"])
        ctx["floor_spent"] = [0.0] * len(ctx["floor_steps"])
        # Alternate one case and one floor case (each first in turn), then
        # a few inserts, so that the machine's noise (other processes on its
        # two cores) hits all three alike; the ratio of the sums is the
        # result, the median of the pairs' ratios shows how noisy it was.
        spent = {"case": 0.0, "floor": 0.0, "insert": 0.0}
        cpu = {"case": 0.0, "floor": 0.0}
        pairs: list[float] = []
        inserts = 0
        deadline = time.perf_counter() + 3 * SECONDS
        while time.perf_counter() < deadline:
            took = {}
            for kind in ("case", "floor")[:: 1 if len(pairs) % 2 else -1]:
                started, cpu_started = time.perf_counter(), time.process_time()
                (one_case if kind == "case" else floor_case)(ctx)
                took[kind] = time.perf_counter() - started
                spent[kind] += took[kind]
                cpu[kind] += time.process_time() - cpu_started
            started = time.perf_counter()
            for _ in range(INSERTS_PER_PAIR):
                one_insert(inserts)
                inserts += 1
            spent["insert"] += time.perf_counter() - started
            pairs.append(took["case"] / took["floor"])
        cases = floors = len(pairs)
        cases_s, floor_s = cases / spent["case"], floors / spent["floor"]
        inserts_s = inserts / spent["insert"]
        _table("whole case", ctx["case_steps"], case_counts, ctx["case_spent"], cases)
        print(f"    ({savepoints} SAVEPOINT/RELEASE, {audit} for the audit chain)")
        _table("floor", ctx["floor_steps"], floor_counts, ctx["floor_spent"], floors)
        print(f"plain ORM one-row inserts: {inserts_s:8.1f} /s")
        print(
            f"whole cases: {cases_s:6.1f} /s = 1/{inserts_s / cases_s:.0f} of inserts "
            f"({1000 / cases_s:.1f} ms per case, "
            f"{1000 * cpu['case'] / cases:.1f} ms CPU in this process)"
        )
        print(
            f"floor:       {floor_s:6.1f} /s = 1/{inserts_s / floor_s:.0f} of inserts "
            f"({1000 / floor_s:.1f} ms per case, "
            f"{1000 * cpu['floor'] / floors:.1f} ms CPU in this process)"
        )
        pairs.sort()
        print(
            f"whole case / floor: {floor_s / cases_s:.2f}x (target <= 2; "
            f"{len(pairs)} pairs, median pair {pairs[len(pairs) // 2]:.2f}x, "
            f"CPU {cpu['case'] / cpu['floor']:.2f}x)"
        )
        if "--no-parallel" in sys.argv:
            return
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

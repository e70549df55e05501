"""Issue 15, performance: the statements a whole case takes, as budgets.

bench/bench_workflow_cases.py measures the time of a whole case against a
floor of bare statements; these hold the number of statements of each of
its transactions, so that a change which adds a query to a submission or
a decision fails here rather than in the next measurement. The budgets
count every statement the test database sees, savepoints included
(pytest-django runs each test inside a transaction, so each service's
own transaction is a savepoint here); PostgreSQL adds the audit chain's
advisory lock to each decision.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import AuditEvent
from procedures import services as procedures
from tests.factories import ResidentFactory
from workflow.queue import task_decide_from_queue

from .helpers import open_task

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"


def _draft(version):
    application = procedures.application_start(
        procedure=version.procedure, applicant=ResidentFactory()
    )
    return procedures.application_save_answers(
        application=application, answers={"name": "山田 太郎", "amount": 500_000}
    )


def _decide(task, user):
    return task_decide_from_queue(
        task_id=task.pk, case_id=task.process_id, user=user, decision="approve"
    )


def test_a_submission_reads_the_route_in_one_statement(
    version, django_assert_max_num_queries
):
    procedures.application_submit(application=_draft(version))  # the year's counter
    application = _draft(version)
    # Lock (with version, form and applicant), receipt counter, application,
    # revision, timeline, the route, the case, viewflow's start and first
    # review tasks and their link, the mail to the outbox, and the savepoint
    # pair.
    with django_assert_max_num_queries(13):
        application = procedures.application_submit(application=application)
    assert application.receipt_number
    assert open_task(application).level == 0


def test_deciding_from_the_queue_locks_once_and_audits_with_one_insert(
    submit, org, django_assert_max_num_queries
):
    p = org["people"]
    application = submit(500_000)
    # Lock (task, case and application in one statement), grants, the
    # application under review, the case, the task, the next task and its
    # link, both timeline lines in one insert, the audit chain's tail and
    # both events in one insert (and its advisory lock on PostgreSQL), and
    # the savepoint pair.
    task = open_task(application)
    with django_assert_max_num_queries(13 if POSTGRES else 12):
        _decide(task, p["tanto"])
    task = open_task(application)
    with django_assert_max_num_queries(12 if POSTGRES else 11):
        _decide(task, p["kakaricho"])
    kinds = list(application.events.values_list("kind", flat=True))
    assert kinds[-4:] == ["claimed", "approved", "claimed", "approved"]
    actions = list(
        AuditEvent.objects.filter(
            target_type="procedures.application", target_id=str(application.pk)
        )
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["workflow.task_claim", "workflow.task_decide"] * 2


def test_the_final_decision_from_the_queue_ends_the_case_within_budget(
    submit, org, django_assert_max_num_queries
):
    p = org["people"]
    # The first case creates the outcomes and the counters.
    for budget in (99, 31 if POSTGRES else 30):
        application = submit(500_000)  # 課長専決
        _decide(open_task(application), p["tanto"])
        _decide(open_task(application), p["kakaricho"])
        task = open_task(application)
        # Lock, grants, the version and its outcomes, the decision on the
        # application and its mail to the applicant, the notice's document row (numbered, with its snapshot),
        # the case, the task, the end of the flow (open tasks counted, the
        # case finished, its task and link), the timeline and the audit
        # chain, and the savepoints.
        with django_assert_max_num_queries(budget):
            _decide(task, p["kacho"])
    application.refresh_from_db()
    assert application.status == "issuing"
    application.case.refresh_from_db()
    assert application.case.status == "DONE"
    finish = application.case.task_set.get(flow_task_type="END")
    assert finish.status == "DONE"
    assert finish.finished is not None
    assert finish.previous.get().decision == "final_approve"


def test_a_held_timeline_line_waits_only_for_the_next_one(submit, org):
    # The claim's line is held to be written with the decision's in one
    # insert; every line after that is written at once, so that a reader
    # later in the same transaction (the notice) finds it.
    p = org["people"]
    application = submit(500_000)
    before = application.events.count()
    with procedures.application_event_held():
        procedures.application_event_add(
            application=application, kind="claimed", actor=p["tanto"]
        )
        assert application.events.count() == before
        with CaptureQueriesContext(connection) as queries:
            procedures.application_event_add(
                application=application, kind="approved", actor=p["tanto"]
            )
        assert len(queries.captured_queries) == 1
        assert application.events.count() == before + 2
        procedures.application_event_add(
            application=application, kind="released", actor=p["tanto"]
        )
        assert application.events.count() == before + 3
    kinds = list(application.events.values_list("kind", flat=True))
    assert kinds[-3:] == ["claimed", "approved", "released"]

"""Races on PostgreSQL with real threads, each on its own connection."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from django.urls import reverse

from tests.second_factor import verified_login
from workflow import services
from workflow.models import CaseTask

from .helpers import claim, decide, open_task

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*calls):
    """Run each call in its own thread and connection, released together."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = ("ok", call())
        except services.WorkflowError as exc:
            results[index] = ("refused", exc.message)
        except Exception as exc:  # anything else is a bug the test must show
            results[index] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_caseworkers_claiming_the_same_task(submit, org):
    p = org["people"]
    application = submit()
    task = open_task(application)
    results = _race(
        *[
            lambda user=user: services.task_claim(
                task_id=task.pk, case_id=task.process_id, user=user
            )
            for user in (p["tanto"], p["tanto2"])
        ]
    )
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    refused = next(r for r in results if r[0] == "refused")
    assert "すでにほかの職員が担当" in refused[1]
    task.refresh_from_db()
    assert task.status == "ASSIGNED"
    assert application.events.filter(kind="claimed").count() == 1


def test_the_same_decision_posted_twice(submit, org):
    p = org["people"]
    application = submit()
    task = claim(application, p["tanto"])
    results = _race(
        *[
            lambda: services.task_decide(
                task_id=task.pk,
                case_id=task.process_id,
                user=p["tanto"],
                decision="approve",
            )
        ]
        * 2
    )
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    open_tasks = CaseTask.objects.filter(
        process=application.case, status__in=["NEW", "ASSIGNED"]
    )
    assert [t.step_label for t in open_tasks] == ["係長"]
    assert application.events.filter(kind="approved").count() == 1


def claim_consult(task, people):
    for user in (people["zaisei_tanto"], people["zaisei_kacho"]):
        try:
            return services.task_claim(
                task_id=task.pk, case_id=task.process_id, user=user
            ), user
        except services.WorkflowError:
            continue
    raise AssertionError("nobody could claim the consultation")


def test_two_route_consultations_finishing_together_create_one_review(
    submit, org, version
):
    from workflow.models import Route, RouteConsultation

    p, sections, positions = org["people"], org["sections"], org["positions"]
    route = Route.objects.get(procedure_version=version)
    RouteConsultation.objects.create(
        route=route,
        section=sections["zaisei"],
        position=positions["tanto"],
        before_position=positions["tanto"],
    )
    RouteConsultation.objects.create(
        route=route,
        section=sections["zaisei"],
        position=positions["kacho"],
        before_position=positions["tanto"],
    )
    application = submit(500_000)
    consults = list(CaseTask.objects.filter(process=application.case, kind="consult"))
    assert len(consults) == 2
    claimed = [claim_consult(task, p) for task in consults]
    results = _race(
        *[
            lambda t=t, u=u: services.task_decide(
                task_id=t.pk,
                case_id=t.process_id,
                user=u,
                decision="",
                internal_comment="異議なし",
            )
            for t, u in claimed
        ]
    )
    assert [r[0] for r in results] == ["ok", "ok"]
    reviews = CaseTask.objects.filter(process=application.case, kind="review")
    assert reviews.count() == 1
    assert reviews.get().status == "NEW"
    decide(application, p["tanto"])


class RowLockHolder:
    """Another caseworker's transaction holding the application's row lock."""

    def __init__(self, application_pk: int) -> None:
        self.application_pk = application_pk
        self.locked = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self._hold)

    def _lock(self) -> None:
        from procedures.models import Application

        Application.objects.select_for_update().get(pk=self.application_pk)

    def _hold(self) -> None:
        from django.db import transaction

        try:
            with transaction.atomic():
                self._lock()
                self.locked.set()
                self.release.wait(timeout=30)
        finally:
            connection.close()

    def __enter__(self) -> RowLockHolder:
        self.thread.start()
        assert self.locked.wait(timeout=10)
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.thread.join()


@pytest.fixture
def short_lock_timeout():
    # Seconds in production (settings); a fraction here so the test is quick.
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '200ms'")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET lock_timeout")


def test_a_decision_on_a_case_someone_else_holds_is_refused_kindly(
    client, submit, org, short_lock_timeout
):
    p = org["people"]
    application = submit()
    task = claim(application, p["tanto"])
    verified_login(client, p["tanto"])
    url = reverse("workflow:task_decide", args=[application.public_id, task.pk])
    with RowLockHolder(application.pk):
        response = client.post(
            url, {"decision": "approve", "internal_comment": "問題なし"}
        )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "ほかの職員がこの案件を処理中です" in page.content.decode()
    # Nothing changed: the task is still hers, the case still at 担当.
    task.refresh_from_db()
    assert (task.status, task.owner) == ("ASSIGNED", p["tanto"])
    application.case.refresh_from_db()
    assert application.case.level == 0
    assert not application.events.filter(kind="approved").exists()
    # Once the other transaction is over, the same decision goes through.
    client.post(url, {"decision": "approve", "internal_comment": "問題なし"})
    assert open_task(application).step_label == "係長"


def test_a_claim_on_a_case_someone_else_holds_is_refused_kindly(
    client, submit, org, short_lock_timeout
):
    application = submit()
    task = open_task(application)
    verified_login(client, org["people"]["tanto"])
    with RowLockHolder(application.pk):
        response = client.post(
            reverse("workflow:task_claim", args=[application.public_id, task.pk]),
            follow=True,
        )
    assert response.status_code == 200
    assert "ほかの職員がこの案件を処理中です" in response.content.decode()
    task.refresh_from_db()
    assert task.status == "NEW"


class CaseRowLockHolder(RowLockHolder):
    """A transaction holding only the case's row lock."""

    def _lock(self) -> None:
        from workflow.models import Case

        Case.objects.select_for_update().get(application_id=self.application_pk)


def _application_lockable(application_pk: int) -> bool:
    from django.db import OperationalError, transaction

    from procedures.models import Application

    try:
        with transaction.atomic():
            Application.objects.select_for_update(nowait=True).get(pk=application_pk)
        return True
    except OperationalError:
        return False
    finally:
        connection.close()


def test_the_single_locking_statement_takes_the_application_before_the_case(
    submit, org
):
    # The services lock application, case and task in one statement; they must
    # take the rows in the order procedures' services do (application first),
    # or a withdrawal and a decision could deadlock. With the case held
    # elsewhere, a claim waits on the case while already holding the
    # application, which a third transaction can then see.
    application = submit()
    task = open_task(application)
    with CaseRowLockHolder(application.pk):

        def claim():
            return services.task_claim(
                task_id=task.pk, case_id=task.process_id, user=org["people"]["tanto"]
            )

        claimer = threading.Thread(target=_race, args=(claim,))
        claimer.start()
        for _ in range(50):  # until the claim is queued behind the case lock
            application_free = _application_lockable(application.pk)
            if not application_free:
                break
            time.sleep(0.05)
        assert not application_free
    claimer.join()
    task.refresh_from_db()
    assert task.status == "ASSIGNED"


def test_two_caseworkers_deciding_the_same_queued_task_at_once(submit, org):
    # Issue 15: deciding from the queue claims in the same transaction; of
    # two at once, one decides and the other finds the task taken.
    from workflow import queue

    p = org["people"]
    application = submit()
    task = open_task(application)
    results = _race(
        *[
            lambda user=user: queue.task_decide_from_queue(
                task_id=task.pk, case_id=task.process_id, user=user, decision="approve"
            )
            for user in (p["tanto"], p["tanto2"])
        ]
    )
    assert sorted(r[0] for r in results) == ["ok", "refused"], results
    refused = next(r for r in results if r[0] == "refused")
    assert "すでにほかの職員が担当" in refused[1]
    application.case.refresh_from_db()
    assert application.case.level == 1
    assert application.events.filter(kind="claimed").count() == 1
    assert application.events.filter(kind="approved").count() == 1

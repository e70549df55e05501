"""Issue 15: approve several simple tasks from the inbox at once."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from accounts.second_factor import VERIFIED_AT_KEY
from core.models import AuditEvent
from tests.second_factor import current_code, give_second_factor, login_as

from .helpers import claim, decide, open_task
from .test_consultation_answers import _ask_zaisei
from .test_outcomes import decision_form, grants  # noqa: F401

pytestmark = pytest.mark.django_db


def _approve(client, tasks, **extra):
    return client.post(
        reverse("workflow:inbox_approve"),
        {"task": [str(task.pk) for task in tasks], **extra},
        follow=True,
    )


def _stale(client) -> None:
    session = client.session
    session[VERIFIED_AT_KEY] = time.time() - 11 * 60
    session.save()


def _to_final(application, people) -> None:
    decide(application, people["tanto"])
    decide(application, people["kakaricho"])


def test_three_tasks_are_approved_at_once_each_audited_and_on_its_timeline(
    client, submit, org
):
    p = org["people"]
    applications = [submit(500_000) for _ in range(3)]
    tasks = [open_task(a) for a in applications]
    login_as(client, p["tanto"])
    inbox = client.get(reverse("workflow:inbox")).content.decode()
    assert "選んだタスクをまとめて承認する" in inbox
    assert reverse("workflow:inbox_approve") in inbox

    body = _approve(client, tasks).content.decode()

    numbers = "、".join(a.receipt_number for a in applications)
    assert f"3 件のタスクを承認しました（{numbers}）" in body
    assert AuditEvent.objects.filter(action="workflow.task_decide").count() == 3
    assert AuditEvent.objects.filter(action="workflow.task_claim").count() == 3
    for application, task in zip(applications, tasks, strict=True):
        task.refresh_from_db()
        assert task.status == "DONE"
        assert task.acted_by == p["tanto"]
        assert application.events.filter(kind="approved").count() == 1
        application.case.refresh_from_db()
        assert application.case.level == 1
        # The next level finds it in its queue.
        assert open_task(application).owner_permission != task.owner_permission


def test_a_task_a_colleague_took_is_reported_and_the_others_still_approved(
    client, submit, org
):
    p = org["people"]
    first, taken, third = submit(500_000), submit(500_000), submit(500_000)
    tasks = [open_task(first), claim(taken, p["tanto2"]), open_task(third)]
    login_as(client, p["tanto"])

    body = _approve(client, tasks).content.decode()

    assert "2 件のタスクを承認しました" in body
    assert f"{taken.receipt_number} は承認していません: " in body
    assert "すでにほかの職員が担当" in body
    kept = open_task(taken)
    assert kept.status == "ASSIGNED"
    assert kept.owner_id == p["tanto2"].pk
    for application in (first, third):
        assert application.events.filter(kind="approved").exists()


def test_a_final_level_batch_needs_the_code_once(client, submit, org):
    p = org["people"]
    first, second = submit(500_000), submit(500_000)
    for application in (first, second):
        _to_final(application, p)
    tasks = [open_task(first), open_task(second)]
    login_as(client, p["kacho"])
    _stale(client)
    assert 'name="otp_code"' in client.get(reverse("workflow:inbox")).content.decode()

    missing = _approve(client, tasks).content.decode()
    wrong = _approve(client, tasks, otp_code="000000").content.decode()

    assert "確認コードを入力してください。承認はしていません。" in missing
    assert "確認コードが正しくありません。承認はしていません。" in wrong
    for application in (first, second):
        application.refresh_from_db()
        assert application.outcome is None
    time.sleep(1.1)  # a wrong code holds the device for a second

    code = current_code(give_second_factor(p["kacho"]))
    done = _approve(client, tasks, otp_code=code).content.decode()

    assert "2 件のタスクを承認しました" in done
    for application in (first, second):
        application.refresh_from_db()
        assert application.outcome.favourable  # 許可, the notice on its way
    assert AuditEvent.objects.filter(action="workflow.task_decide").count() == 6


def test_a_consultation_is_refused_with_its_reason(client, submit, org):
    p = org["people"]
    application = submit(500_000)
    _ask_zaisei(application, org)
    task = open_task(application, "consult")
    login_as(client, p["zaisei_tanto"])

    body = _approve(client, [task]).content.decode()

    assert "合議はまとめて承認できません" in body
    assert f"{application.receipt_number} は承認していません" in body
    task.refresh_from_db()
    assert task.status == "NEW"
    assert task.owner_id is None


def test_a_final_decision_needing_its_form_is_refused_with_its_reason(
    client,
    grants,  # noqa: F811
    submit,
    org,
):
    p = org["people"]
    at_final = submit(500_000)
    _to_final(at_final, p)
    login_as(client, p["kakaricho"])
    # The 係長 cannot approve the 課長's task: not found, number not shown.
    body = _approve(client, [open_task(at_final)]).content.decode()
    assert at_final.receipt_number not in body
    login_as(client, p["kacho"])

    body = _approve(client, [open_task(at_final)]).content.decode()

    assert "決定内容の入力が必要です" in body
    final_task = open_task(at_final)
    assert final_task.status == "NEW"
    at_final.refresh_from_db()
    assert at_final.outcome is None
    assert not AuditEvent.objects.filter(
        action="workflow.task_claim", actor=p["kacho"]
    ).exists()


def test_a_drafted_decision_is_refused_and_a_simple_case_still_approved(
    client,
    grants,  # noqa: F811
    submit,
    org,
):
    """回議: the 係長 opens a drafted decision; a plain case passes in the batch."""
    p = org["people"]
    drafted = submit(500_000)
    decide(
        drafted,
        p["tanto"],
        outcome="grant",
        decision_data={"granted_amount": 500_000},
    )
    simple = submit(400_000)
    decide(simple, p["tanto"])
    login_as(client, p["kakaricho"])

    body = _approve(client, [open_task(drafted), open_task(simple)]).content.decode()

    assert "起案された決定があるため、案件を開いて確認してください" in body
    assert f"{drafted.receipt_number} は承認していません" in body
    drafted_task = open_task(drafted)
    assert drafted_task.status == "NEW"
    assert drafted_task.level == 1
    assert drafted_task.owner_id is None
    assert open_task(simple).level == 2

"""Issue 15: deciding from the queue, bulk claim and assign, the next-case shortcut."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import AuditEvent
from tests.second_factor import login_as
from workflow import queue, services
from workflow.models import CaseTask

from .helpers import claim, decide, open_task

pytestmark = pytest.mark.django_db


def _case_url(application):
    return reverse("workflow:case_detail", args=[application.public_id])


def test_deciding_from_the_queue_claims_and_decides_in_one_post(client, submit, org):
    p = org["people"]
    application = submit(500_000)
    task = open_task(application)
    login_as(client, p["tanto"])
    page = client.get(_case_url(application)).content.decode()
    assert "判断を記録する" in page
    assert "判断を記録すると、このタスクを同時に担当します。" in page
    response = client.post(
        reverse("workflow:task_decide", args=[application.public_id, task.pk]),
        {"decision": "approve"},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "DONE"
    assert task.owner_id == task.acted_by_id == p["tanto"].pk
    kinds = list(application.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["claimed", "approved"]
    application.case.refresh_from_db()
    assert application.case.level == 1


def test_a_task_a_colleague_claimed_still_answers_taken(client, submit, org):
    p = org["people"]
    application = submit(500_000)
    task = claim(application, p["tanto2"])
    login_as(client, p["tanto"])
    response = client.post(
        reverse("workflow:task_decide", args=[application.public_id, task.pk]),
        {"decision": "approve"},
        follow=True,
    )
    assert "すでにほかの職員が担当" in response.content.decode()
    task.refresh_from_db()
    assert task.status == "ASSIGNED"
    assert task.owner_id == p["tanto2"].pk


def test_a_refused_decision_leaves_no_claim_behind(submit, org):
    p = org["people"]
    application = submit(500_000)
    task = open_task(application)
    with pytest.raises(services.WorkflowError):
        queue.task_decide_from_queue(
            task_id=task.pk, case_id=task.process_id, user=p["tanto"], decision="reject"
        )
    task.refresh_from_db()
    assert task.status == "NEW"
    assert task.owner_id is None
    assert not application.events.filter(kind="claimed").exists()


def test_bulk_claim_takes_each_task_and_reports_the_ones_taken(client, submit, org):
    p = org["people"]
    first, second, taken = submit(500_000), submit(500_000), submit(500_000)
    claim(taken, p["tanto2"])
    login_as(client, p["tanto"])
    inbox = client.get(reverse("workflow:inbox")).content.decode()
    assert 'name="task"' in inbox
    tasks = [open_task(a).pk for a in (first, second, taken)]
    response = client.post(
        reverse("workflow:inbox_claim"), {"task": [*map(str, tasks), "x"]}, follow=True
    )
    body = response.content.decode()
    assert "2 件のタスクを担当しました" in body
    assert f"{taken.receipt_number}: " in body
    for application in (first, second):
        assert open_task(application).owner_id == p["tanto"].pk
    assert open_task(taken).owner_id == p["tanto2"].pk
    # Each claim locked and audited on its own.
    assert AuditEvent.objects.filter(action="workflow.task_claim").count() == 3


def test_a_higher_level_assigns_queued_tasks_to_a_colleague(client, submit, org):
    p = org["people"]
    first, second = submit(500_000), submit(500_000)
    login_as(client, p["kakaricho"])
    page = client.get(reverse("workflow:case_search")).content.decode()
    assert 'name="assignee"' in page
    response = client.post(
        reverse("workflow:search_assign"),
        {
            "case": [str(first.public_id), str(second.public_id)],
            "assignee": str(p["tanto2"].pk),
        },
        follow=True,
    )
    assert "2 件のタスクを割り当てました" in response.content.decode()
    for application in (first, second):
        task = open_task(application)
        assert task.status == "ASSIGNED"
        assert task.owner_id == p["tanto2"].pk
        event = application.events.get(kind="assigned")
        assert event.actor == p["kakaricho"]
        assert event.data["to"] == p["tanto2"].full_name
    # tanto2 finds them under "mine" and may decide them.
    decide_task = open_task(first)
    services.task_decide(
        task_id=decide_task.pk,
        case_id=decide_task.process_id,
        user=p["tanto2"],
        decision="approve",
    )


def test_assigning_needs_a_higher_level_and_a_holder(client, submit, org):
    p = org["people"]
    application = submit(500_000)
    login_as(client, p["tanto"])  # the same level, not above it
    response = client.post(
        reverse("workflow:search_assign"),
        {"case": [str(application.public_id)], "assignee": str(p["tanto2"].pk)},
        follow=True,
    )
    assert "上位の段階の職員" in response.content.decode()
    task = open_task(application)
    with pytest.raises(services.WorkflowError, match="職に就いていません"):
        queue.task_assign(
            task_id=task.pk,
            case_id=task.process_id,
            user=p["kakaricho"],
            assignee=p["kacho"],
        )
    assert CaseTask.objects.get(pk=task.pk).status == "NEW"


def test_case_page_links_the_next_case_in_the_queue_with_a_shortcut(
    client, submit, org
):
    p = org["people"]
    first, second = submit(500_000), submit(500_000)
    login_as(client, p["tanto"])
    page = client.get(_case_url(first)).content.decode()
    assert f'href="{_case_url(second)}" data-shortcut="n"' in page
    assert "shortcuts.js" in page
    decide(second, p["tanto"])
    page = client.get(_case_url(first)).content.decode()
    assert 'data-shortcut="n"' not in page

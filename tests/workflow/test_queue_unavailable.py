"""Bulk actions on tasks outside the user's posts: refused without a word of
the case (security defect found in issue 15's bulk actions).

A task id is a small integer anyone can post. Whatever the reason a task is
refused from outside the user's posts, the page says the same neutral
sentence and never the case's receipt number.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import AuditEvent
from tests.second_factor import login_as
from workflow import queue, services

from .helpers import claim, open_task

pytestmark = pytest.mark.django_db

NEUTRAL = "選択したタスクの一部は処理できませんでした（権限がないか、見つかりません）"


def _post(client, name, tasks, **extra):
    return client.post(
        reverse(f"workflow:{name}"),
        {"task": [str(task.pk) for task in tasks], **extra},
        follow=True,
    ).content.decode()


def test_bulk_claim_of_another_posts_task_names_nothing(client, submit, org):
    p = org["people"]
    application = submit(500_000)  # in 福祉政策課 担当's queue
    task = open_task(application)
    login_as(client, p["zaisei_tanto"])  # 財政課

    body = _post(client, "inbox_claim", [task])

    assert NEUTRAL in body
    assert application.receipt_number not in body
    assert "担当しました" not in body
    task.refresh_from_db()
    assert task.status == "NEW"
    assert not AuditEvent.objects.filter(action="workflow.task_claim").exists()


def test_bulk_claim_names_its_own_posts_refusals_and_not_the_others(
    client, submit, org
):
    p = org["people"]
    mine, taken, foreign = submit(500_000), submit(500_000), submit(500_000)
    claim(taken, p["tanto"])  # a colleague in the same post
    # The foreign case sits at the 係長's level: not a 担当's post.
    claim(foreign, p["tanto"])
    foreign_task = open_task(foreign)
    services.task_decide(
        task_id=foreign_task.pk,
        case_id=foreign_task.process_id,
        user=p["tanto"],
        decision="approve",
    )
    login_as(client, p["tanto2"])

    body = _post(
        client,
        "inbox_claim",
        [open_task(mine), open_task(taken), open_task(foreign)],
    )

    assert "1 件のタスクを担当しました" in body
    assert f"{taken.receipt_number}: " in body  # a case of the user's own post
    assert "すでにほかの職員が担当" in body
    assert NEUTRAL in body
    assert foreign.receipt_number not in body
    assert open_task(mine).owner_id == p["tanto2"].pk
    assert open_task(foreign).owner_id is None


def test_bulk_approve_of_another_posts_task_names_nothing(client, submit, org):
    p = org["people"]
    application = submit(500_000)
    task = open_task(application)
    login_as(client, p["zaisei_tanto"])

    body = _post(client, "inbox_approve", [task])

    assert NEUTRAL in body
    assert application.receipt_number not in body
    assert "は承認していません" not in body
    task.refresh_from_db()
    assert task.status == "NEW"


def test_bulk_assign_of_a_case_the_user_may_not_open_names_nothing(client, submit, org):
    p = org["people"]
    application = submit(500_000)
    login_as(client, p["zaisei_kacho"])  # 財政課 課長: above, but elsewhere

    response = client.post(
        reverse("workflow:search_assign"),
        {
            "case": [str(application.public_id)],
            "assignee": str(p["zaisei_tanto"].pk),
        },
        follow=True,
    )

    body = response.content.decode()
    assert NEUTRAL in body
    assert application.receipt_number not in body
    task = open_task(application)
    assert task.status == "NEW"
    assert task.owner_id is None


def test_the_service_refuses_a_task_id_of_a_case_the_user_may_not_open(submit, org):
    p = org["people"]
    application = submit(500_000)
    task = open_task(application)

    result = queue.tasks_assign(
        task_ids=[task.pk], user=p["zaisei_kacho"], assignee=p["zaisei_tanto"]
    )

    assert result.unavailable == 1
    assert result.refused == []
    assert result.details[0]["receipt_number"] == ""
    assert result.details[0]["code"] == "not_found"
    assert open_task(application).owner_id is None

"""Fewer clicks from the queue (issue 15): decide a queued task in one
transaction, claim several at once, and assign to a colleague.

Each task is still locked, checked and audited on its own by the services
of ``workflow.services``; these only chain them. Deciding from the queue
claims the task first inside the decision's transaction, so a task a
colleague took a moment earlier still answers "taken" and nothing of the
claim survives a refused decision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext

from organisation.selectors import SlotGrant, user_slot_grants
from procedures.models import ApplicationEvent
from procedures.services import application_event_add, application_mark_under_review
from workflow import services
from workflow.models import CaseTask
from workflow.services import WorkflowError, _audit, _lock_task, _step_label


@transaction.atomic
def task_decide_from_queue(
    *,
    task_id: int,
    case_id: int,
    user: Any,
    grants: list[SlotGrant] | None = None,
    request: HttpRequest | None = None,
    **decision: Any,
) -> CaseTask:
    """Claim the task when it is still queued, then decide it: one transaction.

    ``decision`` is passed unchanged to ``services.task_decide`` (decision,
    texts, target level…). A task claimed by someone else is refused by the
    claim ("taken"); one the user holds already is decided as it is.
    """
    status, owner_id = CaseTask.objects.filter(
        pk=task_id, process_id=case_id
    ).values_list("status", "owner_id").first() or (None, None)
    if not (status == "ASSIGNED" and owner_id == user.pk):
        # task_claim locks the rows and re-reads the task: of two people
        # deciding the same queued task at once, the second finds it taken.
        services.task_claim(
            task_id=task_id, case_id=case_id, user=user, grants=grants, request=request
        )
    return services.task_decide(
        task_id=task_id,
        case_id=case_id,
        user=user,
        grants=grants,
        request=request,
        **decision,
    )


@dataclass
class BulkResult:
    """What a bulk action did: the tasks done, and each refusal with its reason."""

    done: list[int] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def _receipts(task_ids: list[int]) -> dict[int, tuple[int, str]]:
    return {
        pk: (process_id, number or "")
        for pk, process_id, number in CaseTask.objects.filter(
            pk__in=task_ids
        ).values_list("pk", "process_id", "application__receipt_number")
    }


def _each(task_ids: list[int], action: Callable[..., Any]) -> BulkResult:
    """``action(task_id=, case_id=)`` per task, each in its own transaction."""
    result = BulkResult()
    for task_id, (case_id, number) in _receipts(task_ids).items():
        try:
            action(task_id=task_id, case_id=case_id)
            result.done.append(task_id)
        except WorkflowError as exc:
            result.refused.append((number, exc.message))
    return result


def tasks_claim(
    *,
    task_ids: list[int],
    user: Any,
    grants: list[SlotGrant] | None = None,
    request: HttpRequest | None = None,
) -> BulkResult:
    """Claim several queued tasks, each in its own transaction (audited one by one)."""
    grants = user_slot_grants(user) if grants is None else grants
    return _each(
        task_ids,
        partial(services.task_claim, user=user, grants=grants, request=request),
    )


def assign_candidates(*, grants: list[SlotGrant]) -> list[Any]:
    """Colleagues a superior may hand work to: everyone holding a post today
    in the sections of the user's own posts."""
    from django.utils import timezone

    from organisation.models import Assignment

    sections = {
        int(grant.slot.removeprefix("workflow.slot_s").partition("_")[0])
        for grant in grants
        if grant.slot.startswith("workflow.slot_s")
    }
    users = (
        Assignment.objects.active_on(timezone.localdate())
        .filter(section_id__in=sections)
        .values_list("user_id", flat=True)
    )
    return list(
        get_user_model()
        .objects.filter(pk__in=users, is_active=True)
        .order_by("full_name", "email")
    )


@transaction.atomic
def task_assign(
    *,
    task_id: int,
    case_id: int,
    user: Any,
    assignee: Any,
    grants: list[SlotGrant] | None = None,
    request: HttpRequest | None = None,
) -> CaseTask:
    """A holder of a higher level of the case's chain hands a queued review
    task to a colleague who holds (or stands in for) its post today."""
    application, case, task = _lock_task(case_id, task_id)
    if task.status != "NEW" or task.kind != "review":
        raise WorkflowError(
            gettext("このタスクはすでにほかの職員が担当しているか、処理済みです。"),
            code="taken",
        )
    grants = user_slot_grants(user) if grants is None else grants
    mine = {grant.slot for grant in grants}
    above = {step["slot"] for step in case.chain[(task.level or 0) + 1 :]}
    if not mine & above:
        raise WorkflowError(
            gettext("担当を割り当てられるのは、この案件の上位の段階の職員です。"),
            code="forbidden",
        )
    if not any(g.slot == task.owner_permission for g in user_slot_grants(assignee)):
        raise WorkflowError(
            gettext("%(name)s さんはこのタスクの職に就いていません。")
            % {"name": assignee.full_name or assignee.email},
            code="not_holder",
        )
    task.flow_task.activation_class(task).assign(assignee)
    application_mark_under_review(application=application)
    application_event_add(
        application=application,
        kind=ApplicationEvent.Kind.ASSIGNED,
        actor=user,
        data={
            "task": task.pk,
            "step": _step_label(case, task),
            "to": assignee.full_name or assignee.email,
        },
    )
    _audit("task_assign", user, application, request, task=task.pk, to=assignee.pk)
    return task


def tasks_assign(
    *,
    task_ids: list[int],
    user: Any,
    assignee: Any,
    grants: list[SlotGrant] | None = None,
    request: HttpRequest | None = None,
) -> BulkResult:
    """``task_assign`` for several tasks, each in its own transaction."""
    grants = user_slot_grants(user) if grants is None else grants
    return _each(
        task_ids,
        partial(
            task_assign, user=user, assignee=assignee, grants=grants, request=request
        ),
    )


def next_in_queue(
    *, user: Any, grants: list[SlotGrant], after_application_id: int
) -> Any:
    """The public id of the oldest case waiting in the user's queue, other
    than the one on screen (the case page's "next case" shortcut)."""
    return (
        CaseTask.objects.filter(
            flow_task_type="HUMAN",
            status="NEW",
            owner_permission__in=[grant.slot for grant in grants],
        )
        .exclude(application_id=after_application_id)
        .order_by("created", "id")
        .values_list("application__public_id", flat=True)
        .first()
    )

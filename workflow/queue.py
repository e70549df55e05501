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
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext

from organisation.selectors import SlotGrant, user_slot_grants
from procedures.models import ApplicationEvent
from procedures.outcomes import outcome_for_decision, version_outcomes
from procedures.services import application_event_add, application_mark_under_review
from workflow import search, services
from workflow.models import CaseTask
from workflow.services import WorkflowError, _audit, _lock_task, _step_label


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
    texts, target level…). The rows are locked once, then the claim is
    checked as ``task_claim`` checks it: of two people deciding the same
    queued task at once, the second finds it taken. One the user holds
    already is decided as it is.
    """
    return services.task_decide(
        task_id=task_id,
        case_id=case_id,
        user=user,
        grants=grants,
        request=request,
        claim=True,
        **decision,
    )


def unavailable_message() -> str:
    """What a bulk action says of tasks the user may not act on or that do
    not exist: the same words for both, and never a receipt number."""
    return gettext(
        "選択したタスクの一部は処理できませんでした（権限がないか、見つかりません）。"
    )


@dataclass
class BulkResult:
    """What a bulk action did: the tasks done, and each refusal with its reason.

    ``refused`` pairs the receipt number with the reason, for tasks of the
    user's own posts; ``unavailable`` counts the others (outside the user's
    posts, or not found), which are never named. ``details`` holds one
    entry per task (id, receipt number, done or refused with a code and
    message) for the API.
    """

    done: list[int] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    unavailable: int = 0
    details: list[dict[str, Any]] = field(default_factory=list)

    @property
    def done_numbers(self) -> list[str]:
        return [d["receipt_number"] for d in self.details if d["result"] == "done"]


def _receipts(task_ids: list[int], only: Q | None = None) -> dict[int, tuple[int, str]]:
    tasks = CaseTask.objects.filter(pk__in=task_ids)
    if only is not None:
        tasks = tasks.filter(only)
    return {
        pk: (process_id, number or "")
        for pk, process_id, number in tasks.values_list(
            "pk", "process_id", "application__receipt_number"
        )
    }


def _each(
    task_ids: list[int], action: Callable[..., Any], only: Q | None = None
) -> BulkResult:
    """``action(task_id=, case_id=)`` per task, each in its own transaction.

    ``only`` narrows the tasks acted on (and named by receipt number); the
    other ids are refused as not found, without a receipt number: a task
    id posted from outside the user's posts must reveal nothing of its case.
    """
    result = BulkResult()
    receipts = _receipts(task_ids, only)
    # In the order given (the inbox's order); an id twice is acted on once.
    for task_id in dict.fromkeys(task_ids):
        if task_id not in receipts:
            result.unavailable += 1
            result.details.append(
                {
                    "task_id": task_id,
                    "receipt_number": "",
                    "result": "refused",
                    "code": "not_found",
                    "reason": gettext(
                        "このタスクは処理できません（権限がないか、見つかりません）。"
                    ),
                }
            )
            continue
        case_id, number = receipts[task_id]
        entry = {"task_id": task_id, "receipt_number": number}
        try:
            action(task_id=task_id, case_id=case_id)
            result.done.append(task_id)
            result.details.append({**entry, "result": "done"})
        except WorkflowError as exc:
            result.refused.append((number, exc.message))
            result.details.append(
                {**entry, "result": "refused", "code": exc.code, "reason": exc.message}
            )
    return result


def tasks_claim(
    *,
    task_ids: list[int],
    user: Any,
    grants: list[SlotGrant] | None = None,
    request: HttpRequest | None = None,
) -> BulkResult:
    """Claim several queued tasks, each in its own transaction (audited one by one).

    Only tasks of the user's own posts (or already theirs) are looked at;
    the others are refused without their receipt number.
    """
    grants = user_slot_grants(user) if grants is None else grants
    return _each(
        task_ids,
        partial(services.task_claim, user=user, grants=grants, request=request),
        only=_mine(user, grants),
    )


def _mine(user: Any, grants: list[SlotGrant]) -> Q:
    """Tasks queued for one of the user's posts, or already theirs."""
    return Q(owner_permission__in=[grant.slot for grant in grants]) | Q(owner=user)


def _approve_refusal(
    case: Any, task: CaseTask, *, final_allowed: bool
) -> WorkflowError | None:
    """Why ``task`` cannot be approved without more than a click, or None.

    Only a review task may be, at the case's current level, of a case
    without a drafted decision (each level opens the draft); at the final
    level the outcome approving names (the first favourable one) must ask
    for no decision data and no reason, and the batch must carry a fresh
    second factor.
    """
    if task.kind != "review":
        return WorkflowError(
            gettext(
                "合議はまとめて承認できません。案件の画面で意見を記録してください。"
            ),
            code="consultation",
        )
    if case.status != "NEW" or task.level != case.level:
        return WorkflowError(gettext("この案件の段階が変わりました。"), code="stale")
    if case.draft:
        # 回議: each level reads the drafted decision (and its notice) as it
        # will be issued before passing it on; a click from the queue does not.
        return WorkflowError(
            gettext("起案された決定があるため、案件を開いて確認してください。"),
            code="draft",
        )
    if not case.is_final_level:
        return None
    outcomes = version_outcomes(case.application.procedure_version)
    outcome = outcome_for_decision(outcomes, "approve")
    if outcome is None:
        return WorkflowError(
            gettext("決定の種類を選ぶ必要があります。案件の画面で決裁してください。"),
            code="outcome_required",
        )
    if outcome.decision_form_id is not None:
        return WorkflowError(
            gettext("決定内容の入力が必要です。案件の画面で決裁してください。"),
            code="decision_form_required",
        )
    if outcome.reason_required:
        return WorkflowError(
            gettext("申請者に伝える理由が必要です。案件の画面で決裁してください。"),
            code="reason_required",
        )
    if not final_allowed:
        return WorkflowError(
            gettext("最終決裁には確認コードが必要です。"),
            code="reauthentication_required",
        )
    return None


@transaction.atomic
def task_approve_simple(
    *,
    task_id: int,
    case_id: int,
    user: Any,
    final_allowed: bool,
    grants: list[SlotGrant] | None = None,
    request: HttpRequest | None = None,
) -> CaseTask:
    """Approve one task that needs nothing more, claiming it if still queued.

    Locks the case and task first and checks the task is simple (see
    ``_approve_refusal``); then ``task_decide_from_queue`` claims and
    decides it in this same transaction, audited as any decision.
    """
    _application, case, task = _lock_task(case_id, task_id)
    refusal = _approve_refusal(case, task, final_allowed=final_allowed)
    if refusal is not None:
        raise refusal
    return task_decide_from_queue(
        task_id=task_id,
        case_id=case_id,
        user=user,
        grants=grants,
        request=request,
        decision="approve",
    )


def tasks_approve(
    *,
    task_ids: list[int],
    user: Any,
    final_allowed: bool,
    grants: list[SlotGrant] | None = None,
    request: HttpRequest | None = None,
) -> BulkResult:
    """Approve several simple tasks (issue 15), each in its own transaction:
    each is locked, claimed, decided and audited on its own, and a refused
    one leaves the others approved.

    Only tasks of the user's own posts (or already theirs) are looked at,
    others answer "not found" without their receipt number;
    ``final_allowed`` says the batch carried a fresh second factor, which
    final-level tasks need.
    """
    grants = user_slot_grants(user) if grants is None else grants
    return _each(
        task_ids,
        partial(
            task_approve_simple,
            user=user,
            final_allowed=final_allowed,
            grants=grants,
            request=request,
        ),
        only=_mine(user, grants),
    )


def batch_has_final(*, task_ids: list[int]) -> bool:
    """Whether any of the tasks is a review at its case's final level (決裁)."""
    return any(
        task.level is not None and task.level >= len(task.process.chain) - 1
        for task in CaseTask.objects.filter(pk__in=task_ids, kind="review")
        .select_related("process")
        .only("level", "process__chain")
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
    """``task_assign`` for several tasks, each in its own transaction.

    Only tasks of cases the user may open (the case search's rule) are
    looked at; the others are refused without their receipt number.
    """
    grants = user_slot_grants(user) if grants is None else grants
    cases = set(
        CaseTask.objects.filter(pk__in=task_ids).values_list("process_id", flat=True)
    )
    # Read the ids first: the visibility clause cannot be nested (search).
    visible = list(
        search.visible_cases(user=user, grants=grants)
        .filter(pk__in=cases)
        .values_list("pk", flat=True)
    )
    return _each(
        task_ids,
        partial(
            task_assign, user=user, assignee=assignee, grants=grants, request=request
        ),
        only=Q(process_id__in=visible),
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

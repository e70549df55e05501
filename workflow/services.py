"""State changes of cases: start, claim, decide, pull back, post-review.

Every function that changes a case locks the application row, then the
case row (always in that order, as procedures' own services do, so two
paths never deadlock), re-reads the task under the lock and refuses
cleanly when someone else got there first. PostgreSQL's ``lock_timeout``
bounds the wait; a time-out becomes ``CaseBusy``, never a 500.
"""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from typing import Any

from django.contrib.auth import get_user_model
from django.db import OperationalError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from core.audit import audit_append, audit_event
from core.models import AuditEvent
from documents.selectors import document_for_application
from documents.services import document_request, document_retry_now
from organisation.selectors import SlotGrant, user_slot_grants
from procedures.models import Application, ApplicationEvent, Outcome
from procedures.outcomes import (
    decision_data_clean,
    outcome_for_decision,
    version_outcomes,
)
from procedures.services import (
    application_event_add,
    application_event_held,
    application_mark_under_review,
    application_record_decision,
    application_request_amendment,
)
from workflow.decisions import CHAIN_DECISIONS, decision_text_errors
from workflow.flows import CaseFlow
from workflow.models import Case, CaseTask, PostReview
from workflow.routes import chain_plan

Kind = ApplicationEvent.Kind

DECISIONS = ("approve", "send_back", "amend", "reject", "consult")
# 合議の回答: an objection stops the case at the level that asked.
OPINIONS = {
    "agree": gettext_lazy("同意"),
    "conditional": gettext_lazy("条件付き同意"),
    "object": gettext_lazy("異議"),
}


# What the final level may do besides deciding on one of the outcomes.
class WorkflowError(Exception):
    """A request the case's state does not allow; ``message`` is for people."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class DecisionDataInvalid(WorkflowError):
    """The decision data fails its outcome's form; ``errors`` by field key."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(
            gettext("決定内容に誤りがあります。"), code="decision_data_invalid"
        )
        self.errors = errors


class CaseBusy(WorkflowError):
    """Someone else holds the case's lock longer than lock_timeout."""

    def __init__(self) -> None:
        super().__init__(
            gettext(
                "ほかの職員がこの案件を処理中です。少し待ってから、もう一度お試しください。"
            ),
            code="busy",
        )


def _lock(case_id: int) -> tuple[Application, Case]:
    """Lock the case's application row, then the case, in one statement.

    The application comes first, as in procedures' services, so that two
    paths never deadlock: PostgreSQL takes the row locks of a joined row in
    the order ``FOR UPDATE OF`` names the tables. Every table named there is
    re-read after a wait (READ COMMITTED re-checks the latest version of each
    locked row), so nothing stale comes back. A lock time-out raises
    ``CaseBusy``; each service is its own atomic block, which rolls back to
    where it began (a savepoint when nested), so the caller's transaction
    stays usable without a savepoint of our own.
    """
    try:
        application = (
            Application.objects.select_related("case")
            .select_for_update(of=("self", "case"))
            .get(case__pk=case_id)
        )
    except OperationalError as exc:
        raise CaseBusy from exc
    case = application.case
    case.application = application
    return application, case


def _lock_task(case_id: int, task_id: int) -> tuple[Application, Case, CaseTask]:
    """``_lock`` plus the task, all three rows locked and read in one statement.

    Same order (application, case, then the task) and the same re-read after
    a wait. A task of another case is not found. (Reading the version and
    the applicant here too saves the final decision two queries but costs
    every other decision more in compiling and building the wider row.)
    """
    try:
        task = (
            CaseTask.objects.select_related("process__application")
            .select_for_update(of=("process__application", "process", "self"))
            .get(pk=task_id, process_id=case_id)
        )
    except CaseTask.DoesNotExist:
        raise WorkflowError(
            gettext("この案件のタスクではありません。"), code="not_found"
        ) from None
    except OperationalError as exc:
        raise CaseBusy from exc
    case = task.process
    return case.application, case, task


def _grant(user: Any, slot: str, grants: list[SlotGrant] | None) -> SlotGrant | None:
    # The page has usually looked the grants up already to check visibility.
    for grant in user_slot_grants(user) if grants is None else grants:
        if grant.slot == slot:
            return grant
    return None


def _audit_event(
    action: str, user: Any, application: Application, request: Any, **data: Any
) -> AuditEvent:
    return audit_event(
        action=f"workflow.{action}",
        actor=user,
        target=application,
        data={"receipt_number": application.receipt_number, **data},
        request=request,
    )


def _audit(
    action: str, user: Any, application: Application, request: Any, **data: Any
) -> None:
    audit_append([_audit_event(action, user, application, request, **data)])


# --- Called by procedures through the case engine ---------------------------


@transaction.atomic(savepoint=False)
def case_start(*, application: Application) -> Case:
    """Open the case of a just-submitted application with its chain snapshot."""
    version = application.procedure_version
    plan = chain_plan(version=version, answers=application.answers)
    case = CaseFlow.start.run(application=application, plan=plan)
    return case


def case_resubmit(*, application: Application) -> Case:
    """Return an amended application to the first level with a recomputed chain."""
    case = Case.objects.select_for_update().get(application=application)
    task = CaseTask.objects.filter(
        process=case, flow_task=CaseFlow.amend, status="NEW"
    ).first()
    if task is None:
        raise WorkflowError(gettext("補正を待っている案件ではありません。"))
    plan = chain_plan(
        version=application.procedure_version, answers=application.answers
    )
    case.due_date = application.due_date
    case.save(update_fields=["due_date"])
    CaseFlow.amend.run(task, plan=plan)
    _return_to_requester(application, case)
    return case


def _return_to_requester(application: Application, case: Case) -> None:
    """Hand the resubmitted case's first task to whoever asked for the 補正,
    when they hold (or stand in for) its post today; else it stays queued.
    """
    asked = (
        CaseTask.objects.filter(process=case, kind="review", decision="amend")
        .exclude(acted_by=None)
        .select_related("acted_by")
        .order_by("-finished", "-pk")
        .first()
    )
    task = CaseTask.objects.filter(process=case, kind="review", status="NEW").first()
    if asked is None or task is None:
        return
    requester = asked.acted_by
    if (
        not requester.is_active
        or _grant(requester, task.owner_permission, None) is None
    ):
        return
    task.flow_task.activation_class(task).assign(requester)
    application_event_add(
        application=application,
        kind=Kind.ASSIGNED,
        data={
            "task": task.pk,
            "position": _step_label(case, task),
            "to": requester.full_name or requester.email,
        },
    )


def case_withdraw(*, application: Application) -> None:
    """Cancel every open task of a withdrawn application's case."""
    case = Case.objects.filter(application=application).first()
    if case is not None and case.status == "NEW":
        CaseFlow.instance.cancel(case)


# --- Caseworkers ----------------------------------------------------------


@transaction.atomic
def task_claim(
    *,
    task_id: int,
    case_id: int,
    user: Any,
    grants: list[SlotGrant] | None = None,
    request: HttpRequest | None = None,
) -> CaseTask:
    """Take a queued task (担当する); exactly one of two simultaneous claims wins."""
    application, case, task = _lock_task(case_id, task_id)
    if task.owner_id == user.pk and task.status == "ASSIGNED":
        return task  # a double click
    _claim(application, case, task, user, grants)
    task.save(update_fields=["owner", "status"])
    _audit("task_claim", user, application, request, task=task.pk)
    return task


def _claim(
    application: Application,
    case: Case,
    task: CaseTask,
    user: Any,
    grants: list[SlotGrant] | None,
) -> None:
    """Claim a locked queued task for ``user`` in memory; the caller saves it.

    Refuses a task someone else took or that the user's posts do not hold.
    The timeline line is written here, the audit event by the caller.
    """
    if task.status != "NEW" or task.flow_task_type != "HUMAN":
        raise WorkflowError(
            gettext("このタスクはすでにほかの職員が担当しているか、処理済みです。"),
            code="taken",
        )
    if _grant(user, task.owner_permission, grants) is None:
        raise WorkflowError(
            gettext("このタスクを担当する権限がありません。"), code="forbidden"
        )
    # viewflow's ``assign`` transition, without its full-row save.
    task.owner = user
    task.status = "ASSIGNED"
    application_mark_under_review(application=application)
    application_event_add(
        application=application,
        kind=Kind.CLAIMED,
        actor=user,
        data={"task": task.pk, "step": _step_label(case, task)},
    )


@transaction.atomic
def task_release(
    *, task_id: int, case_id: int, user: Any, request: HttpRequest | None = None
) -> CaseTask:
    """Put a claimed task back in its queue."""
    application, _case, task = _lock_task(case_id, task_id)
    if task.status != "ASSIGNED" or task.owner_id != user.pk:
        raise WorkflowError(
            gettext("このタスクはあなたが担当していません。"), code="not_owner"
        )
    task.flow_task.activation_class(task).unassign()
    application_event_add(
        application=application, kind=Kind.RELEASED, actor=user, data={"task": task.pk}
    )
    _audit("task_release", user, application, request, task=task.pk)
    return task


def _step_label(case: Case, task: CaseTask) -> str:
    if task.kind == "consult":
        return task.data.get("label", "")
    if task.level is not None and task.level < len(case.chain):
        return case.chain[task.level]["position"]
    return ""


def case_approval_record(case: Case) -> list[dict[str, Any]]:
    """The approvals of the current chain, as the document prints them."""
    record = []
    for index, step in enumerate(case.chain):
        done = step.get("done")
        if not done:
            continue
        record.append(
            {
                "level": index + 1,
                "position": step["position"],
                "name": done["name"],
                "section": step["section"],
                "action": done["action"],
                "decided_at": done["decided_at"],
                "mark": done["mark"],
                "on_behalf_of": done["on_behalf_of"],
            }
        )
    # 合議 on the record: who was consulted and what they answered.
    for item in case.consultations:
        if item.get("status") != "done" or "answer" not in item:
            continue
        record.append(
            {
                # Numbered as the chain's steps are (from 1): beside the
                # level it was asked before, so the 決裁欄 reads 課長・合議・係長.
                "level": item["before_level"] + 1,
                "position": item.get("label", ""),
                "name": item.get("by", ""),
                "section": item.get("label", ""),
                "action": "consult",
                "answer": item["answer"],
                "decided_at": item.get("at", ""),
                "mark": f"合議（{OPINION_MARKS[item['answer']]}）",
                "on_behalf_of": None,
            }
        )
    return record


# The notice is printed in Japanese whatever the reader's language.
OPINION_MARKS = {"agree": "同意", "conditional": "条件付同意", "object": "異議"}


def _mark_step(
    case: Case, *, user: Any, on_behalf_of: Any, action: str, final: bool
) -> None:
    step = case.chain[case.level]
    if on_behalf_of is not None:
        mark = "代決"
    elif final and step["position_level"] < case.top_level:
        # The decision is taken below the route's top under the 専決 rules.
        mark = "専決"
    else:
        mark = ""
    step["done"] = {
        "user_id": user.pk,
        "name": user.full_name or user.email,
        "action": action,
        "decided_at": timezone.now().isoformat(),
        "mark": mark,
        "on_behalf_of": (on_behalf_of.full_name or on_behalf_of.email)
        if on_behalf_of is not None
        else None,
    }


def _clear_steps_from(case: Case, level: int) -> None:
    for step in case.chain[level:]:
        step.pop("done", None)


def _repeat_consultations_above(case: Case, level: int) -> None:
    """再合議: the route's consultations held before a level above ``level`` run again.

    Their opinions were given on what ``level`` may now change. The earlier
    opinion stays on the item (``earlier``) and on the timeline. Ad hoc
    consultations are not repeated: the reviewer who asked can ask again.
    """
    for item in case.consultations:
        if (
            # Ids: "r…" from the route (routes.chain_plan), "a…" asked ad hoc.
            item["id"].startswith("r")
            and item["before_level"] > level
            and item["status"] == "done"
        ):
            earlier = {"opinion": item.pop("opinion", ""), "by": item.pop("by", "")}
            item["earlier"] = [*item.get("earlier", []), earlier]
            item["status"] = "pending"


@transaction.atomic
def task_decide(
    *,
    task_id: int,
    case_id: int,
    user: Any,
    decision: str,
    internal_comment: str = "",
    applicant_message: str = "",
    outcome: str = "",
    decision_data: dict[str, Any] | None = None,
    opinion: str = "agree",
    target_level: int | None = None,
    consult_slot: str | None = None,
    consult_label: str = "",
    amend_fields: list[str] | None = None,
    amendment_due_date: dt.date | None = None,
    grants: list[SlotGrant] | None = None,
    request: HttpRequest | None = None,
    claim: bool = False,
) -> CaseTask:
    """Record one decision on a claimed task and move the case on.

    With ``claim`` a task still queued is claimed first, in this same
    transaction (deciding from the queue, issue 15): the rows are locked
    once, the claim is refused as ``task_claim`` refuses it ("taken"), and
    its timeline line and audit event are written with the decision's.

    Review decisions: approve (next level, or the final decision at the
    chain's last level), send_back (差戻し to an earlier level), amend (補正
    by the resident), reject (final level only, with a reason), consult (合議
    asked ad hoc). On a consultation task the decision is the opinion.

    At the final level the decision is one of the version's outcomes: its
    code as ``decision`` (or ``decide`` with ``outcome``; ``approve`` and
    ``reject`` name the first favourable and unfavourable one), with the
    ``decision_data`` its decision form asks for (``DecisionDataInvalid``
    by field otherwise).

    Two texts, never mixed: ``internal_comment`` for colleagues (the staff
    timeline and task only) and ``applicant_message`` for the resident, where
    the decision needs or allows one (``applicant_message_rule``).
    """
    application, case, task = _lock_task(case_id, task_id)
    grants = user_slot_grants(user) if grants is None else grants
    audit = []
    claiming = claim and not (task.status == "ASSIGNED" and task.owner_id == user.pk)
    # The claim's timeline line is written with the decision's, in one insert.
    with application_event_held() if claiming else nullcontext():
        if claiming:
            _claim(application, case, task, user, grants)
            audit.append(
                _audit_event("task_claim", user, application, request, task=task.pk)
            )
        _decide(
            application,
            case,
            task,
            user,
            grants,
            request,
            decision=decision,
            internal_comment=internal_comment,
            applicant_message=applicant_message,
            outcome=outcome,
            decision_data=decision_data,
            opinion=opinion,
            target_level=target_level,
            consult_slot=consult_slot,
            consult_label=consult_label,
            amend_fields=amend_fields,
            amendment_due_date=amendment_due_date,
        )
    audit.append(
        _audit_event(
            "task_decide",
            user,
            application,
            request,
            task=task.pk,
            decision=task.decision,
            on_behalf_of=task.on_behalf_of_id,
        )
    )
    # One lock of the chain and one insert for the claim and the decision.
    audit_append(audit)
    return task


def _decide(
    application: Application,
    case: Case,
    task: CaseTask,
    user: Any,
    grants: list[SlotGrant],
    request: HttpRequest | None,
    *,
    decision: str,
    internal_comment: str,
    applicant_message: str,
    outcome: str,
    decision_data: dict[str, Any] | None,
    opinion: str,
    target_level: int | None,
    consult_slot: str | None,
    consult_label: str,
    amend_fields: list[str] | None,
    amendment_due_date: dt.date | None,
) -> None:
    """``task_decide`` on rows already locked (and the task claimed)."""
    if task.status != "ASSIGNED" or task.owner_id != user.pk:
        raise WorkflowError(
            gettext("このタスクは処理済みか、あなたが担当していません。"),
            code="already_done",
        )
    grant = _grant(user, task.owner_permission, grants)
    if grant is None:
        raise WorkflowError(
            gettext("このタスクを処理する権限がありません。"), code="forbidden"
        )
    on_behalf_of = None
    if grant.on_behalf_of_id is not None:
        on_behalf_of = get_user_model().objects.get(pk=grant.on_behalf_of_id)
    internal_comment = internal_comment.strip()
    applicant_message = applicant_message.strip()

    if task.kind == "consult":
        _refuse_text_errors(
            decision="opinion",
            final=False,
            applicant_message=applicant_message,
            internal_comment=internal_comment,
        )
        if opinion not in OPINIONS:
            raise WorkflowError(
                gettext("合議の回答を選んでください。"), code="opinion_required"
            )
        _consult_opinion(
            case, task, application, user, on_behalf_of, internal_comment, opinion
        )
    else:
        _review_decision(
            case,
            task,
            application,
            user,
            on_behalf_of,
            decision,
            internal_comment,
            applicant_message,
            outcome_code=outcome,
            decision_data=decision_data,
            target_level=target_level,
            consult_slot=consult_slot,
            consult_label=consult_label,
            amend_fields=amend_fields or [],
            amendment_due_date=amendment_due_date,
        )
        if on_behalf_of is not None:
            PostReview.objects.create(
                task=task, application=application, holder=on_behalf_of, deputy=user
            )
    task.acted_by = user
    task.on_behalf_of = on_behalf_of
    task.comment = internal_comment
    task.applicant_message = applicant_message
    activation = task.flow_task.activation_class(task)
    activation.start(request)
    activation.execute()


def _refuse_text_errors(**texts: Any) -> None:
    errors = decision_text_errors(**texts)
    for field in ("applicant_message", "internal_comment"):
        if field in errors:
            raise WorkflowError(errors[field], code=f"{field}_invalid")


def _consult_opinion(
    case, task, application, user, on_behalf_of, comment, opinion
) -> None:
    for item in case.consultations:
        if item["id"] == task.data.get("id"):
            item["status"] = "done"
            item["opinion"] = comment
            item["answer"] = opinion
            item["by"] = user.full_name or user.email
            item["at"] = timezone.now().isoformat()
            # 異議 holds the case at the level that asked until it resolves it.
            item["resolved"] = opinion != "object"
    case.save(update_fields=["consultations"])
    task.decision = "opinion"
    application_event_add(
        application=application,
        kind=Kind.OPINION,
        actor=user,
        on_behalf_of=on_behalf_of,
        internal_comment=comment,
        data={
            "consultation": task.data.get("label", ""),
            "answer": opinion,
            "answer_label": str(OPINIONS[opinion]),
        },
    )


def _review_decision(
    case,
    task,
    application,
    user,
    on_behalf_of,
    decision,
    comment,
    applicant_message,
    *,
    outcome_code,
    decision_data,
    target_level,
    consult_slot,
    consult_label,
    amend_fields,
    amendment_due_date=None,
) -> None:
    if task.level != case.level:
        raise WorkflowError(gettext("この案件の段階が変わりました。"), code="stale")
    final = case.is_final_level
    chosen = None
    drafting = (
        decision == "approve"
        and not final
        and (bool(outcome_code) or bool(decision_data) or bool(case.draft))
    )
    if decision == "decide" or (final and decision not in CHAIN_DECISIONS):
        if not final:
            raise WorkflowError(
                gettext("決定は、最終決裁の職位だけができます。"), code="not_final"
            )
        outcomes = version_outcomes(application.procedure_version, create=True)
        if decision == "approve" and case.draft and not outcome_code:
            # 決裁: the final level decides on the draft as it stands.
            chosen = outcome_for_decision(outcomes, "decide", case.draft["outcome"])
        else:
            chosen = outcome_for_decision(outcomes, decision, outcome_code)
        if chosen is None:
            raise WorkflowError(
                gettext("決定の種類を選んでください。"), code="outcome_required"
            )
    elif drafting:
        # 起案 (the first to draft) or 回議 (a later level amends the draft).
        code = outcome_code or case.draft.get("outcome", "")
        chosen = outcome_for_decision(
            version_outcomes(application.procedure_version, create=True),
            "decide",
            code,
        )
        if chosen is None:
            raise WorkflowError(
                gettext("起案する決定の種類を選んでください。"),
                code="outcome_required",
            )
    elif decision == "reject":
        raise WorkflowError(
            gettext("不許可の決定は、最終決裁の職位だけができます。"),
            code="not_final",
        )
    elif decision not in DECISIONS:
        raise WorkflowError(gettext("判断を選んでください。"), code="decision_required")
    if chosen is None and decision_data:
        raise DecisionDataInvalid(
            {"decision_data": [gettext("決定内容は最終決裁の決定でだけ入力できます。")]}
        )
    if chosen is not None and case.draft:
        # Empty fields keep what the draft says; the draft's data belongs to
        # its outcome, so another outcome starts from nothing.
        same = case.draft.get("outcome") == chosen.code
        if not decision_data and same:
            decision_data = case.draft.get("decision_data") or {}
        if not applicant_message:
            applicant_message = case.draft.get("applicant_message", "")
    _refuse_text_errors(
        decision=decision,
        final=final,
        applicant_message=applicant_message,
        internal_comment=comment,
        outcome=chosen,
    )
    objections = _open_objections(case)
    if objections and (decision in ("approve", "decide") or chosen is not None):
        # Proceeding over a 異議 is the asking level's call, with its reason.
        if not comment:
            raise WorkflowError(
                gettext(
                    "合議先から異議があります。再度合議する、差し戻す、または"
                    "異議を踏まえて進める理由を「内部コメント」に入力してください。"
                ),
                code="objection_unresolved",
            )
        _resolve_objections(objections, user, "proceeded", comment)
    elif objections and decision in ("send_back", "consult", "amend"):
        _resolve_objections(objections, user, decision, comment)
    cleaned: dict[str, Any] = {}
    if chosen is not None:
        cleaned, errors = decision_data_clean(
            outcome=chosen, data=decision_data, answers=application.answers or {}
        )
        if errors:
            raise DecisionDataInvalid(errors)
        if drafting or case.draft:
            _draft_record(case, user, chosen, cleaned, applicant_message)
    if drafting:
        chosen = None  # the case climbs on with its draft; nothing is decided yet
    step = case.chain[case.level]
    data = {"level": case.level + 1, "position": step["position"]}
    if chosen is not None:
        action = "approve" if chosen.favourable else "reject"
        _mark_step(
            case, user=user, on_behalf_of=on_behalf_of, action=action, final=True
        )
        case.decision = "final_approve" if chosen.favourable else "reject"
        _finish(
            case,
            application,
            user,
            on_behalf_of,
            comment,
            applicant_message,
            outcome=chosen,
            decision_data=cleaned,
        )
    elif decision == "approve":
        _mark_step(
            case, user=user, on_behalf_of=on_behalf_of, action="approve", final=False
        )
        case.decision = "approve"
        case.level += 1
        application_event_add(
            application=application,
            kind=Kind.APPROVED,
            actor=user,
            on_behalf_of=on_behalf_of,
            internal_comment=comment,
            data=data,
        )
    elif decision == "send_back":
        if target_level is None or not 0 <= target_level < case.level:
            raise WorkflowError(
                gettext("差し戻す先の段階を選んでください。"), code="target_required"
            )
        _clear_steps_from(case, target_level)
        _repeat_consultations_above(case, target_level)
        case.decision = "send_back"
        case.level = target_level
        data["to"] = case.chain[target_level]["position"]
        application_event_add(
            application=application,
            kind=Kind.SENT_BACK,
            actor=user,
            on_behalf_of=on_behalf_of,
            internal_comment=comment,
            data=data,
        )
    elif decision == "amend":
        case.decision = "amend"
        _clear_steps_from(case, 0)
        application_request_amendment(
            application=application,
            actor=user,
            applicant_message=applicant_message,
            internal_comment=comment,
            fields=amend_fields,
            on_behalf_of=on_behalf_of,
            due_date=amendment_due_date,
        )
    elif decision == "consult":
        if not consult_slot:
            raise WorkflowError(
                gettext("合議先を選んでください。"), code="consult_required"
            )
        case.decision = "consult"
        case.consultations.append(
            {
                "id": f"a{len(case.consultations)}",
                "before_level": case.level,
                "slot": consult_slot,
                "label": consult_label,
                "status": "pending",
            }
        )
        if consult_slot not in case.slots:
            case.slots.append(consult_slot)
        application_event_add(
            application=application,
            kind=Kind.CONSULTED,
            actor=user,
            on_behalf_of=on_behalf_of,
            internal_comment=comment,
            data={**data, "to": consult_label},
        )
    task.decision = case.decision
    case.save(
        update_fields=[
            "chain",
            "level",
            "decision",
            "consultations",
            "slots",
            "draft",
            "draft_history",
        ]
    )


def _open_objections(case: Case) -> list[dict[str, Any]]:
    """異議 given to this level's consultations and not yet resolved by it."""
    return [
        item
        for item in case.consultations
        if item.get("before_level") == case.level
        and item.get("status") == "done"
        and item.get("answer") == "object"
        and not item.get("resolved")
    ]


def _resolve_objections(
    items: list[dict[str, Any]], user: Any, how: str, comment: str
) -> None:
    for item in items:
        item["resolved"] = True
        item["resolution"] = {
            "how": how,
            "by": user.full_name or user.email,
            "at": timezone.now().isoformat(),
            "comment": comment,
        }


def _draft_record(
    case: Case,
    user: Any,
    outcome: Outcome,
    decision_data: dict[str, Any],
    applicant_message: str,
) -> None:
    """Keep the draft and, when it changed, who changed what and when.

    The history holds each change as {field: {"from", "to"}} so the case
    page shows the difference; nothing is ever overwritten without a trace.
    """
    before = case.draft or {}
    after = {
        "outcome": outcome.code,
        "outcome_label": outcome.label,
        "decision_data": decision_data,
        "applicant_message": applicant_message,
    }
    changes: dict[str, Any] = {}
    if before.get("outcome") != outcome.code:
        changes["outcome"] = {
            "from": before.get("outcome_label", ""),
            "to": outcome.label,
        }
    old_data = before.get("decision_data") or {}
    for key in sorted(set(old_data) | set(decision_data)):
        if old_data.get(key) != decision_data.get(key):
            changes[f"decision_data.{key}"] = {
                "from": old_data.get(key),
                "to": decision_data.get(key),
            }
    if before.get("applicant_message", "") != applicant_message:
        changes["applicant_message"] = {
            "from": before.get("applicant_message", ""),
            "to": applicant_message,
        }
    if before and not changes:
        return
    step = case.chain[case.level]
    case.draft = after
    case.draft_history = [
        *case.draft_history,
        {
            "action": "amended" if before else "drafted",
            "level": case.level + 1,
            "position": step["position"],
            "by": user.full_name or user.email,
            "user_id": user.pk,
            "at": timezone.now().isoformat(),
            "changes": changes,
        },
    ]


def _finish(
    case,
    application,
    user,
    on_behalf_of,
    comment,
    applicant_message,
    *,
    outcome: Outcome,
    decision_data: dict[str, Any],
) -> None:
    application_record_decision(
        application=application,
        outcome=outcome,
        decision_data=decision_data,
        actor=user,
        applicant_message=applicant_message,
        internal_comment=comment,
        on_behalf_of=on_behalf_of,
    )
    # Same transaction: the document row exists iff the decision does; the
    # render, signature and upload run after commit, outside this lock. The
    # notice prints the message to the applicant as the 理由 of an outcome
    # that must state one, never the internal comment.
    document_request(
        application=application,
        approved=outcome.favourable,
        approval_record=case_approval_record(case),
        reason=applicant_message if outcome.reason_required else "",
    )


@transaction.atomic
def case_pull_back(
    *, case_id: int, user: Any, comment: str = "", request: HttpRequest | None = None
) -> CaseTask:
    """引戻し: the approver of the previous level takes the case back.

    Allowed only while the next level's review task is untouched (queued or
    claimed, not decided) and no consultation is running.
    """
    application, case = _lock(case_id)
    refuse = WorkflowError(
        gettext("次の段階で処理が進んでいるため、引き戻せません。"), code="too_late"
    )
    if case.status != "NEW" or case.level == 0:
        raise refuse
    open_review = CaseTask.objects.filter(
        process=case, kind="review", status__in=["NEW", "ASSIGNED"], level=case.level
    ).first()
    previous = case.chain[case.level - 1].get("done")
    if open_review is None or not previous or previous["user_id"] != user.pk:
        raise refuse
    open_review.process = case
    activation = open_review.flow_task.activation_class(open_review)
    if open_review.status == "NEW":
        activation.assign(user)
    else:
        open_review.owner = user
    case.level -= 1
    case.decision = "pull_back"
    _clear_steps_from(case, case.level)
    _repeat_consultations_above(case, case.level)
    case.save(update_fields=["chain", "level", "decision", "consultations"])
    open_review.decision = "pulled_back"
    open_review.acted_by = user
    open_review.comment = comment
    activation.start(request)
    activation.execute()
    # The case comes back to the person who pulled it, already claimed.
    new_task = CaseTask.objects.filter(process=case, kind="review", status="NEW").get()
    CaseTask.objects.filter(pk=new_task.pk).update(
        owner=user, status="ASSIGNED", assigned=timezone.now()
    )
    application_event_add(
        application=application,
        kind=Kind.PULLED_BACK,
        actor=user,
        internal_comment=comment,
        data={"level": case.level + 1, "position": case.chain[case.level]["position"]},
    )
    _audit("case_pull_back", user, application, request)
    return new_task


@transaction.atomic
def post_review_complete(
    *,
    post_review_id: int,
    user: Any,
    comment: str = "",
    request: HttpRequest | None = None,
) -> PostReview:
    """後閲: the holder has seen what the deputy decided for them."""
    review = (
        PostReview.objects.select_for_update()
        .select_related("application")
        .filter(pk=post_review_id, holder=user)
        .first()
    )
    if review is None:
        raise WorkflowError(
            gettext("この後閲はあなた宛てではありません。"), code="not_found"
        )
    if review.reviewed_at is not None:
        return review
    review.reviewed_at = timezone.now()
    review.comment = comment.strip()
    review.save(update_fields=["reviewed_at", "comment"])
    application_event_add(
        application=review.application,
        kind=Kind.POST_REVIEWED,
        actor=user,
        internal_comment=review.comment,
        data={"deputy": review.deputy_id, "task": review.task_id},
    )
    _audit("post_review", user, review.application, request, task=review.task_id)
    return review


@transaction.atomic
def case_document_retry(
    *, application: Application, user: Any, request: HttpRequest | None = None
) -> None:
    """Ask for a notice to be issued again now: a failed one instead of at its
    back-off, one whose worker died instead of after the lease (audited with
    the state it was taken from)."""
    document = document_for_application(application)
    if document is None or not document_retry_now(document=document):
        raise WorkflowError(gettext("再試行が必要な文書はありません。"), code="stale")
    _audit(
        "document_retry",
        user,
        application,
        request,
        document=document.number,
        was=document.status,
    )


def case_erase(*, application: Application) -> None:
    """Blank every text written on the case (opinions, comments, messages,
    the drafted decision and its history) at the end of the retention
    period; who acted when stays."""
    texts = {
        field.name: ""
        for field in CaseTask._meta.concrete_fields
        if field.get_internal_type() == "TextField"
    }
    CaseTask.objects.filter(application=application).update(data={}, **texts)
    Case.objects.filter(application=application).update(draft={}, draft_history=[])

"""Caseworker pages: the inbox, the case page and its actions; attachments
and the issued notice."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.second_factor import is_fresh, reverify, second_factor_required
from core.access import access_record
from core.decorators import caseworker_required
from core.downloads import private_download
from core.models import AccessRecord
from documents.forms import MailingForm
from documents.selectors import document_for_application
from documents.services import document_draft_preview
from documents.views import issued_document_response
from organisation.selectors import user_slot_grants
from procedures.models import Procedure
from procedures.outcomes import decision_data_display
from workflow import deadlines, queue, search, selectors, services
from workflow.decisions import settles
from workflow.forms import (
    CaseExtendForm,
    CommentForm,
    DecisionForm,
    OpinionForm,
    decision_data_answers,
)


def _grants(request: HttpRequest) -> list:
    if not hasattr(request, "_workflow_grants"):
        request._workflow_grants = user_slot_grants(request.user)
    return request._workflow_grants


def _case_url_maker() -> Callable[[uuid.UUID], str]:
    """``reverse("workflow:case_detail", args=[public_id])`` for many rows."""
    placeholder = uuid.UUID(int=0)
    head, _placeholder, tail = reverse(
        "workflow:case_detail", args=[placeholder]
    ).partition(str(placeholder))
    return lambda public_id: f"{head}{public_id}{tail}"


@caseworker_required
def inbox(request: HttpRequest) -> HttpResponse:
    params = request.GET
    tab = params.get("tab") if params.get("tab") in ("mine", "queue") else "queue"
    procedure_id = params.get("procedure", "")
    # ASCII digits only, and within a bigint: anything else is "all procedures".
    if not (
        procedure_id.isascii() and procedure_id.isdigit() and len(procedure_id) < 19
    ):
        procedure_id = ""
    page = selectors.inbox_page(
        user=request.user,
        grants=_grants(request),
        tab=tab,
        procedure_id=int(procedure_id) if procedure_id else None,
        kind=params.get("kind", ""),
        overdue=params.get("overdue") == "1",
        q=params.get("q", "")[:100],
        sort=params.get("sort", "oldest"),
        cursor=params.get("after", ""),
    )
    now = timezone.now()
    today = timezone.localdate()
    # Reversed once, not per row: reverse() was a fifth of the page's time.
    case_url = _case_url_maker()
    # Plain values per row: the template then only prints (no lookups through
    # three related objects per cell), which keeps the page fast.
    rows = [
        {
            "url": case_url(task.application.public_id),
            "task_id": task.pk,
            "receipt_number": task.application.receipt_number,
            "applicant_name": task.application.applicant_name,
            "procedure": task.application.procedure_version.title_text,
            "kind": task.get_kind_display(),
            "step": task.step_label,
            "waited": selectors.waited(task, now),
            "due_date": task.due_date,
            "overdue": bool(task.due_date and task.due_date < today),
        }
        for task in page.tasks
    ]
    next_query = None
    if page.next_cursor:
        query = params.copy()
        query["after"] = page.next_cursor
        next_query = query.urlencode()
    first_query = params.copy()
    first_query.pop("after", None)
    return render(
        request,
        "workflow/inbox.html",
        {
            "tab": tab,
            "rows": rows,
            # Bulk approval of a final-level task asks for the code once.
            "bulk_needs_code": second_factor_required(request)
            and not is_fresh(request),
            "next_query": next_query,
            "is_later_page": bool(params.get("after")),
            "first_query": first_query.urlencode(),
            "procedures": Procedure.objects.filter(current_version__isnull=False)
            .select_related("current_version")
            .only("code", "current_version__title", "current_version__title_en")
            .order_by("code"),
            "post_reviews": selectors.open_post_reviews(user=request.user),
            "withdrawn": search.withdrawn_claims(user=request.user),
            "filters": {
                "procedure": procedure_id,
                "kind": params.get("kind", ""),
                "overdue": params.get("overdue") == "1",
                "q": params.get("q", ""),
                "sort": params.get("sort", "oldest"),
            },
        },
    )


def _task_form(
    request: HttpRequest, case: Any, task: Any, data: Any = None
) -> OpinionForm | DecisionForm:
    """An opinion for a 合議 task; otherwise the decisions possible at this level."""
    if task.kind == "consult":
        return OpinionForm(data)
    return DecisionForm(
        data,
        needs_code=bool(
            case.is_final_level
            and second_factor_required(request)
            and not is_fresh(request)
        ),
        next_step=None
        if case.is_final_level
        else case.chain[case.level + 1]["position"],
        earlier_levels=[
            (index, step["position"])
            for index, step in enumerate(case.chain[: case.level])
        ],
        consult_choices=selectors.consult_choices(case),
        outcomes=selectors.decidable_outcomes(case, task),
        draft_outcomes=selectors.draftable_outcomes(case, task),
        draft=case.draft,
    )


def _case_page(
    request: HttpRequest,
    public_id: Any,
    *,
    form: Any = None,
    status: int = 200,
    mailing_form: Any = None,
    extend_form: Any = None,
) -> HttpResponse:
    grants = _grants(request)
    application = selectors.case_for_staff(
        user=request.user, public_id=public_id, grants=grants
    )
    access_record(request=request, target=application, what=AccessRecord.What.CASE)
    case = application.case
    tasks = selectors.case_tasks(application)
    actions = selectors.case_actions(
        application=application, tasks=tasks, user=request.user, grants=grants
    )
    # Decide from the queue (issue 15): a task the user may claim gets the
    # decision form too; deciding claims it in the same transaction.
    decide_task = actions.my_task or actions.claimable
    if decide_task is not None and form is None:
        form = _task_form(request, case, decide_task)
    draft_outcome = selectors.draft_outcome(case)
    sections = application.procedure_version.form_version.runtime.display(
        application.answers
    )
    answered_files = {
        ref.get("id")
        for section in sections
        for item in section["items"]
        for ref in item["files"]
    }
    return render(
        request,
        "workflow/case_detail.html",
        {
            "application": application,
            "case": case,
            "chain": [
                {
                    **step,
                    "index": index,
                    "current": index == case.level and case.status == "NEW",
                }
                for index, step in enumerate(case.chain)
            ],
            "sections": sections,
            "amendment_changes": selectors.amendment_changes(application),
            # Files the answers no longer point at: those replaced in an amendment.
            "earlier_attachments": [
                attachment
                for attachment in application.attachments.all()
                if attachment.pk not in answered_files
            ],
            "events": list(
                application.events.select_related("actor", "on_behalf_of").order_by(
                    "created_at", "id"
                )
            ),
            "tasks": tasks,
            "my_task": actions.my_task,
            "claimable": actions.claimable,
            "decide_task": decide_task,
            # The "next case" shortcut: the oldest other case in the queue.
            "next_case": queue.next_in_queue(
                user=request.user, grants=grants, after_application_id=application.pk
            ),
            "form": form,
            "can_pull_back": actions.can_pull_back,
            "post_review": actions.post_review,
            "document": document_for_application(application),
            "mailing_form": mailing_form or MailingForm(),
            "decision_items": decision_data_display(
                outcome=application.outcome, data=application.decision_data or {}
            ),
            "draft_outcome": draft_outcome,
            "draft_history": selectors.draft_history(case) if draft_outcome else [],
            "draft_items": decision_data_display(
                outcome=draft_outcome, data=case.draft.get("decision_data") or {}
            )
            if draft_outcome
            else [],
            "overdue": bool(
                application.due_date and application.due_date < timezone.localdate()
            ),
            # 延長 (issue 15, workflow/deadline_views.py).
            "may_extend": deadlines.may_extend(case, request.user, grants, tasks),
            "extend_form": extend_form or CaseExtendForm(),
        },
        status=status,
    )


@caseworker_required
def case_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    return _case_page(request, public_id)


def _visible_case(request: HttpRequest, public_id: Any) -> Any:
    return selectors.case_for_staff(
        user=request.user, public_id=public_id, grants=_grants(request)
    ).case


@caseworker_required
@require_POST
def task_claim(request: HttpRequest, public_id: Any, task_id: int) -> HttpResponse:
    case = _visible_case(request, public_id)
    try:
        services.task_claim(
            task_id=task_id,
            case_id=case.pk,
            user=request.user,
            grants=_grants(request),
            request=request,
        )
        messages.success(request, _("このタスクを担当しました。"))
    except services.WorkflowError as exc:
        messages.error(request, exc.message)
    return redirect("workflow:case_detail", public_id=public_id)


@caseworker_required
@require_POST
def task_release(request: HttpRequest, public_id: Any, task_id: int) -> HttpResponse:
    case = _visible_case(request, public_id)
    try:
        services.task_release(
            task_id=task_id, case_id=case.pk, user=request.user, request=request
        )
        messages.success(request, _("担当を外しました。"))
    except services.WorkflowError as exc:
        messages.error(request, exc.message)
    return redirect("workflow:case_detail", public_id=public_id)


@caseworker_required
@require_POST
def task_decide(request: HttpRequest, public_id: Any, task_id: int) -> HttpResponse:
    case = _visible_case(request, public_id)
    task = case.task_set.filter(pk=task_id).first()
    if task is None:
        raise Http404
    form = _task_form(request, case, task, request.POST)
    if getattr(form, "row_action", None):
        # 「行を追加」: the same page with one more row, nothing recorded.
        return _case_page(request, public_id, form=form)
    if not form.is_valid():
        return _case_page(request, public_id, form=form, status=400)
    data = form.cleaned_data
    decision = data.get("decision", "opinion")
    if (
        "otp_code" in form.fields
        and settles(final=form.final, decision=decision)
        and not reverify(request, data["otp_code"])
    ):
        form.add_error("otp_code", _("確認コードが正しくありません。"))
        return _case_page(request, public_id, form=form, status=400)
    # The draft's outcome stays chosen in its (hidden) select whatever the
    # decision: only an approval drafts, so only then is its form read.
    outcome_code = data.get("draft_outcome", "") if decision == "approve" else ""
    data_form = getattr(form, "data_forms", {}).get(
        decision if decision in getattr(form, "outcomes", {}) else outcome_code
    )
    try:
        queue.task_decide_from_queue(
            task_id=task_id,
            case_id=case.pk,
            user=request.user,
            decision=decision,
            internal_comment=data.get("internal_comment", ""),
            applicant_message=data.get("applicant_message", ""),
            outcome=outcome_code,
            opinion=data.get("opinion", "agree"),
            decision_data=decision_data_answers(data_form) if data_form else None,
            target_level=data.get("target_level"),
            consult_slot=data.get("consult_to") or None,
            consult_label=getattr(form, "consult_labels", {}).get(
                data.get("consult_to"), ""
            ),
            amendment_due_date=data.get("amendment_due_date"),
            grants=_grants(request),
            request=request,
        )
    except services.DecisionDataInvalid as exc:
        # Each message next to its field (交付決定額 above the amount applied for).
        for key, problems in exc.errors.items():
            target = key if data_form is not None and key in data_form.fields else None
            for problem in problems:
                (data_form if target else form).add_error(target, problem)
        return _case_page(request, public_id, form=form, status=400)
    except services.WorkflowError as exc:
        messages.error(request, exc.message)
        return redirect("workflow:case_detail", public_id=public_id)
    messages.success(request, _("判断を記録しました。"))
    return redirect("workflow:inbox")


@caseworker_required
def case_draft_preview(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The notice as the draft would issue it, marked 案 and not signed."""
    application = selectors.case_for_staff(
        user=request.user, public_id=public_id, grants=_grants(request)
    )
    case = application.case
    outcome = selectors.draft_outcome(case)
    if outcome is None:
        raise Http404
    access_record(request=request, target=application, what=AccessRecord.What.CASE)
    pdf = document_draft_preview(
        application=application,
        outcome=outcome,
        decision_data=case.draft.get("decision_data") or {},
        reason=case.draft.get("applicant_message", ""),
        approval_record=services.case_approval_record(case),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="draft.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@caseworker_required
@require_POST
def case_pull_back(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _visible_case(request, public_id)
    form = CommentForm(request.POST)
    form.is_valid()
    try:
        services.case_pull_back(
            case_id=case.pk,
            user=request.user,
            comment=form.cleaned_data.get("comment", ""),
            request=request,
        )
        messages.success(request, _("案件を引き戻しました。"))
    except services.WorkflowError as exc:
        messages.error(request, exc.message)
    return redirect("workflow:case_detail", public_id=public_id)


@caseworker_required
@require_POST
def post_review_done(request: HttpRequest, pk: int) -> HttpResponse:
    form = CommentForm(request.POST)
    form.is_valid()
    try:
        review = services.post_review_complete(
            post_review_id=pk,
            user=request.user,
            comment=form.cleaned_data.get("comment", ""),
            request=request,
        )
    except services.WorkflowError as exc:
        raise Http404 from exc
    messages.success(request, _("後閲を記録しました。"))
    return redirect("workflow:case_detail", public_id=review.application.public_id)


@caseworker_required
def attachment_download(
    request: HttpRequest, public_id: Any, attachment_id: int
) -> HttpResponse:
    application = selectors.case_for_staff(
        user=request.user, public_id=public_id, grants=_grants(request)
    )
    attachment = application.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    access_record(
        request=request,
        target=application,
        what=AccessRecord.What.ATTACHMENT,
        detail=attachment.original_name,
    )
    return private_download(
        lambda: attachment.file.open("rb"), filename=attachment.original_name
    )


@caseworker_required
def document_download(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The case's issued notice, for the caseworkers who may see the case."""
    application = selectors.case_for_staff(
        user=request.user, public_id=public_id, grants=_grants(request)
    )
    response = issued_document_response(document_for_application(application))
    access_record(request=request, target=application, what=AccessRecord.What.DOCUMENT)
    return response


@caseworker_required
@require_POST
def document_retry(request: HttpRequest, public_id: Any) -> HttpResponse:
    application = selectors.case_for_staff(
        user=request.user, public_id=public_id, grants=_grants(request)
    )
    try:
        services.case_document_retry(
            application=application, user=request.user, request=request
        )
        messages.success(request, _("文書の発行をもう一度試みます。"))
    except services.WorkflowError as exc:
        messages.error(request, exc.message)
    return redirect("workflow:case_detail", public_id=public_id)


@caseworker_required
@require_POST
def document_mailing(request: HttpRequest, public_id: Any) -> HttpResponse:
    """Record that the printed notice was mailed (applicant without consent)."""
    from documents.services import DeliveryError, document_record_mailing

    application = selectors.case_for_staff(
        user=request.user, public_id=public_id, grants=_grants(request)
    )
    document = document_for_application(application)
    if document is None:
        raise Http404
    form = MailingForm(request.POST)
    if form.is_valid():
        try:
            document_record_mailing(
                document=document,
                mailed_on=form.cleaned_data["mailed_on"],
                method=form.cleaned_data["method"],
                actor=request.user,
            )
        except DeliveryError as exc:
            form.add_error(exc.field or None, exc.message)
        else:
            messages.success(request, _("発送を記録しました。"))
            return redirect("workflow:case_detail", public_id=public_id)
    return _case_page(request, public_id, mailing_form=form, status=400)

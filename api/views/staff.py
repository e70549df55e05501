"""The caseworker's side: inbox and queue, claim and release, the case, decisions.

The same checks as the staff pages: ``core.roles.is_caseworker`` for the
area, ``workflow.selectors.case_for_staff`` for each case (404 for a case
the caseworker has no part in), and the workflow's services for every
change, which lock the case and check the caseworker's posts themselves.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.second_factor import code_matches, is_fresh, mark_fresh
from api import serializers as s
from api.errors import ApiError
from api.views.common import (
    BINARY,
    PDF,
    check_id,
    id_parameter,
)
from core import roles
from core.access import access_record
from core.downloads import private_download
from core.models import AccessRecord
from documents.selectors import document_for_application
from documents.views import issued_document_response
from organisation.selectors import user_slot_grants
from procedures.outcomes import decision_data_display, outcome_description
from workflow import queue, selectors, services
from workflow.decisions import settles


class IsCaseworker(BasePermission):
    def has_permission(self, request, view) -> bool:
        return roles.is_caseworker(request.user)


class StaffView(APIView):
    permission_classes = [IsCaseworker]

    def grants(self) -> list:
        if not hasattr(self, "_grants"):
            self._grants = user_slot_grants(self.request.user)
        return self._grants

    def application(self, public_id: Any) -> Any:
        return selectors.case_for_staff(
            user=self.request.user, public_id=public_id, grants=self.grants()
        )

    def _answer(self, public_id: Any) -> Response:
        # The case as it is now, as GET would show it (same request, same grants).
        view = CaseDetail()
        view.request = self.request
        view._grants = self.grants()
        return view.get(self.request, public_id)


class TaskList(StaffView):
    @extend_schema(
        parameters=[s.InboxQuerySerializer],
        responses=s.TaskPageSerializer,
        summary="Inbox: my claimed tasks (tab=mine) or my posts' queue (tab=queue)",
    )
    def get(self, request):
        query = s.InboxQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        page = selectors.inbox_page(
            user=request.user,
            grants=self.grants(),
            tab=data["tab"],
            procedure_id=data.get("procedure"),
            kind=data["kind"],
            overdue=data["overdue"],
            q=data["q"],
            sort=data["sort"],
            cursor=data["cursor"],
        )
        return Response(
            {
                "results": s.TaskSerializer(page.tasks, many=True).data,
                "next_cursor": page.next_cursor,
            }
        )


class CaseDetail(StaffView):
    @extend_schema(
        responses=s.CaseSerializer,
        summary="A case: answers, files, chain, full timeline",
    )
    def get(self, request, public_id):
        application = self.application(public_id)
        access_record(request=request, target=application, what=AccessRecord.What.CASE)
        case = application.case
        tasks = selectors.case_tasks(application)
        actions = selectors.case_actions(
            application=application,
            tasks=tasks,
            user=request.user,
            grants=self.grants(),
        )
        my_task = actions.my_task
        runtime = application.procedure_version.form_version.runtime
        document = document_for_application(application)
        chain = [
            {
                "level": index,
                "position": step.get("position", ""),
                "section": step.get("section", ""),
                "current": index == case.level and case.status == "NEW",
                "done": step.get("done"),
            }
            for index, step in enumerate(case.chain)
        ]
        events = application.events.select_related("actor", "on_behalf_of").order_by(
            "created_at", "id"
        )
        return Response(
            {
                **s.ApplicationSerializer(application).data,
                "applicant_name": application.applicant_name,
                # The addressee of the notice and, beside it, the login
                # account that submitted (never silently the same).
                "addressee": application.addressee,
                "delivery_consent_at": application.delivery_consent_at,
                "answers": application.answers,
                "display": s.DisplaySectionSerializer(
                    runtime.display(application.answers), many=True
                ).data,
                "attachments": s.AttachmentSerializer(
                    application.attachments.all(), many=True
                ).data,
                "timeline": s.StaffEventSerializer(events, many=True).data,
                "chain": chain,
                "tasks": s.CaseTaskSerializer(tasks, many=True).data,
                "my_task": my_task.pk if my_task else None,
                "claimable_task": actions.claimable.pk if actions.claimable else None,
                "can_pull_back": actions.can_pull_back,
                "post_review": actions.post_review.pk if actions.post_review else None,
                "document": s.StaffDocumentSerializer(document).data
                if document
                else None,
                "consult_choices": dict(selectors.consult_choices(case))
                if my_task is not None and my_task.kind == "review"
                else {},
                "outcome": outcome_description(application.outcome)
                if application.outcome_id
                else None,
                "decision_data": application.decision_data or {},
                "decision_display": decision_data_display(
                    outcome=application.outcome, data=application.decision_data or {}
                ),
                "available_outcomes": [
                    outcome_description(outcome)
                    for outcome in selectors.decidable_outcomes(case, my_task)
                ],
                "draftable_outcomes": [
                    outcome_description(outcome)
                    for outcome in selectors.draftable_outcomes(case, my_task)
                ],
                "draft": case.draft or None,
                "draft_history": case.draft_history,
            }
        )


class CaseAttachment(StaffView):
    @extend_schema(
        responses=BINARY,
        parameters=[id_parameter("attachment_id")],
        summary="Download an attachment of a case",
    )
    def get(self, request, public_id, attachment_id: int):
        check_id(attachment_id)
        application = self.application(public_id)
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


class CaseDocument(StaffView):
    @extend_schema(responses=PDF, summary="Download the case's issued notice (PDF)")
    def get(self, request, public_id):
        application = self.application(public_id)
        response = issued_document_response(document_for_application(application))
        access_record(
            request=request, target=application, what=AccessRecord.What.DOCUMENT
        )
        return response


class CaseDocumentMailing(StaffView):
    @extend_schema(
        request=s.MailingSerializer,
        responses=s.StaffDocumentSerializer,
        summary="Record that the printed notice was mailed (発送日, method)",
    )
    def post(self, request, public_id):
        from documents.services import DeliveryError, document_record_mailing

        application = self.application(public_id)
        document = document_for_application(application)
        if document is None:
            raise Http404
        serializer = s.MailingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            document = document_record_mailing(
                document=document,
                mailed_on=serializer.validated_data["mailed_on"],
                method=serializer.validated_data["method"],
                actor=request.user,
            )
        except DeliveryError as exc:
            raise ApiError(
                exc.message,
                code="invalid_mailing",
                status_code=400 if exc.field else 409,
                fields={exc.field: [exc.message]} if exc.field else None,
            ) from exc
        return Response(s.StaffDocumentSerializer(document).data)


class _TaskAction(StaffView):
    def task(self, public_id: Any, task_id: int) -> tuple[Any, Any]:
        check_id(task_id)
        case = self.application(public_id).case
        task = case.task_set.filter(pk=task_id).first()
        if task is None:
            raise Http404
        return case, task


class TaskClaim(_TaskAction):
    @extend_schema(
        parameters=[id_parameter("task_id")],
        request=None,
        responses=s.CaseSerializer,
        summary="Claim (担当する) a queued task",
    )
    def post(self, request, public_id, task_id: int):
        case, task = self.task(public_id, task_id)
        services.task_claim(
            task_id=task.pk,
            case_id=case.pk,
            user=request.user,
            grants=self.grants(),
            request=request._request,
        )
        return self._answer(public_id)


class TaskRelease(_TaskAction):
    @extend_schema(
        parameters=[id_parameter("task_id")],
        request=None,
        responses=s.CaseSerializer,
        summary="Put a claimed task back in its queue",
    )
    def post(self, request, public_id, task_id: int):
        case, task = self.task(public_id, task_id)
        services.task_release(
            task_id=task.pk,
            case_id=case.pk,
            user=request.user,
            request=request._request,
        )
        return self._answer(public_id)


class TaskDecide(_TaskAction):
    @extend_schema(
        parameters=[id_parameter("task_id")],
        request=s.DecisionSerializer,
        responses=s.CaseSerializer,
        summary="Decide on a task (a queued one is claimed in the same "
        "transaction): approve, send_back, amend, consult; at the final level "
        "an outcome (decide + outcome, or its code) with its decision_data; "
        "opinion on a consultation",
        description="The 決裁 at the final level (approve, reject, decide or an "
        "outcome's code) needs a fresh second factor: `otp_code` in the body, or "
        "a browser session verified within STAFF_REAUTH_MINUTES; otherwise 403 "
        "`reauthentication_required`.",
    )
    def post(self, request, public_id, task_id: int):
        case, task = self.task(public_id, task_id)
        serializer = s.DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        decision = data["decision"]
        if (task.kind == "consult") != (decision == "opinion"):
            raise ApiError(
                gettext("このタスクでは選べない判断です。"),
                code="invalid_decision",
                fields={"decision": [gettext("このタスクでは選べない判断です。")]},
            )
        consult_label = ""
        if decision == "consult":
            choices = dict(selectors.consult_choices(case))
            if data["consult_to"] not in choices:
                raise ApiError(
                    gettext("合議先を選んでください。"),
                    code="invalid",
                    fields={"consult_to": [gettext("選べない合議先です。")]},
                )
            consult_label = choices[data["consult_to"]]
        if settles(final=case.is_final_level, decision=decision):
            _require_fresh_second_factor(request, data["otp_code"])
        amend_fields = data["amend_fields"]
        if decision == "amend" and amend_fields:
            runtime = case.application.procedure_version.form_version.runtime
            unknown = [key for key in amend_fields if runtime.field(key) is None]
            if unknown:
                raise ApiError(
                    gettext("補正を求める項目がフォームにありません。"),
                    code="invalid",
                    fields={"amend_fields": [", ".join(unknown)]},
                )
        # A queued task is claimed in the same transaction (issue 15).
        queue.task_decide_from_queue(
            task_id=task.pk,
            case_id=case.pk,
            user=request.user,
            decision=decision,
            internal_comment=data["internal_comment"],
            applicant_message=data["applicant_message"],
            outcome=data["outcome"],
            decision_data=data["decision_data"],
            opinion=data["opinion"],
            target_level=data["target_level"],
            consult_slot=data["consult_to"] if decision == "consult" else None,
            consult_label=consult_label,
            amend_fields=amend_fields if decision == "amend" else None,
            grants=self.grants(),
            request=request._request,
        )
        return self._answer(public_id)


class TaskBulkApprove(StaffView):
    @extend_schema(
        request=s.BulkApproveSerializer,
        responses=s.BulkApproveAnswerSerializer,
        summary="Approve several simple tasks at once, each in its own transaction",
        description="Each task of the caller's posts is claimed (when still "
        "queued) and approved on its own: locked, audited and committed one by "
        "one, so a refused task leaves the others approved. Refused with a "
        "reason code: `consultation` (合議 take an opinion), "
        "`decision_form_required` or `reason_required` (the final outcome needs "
        "more than a click), `taken`, `stale`, `not_found`. A batch holding a "
        "final-level task needs `otp_code` once (403 "
        "`reauthentication_required` otherwise, nothing approved).",
    )
    def post(self, request):
        serializer = s.BulkApproveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        task_ids = list(dict.fromkeys(data["task_ids"]))
        if queue.batch_has_final(task_ids=task_ids):
            _require_fresh_second_factor(request, data["otp_code"])
        result = queue.tasks_approve(
            task_ids=task_ids,
            user=request.user,
            final_allowed=True,
            grants=self.grants(),
            request=request._request,
        )
        return Response(
            {
                "approved": len(result.done),
                "refused": len(result.details) - len(result.done),
                "results": result.details,
            }
        )


def _require_fresh_second_factor(request: Any, code: str) -> None:
    """決裁 asks for the second factor again, as the case page does: a browser
    session that gave it within STAFF_REAUTH_MINUTES, or a code in the body.

    A token alone is not enough: it lives up to 90 days, and a leaked one
    must not be able to decide a case finally.
    """
    session = isinstance(request.successful_authenticator, SessionAuthentication)
    if session and is_fresh(request._request):
        return
    if not code.strip():
        raise ApiError(
            gettext("決裁の前に、認証アプリの確認コードを otp_code に入れてください。"),
            code="reauthentication_required",
            status_code=status.HTTP_403_FORBIDDEN,
            fields={"otp_code": [gettext("確認コードを入力してください。")]},
        )
    if not code_matches(
        user=request.user, code=code, purpose="decision", request=request._request
    ):
        raise ApiError(
            gettext("確認コードが正しくありません。決裁はしていません。"),
            code="reauthentication_required",
            status_code=status.HTTP_403_FORBIDDEN,
            fields={"otp_code": [gettext("確認コードが正しくありません。")]},
        )
    if session:
        mark_fresh(request._request)


class CasePullBack(StaffView):
    @extend_schema(
        request=s.CommentSerializer,
        responses=s.CaseSerializer,
        summary="Pull the case back (引戻し) while the next level has not decided",
    )
    def post(self, request, public_id):
        application = self.application(public_id)
        serializer = s.CommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.case_pull_back(
            case_id=application.case.pk,
            user=request.user,
            comment=serializer.validated_data["comment"],
            request=request._request,
        )
        return self._answer(public_id)


class PostReviewList(StaffView):
    @extend_schema(
        responses=s.PostReviewSerializer(many=True),
        summary="Post-reviews (後閲) waiting for me: what deputies decided for me",
    )
    def get(self, request):
        return Response(
            s.PostReviewSerializer(
                selectors.open_post_reviews(user=request.user), many=True
            ).data
        )


class PostReviewComplete(StaffView):
    @extend_schema(
        parameters=[id_parameter("post_review_id")],
        request=s.CommentSerializer,
        responses=s.PostReviewSerializer,
        summary="Record that I have seen a deputy's decision (後閲)",
    )
    def post(self, request, post_review_id: int):
        check_id(post_review_id)
        serializer = s.CommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = services.post_review_complete(
            post_review_id=post_review_id,
            user=request.user,
            comment=serializer.validated_data["comment"],
            request=request._request,
        )
        return Response(s.PostReviewSerializer(review).data)

"""The resident's side: the catalogue, applying, following, amending, withdrawing.

Every application lookup goes through ``procedures.selectors.application_of``
(the caller's own applications only): anyone else's id is a 404.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.answers import parse_answers, parse_upload
from api.throttles import SubmitThrottle
from api.views.common import (
    BINARY,
    IDEMPOTENCY_HEADER,
    PDF,
    check_id,
    id_parameter,
    idempotent,
    parse_cursor,
)
from core.downloads import private_download
from procedures import selectors, services
from procedures.models import Application

Status = Application.Status
EDITABLE = (Status.DRAFT, Status.AMENDMENT_REQUESTED)
PAGE_SIZE = 50


class CatalogueQuerySerializer(drf_serializers.Serializer):
    q = drf_serializers.CharField(
        max_length=100, required=False, default="", allow_blank=True
    )
    category = drf_serializers.CharField(
        max_length=32, required=False, default="", allow_blank=True
    )


def _query(serializer_class: Any, request: Any) -> dict[str, Any]:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ProcedureList(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[CatalogueQuerySerializer],
        responses=s.ProcedureSerializer(many=True),
        summary="Published procedures (search by words and category)",
    )
    def get(self, request):
        query = _query(CatalogueQuerySerializer, request)
        procedures = selectors.catalogue_procedures(
            query=query["q"], category=query["category"]
        )
        return Response(s.ProcedureSerializer(procedures, many=True).data)


class ProcedureDetail(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "code",
                {"type": "string", "pattern": "^[-a-zA-Z0-9_]{1,32}$"},
                OpenApiParameter.PATH,
            )
        ],
        responses=s.ProcedureDetailSerializer,
        summary="A procedure and its form",
    )
    def get(self, request, code: str):
        procedure = selectors.procedure_for_resident(code=code)
        return Response(s.ProcedureDetailSerializer(procedure).data)


# --- Applications -------------------------------------------------------------


def application_payload(application: Application) -> dict[str, Any]:
    """Everything the resident's application page shows, as JSON."""
    runtime = application.procedure_version.form_version.runtime
    editable = application.status in EDITABLE
    amendment = None
    if application.status == Status.AMENDMENT_REQUESTED:
        amendment = selectors.application_amendment_request(application=application)
    data = s.ApplicationSerializer(application).data
    return {
        **data,
        "answers": application.answers,
        "display": s.DisplaySectionSerializer(
            runtime.display(application.answers), many=True
        ).data,
        "errors": runtime.validate(runtime.clean(application.answers))
        if editable
        else {},
        "attachments": s.AttachmentSerializer(
            application.attachments.all(), many=True
        ).data,
        "timeline": s.EventSerializer(
            selectors.application_timeline(application=application), many=True
        ).data,
        "amendment": s.AmendmentSerializer(amendment).data if amendment else None,
        "documents": s.DocumentSerializer(
            selectors.application_documents(application=application), many=True
        ).data,
        "addressee": application.addressee,
        "delivery_consent_at": application.delivery_consent_at,
        "can_withdraw": application.can_withdraw,
        "editable": editable,
    }


def _require_editable(application: Application) -> None:
    # Checked before parsing so that a submitted application answers 409, not
    # field errors; the service checks again under the row lock.
    if application.status not in EDITABLE:
        raise services.ApplicationError(
            gettext("この申請は提出済みのため、変更できません。"), code="not_editable"
        )


def _mine(request, public_id) -> Application:
    return selectors.application_of(user=request.user, public_id=public_id)


class ApplicationQuerySerializer(drf_serializers.Serializer):
    status = drf_serializers.ChoiceField(choices=Status.choices, required=False)
    cursor = drf_serializers.CharField(
        max_length=100, required=False, default="", allow_blank=True
    )


class ApplicationListCreate(APIView):
    def get_throttles(self):
        return [SubmitThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        parameters=[ApplicationQuerySerializer],
        responses=s.ApplicationPageSerializer,
        operation_id="applications_list",
        summary="My applications, newest first (keyset pages of 50)",
    )
    def get(self, request):
        query = _query(ApplicationQuerySerializer, request)
        applications = selectors.applications_of(user=request.user).order_by(
            "-created_at", "-id"
        )
        if query.get("status"):
            applications = applications.filter(status=query["status"])
        after = parse_cursor(query["cursor"])
        if after is not None:
            created, pk = after
            applications = applications.filter(
                Q(created_at__lt=created) | Q(created_at=created, id__lt=pk)
            )
        rows = list(applications[: PAGE_SIZE + 1])
        next_cursor = None
        if len(rows) > PAGE_SIZE:
            last = rows[PAGE_SIZE - 1]
            next_cursor = f"{last.created_at.isoformat()}|{last.pk}"
        return Response(
            {
                "results": s.ApplicationSerializer(rows[:PAGE_SIZE], many=True).data,
                "next_cursor": next_cursor,
            }
        )

    @extend_schema(
        request=s.ApplicationCreateSerializer,
        responses={201: s.ApplicationDetailSerializer},
        parameters=[IDEMPOTENCY_HEADER],
        summary="Start an application (optionally with answers, optionally submitted)",
    )
    def post(self, request):
        serializer = s.ApplicationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        def run() -> Response:
            with transaction.atomic():
                procedure = selectors.procedure_for_resident(code=data["procedure"])
                answers = None
                if data["answers"]:
                    # Read against the draft about to be created, which is
                    # then written once with them.
                    answers = parse_answers(
                        application=services.application_new(
                            procedure=procedure, applicant=request.user
                        ),
                        incoming=data["answers"],
                    )
                application = services.application_start(
                    procedure=procedure, applicant=request.user, answers=answers
                )
                if data["submit"]:
                    application = services.application_submit(
                        application=application,
                        delivery_consent=data["delivery_consent"],
                    )
            return Response(
                application_payload(application), status=status.HTTP_201_CREATED
            )

        return idempotent(
            request,
            scope="application_create",
            body={**data, "answers": data["answers"]},
            run=run,
        )


class ApplicationDetail(APIView):
    @extend_schema(
        responses=s.ApplicationDetailSerializer, summary="One of my applications"
    )
    def get(self, request, public_id):
        return Response(application_payload(_mine(request, public_id)))

    @extend_schema(
        request=s.ApplicationUpdateSerializer,
        responses=s.ApplicationDetailSerializer,
        summary="Change answers of a draft or of an application asked to amend",
    )
    def patch(self, request, public_id):
        application = _mine(request, public_id)
        serializer = s.ApplicationUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _require_editable(application)
        answers = parse_answers(
            application=application, incoming=serializer.validated_data["answers"]
        )
        application = services.application_save_answers(
            application=application, answers=answers
        )
        return Response(application_payload(application))

    @extend_schema(
        responses={204: None}, summary="Delete a draft that was never submitted"
    )
    def delete(self, request, public_id):
        services.application_discard_draft(application=_mine(request, public_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttachmentUpload(APIView):
    @extend_schema(
        request={"multipart/form-data": s.AttachmentUploadSerializer},
        responses={201: s.ApplicationDetailSerializer},
        summary="Attach files to a file question (multipart)",
    )
    def post(self, request, public_id):
        application = _mine(request, public_id)
        serializer = s.AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _require_editable(application)
        data = serializer.validated_data
        # Every part named "file" is attached (DRF's field reads only the
        # last one); the form's count check then sees them all.
        uploads = request.FILES.getlist("file") or [data["file"]]
        new_files = parse_upload(
            application=application, key=data["field"], uploads=uploads
        )
        application = services.application_save_answers(
            application=application, answers={}, new_files=new_files
        )
        return Response(
            application_payload(application), status=status.HTTP_201_CREATED
        )


class AttachmentDownload(APIView):
    @extend_schema(
        responses=BINARY,
        parameters=[id_parameter("attachment_id")],
        summary="Download one of my attachments",
    )
    def get(self, request, public_id, attachment_id: int):
        check_id(attachment_id)
        application = _mine(request, public_id)
        attachment = selectors.application_attachment(
            application=application, attachment_id=attachment_id
        )
        return private_download(
            lambda: attachment.file.open("rb"), filename=attachment.original_name
        )


class ApplicationSubmit(APIView):
    throttle_classes = [SubmitThrottle]

    @extend_schema(
        request=s.SubmitSerializer,
        responses=s.ApplicationDetailSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        summary="Submit a draft, or resubmit after an amendment request (補正)",
    )
    def post(self, request, public_id):
        application = _mine(request, public_id)
        serializer = s.SubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consent = serializer.validated_data["delivery_consent"]

        def run() -> Response:
            if application.status == Status.AMENDMENT_REQUESTED:
                result = services.application_resubmit(application=application)
            else:
                result = services.application_submit(
                    application=application, delivery_consent=consent
                )
            return Response(application_payload(result))

        return idempotent(
            request,
            scope=f"submit:{application.public_id}",
            body={"delivery_consent": consent},
            run=run,
        )


class ApplicationWithdraw(APIView):
    @extend_schema(
        request=s.WithdrawSerializer,
        responses=s.ApplicationDetailSerializer,
        summary="Withdraw (取下げ) before the decision, with a reason",
    )
    def post(self, request, public_id):
        application = _mine(request, public_id)
        serializer = s.WithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = services.application_withdraw(
            application=application, reason=serializer.validated_data["reason"]
        )
        return Response(application_payload(application))


class ApplicationDocument(APIView):
    @extend_schema(
        responses=PDF,
        summary="Download the issued notice (PDF)",
    )
    def get(self, request, public_id, document_id):
        from documents.selectors import document_for_applicant
        from documents.services import document_record_download
        from documents.views import issued_document_response

        application = _mine(request, public_id)
        document = document_for_applicant(public_id=document_id, user=request.user)
        if document.application_id != application.pk:
            raise Http404
        response = issued_document_response(document)
        document_record_download(document=document, user=request.user)
        return response

"""Anyone: verify a document by uploading the PDF, or by its QR token."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.errors import ApiError
from api.throttles import VerifyThrottle


class VerifyUpload(APIView):
    # Public and without a session: no CSRF, no login; limited per address.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [VerifyThrottle]

    @extend_schema(
        request={"multipart/form-data": s.VerifyUploadSerializer},
        responses=s.VerificationSerializer,
        summary="Is this PDF a genuine, unaltered document we issued?",
    )
    def post(self, request):
        from documents.forms import VerifyUploadForm
        from documents.verification import verify_pdf

        form = VerifyUploadForm(data={}, files=request.FILES)
        if not form.is_valid():
            raise ApiError(
                form.errors["file"][0],
                code="invalid",
                fields={"file": list(form.errors["file"])},
            )
        result = verify_pdf(form.cleaned_data["file"].read())
        return Response(s.VerificationSerializer(result).data)


class VerifyToken(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "token",
                {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
                OpenApiParameter.PATH,
            )
        ],
        responses=s.VerifiedDocumentSerializer,
        summary="The issued document a QR code's token names",
    )
    def get(self, request, token: str):
        from django.http import Http404

        from documents.selectors import document_by_token

        document = document_by_token(token[:64])
        if document is None:
            raise Http404
        return Response(s.VerifiedDocumentSerializer(document).data)

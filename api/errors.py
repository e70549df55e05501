"""One error shape for every API failure.

    {"error": {"code": "invalid_answers", "message": "…", "fields": {"amount": ["…"]}}}

``message`` and the field messages are in the request's language
(Accept-Language; Japanese by default). The services' own refusals map to
statuses here, so views never build error bodies themselves.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from api.answers import AnswersRejected
from core.outages import RETRY_AFTER_SECONDS, is_outage
from core.uploads import UploadRejected
from procedures.services import ApplicationError, ApplicationInvalid
from workflow.services import DecisionDataInvalid, WorkflowError

logger = logging.getLogger(__name__)


class ApiError(exceptions.APIException):
    """A refusal with our own code, status and optional field messages."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status_code: int = status.HTTP_400_BAD_REQUEST,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.error_code = code
        self.fields = fields or {}


# Workflow refusals: which status, and which request field a message is about.
_WORKFLOW_STATUS = {
    "not_found": status.HTTP_404_NOT_FOUND,
    "forbidden": status.HTTP_403_FORBIDDEN,
    "busy": status.HTTP_409_CONFLICT,
    "taken": status.HTTP_409_CONFLICT,
    "already_done": status.HTTP_409_CONFLICT,
    "not_owner": status.HTTP_409_CONFLICT,
    "stale": status.HTTP_409_CONFLICT,
    "too_late": status.HTTP_409_CONFLICT,
    "not_final": status.HTTP_409_CONFLICT,
}
_WORKFLOW_FIELD = {
    "applicant_message_invalid": "applicant_message",
    "internal_comment_invalid": "internal_comment",
    "target_required": "target_level",
    "decision_required": "decision",
    "consult_required": "consult_to",
    "outcome_required": "outcome",
    "objection_unresolved": "internal_comment",
    "opinion_required": "opinion",
}


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested validation detail as {"a.b": [messages]}."""
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            fields.update(_flatten(value, name))
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            fields[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                fields.update(
                    _flatten(item, f"{prefix}.{index}" if prefix else str(index))
                )
    else:
        fields[prefix or "non_field_errors"] = [str(detail)]
    return fields


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None):
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _translate(exc: Exception) -> Exception:
    """Map the other apps' exceptions to API exceptions."""
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, AnswersRejected):
        return ApiError(
            _("入力内容に誤りがあります。"), code="invalid_answers", fields=exc.errors
        )
    if isinstance(exc, ApplicationInvalid):
        return ApiError(exc.message, code=exc.code, fields=exc.errors)
    if isinstance(exc, ApplicationError):
        return ApiError(
            exc.message, code=exc.code, status_code=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, DecisionDataInvalid):
        # Each message under decision_data.<key>, next to the field it is about.
        return ApiError(
            exc.message,
            code=exc.code,
            fields={
                key if key == "decision_data" else f"decision_data.{key}": messages
                for key, messages in exc.errors.items()
            },
        )
    if isinstance(exc, WorkflowError):
        field = _WORKFLOW_FIELD.get(exc.code)
        return ApiError(
            exc.message,
            code=exc.code,
            status_code=_WORKFLOW_STATUS.get(exc.code, status.HTTP_400_BAD_REQUEST),
            fields={field: [exc.message]} if field else None,
        )
    if isinstance(exc, UploadRejected):
        return ApiError(
            exc.message, code="upload_rejected", fields={"file": [exc.message]}
        )
    if is_outage(exc):  # Redis or S3 down: nothing was done, try later
        return ApiError(
            _(
                "一時的な障害のため処理できませんでした。しばらくしてからもう一度お試しください。"
            ),
            code="unavailable",
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    if isinstance(exc, OperationalError) and _is_lock_timeout(exc):
        return ApiError(
            _("ほかの操作が処理中です。少し待ってから、もう一度お試しください。"),
            code="busy",
            status_code=status.HTTP_409_CONFLICT,
        )
    return exc


def _is_lock_timeout(exc: OperationalError) -> bool:
    cause = exc.__cause__
    # PostgreSQL lock_not_available (lock_timeout), SQLite's busy timeout.
    return getattr(cause, "sqlstate", None) == "55P03" or "locked" in str(exc)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = _translate(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None  # a real server error: Django logs it and answers 500
    if isinstance(exc, ApiError):
        body = error_body(exc.error_code, str(exc.detail), exc.fields)
    elif isinstance(exc, exceptions.ValidationError):
        body = error_body(
            "invalid", _("入力内容に誤りがあります。"), _flatten(exc.detail)
        )
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else ""
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        body = error_body(code, message or str(exc.default_detail))
    else:  # pragma: no cover - exception_handler only answers APIException
        body = error_body("error", str(exc))
    response.data = body
    if response.status_code == status.HTTP_503_SERVICE_UNAVAILABLE:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response

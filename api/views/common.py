"""Helpers shared by the API views: downloads, idempotency, cursors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import Http404
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from api import services
from api.errors import ApiError

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (a UUID): a retried request with the same key "
    "and body returns the first answer and creates nothing new; the same key "
    "with another body answers 422.",
)
MAX_ID = 2**31 - 1


def id_parameter(name: str) -> OpenApiParameter:
    """A numeric id in the path, as Django's ``<int:>`` converter accepts it."""
    return OpenApiParameter(
        name,
        {"type": "integer", "minimum": 0, "maximum": MAX_ID},
        OpenApiParameter.PATH,
    )


def check_id(value: int) -> int:
    # Beyond the column's range the database itself would fail (a 500).
    if not 0 <= value <= MAX_ID:
        raise Http404
    return value


BINARY = {(200, "application/octet-stream"): OpenApiTypes.BINARY}
PDF = {(200, "application/pdf"): OpenApiTypes.BINARY}


def _key(request: Any) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > 255 or not key.isascii() or not key.isprintable():
        raise ApiError(
            _("Idempotency-Key は255文字までの英数字で指定してください。"),
            code="invalid_idempotency_key",
            fields={"Idempotency-Key": [_("形式が正しくありません。")]},
        )
    return key


def idempotent(
    request: Any, *, scope: str, body: Any, run: Callable[[], Response]
) -> Response:
    """Run ``run`` once per Idempotency-Key (when one is sent); replay afterwards."""
    key = _key(request)
    if key is None:
        return run()

    def _run() -> tuple[int, Any]:
        response = run()
        # Stored exactly as it was sent (UUIDs and dates as strings).
        return response.status_code, json.loads(JSONRenderer().render(response.data))

    try:
        code, data, replayed = services.idempotent_call(
            user=request.user,
            key=key,
            fingerprint=services.request_fingerprint(scope=scope, body=body),
            run=_run,
        )
    except services.IdempotencyMismatch as exc:
        raise ApiError(
            _("この Idempotency-Key は別の内容の要求で使われています。"),
            code="idempotency_key_reused",
            status_code=status.HTTP_422_UNPROCESSABLE_ENTITY,
        ) from exc
    except services.IdempotencyInProgress as exc:
        raise ApiError(
            _(
                "同じ Idempotency-Key の要求を処理中です。少し待ってから確認してください。"
            ),
            code="idempotency_in_progress",
            status_code=status.HTTP_409_CONFLICT,
        ) from exc
    response = Response(data, status=code)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def parse_cursor(cursor: str) -> tuple[Any, int] | None:
    """A keyset cursor "<ISO datetime>|<id>", or None when absent or malformed."""
    value, _sep, pk = (cursor or "").rpartition("|")
    if not value or not pk.isdigit() or len(pk) > 18:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    return (parsed, int(pk)) if parsed else None

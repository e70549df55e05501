"""Services for the record of staff views of residents' personal data."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from core.clients import client_address
from core.models import AccessRecord


def access_record(
    *,
    request: HttpRequest,
    target: Any,
    what: str,
    detail: str = "",
) -> AccessRecord:
    """Record that the signed-in staff member was shown ``target``'s data.

    One INSERT in the request that shows the data: if it fails, the page
    fails, so no view goes unrecorded.
    """
    channel = (
        AccessRecord.Channel.API
        if request.path.startswith("/api/")
        else AccessRecord.Channel.PAGE
    )
    return AccessRecord.objects.create(
        user=request.user,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        what=what,
        detail=detail[:255],
        channel=channel,
        ip_address=client_address(request),
    )


def access_records_for(target: Any) -> QuerySet[AccessRecord]:
    """Every recorded view of ``target``, oldest first, with the viewer."""
    return (
        AccessRecord.objects.filter(
            target_type=target._meta.label_lower, target_id=str(target.pk)
        )
        .select_related("user")
        .order_by("created_at", "id")
    )


def access_records_erase(target: Any) -> None:
    """Blank what the records of ``target`` name (attachment file names may
    hold a person's name); who viewed it when stays."""
    AccessRecord.objects.filter(
        target_type=target._meta.label_lower, target_id=str(target.pk)
    ).update(detail="")

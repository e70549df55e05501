"""Disposal (廃棄) and transfer to the archives (移管) at the end of the
retention period (保存期間), each approved by an administrator.

Both end the same way: the application's personal data, its files and its
notice's content are erased (each app erases its own part) and one line of
the register stays (``DisposalRecord``). A transfer first exports the
records (the signed PDF/A notice, the answers and the decision record as
JSON, the attachments, and a manifest with a digest of every file); they
are erased only when an administrator confirms the archives received them.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from collections.abc import Iterable
from typing import IO, Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from core.access import access_records_erase
from core.audit import audit_record
from core.outbox import outbox_erase_for
from documents.selectors import document_for_application
from documents.services import document_erase, document_open
from procedures.models import Application
from procedures.services import application_erase
from records.models import DisposalRecord, TransferBatch
from records.selectors import kept_until, records_due
from workflow.models import CaseTask
from workflow.services import case_erase


class RecordsError(Exception):
    """A disposal or transfer that may not happen; ``message`` is for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _due(application_ids: Iterable[int]) -> list[Application]:
    ids = list(dict.fromkeys(application_ids))
    due = list(records_due().filter(pk__in=ids).select_for_update(of=("self",)))
    if not ids or len(due) != len(ids):
        raise RecordsError(
            gettext(
                "保存期間が満了していない申請、またはすでに廃棄・移管した申請が"
                "含まれています。一覧を読み込み直してください。"
            )
        )
    return due


def _erase(
    application: Application,
    *,
    action: str,
    actor: Any,
    request: HttpRequest | None,
    batch: TransferBatch | None = None,
) -> DisposalRecord:
    version = application.procedure_version
    closed = timezone.localdate(application.closed_at)
    document = document_for_application(application)
    record = DisposalRecord.objects.create(
        action=action,
        receipt_number=application.receipt_number,
        procedure_code=version.procedure.code,
        procedure_title=version.title,
        retention_years=version.retention_years,
        submitted_on=timezone.localdate(application.submitted_at)
        if application.submitted_at
        else None,
        closed_on=closed,
        kept_until=kept_until(closed=closed, years=version.retention_years),
        document_number=document.number if document else "",
        approved_by=actor,
        transfer=batch,
    )
    document_erase(application=application)
    case_erase(application=application)
    access_records_erase(application)
    outbox_erase_for(application)
    application_erase(application=application)
    audit_record(
        action=f"records.{action}",
        actor=actor,
        target=application,
        data={"receipt_number": record.receipt_number},
        request=request,
    )
    return record


@transaction.atomic
def records_dispose(
    *, application_ids: Iterable[int], actor: Any, request: HttpRequest | None = None
) -> list[DisposalRecord]:
    """Erase applications whose retention period has ended (廃棄), all or none."""
    return [
        _erase(
            application,
            action=DisposalRecord.Action.DISPOSE,
            actor=actor,
            request=request,
        )
        for application in _due(application_ids)
    ]


def records_transfer_export(
    *, application_ids: Iterable[int], actor: Any, request: HttpRequest | None = None
) -> tuple[TransferBatch, IO[bytes]]:
    """Export due applications for the archives as one ZIP, and remember the batch.

    Nothing is erased yet: the archives may refuse the files.
    """
    ids = list(dict.fromkeys(application_ids))
    # The files are read before the transaction: no lock is held while the
    # storage answers. The transaction checks again what it records.
    archive, manifest_digest = _transfer_archive(list(records_due().filter(pk__in=ids)))
    with transaction.atomic():
        applications = _due(ids)
        pending = TransferBatch.objects.filter(
            status=TransferBatch.Status.EXPORTED
        ).values_list("application_ids", flat=True)
        taken = {pk for batch_ids in pending for pk in batch_ids}
        if taken & set(ids):
            raise RecordsError(
                gettext(
                    "移管の引渡しを待っている申請が含まれています。先にその出力の"
                    "移管を確認してください。"
                )
            )
        batch = TransferBatch.objects.create(
            created_by=actor,
            application_ids=[application.pk for application in applications],
            manifest_sha256=manifest_digest,
        )
        audit_record(
            action="records.transfer_export",
            actor=actor,
            target=batch,
            data={"receipts": [a.receipt_number for a in applications]},
            request=request,
        )
    return batch, archive


@transaction.atomic
def records_transfer_confirm(
    *, batch: TransferBatch, actor: Any, request: HttpRequest | None = None
) -> list[DisposalRecord]:
    """The archives received the batch: erase its applications here (移管)."""
    batch = TransferBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != TransferBatch.Status.EXPORTED:
        raise RecordsError(gettext("この出力はすでに移管済みです。"))
    records = [
        _erase(
            application,
            action=DisposalRecord.Action.TRANSFER,
            actor=actor,
            request=request,
            batch=batch,
        )
        for application in _due(batch.application_ids)
    ]
    batch.status = TransferBatch.Status.TRANSFERRED
    batch.confirmed_at = timezone.now()
    batch.confirmed_by = actor
    batch.save(update_fields=["status", "confirmed_at", "confirmed_by"])
    return records


def _transfer_archive(applications: list[Application]) -> tuple[IO[bytes], str]:
    """The ZIP for the archives and the SHA-256 of its manifest."""
    # Returned open: the FileResponse that streams it closes it.
    archive = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115
    entries = []
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zip_file:

        def add(path: str, data: bytes, kind: str) -> dict[str, Any]:
            zip_file.writestr(path, data)
            return {
                "path": path,
                "kind": kind,
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }

        for application in applications:
            folder = application.receipt_number
            files = [
                add(
                    f"{folder}/application.json",
                    _dumps(_record_json(application)),
                    "application",
                )
            ]
            document = document_for_application(application)
            if document is not None and document.is_issued:
                with document_open(document) as stored:
                    files.append(
                        add(f"{folder}/{document.filename}", stored.read(), "notice")
                    )
            for number, attachment in enumerate(application.attachments.all(), 1):
                with attachment.file.open("rb") as stored:
                    name = (
                        f"{folder}/attachments/{number:02d}-{attachment.original_name}"
                    )
                    files.append(add(name, stored.read(), "attachment"))
            version = application.procedure_version
            entries.append(
                {
                    "receipt_number": application.receipt_number,
                    "procedure": {
                        "code": version.procedure.code,
                        "title": version.title,
                        "version": version.number,
                    },
                    "status": application.status,
                    "submitted_at": _iso(application.submitted_at),
                    "closed_at": _iso(application.closed_at),
                    "retention_years": version.retention_years,
                    "document_number": document.number if document else "",
                    "files": files,
                }
            )
        manifest = _dumps(
            {
                "format": "e-shinsei transfer 1",
                "created_at": _iso(timezone.now()),
                "records": entries,
            }
        )
        zip_file.writestr("manifest.json", manifest)
    archive.seek(0)
    return archive, hashlib.sha256(manifest).hexdigest()


def _record_json(application: Application) -> dict[str, Any]:
    """The official record of one case: what was asked, what was done, by whom."""
    tasks = (
        CaseTask.objects.filter(application=application)
        .exclude(kind="")
        .select_related("acted_by", "on_behalf_of")
        .order_by("created", "id")
    )
    return {
        "receipt_number": application.receipt_number,
        "status": application.status,
        "applicant_name": application.applicant_name,
        # The addressee of the notice and the submitting account (issue 14).
        "addressee": application.addressee,
        "delivery_consent_at": _iso(application.delivery_consent_at),
        "answers": application.answers,
        "outcome": application.outcome.code if application.outcome_id else None,
        "decision_data": application.decision_data,
        "submitted_at": _iso(application.submitted_at),
        "decided_at": _iso(application.decided_at),
        "closed_at": _iso(application.closed_at),
        "events": [
            {
                "at": _iso(event.created_at),
                "kind": event.kind,
                **{
                    field.name: getattr(event, field.name)
                    for field in event._meta.concrete_fields
                    if field.get_internal_type() == "TextField"
                },
            }
            for event in application.events.order_by("created_at", "id")
        ],
        "approvals": [
            {
                "at": _iso(task.finished),
                "kind": task.kind,
                "level": task.level,
                "decision": task.decision,
                "by": task.acted_by.get_full_name() if task.acted_by else "",
                "on_behalf_of": task.on_behalf_of.get_full_name()
                if task.on_behalf_of
                else "",
                **{
                    field.name: getattr(task, field.name)
                    for field in task._meta.concrete_fields
                    if field.get_internal_type() == "TextField"
                },
            }
            for task in tasks
        ],
    }


def _iso(value: Any) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str).encode()

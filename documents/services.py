"""Issuing official documents: request, render, sign, store.

``document_request`` runs inside the workflow's final-decision transaction
and only writes rows: the document with its number and snapshot. Rendering,
signing and uploading happen after commit, outside any lock, in
``document_issue`` (a background job: ``core.background``, the database
queue or Celery), and again from ``document_issue_pending`` (the workers'
periodic poll, or cron) for anything left behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from core.japanese import era_of, fiscal_year
from documents.models import DocumentCounter, DocumentTemplate, IssuedDocument
from documents.rendering import release_memory
from documents.selectors import template_for_version
from procedures.outcomes import decision_data_display

logger = logging.getLogger(__name__)

Status = IssuedDocument.Status


def claim_lease() -> dt.timedelta:
    """How long a "working" claim stands before the poll takes it over.

    A worker that claimed a document and died leaves it "working"; staff may
    take it over sooner from the retry button (``document_retry_now``).
    """
    return dt.timedelta(seconds=settings.DOCUMENT_CLAIM_LEASE_SECONDS)


# --- Numbering --------------------------------------------------------------


def _next_serial(department: Any, year: int) -> int:
    """Take the next serial of a department's fiscal year (row-locked counter)."""
    for _attempt in range(3):
        updated = DocumentCounter.objects.filter(
            department=department, fiscal_year=year
        ).update(last_number=F("last_number") + 1)
        if updated:
            break
        try:
            with transaction.atomic():
                DocumentCounter.objects.create(
                    department=department, fiscal_year=year, last_number=1
                )
            break
        except IntegrityError:  # another request created the counter first
            continue
    return DocumentCounter.objects.get(
        department=department, fiscal_year=year
    ).last_number


def document_number(*, symbol: str, year: int, serial: int) -> str:
    """文書番号 such as 令8福政第00012号 (era and year of the fiscal year)."""
    era, era_year = era_of(dt.date(year, 4, 1))
    return f"{era.name[0]}{era_year}{symbol}第{serial:05d}号"


# --- Snapshot ---------------------------------------------------------------


def _display_rows(application: Any, shown: list[str]) -> list[dict[str, str]]:
    """The answers to print, as label/value pairs, in the form's order."""
    answers = application.answers or {}
    try:
        items = list(
            application.procedure_version.form_version.runtime.display(answers)
        )
    except Exception:
        # The form cannot describe its answers (older definition): print keys.
        logger.warning("form display failed for %s", application.pk, exc_info=True)
        items = [{"key": k, "label": k, "value": v} for k, v in answers.items()]
    # display() gives sections of items; flatten them in order.
    flat: list[Any] = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("items"), list):
            flat.extend(item["items"])
        else:
            flat.append(item)
    rows = []
    for item in flat:
        if isinstance(item, dict):
            key, label, value = item.get("key"), item.get("label"), item.get("value")
        elif isinstance(item, (tuple, list)) and len(item) >= 2:
            key, (label, value) = None, item[-2:]
        else:
            key = getattr(item, "key", None)
            label, value = getattr(item, "label", ""), getattr(item, "value", "")
        if shown and key not in shown and label not in shown:
            continue
        table = item.get("rows") if isinstance(item, dict) else None
        if table:
            # A repeating group (運搬車両, 世帯員) prints its rows, not their
            # count: one numbered line per row, each column with its label.
            value = _rows_text(table)
        elif isinstance(value, (list, tuple)):
            value = "、".join(str(v) for v in value)
        rows.append({"label": str(label or ""), "value": str(value or "")})
    return rows


def _rows_text(table: list[list[dict[str, Any]]]) -> str:
    lines = []
    for number, row in enumerate(table, start=1):
        cells = "、".join(
            f"{cell.get('label', '')}：{cell.get('value') or '—'}" for cell in row
        )
        lines.append(f"{number}　{cells}")
    return "\n".join(lines)


def _reason(application: Any, reason: str) -> str:
    if reason:
        return reason
    # 行政手続法第8条: a refusal states its reason; the workflow records it
    # on the decision event as the message to the applicant. The internal
    # comment beside it is for colleagues and is never printed (issue 11).
    from procedures.models import ApplicationEvent

    event = (
        application.events.filter(
            kind__in=(
                ApplicationEvent.Kind.DECIDED_REJECT,
                ApplicationEvent.Kind.DECIDED_APPROVE,
            )
        )
        .order_by("-created_at")
        .first()
    )
    return event.applicant_message if event else ""


def _addressee(application: Any, applicant: Any) -> dict[str, Any]:
    """The addressee block frozen at submission (procedures.addressee).

    Applications submitted before addressees were recorded fall back to the
    login account, as notices were addressed then.
    """
    block = dict(application.addressee or {})
    if not block:
        block = {
            "kind": "person",
            "name": application.applicant_name or applicant.full_name,
            "postal_code": getattr(applicant, "postal_code", ""),
            "address": getattr(applicant, "address", ""),
        }
    # The submitter's e-mail is nobody's business on the notice.
    block.pop("submitter", None)
    return block


def notice_title(application: Any, template: DocumentTemplate, approved: bool) -> str:
    """The outcome's own title (部分開示決定通知書), else the template's."""
    outcome = getattr(application, "outcome", None)
    if outcome is not None and outcome.notice_title:
        return outcome.notice_title
    return template.approval_title if approved else template.rejection_title


def _outcome_part(application: Any) -> dict[str, Any] | None:
    outcome = getattr(application, "outcome", None)
    if outcome is None:
        return None
    return {
        "code": outcome.code,
        "kind": outcome.kind,
        "label": outcome.label,
        "label_en": outcome.label_en,
    }


def _decision_items(application: Any) -> list[dict[str, Any]]:
    """The decided values as the notice prints them, in the decision form's order."""
    try:
        items = decision_data_display(
            outcome=getattr(application, "outcome", None),
            data=application.decision_data or {},
        )
    except Exception:
        # The decision form cannot describe the data: print keys and values.
        logger.warning("decision display failed for %s", application.pk, exc_info=True)
        items = [
            {"key": key, "label": key, "value": str(value)}
            for key, value in (application.decision_data or {}).items()
        ]
    return [
        {
            "key": item["key"],
            "label": str(item["label"]),
            "value": str(item["value"] or ""),
            "rows": item.get("rows") or [],
        }
        for item in items
    ]


def _local_date(value: dt.datetime | None) -> dt.date:
    return timezone.localdate(value) if value else timezone.localdate()


def build_snapshot(
    *,
    application: Any,
    template: DocumentTemplate,
    approved: bool,
    approval_record: list[dict[str, Any]],
    number: str,
    issued_on: dt.date,
    verification_url: str,
    reason: str = "",
) -> dict[str, Any]:
    """Everything printed on the document, frozen at the decision."""
    version = application.procedure_version
    applicant = application.applicant
    outcome = _outcome_part(application)
    # A partly favourable outcome is also a partial refusal: its reason is
    # printed as a refusal's is (行政手続法第8条).
    states_reason = not approved or (outcome or {}).get("kind") == "partial"
    return {
        "version": 1,
        "approved": approved,
        "title": notice_title(application, template, approved),
        "outcome": outcome,
        "decision": _decision_items(application),
        "decision_data": dict(application.decision_data or {}),
        "number": number,
        "issued_on": issued_on.isoformat(),
        "addressee": _addressee(application, applicant),
        "honorific": template.honorific,
        "print_seal": template.print_seal,
        "procedure": {
            "title": version.title,
            "receipt_number": application.receipt_number or "",
            "submitted_on": (
                _local_date(application.submitted_at).isoformat()
                if application.submitted_at
                else ""
            ),
        },
        "department": {
            "code": version.section.department.code,
            "name": version.section.department.name,
        },
        "section": {"name": version.section.name, "contact": version.section.contact},
        "issuer": settings.DOCUMENT_ISSUER,
        "fee_yen": version.fee_yen,
        "answers": _display_rows(application, list(template.shown_fields or [])),
        "reason": _reason(application, reason) if states_reason else "",
        "approvals": [dict(item) for item in approval_record],
        "verification_url": verification_url,
        "template": {
            "approval_text": template.approval_text,
            "rejection_text": template.rejection_text,
            "closing_text": template.closing_text,
            "html": template.html,
            "css": template.css,
        },
    }


# --- Preview of a draft (起案) -------------------------------------------------


def document_draft_preview(
    *,
    application: Any,
    outcome: Any,
    decision_data: dict[str, Any],
    reason: str,
    approval_record: list[dict[str, Any]],
) -> bytes:
    """The notice as the draft would issue it: marked 案, unnumbered, unsigned.

    Approvers approve the document and not only its data (起案 → 回議 → 決裁),
    so every level can read it; nothing is stored, numbered or signed.
    """
    import copy

    from documents.rendering import render_pdf

    preview = copy.copy(application)
    preview.outcome = outcome
    preview.decision_data = decision_data
    snapshot = build_snapshot(
        application=preview,
        template=template_for_version(application.procedure_version),
        approved=outcome.favourable,
        approval_record=approval_record,
        number="（案）",
        issued_on=timezone.localdate(),
        verification_url=f"{settings.SITE_URL}/verify/",
        reason=reason if outcome.reason_required else "",
    )
    snapshot["draft"] = True
    try:
        return render_pdf(snapshot, pdf_variant=None)
    finally:
        release_memory()


# --- Request (inside the decision's transaction) ----------------------------


def _enqueue(document_pk: int, *, run_after: dt.datetime | None = None) -> None:
    # A queue that is down loses nothing: the row is pending and the
    # periodic poll issues it.
    from core.background import enqueue
    from documents.tasks import issue_document

    enqueue(issue_document, document_pk, run_after=run_after)


@transaction.atomic
def document_request(
    *,
    application: Any,
    approved: bool,
    approval_record: list[dict[str, Any]],
    reason: str = "",
) -> IssuedDocument:
    """Number the notice of a final decision and schedule its issue after commit.

    Idempotent: a retried decision returns the document already requested,
    with its number; nothing is rendered or uploaded inside the transaction.
    """
    existing = IssuedDocument.objects.filter(application=application).first()
    if existing is not None:
        return existing
    version = application.procedure_version
    template = template_for_version(version)
    department = version.section.department
    issued_on = _local_date(application.decided_at)
    year = fiscal_year(issued_on)
    try:
        with transaction.atomic():
            serial = _next_serial(department, year)
            number = document_number(
                symbol=template.number_symbol or department.name,
                year=year,
                serial=serial,
            )
            document = IssuedDocument(
                application=application,
                approved=approved,
                department=department,
                fiscal_year=year,
                serial=serial,
                number=number,
                issued_on=issued_on,
                title=notice_title(application, template, approved),
                snapshot={},
                electronic_delivery=application.delivery_consent_at is not None,
            )
            document.snapshot = build_snapshot(
                application=application,
                template=template,
                approved=approved,
                approval_record=approval_record,
                number=number,
                issued_on=issued_on,
                verification_url=document.absolute_verification_url,
                reason=reason,
            )
            document.save()
    except IntegrityError:
        # A concurrent request for the same application won; its number stands
        # and ours was rolled back with the savepoint.
        return IssuedDocument.objects.get(application=application)
    transaction.on_commit(lambda: _enqueue(document.pk))
    return document


# --- Issue (after commit, outside any lock) ---------------------------------


def storage_key(document: IssuedDocument) -> str:
    """Deterministic: a retry after a crash finds the file it already uploaded."""
    return (
        f"documents/{document.fiscal_year}/{document.department.code}/"
        f"{document.public_id}.pdf"
    )


def render_and_sign(snapshot: dict[str, Any]) -> bytes:
    """The signed PDF/A of a snapshot."""
    from documents.rendering import render_pdf
    from documents.signing import get_signer

    pdf = render_pdf(snapshot)
    return get_signer().sign(
        pdf,
        reason=f"{snapshot.get('title', '')} {snapshot.get('number', '')}",
        location=settings.PREFECTURE_NAME,
    )


def _backoff(attempts: int) -> dt.timedelta:
    seconds = settings.DOCUMENT_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.DOCUMENT_RETRY_MAX_SECONDS))


def _claim(document: IssuedDocument) -> dt.datetime | None:
    """Take the row for this attempt; the claim's time is its token, or None."""
    now = timezone.now()
    claimable = Q(status__in=[Status.PENDING, Status.FAILED]) | Q(
        status=Status.WORKING, claimed_at__lt=now - claim_lease()
    )
    # A conditional UPDATE: of two workers, exactly one gets the row.
    claimed = IssuedDocument.objects.filter(claimable, pk=document.pk).update(
        status=Status.WORKING, claimed_at=now, attempts=F("attempts") + 1
    )
    return now if claimed else None


class ClaimLost(Exception):
    """Staff or the poll took the document over from this (slow) attempt."""


def _still_mine(document: IssuedDocument, claim: dt.datetime) -> None:
    # Checked before the upload: an attempt that was taken over must not
    # overwrite the file of the attempt that replaced it.
    if not IssuedDocument.objects.filter(
        pk=document.pk, status=Status.WORKING, claimed_at=claim
    ).exists():
        raise ClaimLost(document.number)


def _store(document: IssuedDocument, key: str, claim: dt.datetime) -> bytes:
    from documents.verification import check_signature

    storage = IssuedDocument._meta.get_field("file").storage
    if storage.exists(key):
        # Uploaded by an attempt that died before recording it: adopt it if it
        # is a whole document signed by us; a broken leftover was never issued
        # to anyone (issuing is the database record), so it is replaced.
        with storage.open(key, "rb") as stored:
            leftover = stored.read()
        if check_signature(leftover).valid:
            return leftover
        logger.warning("replacing an unusable leftover at %s", key)
        storage.delete(key)
    data = render_and_sign(document.snapshot)
    _still_mine(document, claim)
    saved = storage.save(key, ContentFile(data))
    if saved != key:  # pragma: no cover (the claim makes this a race we lost)
        storage.delete(saved)
        raise RuntimeError(f"{key} was stored as {saved}")
    return data


def document_issue(*, document: IssuedDocument) -> IssuedDocument:
    """Render, sign and store a requested document; record a failure for retry."""
    from documents.verification import signature_fingerprint
    from procedures.services import application_mark_document_ready

    claim = _claim(document)
    if claim is None:
        document.refresh_from_db()
        return document
    document.refresh_from_db()
    key = storage_key(document)
    try:
        data = _store(document, key, claim)
        fingerprint = signature_fingerprint(data)
    except ClaimLost:
        logger.warning("document %s was taken over; attempt dropped", document.number)
        document.refresh_from_db()
        return document
    except Exception as error:
        logger.exception("issuing document %s failed", document.number)
        IssuedDocument.objects.filter(
            pk=document.pk, status=Status.WORKING, claimed_at=claim
        ).update(
            status=Status.FAILED,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            next_attempt_at=timezone.now() + _backoff(document.attempts),
        )
        document.refresh_from_db()
        return document
    finally:
        release_memory()
    with transaction.atomic():
        document = IssuedDocument.objects.select_for_update().get(pk=document.pk)
        if document.status != Status.WORKING or document.claimed_at != claim:
            # Issued or taken over meanwhile: the file belongs to that attempt.
            return document
        document.file.name = key
        document.sha256 = hashlib.sha256(data).hexdigest()
        document.signature_sha256 = fingerprint
        document.size = len(data)
        document.status = Status.ISSUED
        document.stored_at = timezone.now()
        document.last_error = ""
        document.next_attempt_at = None
        document.save()
        application_mark_document_ready(
            application=document.application, approved=document.approved
        )
    return document


def document_issue_pending(*, limit: int = 100) -> dict[str, int]:
    """Issue every document that is due: pending, failed and due, or abandoned."""
    now = timezone.now()
    due = (
        IssuedDocument.objects.filter(
            Q(status=Status.PENDING)
            | Q(status=Status.FAILED, next_attempt_at__lte=now)
            | Q(status=Status.FAILED, next_attempt_at__isnull=True)
            | Q(status=Status.WORKING, claimed_at__lt=now - claim_lease())
        )
        .select_related("department")
        .order_by("created_at")[:limit]
    )
    counts = {"issued": 0, "failed": 0, "skipped": 0}
    for document in due:
        result = document_issue(document=document)
        if result.status == Status.ISSUED:
            counts["issued"] += 1
        elif result.status == Status.FAILED:
            counts["failed"] += 1
        else:
            counts["skipped"] += 1
    return counts


def document_issue_by_id(*, document_id: int) -> str:
    """The background job: issue one document, and queue its retry if it failed."""
    document = (
        IssuedDocument.objects.select_related("department")
        .filter(pk=document_id)
        .first()
    )
    if document is None:
        return "missing"
    document = document_issue(document=document)
    if document.status == Status.FAILED and document.next_attempt_at:
        # Beyond what the queue keeps, the periodic poll retries at the
        # capped interval, so nothing is dropped.
        _enqueue(document.pk, run_after=document.next_attempt_at)
    return document.status


def document_retry_now(
    *, document: IssuedDocument, actor: Any = None, request: Any = None
) -> bool:
    """Staff asked to retry a document at once (admin, case page).

    A failed document becomes due now. One left "working" by a worker that
    died (claimed more than ``DOCUMENT_CLAIM_GRACE_SECONDS`` ago, longer
    than any attempt may take) is taken back at once, without waiting for
    the lease: the attempt that held it, should it still be alive, finds
    its claim gone and stores nothing. Returns whether there was something
    to retry; the worker gets it after commit, and the poll if the queue is
    down. With ``actor`` (the Django admin's action) it is audited here.
    """
    now = timezone.now()
    due = IssuedDocument.objects.filter(pk=document.pk, status=Status.FAILED).update(
        next_attempt_at=now
    )
    if not due:
        due = IssuedDocument.objects.filter(
            pk=document.pk,
            status=Status.WORKING,
            claimed_at__lt=now - stale_claim_grace(),
        ).update(
            status=Status.FAILED,
            claimed_at=None,
            next_attempt_at=now,
        )
    if due and actor is not None:
        # The Django admin's action; the case page audits with the case.
        from core.audit import audit_record

        audit_record(
            action="documents.retry",
            actor=actor,
            target=document,
            data={"number": document.number, "was": document.status},
            request=request,
        )
    if due:
        transaction.on_commit(lambda: _enqueue(document.pk))
    return bool(due)


def stale_claim_grace() -> dt.timedelta:
    """After this long a "working" document may be taken back by staff."""
    return dt.timedelta(seconds=settings.DOCUMENT_CLAIM_GRACE_SECONDS)


def document_open(document: IssuedDocument) -> IO[bytes]:
    """The stored PDF, opened for reading (the caller closes it)."""
    if not document.is_issued:
        raise FileNotFoundError(document.number)
    return document.file.storage.open(document.file.name, "rb")


# --- Delivery -----------------------------------------------------------------


class DeliveryError(Exception):
    """A delivery step the document's state does not allow; ``message`` is for people."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def document_record_download(*, document: IssuedDocument, user: Any) -> bool:
    """Record the applicant's first download; True only for the first.

    One conditional UPDATE: of two downloads at the same moment, exactly one
    finds the column empty, so the time the applicant learned of the
    decision is recorded once and never moved.
    """
    return bool(
        IssuedDocument.objects.filter(
            pk=document.pk, first_downloaded_at__isnull=True
        ).update(first_downloaded_at=timezone.now(), first_downloaded_by=user)
    )


@transaction.atomic
def document_record_mailing(
    *, document: IssuedDocument, mailed_on: dt.date, method: str, actor: Any
) -> IssuedDocument:
    """The office printed and mailed the notice (発送日 and method)."""
    from django.utils.translation import gettext

    from documents.models import MailMethod

    document = IssuedDocument.objects.select_for_update().get(pk=document.pk)
    if not document.is_issued:
        raise DeliveryError(gettext("通知書はまだ発行されていません。"))
    if method not in MailMethod.values:
        raise DeliveryError(gettext("発送方法を選んでください。"), field="method")
    if mailed_on < document.issued_on:
        raise DeliveryError(
            gettext("発送日は発行日より前にできません。"), field="mailed_on"
        )
    if mailed_on > timezone.localdate():
        raise DeliveryError(
            gettext("発送日に未来の日付は入力できません。"), field="mailed_on"
        )
    document.mailed_on = mailed_on
    document.mail_method = method
    document.mailed_by = actor
    document.save(update_fields=["mailed_on", "mail_method", "mailed_by"])
    from core.audit import audit_record

    audit_record(
        action="document.mailed",
        actor=actor,
        target=document.application,
        data={"number": document.number, "mailed_on": str(mailed_on), "method": method},
    )
    return document


def documents_remind_unread(*, now: dt.datetime | None = None) -> int:
    """Remind applicants once of electronic notices unread for N days.

    ``DOCUMENT_UNREAD_REMINDER_DAYS`` after issue; each reminder is claimed by
    a conditional UPDATE before it is mailed, so two runs send it once.
    """
    from accounts.services import send_templated_mail

    now = now or timezone.now()
    days = settings.DOCUMENT_UNREAD_REMINDER_DAYS
    due = IssuedDocument.objects.filter(
        status=Status.ISSUED,
        electronic_delivery=True,
        first_downloaded_at__isnull=True,
        unread_reminded_at__isnull=True,
        stored_at__lte=now - dt.timedelta(days=days),
        # A closed account (退会) has no address to write to.
        application__applicant__is_active=True,
    ).select_related("application__applicant", "application__procedure_version")
    sent = 0
    for document in due:
        claimed = IssuedDocument.objects.filter(
            pk=document.pk, unread_reminded_at__isnull=True
        ).update(unread_reminded_at=now)
        if not claimed:
            continue
        application = document.application
        send_templated_mail(
            user=application.applicant,
            template="documents/email/unread_reminder",
            context={"application": application, "document": document},
        )
        sent += 1
    return sent


# --- Templates ----------------------------------------------------------------


@transaction.atomic
def document_template_save(
    *,
    procedure_version: Any,
    data: dict[str, Any],
    actor: Any = None,
    request: Any = None,
) -> DocumentTemplate:
    """Create or update a version's template after checking it compiles.

    Audited (``documents.template_edit``, with the fields that changed): the
    template is what every notice of the version will say.
    """
    from core.audit import audit_record

    template = template_for_version(procedure_version)
    # Compared with the stored row: a form may have set the values on this
    # very instance already.
    stored = (
        DocumentTemplate.objects.filter(pk=template.pk).values(*data).first()
        if template.pk
        else None
    ) or {}
    changed = sorted(
        name for name, value in data.items() if stored.get(name, object()) != value
    )
    for name, value in data.items():
        setattr(template, name, value)
    template.full_clean(exclude=["procedure_version"])
    template.save()
    audit_record(
        action="documents.template_edit",
        actor=actor,
        target=template,
        data={
            "procedure": procedure_version.procedure.code,
            "version": procedure_version.number,
            "fields": changed,
        },
        request=request,
    )
    return template


@transaction.atomic
def document_erase(*, application: Any) -> None:
    """Erase the notice of an application whose retention period ended.

    The row keeps its number, date and digests, so that someone holding the
    signed PDF can still learn that it was issued; the printed content and
    the stored file (personal data) go, the file after the commit.
    """
    document = (
        IssuedDocument.objects.select_for_update()
        .filter(application=application)
        .first()
    )
    if document is None:
        return
    name = document.file.name
    document.snapshot = {}
    document.file = ""
    document.last_error = ""
    document.save(update_fields=["snapshot", "file", "last_error"])
    if name:
        storage = IssuedDocument._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(name))

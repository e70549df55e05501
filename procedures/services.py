"""State changes of applications.

Every change of an application goes through a function here: the resident
portal, the workflow, the document issuer and the API all call these.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.services import send_templated_mail
from core.japanese import era_of, fiscal_year, processing_due_date
from procedures.engine import get_case_engine
from procedures.models import (
    Application,
    ApplicationEvent,
    ApplicationRevision,
    Attachment,
    Category,
    Outcome,
    Procedure,
    ProcedureVersion,
    ReceiptCounter,
)
from procedures.publishing import PublishProblem, publish_problems

Kind = ApplicationEvent.Kind
Status = Application.Status
EDITABLE_STATUSES = (Status.DRAFT, Status.AMENDMENT_REQUESTED)


class ApplicationError(Exception):
    """A request the application's state does not allow; ``message`` is for people."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class ApplicationInvalid(ApplicationError):
    """The answers do not pass the form's validation; ``errors`` by field key."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        from django.utils.translation import gettext

        super().__init__(gettext("入力内容に誤りがあります。"), code="invalid_answers")
        self.errors = errors


def _today() -> dt.date:
    return timezone.localdate()


def application_event_add(
    *,
    application: Application,
    kind: str,
    actor: Any = None,
    on_behalf_of: Any = None,
    applicant_message: str = "",
    internal_comment: str = "",
    data: dict[str, Any] | None = None,
    visible_to_applicant: bool = False,
) -> ApplicationEvent:
    """Append one line to the case's timeline.

    ``applicant_message`` is what the applicant reads (only on a line they
    see); ``internal_comment`` is for colleagues and never leaves the staff
    side.
    """
    event = ApplicationEvent(
        application=application,
        kind=kind,
        actor=actor,
        on_behalf_of=on_behalf_of,
        applicant_message=applicant_message,
        internal_comment=internal_comment,
        data=data or {},
        visible_to_applicant=visible_to_applicant,
    )
    batch = _event_batch.get()
    if batch is None:
        event.save(force_insert=True)
    elif not batch:
        batch.append(event)  # waits for the next line
    else:
        ApplicationEvent.objects.bulk_create([*batch, event])
        batch.clear()
        _event_batch.set(None)
    return event


# The line held by ``application_event_held`` until the next one is added.
_event_batch: ContextVar[list[ApplicationEvent] | None] = ContextVar(
    "application_event_batch", default=None
)


@contextmanager
def application_event_held() -> Iterator[None]:
    """Hold the next timeline line added and write it with the one after, in
    one INSERT (a claim and the decision that follows it, issue 15).

    Only that first line waits, and only until the next one: a reader later
    in the transaction (the notice's reason is read from the decision's
    line) finds every line. A line still waiting at the end of the block is
    written then; nothing is written when the block raises (its transaction
    rolls back anyway).
    """
    token = _event_batch.set([])
    pending: list[ApplicationEvent] = []
    try:
        yield
        pending = _event_batch.get() or []
    finally:
        _event_batch.reset(token)
    if pending:
        ApplicationEvent.objects.bulk_create(pending)


def _notify(application: Application, template: str, **context: Any) -> None:
    """Mail the applicant: written to the outbox in this transaction, sent after it."""
    send_templated_mail(
        user=application.applicant,
        template=f"procedures/email/{template}",
        context={"application": application, **context},
        about=application,
    )


# --- Drafts ---------------------------------------------------------------


def application_new(*, procedure: Procedure, applicant: Any) -> Application:
    """The draft ``application_start`` would create, unsaved: on the
    procedure's published version, pre-filled from the profile.

    For reading answers against the form before the draft exists (the
    API's one-request application, ``application_start(answers=…)``).
    """
    from django.utils.translation import gettext

    if not procedure.accepts_applications:
        raise ApplicationError(
            gettext("この手続は現在、申請を受け付けていません。"), code="not_accepting"
        )
    version = procedure.current_version
    return Application(
        procedure_version=version,
        applicant=applicant,
        answers=version.form_version.runtime.prefill(applicant),
    )


@transaction.atomic
def application_start(
    *,
    procedure: Procedure,
    applicant: Any,
    resume_draft: bool = False,
    answers: dict[str, Any] | None = None,
) -> Application:
    """Create a draft on the procedure's published version, pre-filled from the profile.

    With ``resume_draft``, the resident's latest draft of the procedure is
    returned instead when there is one (a double click makes one draft).
    ``answers`` (already read against the form, without files) are stored
    with the draft as ``application_save_answers`` would store them: the
    draft is written once instead of created, locked and written again.
    """
    application = application_new(procedure=procedure, applicant=applicant)
    if resume_draft:
        draft = (
            Application.objects.of(applicant)
            .filter(procedure_version__procedure=procedure, status=Status.DRAFT)
            .order_by("-updated_at")
            .first()
        )
        if draft is not None:
            return draft
    if answers:
        runtime = application.procedure_version.form_version.runtime
        application.answers = runtime.clean({**application.answers, **answers})
    application.save(force_insert=True)
    application_event_add(application=application, kind=Kind.CREATED, actor=applicant)
    return application


def _lock(application: Application) -> Application:
    """Re-read the application under a row lock (no-op on SQLite).

    Its version, procedure, form and applicant come in the same statement
    (only the application's row is locked): every caller reads them.
    """
    return (
        Application.objects.select_related(
            "procedure_version__procedure",
            "procedure_version__form_version",
            "procedure_version__section",
            "applicant",
        )
        .select_for_update(of=("self",))
        .get(pk=application.pk)
    )


def _require_editable(application: Application) -> None:
    from django.utils.translation import gettext

    if application.status not in EDITABLE_STATUSES:
        raise ApplicationError(
            gettext("この申請は提出済みのため、変更できません。"), code="not_editable"
        )


def attachment_store(
    *, application: Application, field_key: str, upload: UploadedFile
) -> Attachment:
    """Store one checked upload under a generated name and record its digest."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    from core.uploads import identify_content_type

    attachment = Attachment(
        application=application,
        field_key=field_key,
        original_name=upload.name[:255],
        content_type=identify_content_type(upload),
        size=upload.size,
        sha256=digest.hexdigest(),
    )
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def application_save_answers(
    *,
    application: Application,
    answers: dict[str, Any],
    new_files: dict[str, Iterable[UploadedFile]] | None = None,
) -> Application:
    """Merge one page's answers into a draft (or an amendment) and store its files.

    File answers are lists of references; new uploads are appended to what
    the field already holds.
    """
    application = _lock(application)
    _require_editable(application)
    merged = {**application.answers, **answers}
    for key, uploads in (new_files or {}).items():
        refs = list(merged.get(key) or [])
        for upload in uploads:
            refs.append(
                attachment_store(
                    application=application, field_key=key, upload=upload
                ).as_ref()
            )
        merged[key] = refs
    runtime = application.procedure_version.form_version.runtime
    application.answers = runtime.clean(merged)
    application.save(update_fields=["answers", "updated_at"])
    return application


def _delete_files_after_commit(names: list[str]) -> None:
    storage = Attachment._meta.get_field("file").storage

    def _remove() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(_remove)


@transaction.atomic
def application_keep_uploads(
    *, application: Application, new_files: dict[str, Iterable[UploadedFile]]
) -> Application:
    """Store checked uploads of a page that was not saved, with the draft.

    The page failed on another question (or was posted to add a row or
    reveal a question): the files the resident chose passed their own
    checks, so they are attached now rather than chosen again. Only the
    file answers change; the rest of the page is saved when it is valid.
    """
    application = _lock(application)
    _require_editable(application)
    answers = dict(application.answers)
    for key, uploads in new_files.items():
        refs = [ref for ref in answers.get(key) or [] if isinstance(ref, dict)]
        for upload in uploads:
            refs.append(
                attachment_store(
                    application=application, field_key=key, upload=upload
                ).as_ref()
            )
        answers[key] = refs
    # Not runtime.clean(): the stored answers may still hide the question
    # the page's new answers show; the next save of the page settles it.
    application.answers = answers
    application.save(update_fields=["answers", "updated_at"])
    return application


@transaction.atomic
def application_discard_draft(*, application: Application) -> None:
    """Delete a draft that was never submitted, with its files."""
    application = _lock(application)
    if application.status != Status.DRAFT:
        from django.utils.translation import gettext

        raise ApplicationError(
            gettext("提出済みの申請は削除できません。"), code="not_draft"
        )
    files = [attachment.file.name for attachment in application.attachments.all()]
    application.delete()
    _delete_files_after_commit(files)


# --- Submission -----------------------------------------------------------


_COUNTER_SQL = (
    f"UPDATE {ReceiptCounter._meta.db_table} SET last_number = last_number + 1"
    " WHERE procedure_id = %s AND fiscal_year = %s RETURNING last_number"
)


def _bump_counter(procedure_id: int, year: int) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(_COUNTER_SQL, [procedure_id, year])
        row = cursor.fetchone()
    return row[0] if row else None


def _next_receipt_number(application: Application) -> str:
    """The next number of the procedure's fiscal year, taken under the counter's row lock.

    One ``UPDATE … RETURNING`` (PostgreSQL, and SQLite since 3.35): the
    increment and the read are one statement, so two submissions never
    share a number. The year's first submission creates the counter.
    """
    procedure = application.procedure_version.procedure
    year = fiscal_year(_today())
    number = _bump_counter(procedure.pk, year)
    if number is None:
        try:
            with transaction.atomic():
                ReceiptCounter.objects.create(
                    procedure=procedure, fiscal_year=year, last_number=1
                )
            number = 1
        except IntegrityError:  # another submission created it first: it exists now
            number = _bump_counter(procedure.pk, year)
    era, era_year = era_of(dt.date(year, 4, 1))
    return f"{procedure.receipt_prefix}-{era.romaji[0]}{era_year}-{number:05d}"


def _validate(application: Application) -> dict[str, Any]:
    from procedures.addressee import submission_errors

    runtime = application.procedure_version.form_version.runtime
    answers = runtime.clean(application.answers)
    errors = runtime.validate(answers)
    for key, messages in submission_errors(
        application.procedure_version, answers
    ).items():
        errors.setdefault(key, []).extend(messages)
    if errors:
        raise ApplicationInvalid(errors)
    return answers


def _take_addressee(application: Application, delivery_consent: bool | None) -> None:
    """Freeze the addressee and the delivery consent of a (re)submission.

    The answers decide the addressee (procedures.addressee); the login
    account is recorded as the submitter beside it. Consent to electronic
    delivery counts only where the procedure asks for it.
    """
    from procedures.addressee import addressee_snapshot, display_name

    version = application.procedure_version
    application.addressee = addressee_snapshot(
        version=version, answers=application.answers, submitter=application.applicant
    )
    application.applicant_name = display_name(application.addressee)[:200]
    if delivery_consent is not None or application.revision <= 1:
        application.delivery_consent_at = (
            timezone.now()
            if version.asks_delivery_consent and delivery_consent
            else None
        )


def _snapshot(application: Application, *, submitted_at: dt.datetime) -> None:
    ApplicationRevision.objects.create(
        application=application,
        number=application.revision,
        answers=application.answers,
        submitted_at=submitted_at,
    )


@transaction.atomic
def application_submit(
    *, application: Application, delivery_consent: bool | None = None
) -> Application:
    """Submit a draft: receipt number, due date, history and a case, or nothing.

    ``delivery_consent`` is the applicant's answer to receiving the notice
    electronically (デジタル手続法第7条); without it the notice is mailed.
    Idempotent: a double click or a retried request finds the application
    already submitted and returns it unchanged.
    """
    from django.utils.translation import gettext

    application = _lock(application)
    if application.status != Status.DRAFT:
        if application.receipt_number:
            return application
        raise ApplicationError(gettext("この申請は提出できません。"), code="not_draft")
    procedure = application.procedure_version.procedure
    if not procedure.accepts_applications:
        raise ApplicationError(
            gettext("この手続は現在、申請を受け付けていません。"), code="not_accepting"
        )
    application.answers = _validate(application)
    now = timezone.now()
    version = application.procedure_version
    application.status = Status.SUBMITTED
    application.submitted_at = now
    application.revision = 1
    application.receipt_number = _next_receipt_number(application)
    _take_addressee(application, delivery_consent)
    application.due_date = processing_due_date(
        timezone.localdate(now),
        version.processing_days,
        business_days=version.processing_in_business_days,
    )
    application.save()
    _snapshot(application, submitted_at=now)
    application_event_add(
        application=application,
        kind=Kind.SUBMITTED,
        actor=application.applicant,
        visible_to_applicant=True,
    )
    get_case_engine().start(application)
    _notify(application, "submitted")
    return application


@transaction.atomic
def application_resubmit(
    *, application: Application, delivery_consent: bool | None = None
) -> Application:
    """Return an amended application to the office; the previous answers stay on record.

    The addressee is taken again from the amended answers; the consent stays
    as given unless the applicant answers again.
    """
    from django.utils.translation import gettext

    application = _lock(application)
    if application.status != Status.AMENDMENT_REQUESTED:
        if application.status in (Status.SUBMITTED, Status.UNDER_REVIEW):
            return application  # a retried resubmission
        raise ApplicationError(
            gettext("この申請は再提出できません。"), code="not_amendable"
        )
    application.answers = _validate(application)
    request = (
        application.events.filter(kind=Kind.AMENDMENT_REQUESTED)
        .order_by("-created_at")
        .first()
    )
    # The time the resident spends on an amendment is not the office's
    # processing time (行政手続法第6条): the due date moves by that much.
    if request and application.due_date:
        application.due_date += timezone.localdate() - timezone.localdate(
            request.created_at
        )
    application.status = Status.UNDER_REVIEW
    application.amendment_due_date = None
    application.revision += 1
    # A 補正 corrects the application; it is not a new one. Its 申請日 (on
    # the notice: 「…付けで申請のあった」, the receipt, the records) stays the
    # first submission's; each revision keeps its own time.
    _take_addressee(application, delivery_consent)
    application.save()
    _snapshot(application, submitted_at=timezone.now())
    application_event_add(
        application=application,
        kind=Kind.RESUBMITTED,
        actor=application.applicant,
        visible_to_applicant=True,
    )
    get_case_engine().resubmit(application)
    return application


@transaction.atomic
def application_withdraw(*, application: Application, reason: str) -> Application:
    """Withdraw (取下げ) before a decision; the case is cancelled cleanly."""
    from django.utils.translation import gettext

    application = _lock(application)
    if application.status == Status.WITHDRAWN:
        return application
    if not application.can_withdraw:
        raise ApplicationError(
            gettext("決定後の申請は取り下げられません。"), code="not_withdrawable"
        )
    get_case_engine().withdraw(application)
    application.status = Status.WITHDRAWN
    application.closed_at = timezone.now()
    application.save(update_fields=["status", "closed_at", "updated_at"])
    application_event_add(
        application=application,
        kind=Kind.WITHDRAWN,
        actor=application.applicant,
        applicant_message=reason,
        visible_to_applicant=True,
    )
    return application


# --- Called by the workflow and the document issuer ------------------------


def application_mark_under_review(*, application: Application) -> Application:
    """The office has started working on the case."""
    if application.status == Status.SUBMITTED:
        application.status = Status.UNDER_REVIEW
        application.save(update_fields=["status", "updated_at"])
    return application


def application_request_amendment(
    *,
    application: Application,
    actor: Any,
    applicant_message: str,
    fields: list[str],
    internal_comment: str = "",
    on_behalf_of: Any = None,
    due_date: dt.date | None = None,
) -> Application:
    """Ask the resident for corrections (補正) of the named fields.

    ``applicant_message`` tells the resident what to correct (page, API,
    e-mail); ``internal_comment`` stays with the office. ``due_date`` is the
    resident's deadline (補正期限); by default the version's
    ``amendment_days`` after today, moved off an office holiday.
    """
    application.status = Status.AMENDMENT_REQUESTED
    application.amendment_due_date = due_date or amendment_default_due_date(
        application.procedure_version
    )
    application.save(update_fields=["status", "amendment_due_date", "updated_at"])
    application_event_add(
        application=application,
        kind=Kind.AMENDMENT_REQUESTED,
        actor=actor,
        on_behalf_of=on_behalf_of,
        applicant_message=applicant_message,
        internal_comment=internal_comment,
        data={"fields": fields, "due_date": application.amendment_due_date.isoformat()},
        visible_to_applicant=True,
    )
    _notify(application, "amendment_requested", applicant_message=applicant_message)
    return application


def amendment_default_due_date(version: ProcedureVersion) -> dt.date:
    """The 補正期限 of a request made today under ``version``'s setting."""
    return processing_due_date(_today(), version.amendment_days, business_days=False)


def application_extend_due_date(
    *, application: Application, actor: Any, due_date: dt.date, reason: str
) -> Application:
    """延長: the office needs longer than the 標準処理期間.

    ``reason`` is written for the applicant: it is on their timeline and in
    the e-mail telling them the new expected date. The caller holds the
    application's lock and checks who may extend.
    """
    from django.utils.translation import gettext

    if not application.is_open:
        raise ApplicationError(
            gettext("処理中の申請だけ、処理期間を延長できます。"), code="not_open"
        )
    if application.due_date and due_date <= application.due_date:
        raise ApplicationError(
            gettext("新しい処理期限は、いまの処理期限より後の日にしてください。"),
            code="not_later",
        )
    if not reason.strip():
        raise ApplicationError(
            gettext("延長の理由を書いてください（申請者に表示されます）。"),
            code="reason_required",
        )
    previous = application.due_date
    application.due_date = due_date
    application.save(update_fields=["due_date", "updated_at"])
    application_event_add(
        application=application,
        kind=Kind.EXTENDED,
        actor=actor,
        applicant_message=reason.strip(),
        data={
            "from": previous.isoformat() if previous else None,
            "to": due_date.isoformat(),
        },
        visible_to_applicant=True,
    )
    _notify(application, "extended", reason=reason.strip(), previous=previous)
    return application


def application_record_decision(
    *,
    application: Application,
    outcome: Outcome,
    actor: Any,
    decision_data: dict[str, Any] | None = None,
    applicant_message: str = "",
    internal_comment: str = "",
    on_behalf_of: Any = None,
) -> Application:
    """The final decision is taken with one of the version's outcomes.

    ``decision_data`` is what was decided with it (交付決定額, 条件 …),
    already checked by the outcome's decision form. ``applicant_message`` is
    part of the decision the applicant reads (the reason of a refusal,
    行政手続法第8条); ``internal_comment`` is not.
    """
    approved = outcome.favourable
    application.status = Status.ISSUING
    application.decided_at = timezone.now()
    application.outcome = outcome
    application.decision_data = decision_data or {}
    application.save(
        update_fields=[
            "status",
            "decided_at",
            "outcome",
            "decision_data",
            "updated_at",
        ]
    )
    application_event_add(
        application=application,
        kind=Kind.DECIDED_APPROVE if approved else Kind.DECIDED_REJECT,
        actor=actor,
        on_behalf_of=on_behalf_of,
        applicant_message=applicant_message,
        internal_comment=internal_comment,
        data={
            "approved": approved,
            "outcome": outcome.code,
            "outcome_label": outcome.label,
            "outcome_label_en": outcome.label_en,
        },
        visible_to_applicant=True,
    )
    _notify(
        application,
        "decided",
        approved=approved,
        outcome=outcome,
        applicant_message=applicant_message,
    )
    return application


def application_mark_document_ready(
    *, application: Application, approved: bool
) -> Application:
    """The signed notice is stored: the case ends, the resident can download it."""
    application.status = Status.APPROVED if approved else Status.REJECTED
    application.closed_at = timezone.now()
    application.save(update_fields=["status", "closed_at", "updated_at"])
    application_event_add(
        application=application, kind=Kind.DOCUMENT_ISSUED, visible_to_applicant=True
    )
    _notify(application, "document_ready")
    return application


def application_message_add(
    *, application: Application, actor: Any, applicant_message: str
) -> ApplicationEvent:
    """A message from the office to the applicant (shown on their timeline)."""
    return application_event_add(
        application=application,
        kind=Kind.MESSAGE,
        actor=actor,
        applicant_message=applicant_message,
        visible_to_applicant=True,
    )


# --- Procedures: what administrators publish ------------------------------

VERSION_TEXT_FIELDS = (
    "title",
    "title_en",
    "summary",
    "summary_en",
    "keywords",
    "eligibility",
    "eligibility_en",
    "required_documents",
    "required_documents_en",
    "fee_yen",
    "fee_note",
    "fee_note_en",
    "contact",
    "contact_en",
    "processing_days",
    "processing_in_business_days",
    "amendment_days",
    "escalation_working_days",
    "retention_years",
)
# Who applies and how the notice is addressed and delivered: in packages as
# their own section ("applicant"), so older packages still import.
APPLICANT_FIELDS = (
    "applicant_kind",
    "allows_proxy",
    "addressee_fields",
    "asks_delivery_consent",
)
VERSION_FIELDS = (*VERSION_TEXT_FIELDS, *APPLICANT_FIELDS, "section", "form_version")


class ProcedureError(Exception):
    """A lifecycle step the procedure's state does not allow; ``message`` is for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _audit(action: str, *, actor: Any, target: Any, request: Any, **data: Any) -> None:
    from core.audit import audit_record

    audit_record(action=action, actor=actor, target=target, data=data, request=request)


@transaction.atomic
def procedure_create(
    *,
    code: str,
    receipt_prefix: str,
    category: Category | None,
    version_data: dict[str, Any],
    actor: Any,
    request: Any = None,
) -> Procedure:
    """A new procedure in draft, with its first draft version."""
    procedure = Procedure(code=code, receipt_prefix=receipt_prefix, category=category)
    procedure.full_clean()
    procedure.save()
    version = ProcedureVersion(procedure=procedure, number=1)
    for field in VERSION_FIELDS:
        if field in version_data:
            setattr(version, field, version_data[field])
    version.full_clean()
    version.save()
    _audit(
        "procedure.create", actor=actor, target=procedure, request=request, code=code
    )
    return procedure


@transaction.atomic
def procedure_update(
    *,
    procedure: Procedure,
    category: Category | None,
    actor: Any,
    request: Any = None,
) -> Procedure:
    """Change what is not versioned: the catalogue heading."""
    procedure.category = category
    procedure.save(update_fields=["category"])
    _audit(
        "procedure.update",
        actor=actor,
        target=procedure,
        request=request,
        category=category.code if category else None,
    )
    return procedure


@transaction.atomic
def procedure_version_update(
    *,
    version: ProcedureVersion,
    data: dict[str, Any],
    actor: Any,
    request: Any = None,
) -> ProcedureVersion:
    """Edit a draft version; published and superseded versions never change."""
    from django.utils.translation import gettext

    version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
    if not version.is_editable:
        raise ProcedureError(
            gettext("公開済みの版は変更できません。新しい版を作ってください。")
        )
    changed = [
        f for f in VERSION_FIELDS if f in data and getattr(version, f) != data[f]
    ]
    for field in changed:
        setattr(version, field, data[field])
    version.full_clean()
    version.save()
    _audit(
        "procedure.version_update",
        actor=actor,
        target=version,
        request=request,
        number=version.number,
        fields=changed,
    )
    return version


@transaction.atomic
def procedure_version_draft(
    *, procedure: Procedure, actor: Any, request: Any = None
) -> ProcedureVersion:
    """A new draft copied from the latest version, with its route and template.

    The registered package sections (route, document template) copy
    themselves through their own exporter and importer, so procedures does
    not need to know their models.
    """
    from django.utils.translation import gettext

    from procedures import packages

    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    if procedure.versions.filter(status=ProcedureVersion.Status.DRAFT).exists():
        raise ProcedureError(gettext("作成中の版がすでにあります。"))
    if procedure.status == Procedure.Status.RETIRED:
        raise ProcedureError(gettext("廃止した手続は変更できません。"))
    latest = procedure.versions.order_by("-number").first()
    version = ProcedureVersion(
        procedure=procedure, number=(latest.number + 1) if latest else 1
    )
    if latest is not None:
        for field in VERSION_FIELDS:
            setattr(version, field, getattr(latest, field))
    version.save()
    if latest is not None:
        packages.copy_sections(source=latest, target=version)
    _audit(
        "procedure.version_draft",
        actor=actor,
        target=version,
        request=request,
        number=version.number,
    )
    return version


class PublishRefused(ProcedureError):
    """The publish checks found errors, or warnings not yet accepted."""

    def __init__(self, problems: list[PublishProblem]) -> None:
        from django.utils.translation import gettext

        self.problems = problems
        self.errors = [p.message for p in problems if not p.warning]
        self.warnings = [p.message for p in problems if p.warning]
        super().__init__(
            gettext("公開できません。次の問題を直してください。")
            if self.errors
            else gettext("公開する前に、次の注意を確認してください。")
        )


@transaction.atomic
def procedure_version_publish(
    *,
    version: ProcedureVersion,
    actor: Any,
    request: Any = None,
    accept_warnings: bool = False,
) -> ProcedureVersion:
    """Publish a draft: it replaces the published version, which becomes 旧版.

    Applications already started keep the version they were started with.
    The addressee mapping and the checks of ``PROCEDURES_PUBLISH_CHECKS``
    (the route, for one) run first: any error refuses
    (:class:`PublishRefused`), and so do warnings unless ``accept_warnings``;
    accepted warnings are in the audit record.
    """
    from django.utils.translation import gettext

    procedure = Procedure.objects.select_for_update().get(pk=version.procedure_id)
    version = ProcedureVersion.objects.select_related("form_version").get(pk=version.pk)
    if version.status != ProcedureVersion.Status.DRAFT:
        raise ProcedureError(gettext("この版はすでに公開されています。"))
    if procedure.status == Procedure.Status.RETIRED:
        raise ProcedureError(gettext("廃止した手続は公開できません。"))
    if not version.form_version.is_published:
        raise ProcedureError(
            gettext(
                "申請フォームの版が公開されていません。先にフォームを公開してください。"
            )
        )
    from procedures.addressee import mapping_errors

    # The addressee first: a notice with the wrong addressee is unlawful.
    problems = mapping_errors(version) + publish_problems(version)
    if any(not p.warning for p in problems) or (problems and not accept_warnings):
        raise PublishRefused(problems)
    previous = procedure.current_version
    procedure.versions.filter(status=ProcedureVersion.Status.PUBLISHED).update(
        status=ProcedureVersion.Status.SUPERSEDED
    )
    version.status = ProcedureVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    procedure.current_version = version
    if procedure.status == Procedure.Status.DRAFT:
        procedure.status = Procedure.Status.PUBLISHED
    procedure.save(update_fields=["current_version", "status"])
    _audit(
        "procedure.publish",
        actor=actor,
        target=procedure,
        request=request,
        number=version.number,
        previous=previous.number if previous else None,
        accepted_warnings=[p.message for p in problems],
    )
    return version


_TRANSITIONS = {
    Procedure.Status.SUSPENDED: (Procedure.Status.PUBLISHED,),
    Procedure.Status.PUBLISHED: (Procedure.Status.SUSPENDED,),
    Procedure.Status.RETIRED: (
        Procedure.Status.DRAFT,
        Procedure.Status.PUBLISHED,
        Procedure.Status.SUSPENDED,
    ),
}


@transaction.atomic
def procedure_set_status(
    *, procedure: Procedure, status: str, actor: Any, request: Any = None
) -> Procedure:
    """Suspend (受付停止), resume or retire (廃止) a procedure.

    Open applications continue either way: only new applications and new
    submissions are refused.
    """
    from django.utils.translation import gettext

    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    allowed_from = _TRANSITIONS.get(status)
    if allowed_from is None or procedure.status not in allowed_from:
        raise ProcedureError(gettext("この状態には変更できません。"))
    if status == Procedure.Status.PUBLISHED and procedure.current_version_id is None:
        raise ProcedureError(gettext("公開中の版がありません。"))
    previous = procedure.status
    procedure.status = status
    procedure.save(update_fields=["status"])
    _audit(
        "procedure.status",
        actor=actor,
        target=procedure,
        request=request,
        previous=previous,
        status=status,
    )
    return procedure


# --- Retention ------------------------------------------------------------


@transaction.atomic
def application_erase(*, application: Application) -> Application:
    """Erase a closed application's personal data at the end of its retention.

    The row stays, anonymous (procedure, receipt number, dates, outcome), so
    that numbers and statistics hold; answers, the applicant's link, the
    timeline, earlier revisions and the files go. Files are deleted after
    the commit, never before the rows that name them.
    """
    application = _lock(application)
    files = [attachment.file.name for attachment in application.attachments.all()]
    application.attachments.all().delete()
    application.revisions.all().delete()
    application.events.all().delete()
    application.answers = {}
    application.applicant_name = ""
    application.addressee = {}
    # The decided values may name people (不開示とした部分とその理由).
    application.decision_data = {}
    application.applicant = None
    application.disposed_at = timezone.now()
    application.save(
        update_fields=[
            "answers",
            "applicant_name",
            "addressee",
            "decision_data",
            "applicant",
            "disposed_at",
            "updated_at",
        ]
    )
    _delete_files_after_commit(files)
    return application


def drafts_purge(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Remind, then delete, drafts left alone (returns reminded, deleted).

    A draft untouched for ``DRAFT_RETENTION_DAYS`` is deleted, but only after
    its resident was told ``DRAFT_REMINDER_DAYS`` beforehand; saving the
    draft again starts a new period. Safe to run from two schedulers: the
    reminder is claimed by a conditional UPDATE before it is mailed.
    """
    from django.conf import settings
    from django.db.models import F, Q

    now = now or timezone.now()
    keep = dt.timedelta(days=settings.DRAFT_RETENTION_DAYS)
    lead = dt.timedelta(days=settings.DRAFT_REMINDER_DAYS)
    drafts = Application.objects.filter(status=Status.DRAFT)
    reminded = 0
    not_reminded = Q(purge_reminded_at__isnull=True) | Q(
        purge_reminded_at__lt=F("updated_at")
    )
    for application in drafts.filter(not_reminded, updated_at__lt=now - keep + lead):
        with transaction.atomic():
            claimed = (
                Application.objects.filter(pk=application.pk, status=Status.DRAFT)
                .filter(not_reminded)
                .update(purge_reminded_at=now)
            )
            if claimed:
                reminded += 1
                _notify(
                    application,
                    "draft_purge_reminder",
                    delete_on=timezone.localdate(now + lead),
                )
    deleted = 0
    for application in drafts.filter(
        updated_at__lt=now - keep,
        purge_reminded_at__gte=F("updated_at"),
        purge_reminded_at__lte=now - lead,
    ):
        application_discard_draft(application=application)
        deleted += 1
    return reminded, deleted


@transaction.atomic
def resident_account_close(*, user: Any) -> None:
    """Close a resident's account (退会) at their request.

    Drafts go with their files; submitted applications stay under their
    procedures' retention rules (they are the prefecture's records), linked
    to an account that can no longer sign in and that holds no profile.
    """
    for draft in Application.objects.of(user).filter(status=Status.DRAFT):
        application_discard_draft(application=draft)
    user.external_identities.all().delete()
    user.email = f"closed-{user.pk}@closed.invalid"
    user.full_name = user.full_name_kana = ""
    user.postal_code = user.address = user.phone = ""
    user.birth_date = None
    user.business_name = user.corporate_number = user.business_address = ""
    user.business_postal_code = ""
    user.representative_title = user.representative_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()


@transaction.atomic
def category_save(
    *,
    category: Category | None = None,
    code: str,
    name: str,
    name_en: str = "",
    order: int = 0,
    actor: Any,
    request: Any = None,
) -> Category:
    """Create a heading of the catalogue (手続の分類), or change one."""
    category = category or Category()
    created = category.pk is None
    category.code, category.name, category.name_en, category.order = (
        code,
        name,
        name_en,
        order,
    )
    category.full_clean()
    category.save()
    _audit(
        "procedure.category.create" if created else "procedure.category.update",
        actor=actor,
        target=category,
        request=request,
        code=code,
        name=name,
    )
    return category

"""Reads that span relations: the catalogue, a resident's applications, timelines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import get_language, gettext

from procedures.models import (
    Application,
    ApplicationEvent,
    Attachment,
    Category,
    Procedure,
    ProcedureVersion,
)

# Suspended procedures stay findable, marked as not accepting applications.
VISIBLE_STATUSES = (Procedure.Status.PUBLISHED, Procedure.Status.SUSPENDED)


def catalogue_procedures(*, query: str = "", category: str = "") -> QuerySet[Procedure]:
    """Published (and suspended) procedures, filtered by words and category.

    Every word must appear in the title, summary or keywords (ja or en), so
    "介護 補助" narrows the list the way people expect of a search box.
    """
    procedures = (
        Procedure.objects.filter(
            status__in=VISIBLE_STATUSES, current_version__isnull=False
        )
        .select_related(
            "category",
            "current_version__section__department",
        )
        .order_by("category__order", "category__code", "code")
    )
    if category:
        procedures = procedures.filter(category__code=category)
    for word in query.split()[:8]:
        procedures = procedures.filter(
            Q(current_version__title__icontains=word)
            | Q(current_version__title_en__icontains=word)
            | Q(current_version__summary__icontains=word)
            | Q(current_version__summary_en__icontains=word)
            | Q(current_version__keywords__icontains=word)
            | Q(code__icontains=word)
        )
    return procedures


def catalogue_categories() -> QuerySet[Category]:
    """Categories with the number of published procedures in each (empty ones hidden)."""
    return (
        Category.objects.annotate(
            published=Count(
                "procedures",
                filter=Q(
                    procedures__status__in=VISIBLE_STATUSES,
                    procedures__current_version__isnull=False,
                ),
            )
        )
        .filter(published__gt=0)
        .order_by("order", "code")
    )


def procedure_for_resident(*, code: str) -> Procedure:
    """A procedure a resident may read about: published or suspended, else 404."""
    procedure = (
        Procedure.objects.select_related(
            "category", "current_version__section__department"
        )
        .filter(
            code=code,
            status__in=VISIBLE_STATUSES,
            current_version__isnull=False,
        )
        .first()
    )
    if procedure is None:
        raise Http404
    return procedure


def applications_of(*, user: Any) -> QuerySet[Application]:
    """A resident's applications with what the list shows, newest first."""
    return (
        Application.objects.of(user)
        # outcome: a decided application's status is said in its words
        # (Application.status_text), one query per row otherwise.
        .select_related("procedure_version__procedure", "outcome")
        .order_by("-created_at")
    )


def application_of(*, user: Any, public_id: Any) -> Application:
    """One of ``user``'s applications; anyone else's is a 404, never a 403."""
    application = (
        Application.objects.of(user)
        .select_related(
            "procedure_version__procedure",
            "procedure_version__section__department",
            "procedure_version__form_version",
        )
        .filter(public_id=public_id)
        .first()
    )
    if application is None:
        raise Http404
    return application


def drafts_of(*, user: Any, procedure: Procedure) -> QuerySet[Application]:
    """The resident's unsubmitted drafts of one procedure, to resume."""
    if not getattr(user, "is_authenticated", False):
        return Application.objects.none()
    return Application.objects.of(user).filter(
        procedure_version__procedure=procedure, status=Application.Status.DRAFT
    )


@dataclass(frozen=True)
class DraftSummary:
    """What tells one draft from another: the page reached and first answers."""

    page: int
    pages: int
    answers: str


_SUMMARY_ANSWERS = 2
_SUMMARY_VALUE_CHARS = 20


def draft_summary(*, application: Application) -> DraftSummary:
    """The last page with an answer (1-based, of the visible pages) and the
    first answers as text, so that several drafts of one procedure can be told
    apart on the pages that offer to resume them."""
    runtime = application.procedure_version.form_version.runtime
    sections = runtime.display(application.answers)
    page = 0
    texts: list[str] = []
    for number, section in enumerate(sections, start=1):
        for item in section["items"]:
            value = str(item["value"] or "").strip()
            if not value and not item["files"] and not item.get("rows"):
                continue
            page = number
            if value and len(texts) < _SUMMARY_ANSWERS:
                value = " ".join(value.split())
                if len(value) > _SUMMARY_VALUE_CHARS:
                    value = value[:_SUMMARY_VALUE_CHARS] + "…"
                texts.append(f"{item['label']}: {value}")
    return DraftSummary(
        page=max(page, 1),
        pages=max(len(sections), 1),
        answers=gettext("、").join(texts),
    )


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the applicant's timeline: only what is meant for them.

    Built from the event's kind, time and ``applicant_message`` alone, so no
    resident page, API answer or e-mail can reach an internal comment, an
    actor's name or the event's data (issue 11).
    """

    kind: str
    created_at: dt.datetime
    message: str
    # The outcome's own words on a decision line (開示決定, not 許可); they
    # are written for residents (issue 14).
    outcome: str = ""

    @property
    def label(self) -> str:
        if self.outcome:
            return gettext("決定（%(outcome)s）") % {"outcome": self.outcome}
        return str(ApplicationEvent.Kind(self.kind).label)


@dataclass(frozen=True)
class AmendmentRequest:
    """The latest 補正 request as the applicant reads it: what and where to correct."""

    message: str
    fields: list[str]
    requested_at: dt.datetime


def application_timeline(*, application: Application) -> list[TimelineEntry]:
    """The events the applicant may see, oldest first, as ``TimelineEntry``."""
    rows = (
        application.events.filter(visible_to_applicant=True)
        .order_by("created_at", "id")
        .values_list("kind", "created_at", "applicant_message", "data")
    )
    english = (get_language() or "ja").startswith("en")
    entries = []
    for kind, created_at, message, data in rows:
        data = data if isinstance(data, dict) else {}
        outcome = (english and data.get("outcome_label_en")) or data.get(
            "outcome_label", ""
        )
        entries.append(TimelineEntry(kind, created_at, message, str(outcome or "")))
    return entries


def application_amendment_request(
    *, application: Application
) -> AmendmentRequest | None:
    """The latest 補正 request of an application, if any."""
    row = (
        application.events.filter(
            kind=ApplicationEvent.Kind.AMENDMENT_REQUESTED, visible_to_applicant=True
        )
        .order_by("-created_at", "-id")
        .values_list("applicant_message", "data", "created_at")
        .first()
    )
    if row is None:
        return None
    message, data, requested_at = row
    fields = data.get("fields") if isinstance(data, dict) else None
    return AmendmentRequest(
        message=message,
        fields=[str(key) for key in fields or []],
        requested_at=requested_at,
    )


def application_attachment(
    *, application: Application, attachment_id: int
) -> Attachment:
    """One attachment of an application the caller already owns, else 404."""
    attachment = application.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return attachment


def application_documents(*, application: Application) -> list[Any]:
    """The issued notices ready to download (documents app, via its related name)."""
    manager = getattr(application, "documents", None)
    if manager is None:
        return []
    # Without consent to electronic delivery the notice is mailed, not offered
    # here (デジタル手続法第7条).
    return [
        doc
        for doc in manager.all()
        if getattr(doc, "status", "") == "issued"
        and getattr(doc, "electronic_delivery", True)
    ]


def procedures_for_admin() -> QuerySet[Procedure]:
    """Every procedure with its published version and category, for the admin list."""
    return Procedure.objects.select_related(
        "category", "current_version__section"
    ).prefetch_related(
        Prefetch(
            "versions",
            queryset=ProcedureVersion.objects.filter(
                status=ProcedureVersion.Status.DRAFT
            ).only("id", "procedure_id", "number", "status", "title"),
            to_attr="draft_versions",
        )
    )

"""Finding cases: the staff search over every case a caseworker may see.

Open and closed cases alike (decided, rejected, withdrawn), filtered in
SQL by the same visibility rule as ``selectors.case_for_staff``: a post of
the user's (or one they stand in for) is on the case's chain or
consultations (``Case.slots``), or the user has had one of its tasks or
post-reviews. A row the user may not open never reaches the page or the
CSV. Pages are keyset pages on (first submission, id): no COUNT.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from documents.models import IssuedDocument
from organisation.selectors import SlotGrant
from procedures.models import Application, Procedure
from workflow import selectors
from workflow.models import Case, CaseTask, PostReview

PAGE_SIZE = 50
Status = Application.Status

SEARCH_FIELDS = (
    "created",
    "status",
    "level",
    "chain",
    "application__public_id",
    "application__status",
    "application__receipt_number",
    "application__applicant_name",
    "application__submitted_at",
    "application__due_date",
    "application__amendment_due_date",
    "application__decided_at",
    "application__closed_at",
    "application__procedure_version__title",
    "application__procedure_version__title_en",
)


class CaseSearchForm(forms.Form):
    """The search's filters; every one optional, bad input answered by field."""

    q = forms.CharField(
        label=_("受付番号・申請者名"), max_length=100, required=False, strip=True
    )
    procedure = forms.ModelChoiceField(
        label=_("手続"),
        queryset=Procedure.objects.none(),
        required=False,
        empty_label=_("すべて"),
    )
    status = forms.ChoiceField(label=_("状態"), required=False)
    level = forms.IntegerField(
        label=_("現在の段階（1から）"), min_value=1, max_value=50, required=False
    )
    submitted_from = forms.DateField(label=_("受付日（から）"), required=False)
    submitted_to = forms.DateField(label=_("受付日（まで）"), required=False)
    decided_from = forms.DateField(label=_("決定日（から）"), required=False)
    decided_to = forms.DateField(label=_("決定日（まで）"), required=False)
    overdue = forms.BooleanField(
        label=_("処理期限を過ぎた処理中の案件のみ"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = (
            Procedure.objects.exclude(current_version=None)
            .select_related("current_version")
            .order_by("code")
        )
        self.fields["status"].choices = [
            ("", gettext("すべて")),
            ("open", gettext("処理中（すべて）")),
            *[(value, label) for value, label in Status.choices if value != "draft"],
            ("amendment_overdue", gettext("補正期限切れ")),
        ]
        for name in ("submitted_from", "submitted_to", "decided_from", "decided_to"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"})
        for name, field in self.fields.items():
            if name != "overdue":
                css = "form-select" if isinstance(field, forms.ChoiceField) else ""
                field.widget.attrs["class"] = css or "form-control"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for start, end in (
            ("submitted_from", "submitted_to"),
            ("decided_from", "decided_to"),
        ):
            if data.get(start) and data.get(end) and data[start] > data[end]:
                self.add_error(end, gettext("終わりの日は始めの日以降にしてください。"))
        return data


def _slots_overlap(slots: list[str]) -> RawSQL:
    """``Case.slots`` (a JSON list) shares an element with ``slots``.

    Written per database: PostgreSQL's ``?|`` on jsonb, SQLite's json_each.
    The outer query is on ``Case``, so its table is not aliased.
    """
    table = Case._meta.db_table
    if connection.vendor == "postgresql":
        return RawSQL(
            f'"{table}"."slots" ?| %s::text[]', (slots,), output_field=BooleanField()
        )
    marks = ", ".join(["%s"] * len(slots))
    return RawSQL(
        f'EXISTS (SELECT 1 FROM json_each("{table}"."slots") '
        f"WHERE json_each.value IN ({marks}))",
        tuple(slots),
        output_field=BooleanField(),
    )


def visible_cases(*, user: Any, grants: list[SlotGrant]) -> QuerySet[Case]:
    """Every case ``user`` may open (the rule of ``selectors.case_for_staff``).

    Not to be nested as a sub-query (its SQL names the case table).
    """
    involved = Exists(
        CaseTask.objects.filter(process=OuterRef("pk")).filter(
            Q(owner=user) | Q(acted_by=user)
        )
    ) | Exists(
        PostReview.objects.filter(application=OuterRef("application_id"), holder=user)
    )
    slots = sorted({grant.slot for grant in grants})
    visible = Q(involved)
    if slots:
        visible = Q(_slots_overlap(slots)) | visible
    return Case.objects.filter(visible)


def withdrawn_claims(*, user: Any, days: int = 14) -> list[dict[str, Any]]:
    """Cases withdrawn in the last ``days`` while ``user`` had claimed a task.

    The withdrawal cancels the task, so it leaves "your cases" without a
    word; the inbox says what became of it.
    """
    since = timezone.now() - dt.timedelta(days=days)
    return list(
        CaseTask.objects.filter(
            owner=user,
            status="CANCELED",
            application__status=Status.WITHDRAWN,
            application__closed_at__gte=since,
        )
        .order_by("-application__closed_at")
        .values(
            "application__public_id",
            "application__receipt_number",
            "application__closed_at",
        )
        .distinct()[:20]
    )


def _local_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def case_search(
    *, user: Any, grants: list[SlotGrant], filters: dict[str, Any]
) -> QuerySet[Case]:
    """The cases matching ``filters`` (a valid ``CaseSearchForm``'s data), newest first."""
    cases = visible_cases(user=user, grants=grants)
    q = (filters.get("q") or "").strip()
    if q:
        cases = cases.filter(
            Q(application__receipt_number__istartswith=q)
            | Q(application__applicant_name__icontains=q)
        )
    if filters.get("procedure"):
        cases = cases.filter(procedure=filters["procedure"])
    status = filters.get("status")
    if status == "open":
        cases = cases.filter(application__status__in=Application.OPEN_STATUSES)
    elif status == "amendment_overdue":
        cases = cases.filter(
            application__status=Status.AMENDMENT_REQUESTED,
            application__amendment_due_date__lt=timezone.localdate(),
        )
    elif status:
        cases = cases.filter(application__status=status)
    if filters.get("level"):
        cases = cases.filter(level=filters["level"] - 1, status="NEW")
    one_day = dt.timedelta(days=1)
    # The 受付日 is the first submission (the case's start): a resubmission
    # after a 補正 does not move the case in the 受付簿.
    if filters.get("submitted_from"):
        cases = cases.filter(created__gte=_local_start(filters["submitted_from"]))
    if filters.get("submitted_to"):
        cases = cases.filter(
            created__lt=_local_start(filters["submitted_to"] + one_day)
        )
    if filters.get("decided_from"):
        cases = cases.filter(
            application__decided_at__gte=_local_start(filters["decided_from"])
        )
    if filters.get("decided_to"):
        cases = cases.filter(
            application__decided_at__lt=_local_start(filters["decided_to"] + one_day)
        )
    if filters.get("overdue"):
        cases = cases.filter(
            application__status__in=Application.OPEN_STATUSES,
            application__due_date__lt=timezone.localdate(),
        )
    return cases.select_related("application__procedure_version").only(*SEARCH_FIELDS)


@dataclass
class SearchPage:
    """One page of cases and the cursor of the next (None on the last page)."""

    cases: list[Case]
    next_cursor: str | None


def case_search_page(
    *,
    user: Any,
    grants: list[SlotGrant],
    filters: dict[str, Any],
    cursor: str = "",
    page_size: int = PAGE_SIZE,
) -> SearchPage:
    """One keyset page of ``case_search``, newest case first."""
    cases = case_search(user=user, grants=grants, filters=filters)
    # The inbox's reading of a cursor: anything we did not write is page 1.
    after = selectors._parse_cursor(cursor, "created")
    if after is not None:
        value, pk = after
        cases = cases.filter(Q(created__lt=value) | Q(created=value, pk__lt=pk))
    rows = list(cases.order_by("-created", "-pk")[: page_size + 1])
    next_cursor = None
    if len(rows) > page_size:
        last = rows[page_size - 1]
        next_cursor = f"{last.created.isoformat()}|{last.pk}"
    return SearchPage(cases=rows[:page_size], next_cursor=next_cursor)


def current_step_label(case: Case) -> str:
    """The post the case waits for, or "" once it is closed."""
    if case.status != "NEW" or case.level >= len(case.chain):
        return ""
    return case.chain[case.level]["position"]


def csv_header() -> list[str]:
    return [
        gettext("受付番号"),
        gettext("受付日"),
        gettext("手続"),
        gettext("申請者名"),
        gettext("状態"),
        gettext("現在の段階"),
        gettext("処理期限"),
        gettext("決定日"),
        gettext("決定"),
        gettext("文書番号"),
        gettext("終了日"),
        gettext("補正期限"),
    ]


def _day(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value)
    return value.isoformat()


def case_search_csv_rows(
    *, user: Any, grants: list[SlotGrant], filters: dict[str, Any]
) -> Iterator[list[str]]:
    """The rows of the 受付簿/処理簿 export: header first, newest case first."""
    number = IssuedDocument.objects.filter(application=OuterRef("application_id"))
    cases = (
        case_search(user=user, grants=grants, filters=filters)
        .annotate(
            document_number=Subquery(number.values("number")[:1]),
            document_approved=Subquery(number.values("approved")[:1]),
        )
        .order_by("-created", "-pk")
    )
    yield csv_header()
    for case in cases.iterator(chunk_size=500):
        application = case.application
        if case.document_approved is None:
            outcome = ""
        else:
            outcome = gettext("許可") if case.document_approved else gettext("不許可")
        yield [
            application.receipt_number or "",
            _day(case.created),
            application.procedure_version.title_text,
            application.applicant_name,
            application.get_status_display(),
            current_step_label(case),
            _day(application.due_date),
            _day(application.decided_at),
            outcome,
            case.document_number or "",
            _day(application.closed_at),
            _day(application.amendment_due_date)
            if application.status == Status.AMENDMENT_REQUESTED
            else "",
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterator[list[str]]) -> Iterator[str]:
    """CSV text line by line, after a byte order mark so that Excel reads UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow(row)


def case_search_export_record(
    *, user: Any, filters: dict[str, Any], request: Any = None
) -> None:
    """Audit a CSV export: personal data of many cases leaves the platform."""
    summary = {
        key: (value.pk if hasattr(value, "pk") else str(value))
        for key, value in filters.items()
        if value not in (None, "", False)
    }
    with transaction.atomic():
        audit_record(
            action="workflow.case_search_export",
            actor=user,
            data={"filters": summary},
            request=request,
        )

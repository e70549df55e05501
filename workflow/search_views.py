"""The staff case search and its CSV export (受付簿/処理簿)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from core.decorators import caseworker_required
from organisation.selectors import user_slot_grants
from workflow import queue, search


def _form(request: HttpRequest) -> search.CaseSearchForm:
    # An empty search is a valid one (every visible case, newest first).
    data = request.GET.copy()
    data.pop("after", None)
    return search.CaseSearchForm(data)


@caseworker_required
def case_search(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if not form.is_valid():
        return render(
            request, "workflow/case_search.html", {"form": form, "rows": []}, status=400
        )
    grants = user_slot_grants(request.user)
    page = search.case_search_page(
        user=request.user,
        grants=grants,
        filters=form.cleaned_data,
        cursor=request.GET.get("after", ""),
    )
    today = timezone.localdate()
    rows = [
        {
            "url": reverse("workflow:case_detail", args=[case.application.public_id]),
            "receipt_number": case.application.receipt_number,
            "applicant_name": case.application.applicant_name,
            "procedure": case.application.procedure_version.title_text,
            "status": case.application.get_status_display(),
            "withdrawn": case.application.status == "withdrawn",
            "amendment_overdue": case.application.amendment_overdue,
            "step": search.current_step_label(case),
            "submitted": case.created,
            "due_date": case.application.due_date,
            "overdue": bool(
                case.application.is_open
                and case.application.due_date
                and case.application.due_date < today
            ),
            "decided_at": case.application.decided_at,
            "public_id": case.application.public_id,
            "open": case.status == "NEW",
        }
        for case in page.cases
    ]
    query = request.GET.copy()
    query.pop("after", None)
    next_query = None
    if page.next_cursor:
        following = query.copy()
        following["after"] = page.next_cursor
        next_query = following.urlencode()
    return render(
        request,
        "workflow/case_search.html",
        {
            "form": form,
            "rows": rows,
            "searched": bool(request.GET),
            "next_query": next_query,
            "is_later_page": bool(request.GET.get("after")),
            "first_query": query.urlencode(),
            # Bulk assignment (issue 15): colleagues of the user's sections.
            "assignees": queue.assign_candidates(grants=grants) if rows else [],
        },
    )


@caseworker_required
def case_search_export(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if not form.is_valid():
        return render(
            request, "workflow/case_search.html", {"form": form, "rows": []}, status=400
        )
    search.case_search_export_record(
        user=request.user, filters=form.cleaned_data, request=request
    )
    rows = search.case_search_csv_rows(
        user=request.user,
        grants=user_slot_grants(request.user),
        filters=form.cleaned_data,
    )
    response = StreamingHttpResponse(
        search.csv_lines(rows), content_type="text/csv; charset=utf-8"
    )
    name = f"cases-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response

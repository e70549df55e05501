"""The organisation screens (/manage/organisation/) for 所属管理者.

Each view parses a form, calls one service of ``organisation.services`` and
answers; nothing here needs the Django admin or a superuser.
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from core.decorators import organisation_administrator_required
from organisation import csv_import as csv_import_module
from organisation import forms, services
from organisation.models import Absence, Assignment, Department, Position, Section

PAGE_SIZE = 100


def form_copy(current: Any) -> Any:
    """The row an edit form may write its input into: a copy of ``current``
    (already read), so that the service still sees the stored values it
    compares against for the audit entry, without reading the row twice."""
    return copy.copy(current) if current is not None else None


def edit_with_service(
    request: HttpRequest,
    *,
    form: Any,
    save: Callable[[dict[str, Any]], Any],
    title: str,
    list_url: str,
    done: str,
    next_url: Callable[[Any], str] | None = None,
) -> HttpResponse:
    """Validate ``form``, hand its data to ``save`` (a service) and go back
    (to ``list_url``, or to ``next_url`` of what ``save`` returned)."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ValidationError as exc:
            # A concurrent change (a code taken meanwhile) reaches the service
            # after the form said yes; it is shown the same way.
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, done)
            return redirect(next_url(saved) if next_url else list_url)
    return render(
        request,
        "organisation/form.html",
        {"form": form, "title": title, "cancel_url": list_url},
    )


def _actor(request: HttpRequest) -> dict[str, Any]:
    return {"actor": request.user, "request": request}


@organisation_administrator_required
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "organisation/home.html",
        {
            "counts": {
                "departments": Department.objects.count(),
                "sections": Section.objects.count(),
                "positions": Position.objects.count(),
                "assignments": Assignment.objects.active_on(today).count(),
                "scheduled": Assignment.objects.filter(start_date__gt=today).count(),
                "absences": Absence.objects.filter(end_date__gte=today).count(),
            }
        },
    )


# --- Departments --------------------------------------------------------------


@organisation_administrator_required
def department_list(request: HttpRequest) -> HttpResponse:
    departments = Department.objects.annotate(section_count=Count("sections"))
    return render(
        request, "organisation/department_list.html", {"departments": departments}
    )


@organisation_administrator_required
@require_http_methods(["GET", "POST"])
def department_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    department = get_object_or_404(Department, pk=pk) if pk else None
    form = forms.DepartmentForm(
        request.POST or None,
        instance=form_copy(department),
    )
    return edit_with_service(
        request,
        form=form,
        save=lambda data: services.department_save(
            department=department, **data, **_actor(request)
        ),
        title=_("部局を編集") if pk else _("部局を追加"),
        list_url=reverse("organisation:department_list"),
        done=_("部局を保存しました。"),
    )


# --- Sections -----------------------------------------------------------------


@organisation_administrator_required
def section_list(request: HttpRequest) -> HttpResponse:
    sections = Section.objects.select_related("department").annotate(
        holder_count=Count(
            "assignments",
            filter=Q(assignments__start_date__lte=timezone.localdate())
            & (
                Q(assignments__end_date__isnull=True)
                | Q(assignments__end_date__gte=timezone.localdate())
            ),
        )
    )
    return render(request, "organisation/section_list.html", {"sections": sections})


@organisation_administrator_required
@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    section = get_object_or_404(Section, pk=pk) if pk else None
    form = forms.SectionForm(request.POST or None, instance=form_copy(section))
    return edit_with_service(
        request,
        form=form,
        save=lambda data: services.section_save(
            section=section, **data, **_actor(request)
        ),
        title=_("課室を編集") if pk else _("課室を追加"),
        list_url=reverse("organisation:section_list"),
        done=_("課室を保存しました。"),
    )


# --- Positions ----------------------------------------------------------------


@organisation_administrator_required
def position_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "organisation/position_list.html",
        {"positions": Position.objects.all()},
    )


@organisation_administrator_required
@require_http_methods(["GET", "POST"])
def position_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    position = get_object_or_404(Position, pk=pk) if pk else None
    form = forms.PositionForm(request.POST or None, instance=form_copy(position))
    return edit_with_service(
        request,
        form=form,
        save=lambda data: services.position_save(
            position=position, **data, **_actor(request)
        ),
        title=_("職位を編集") if pk else _("職位を追加"),
        list_url=reverse("organisation:position_list"),
        done=_("職位を保存しました。"),
    )


# --- Assignments --------------------------------------------------------------


@organisation_administrator_required
def assignment_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    assignments = Assignment.objects.select_related(
        "user", "section__department", "position"
    ).order_by("section__department__code", "section__code", "-position__level")
    show = request.GET.get("show", "current")
    if show == "scheduled":
        assignments = assignments.filter(start_date__gt=today)
    elif show == "ended":
        assignments = assignments.filter(end_date__lt=today)
    elif show != "all":
        show = "current"
        assignments = assignments.active_on(today)
    section_code = request.GET.get("section", "")
    if section_code:
        assignments = assignments.filter(section__code=section_code)
    query = request.GET.get("q", "").strip()
    if query:
        assignments = assignments.filter(
            Q(user__full_name__icontains=query) | Q(user__email__icontains=query)
        )
    page = Paginator(assignments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "organisation/assignment_list.html",
        {
            "page": page,
            "today": today,
            "show": show,
            "section_code": section_code,
            "query": query,
            "sections": Section.objects.select_related("department"),
            "filters": [
                ("current", _("現在")),
                ("scheduled", _("予定（開始前）")),
                ("ended", _("終了")),
                ("all", _("すべて")),
            ],
        },
    )


@organisation_administrator_required
@require_http_methods(["GET", "POST"])
def assignment_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    assignment = get_object_or_404(Assignment, pk=pk) if pk else None
    form = forms.AssignmentForm(
        request.POST or None,
        instance=form_copy(assignment),
        initial={
            key: request.GET[key]
            for key in ("user", "section", "position")
            if request.GET.get(key, "").isdigit()
        },
    )
    return edit_with_service(
        request,
        form=form,
        save=lambda data: services.assignment_save(
            assignment=assignment, **data, **_actor(request)
        ),
        title=_("配置を編集") if pk else _("配置を追加（人事異動）"),
        list_url=reverse("organisation:assignment_list"),
        done=_("配置を保存しました。"),
    )


@organisation_administrator_required
@require_http_methods(["GET", "POST"])
def assignment_end(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        Assignment.objects.select_related("user", "section", "position"), pk=pk
    )
    form = forms.AssignmentEndForm(
        request.POST or None,
        assignment=assignment,
        initial={"end_date": assignment.end_date or timezone.localdate()},
    )
    return edit_with_service(
        request,
        form=form,
        save=lambda data: services.assignment_end(
            assignment=assignment, end_date=data["end_date"], **_actor(request)
        ),
        title=_("配置を終える: %(assignment)s") % {"assignment": assignment},
        list_url=reverse("organisation:assignment_list"),
        done=_("配置の終了日を保存しました。"),
    )


# --- Absences -----------------------------------------------------------------


@organisation_administrator_required
def absence_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    absences = Absence.objects.select_related("holder", "deputy")
    if request.GET.get("show") != "all":
        absences = absences.filter(end_date__gte=today)
    page = Paginator(absences, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "organisation/absence_list.html",
        {"page": page, "today": today, "show_all": request.GET.get("show") == "all"},
    )


@organisation_administrator_required
@require_http_methods(["GET", "POST"])
def absence_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    absence = get_object_or_404(Absence, pk=pk) if pk else None
    form = forms.AbsenceForm(request.POST or None, instance=form_copy(absence))
    return edit_with_service(
        request,
        form=form,
        save=lambda data: services.absence_save(
            absence=absence, **data, **_actor(request)
        ),
        title=_("不在・代決者を編集") if pk else _("不在・代決者を登録"),
        list_url=reverse("organisation:absence_list"),
        done=_("不在と代決者を保存しました。"),
    )


@organisation_administrator_required
@require_POST
def absence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    absence = get_object_or_404(Absence, pk=pk)
    services.absence_delete(absence=absence, **_actor(request))
    messages.success(request, _("不在の登録を取り消しました。"))
    return redirect("organisation:absence_list")


# --- Staff accounts -----------------------------------------------------------


@organisation_administrator_required
def staff_list(request: HttpRequest) -> HttpResponse:
    staff = User.objects.filter(is_staff=True).order_by("full_name", "email")
    query = request.GET.get("q", "").strip()
    if query:
        staff = staff.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
    page = Paginator(staff, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "organisation/staff_list.html", {"page": page, "query": query}
    )


@organisation_administrator_required
@require_http_methods(["GET", "POST"])
def staff_create(request: HttpRequest) -> HttpResponse:
    form = forms.StaffCreateForm(request.POST or None)
    return edit_with_service(
        request,
        form=form,
        save=lambda data: services.staff_create(**data, **_actor(request)),
        title=_("職員のアカウントを作成"),
        list_url=reverse("organisation:staff_list"),
        done=_(
            "アカウントを作成し、パスワード設定のメールを送りました。"
            "本人がパスワードを設定するとログインできます。"
        ),
    )


@organisation_administrator_required
@require_POST
def staff_invite(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk, is_staff=True)
    services.staff_invitation_resend(user=user, **_actor(request))
    messages.success(
        request,
        _("%(email)s にパスワード設定のメールを送りました。") % {"email": user.email},
    )
    return redirect("organisation:staff_list")


# --- CSV import ---------------------------------------------------------------


@organisation_administrator_required
@require_http_methods(["GET", "POST"])
def csv_import(request: HttpRequest) -> HttpResponse:
    """Upload, then preview; applying is a second POST of the same bytes."""
    plan = None
    apply_form = None
    if request.method == "POST" and "content" in request.POST:
        apply_form = forms.OrganisationCsvApplyForm(request.POST)
        form = forms.OrganisationCsvForm()
        if apply_form.is_valid():
            raw = apply_form.cleaned_data["content"]
            try:
                plan = services.organisation_csv_apply(
                    raw=raw, actor=request.user, request=request
                )
            except csv_import_module.CsvImportError as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:
                # A code taken by someone else since the rows were checked.
                form.add_error(
                    None,
                    _("反映できませんでした。何も変更していません。理由: %(reason)s")
                    % {"reason": "; ".join(exc.messages)},
                )
            except csv_import_module.CsvRowsInvalid as exc:
                plan = exc.plan
                messages.error(
                    request,
                    _("誤りのある行があるため、何も変更していません。"),
                )
            else:
                messages.success(
                    request,
                    _(
                        "読み込みました: 配置の追加 %(added)s 件、終了 %(ended)s 件、"
                        "新しい職員 %(staff)s 人。"
                    )
                    % {
                        "added": len(plan.added),
                        "ended": len(plan.ended),
                        "staff": len(plan.staff),
                    },
                )
                return redirect("organisation:assignment_list")
        else:
            form.add_error(None, _("ファイルをもう一度選んでください。"))
    else:
        form = forms.OrganisationCsvForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            raw = form.cleaned_data["file"]
            try:
                plan = csv_import_module.organisation_csv_plan(raw=raw)
            except csv_import_module.CsvImportError as exc:
                form.add_error("file", exc.message)
            else:
                apply_form = forms.OrganisationCsvApplyForm(
                    initial={"content": base64.b64encode(raw).decode("ascii")}
                )
    return render(
        request,
        "organisation/csv_import.html",
        {"form": form, "plan": plan, "apply_form": apply_form},
    )


@organisation_administrator_required
def csv_sample(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    # The next 1 April: the day the file is usually prepared for.
    year = today.year + 1 if today >= today.replace(month=4, day=1) else today.year
    response = HttpResponse(
        csv_import_module.sample_csv(year=year), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="jinji-idou-sample.csv"'
    return response

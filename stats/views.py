"""The KPI dashboard (/manage/kpi/ for administrators, /staff/kpi/ for the
managers of a section) and the cases behind a figure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.decorators import administrator_required, caseworker_required
from organisation.models import Assignment, Section
from procedures.models import Application, ApplicationEvent, Outcome
from stats import services
from stats.charts import GEOMETRY, Chart
from stats.forms import (
    KgiTargetForm,
    KpiFilterForm,
    PaperApplicationForm,
    parse_month,
)
from stats.models import DecidedCase, KgiTarget
from stats.selectors import kgi_progress, monthly_figures

Kind = ApplicationEvent.Kind
# 課長 and above read their section's figures (Position.level, 課長 = 40).
MANAGER_LEVEL = getattr(settings, "KPI_MANAGER_LEVEL", 40)
CASES_PER_PAGE = 100


def _managed_sections(user: Any) -> QuerySet[Section]:
    return Section.objects.filter(
        pk__in=Assignment.objects.active_on(timezone.localdate())
        .filter(user=user, position__level__gte=MANAGER_LEVEL)
        .values("section")
    )


def _outcome_label(key: str) -> str:
    for choices in (Application.Status, Outcome.Kind):
        try:
            return str(choices(key).label)
        except ValueError:
            continue
    return key


def _charts(months: list[Any]) -> list[Chart]:
    labels = [month.key for month in months]
    outcomes = sorted({key for month in months for key in month.outcomes})
    levels = sorted({level for month in months for level in month.waits})
    pages = sorted({page for month in months for page in month.abandoned_pages})
    return [
        Chart(
            "received",
            _("受け付けた申請"),
            _("件"),
            labels,
            [
                (_("電子申請"), [m.totals["submitted"] for m in months]),
                (_("紙の申請"), [m.totals["paper_received"] for m in months]),
            ],
        ),
        Chart(
            "decided",
            _("決定した申請（結果別）"),
            _("件"),
            labels,
            [
                (_outcome_label(key), [m.outcomes[key] for m in months])
                for key in outcomes
            ]
            or [(_("決定"), [0 for _m in months])],
        ),
        Chart(
            "within",
            _("標準処理期間内に決定した割合"),
            "%",
            labels,
            [(_("期間内の割合"), [m.within_share for m in months])],
        ),
        Chart(
            "days",
            _("受付から決定までの日数"),
            _("日"),
            labels,
            [
                (_("中央値（暦日）"), [m.median_days for m in months]),
                (_("90パーセンタイル（暦日）"), [m.p90_days for m in months]),
                (_("中央値（開庁日）"), [m.median_business_days for m in months]),
            ],
        ),
        Chart(
            "effort",
            _("1件あたりの職員の操作"),
            _("回"),
            labels,
            [(_("操作の回数"), [m.actions_per_case for m in months])],
        ),
        Chart(
            "waits",
            _("決裁の各段階で待った時間（中央値・90パーセンタイル）"),
            _("時間"),
            labels,
            [
                (
                    label % {"level": level},
                    [m.wait(level)[index] for m in months],
                )
                for level in levels
                for index, label in enumerate(
                    (_("第%(level)s段階 中央値"), _("第%(level)s段階 90パーセンタイル"))
                )
            ]
            or [(_("待った時間"), [None for _m in months])],
        ),
        Chart(
            "drafts",
            _("作成から申請までの日数"),
            _("日"),
            labels,
            [
                (_("中央値"), [m.draft_median for m in months]),
                (_("90パーセンタイル"), [m.draft_p90 for m in months]),
            ],
        ),
        Chart(
            "abandoned",
            _("放置された下書き（最後に回答したページ別）"),
            _("件"),
            labels,
            [
                (
                    _("%(page)sページ目") % {"page": page},
                    [m.abandoned_pages.get(page, 0) for m in months],
                )
                for page in pages
            ]
            or [(_("放置された下書き"), [m.totals["abandoned"] for m in months])],
        ),
        Chart(
            "notices",
            _("ダウンロードされた通知書の割合（電子交付）"),
            "%",
            labels,
            [(_("ダウンロードの割合"), [m.download_share for m in months])],
        ),
        Chart(
            "extensions",
            _("処理期間の延長"),
            _("件"),
            labels,
            [(_("延長"), [m.totals["extensions"] for m in months])],
        ),
    ]


def _dashboard(
    request: HttpRequest,
    *,
    sections: QuerySet[Section] | None,
    base: str,
    cases_url: str,
) -> HttpResponse:
    form = KpiFilterForm(request.GET or None, sections=sections)
    if request.GET and not form.is_valid():
        return render(
            request,
            "stats/kpi_dashboard.html",
            {"form": form, "base": base, "charts": [], "months": []},
            status=400,
        )
    if not request.GET:
        form = KpiFilterForm({}, sections=sections)
        form.is_valid()
    data = form.cleaned_data
    section_ids = None
    if data.get("section"):
        section_ids = [data["section"].pk]
    elif sections is not None:
        section_ids = list(sections.values_list("pk", flat=True))
    procedure = data.get("procedure")
    months = monthly_figures(
        start=data["start"],
        end=data["last_day"],
        procedure_id=procedure.pk if procedure else None,
        section_ids=section_ids,
    )
    charts = _charts(months)
    wanted = request.GET.get("csv")
    if wanted:
        chart = next((c for c in charts if c.key == wanted), None)
        if chart is None:
            return HttpResponse(_("そのグラフはありません。"), status=404)
        response = HttpResponse(
            chart.as_csv(_("年月")).encode("utf-8-sig"),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="kpi-{chart.key}.csv"'
        return response
    scope = {
        key: value
        for key, value in (
            ("procedure", procedure.pk if procedure else ""),
            ("section", data["section"].pk if data.get("section") else ""),
        )
        if value
    }
    query = request.GET.copy()
    return render(
        request,
        "stats/kpi_dashboard.html",
        {
            "form": form,
            "base": base,
            "months": months,
            "charts": charts,
            "geometry": GEOMETRY,
            "cases_url": cases_url,
            "scope": urlencode(scope),
            "query": query.urlencode(),
        },
    )


@administrator_required
def kpi_dashboard(request: HttpRequest) -> HttpResponse:
    return _dashboard(
        request,
        sections=None,
        base="base_manage.html",
        cases_url=reverse("stats:kpi_cases"),
    )


def _manager_sections(request: HttpRequest) -> QuerySet[Section]:
    sections = _managed_sections(request.user)
    if not sections.exists():
        raise PermissionDenied
    return sections


@caseworker_required
def kpi_section(request: HttpRequest) -> HttpResponse:
    return _dashboard(
        request,
        sections=_manager_sections(request),
        base="base_staff.html",
        cases_url=reverse("stats:kpi_section_cases"),
    )


FIGURES = {
    "submitted": gettext_lazy("電子申請の受付"),
    "withdrawn": gettext_lazy("取下げ"),
    "decided": gettext_lazy("決定"),
    "within": gettext_lazy("標準処理期間内の決定"),
    "outside": gettext_lazy("標準処理期間を過ぎた決定"),
}


def _cases(
    request: HttpRequest, *, sections: QuerySet[Section] | None, base: str
) -> HttpResponse:
    figure = request.GET.get("figure", "")
    try:
        month = parse_month(request.GET.get("month", ""))
        procedure_id = int(request.GET.get("procedure") or 0) or None
        section_id = int(request.GET.get("section") or 0) or None
    except ValueError:
        month = None
    if figure not in FIGURES or month is None:
        return render(
            request,
            "stats/kpi_cases.html",
            {"base": base, "error": _("集計項目または年月が正しくありません。")},
            status=400,
        )
    last = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    section_ids = [section_id] if section_id else None
    if sections is not None:
        allowed = set(sections.values_list("pk", flat=True))
        section_ids = [s for s in (section_ids or allowed) if s in allowed]
    if figure in ("decided", "within", "outside"):
        facts = DecidedCase.objects.filter(
            application__isnull=False, decided_on__gte=month, decided_on__lte=last
        )
        if figure != "decided":
            facts = facts.filter(within_period=figure == "within")
        if procedure_id:
            facts = facts.filter(procedure_id=procedure_id)
        if section_ids is not None:
            facts = facts.filter(section_id__in=section_ids)
        applications = Application.objects.filter(
            pk__in=facts.values("application_id")
        ).order_by("decided_at", "pk")
    else:
        kind = Kind.SUBMITTED if figure == "submitted" else Kind.WITHDRAWN
        start = timezone.make_aware(dt.datetime.combine(month, dt.time.min))
        end = timezone.make_aware(
            dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min)
        )
        events = ApplicationEvent.objects.filter(
            kind=kind, created_at__gte=start, created_at__lt=end
        )
        if procedure_id:
            events = events.filter(
                application__procedure_version__procedure_id=procedure_id
            )
        if section_ids is not None:
            events = events.filter(
                application__procedure_version__section_id__in=section_ids
            )
        applications = Application.objects.filter(
            pk__in=events.values("application_id")
        ).order_by("submitted_at", "pk")
    page = Paginator(
        applications.select_related("procedure_version"), CASES_PER_PAGE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "stats/kpi_cases.html",
        {
            "base": base,
            "figure": FIGURES[figure],
            "month": month,
            "page": page,
            "query": query.urlencode(),
        },
    )


@administrator_required
def kpi_cases(request: HttpRequest) -> HttpResponse:
    return _cases(request, sections=None, base="base_manage.html")


@caseworker_required
def kpi_section_cases(request: HttpRequest) -> HttpResponse:
    return _cases(request, sections=_manager_sections(request), base="base_staff.html")


@caseworker_required
@require_http_methods(["GET", "POST"])
def paper_application_new(request: HttpRequest) -> HttpResponse:
    form = PaperApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.paper_application_register(actor=request.user, **form.cleaned_data)
        except services.StatsError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, _("紙の申請を登録しました。"))
            return redirect("stats:paper_application_new")
    return render(
        request,
        "stats/paper_application_form.html",
        {"form": form, "manages": _managed_sections(request.user).exists()},
        status=400 if form.errors else 200,
    )


@administrator_required
@require_http_methods(["GET", "POST"])
def kgi_targets(request: HttpRequest) -> HttpResponse:
    form = KgiTargetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.kgi_target_set(actor=request.user, **form.cleaned_data)
        except services.StatsError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, _("目標を登録しました。"))
            return redirect("stats:kgi_targets")
    return render(
        request,
        "stats/kgi_targets.html",
        {
            "form": form,
            "progress": kgi_progress(today=timezone.localdate()),
            "history": KgiTarget.objects.select_related(
                "procedure__current_version", "set_by"
            )[:200],
        },
        status=400 if form.errors else 200,
    )

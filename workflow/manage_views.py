"""Route editor and simulator for procedure administrators (/manage/routes/)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.decorators import administrator_required
from organisation.selectors import slot_holders
from procedures.models import ProcedureVersion
from workflow.forms import SimulateForm, route_error_items, route_formsets
from workflow.models import Route
from workflow.routes import RouteMissing, chain_plan, route_rule_keys


@administrator_required
def route_list(request: HttpRequest) -> HttpResponse:
    versions = ProcedureVersion.objects.select_related(
        "procedure", "section", "route"
    ).order_by("procedure__code", "-number")
    return render(request, "workflow/route_list.html", {"versions": versions})


@administrator_required
def route_edit(request: HttpRequest, version_id: int) -> HttpResponse:
    version = get_object_or_404(
        ProcedureVersion.objects.select_related("procedure", "form_version"),
        pk=version_id,
    )
    route, _created = Route.objects.get_or_create(procedure_version=version)
    # Rules are checked against the form's schema; the questions they may
    # name are listed for the administrator (FieldInfo: key, label, type).
    runtime = version.form_version.runtime
    fields = runtime.field_keys()
    # A published version's route is part of what running cases were given:
    # it is read-only, like the rest of the version.
    editable = version.is_editable
    if request.method == "POST" and editable:
        formsets = route_formsets(route, request.POST, runtime=runtime)
        if all(formset.is_valid() for formset in formsets.values()):
            with transaction.atomic():
                for formset in formsets.values():
                    formset.save()
                audit_record(
                    action="workflow.route_edit",
                    actor=request.user,
                    target=route,
                    request=request,
                )
            messages.success(request, _("承認ルートを保存しました。"))
            return redirect("workflow_manage:route_edit", version_id=version.pk)
        status = 400
    else:
        formsets = route_formsets(route, runtime=runtime)
        status = 200
    return render(
        request,
        "workflow/route_edit.html",
        {
            "version": version,
            "route": route,
            "formsets": formsets,
            "editable": editable,
            "fields": fields,
            "error_items": route_error_items(formsets) if status == 400 else [],
        },
        status=status,
    )


@administrator_required
def route_simulate(request: HttpRequest, version_id: int) -> HttpResponse:
    version = get_object_or_404(
        ProcedureVersion.objects.select_related(
            "procedure", "section__department", "form_version"
        ),
        pk=version_id,
    )
    keys = route_rule_keys(version)
    questions = [
        info for info in version.form_version.runtime.field_keys() if info.key in keys
    ]
    form = SimulateForm(request.POST or None, questions=questions)
    result: dict[str, Any] | None = None
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            plan = chain_plan(version=version, answers=form.answers())
        except RouteMissing as exc:
            error = str(exc)
        else:
            result = {
                "plan": plan,
                "steps": [
                    {**step, "holders": slot_holders(step["slot"])}
                    for step in plan.chain
                ],
                "consultations": [
                    {**item, "holders": slot_holders(item["slot"])}
                    for item in plan.consultations
                ],
            }
    return render(
        request,
        "workflow/route_simulate.html",
        {"version": version, "form": form, "result": result, "error": error},
        status=400 if request.method == "POST" and not form.is_valid() else 200,
    )

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
from forms_builder.fieldtypes import FIELD_TYPES
from organisation.selectors import slot_holders
from procedures.models import ProcedureVersion
from workflow.forms import ADD_ROW, SimulateForm, route_error_items, route_formsets
from workflow.models import Route
from workflow.routes import (
    RouteMissing,
    chain_plan,
    route_data,
    simulation_questions,
)


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
    # The questions behind the rules, asked as the form asks them; computed
    # values are computed from the sample answers, as at submission.
    questions, computed = simulation_questions(version)
    form = SimulateForm(
        request.POST if request.method == "POST" else None, questions=questions
    )
    result: dict[str, Any] | None = None
    error = ""
    if form.is_valid():
        answers = form.answers()
        try:
            plan = chain_plan(version=version, answers=answers)
        except RouteMissing as exc:
            error = str(exc)
        else:
            values = route_data(version=version, answers=answers)
            result = {
                "plan": plan,
                "computed": [
                    {
                        "key": node.key,
                        "label": node.label,
                        "value": FIELD_TYPES["computed"].display(
                            node.spec, values.get(node.key)
                        ),
                    }
                    for node in computed
                ],
                "steps": [
                    {**step, "holders": slot_holders(step["slot"])}
                    for step in plan.chain
                ],
                "consultations": [
                    {**item, "holders": slot_holders(item["slot"])}
                    for item in plan.consultations
                ],
            }
    invalid = form.is_bound and form.adding is None and not form.is_valid()
    return render(
        request,
        "workflow/route_simulate.html",
        {
            "version": version,
            "form": form,
            "questions": form.bound_questions(),
            "computed": computed,
            "add_row": ADD_ROW,
            "result": result,
            "error": error,
        },
        status=400 if invalid else 200,
    )

"""Route editor and simulator for procedure administrators (/manage/routes/)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.decorators import administrator_required
from forms_builder.fieldtypes import FIELD_TYPES
from organisation.selectors import slot_holders
from procedures.models import ProcedureVersion
from workflow.checks import route_publish_problems
from workflow.forms import ADD_ROW, HOLDERS_ON, SimulateForm
from workflow.models import Route
from workflow.picture import route_picture
from workflow.route_editor import RouteEditor
from workflow.route_services import RouteLocked, route_save
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
        ProcedureVersion.objects.select_related(
            "procedure", "form_version", "section__department"
        ),
        pk=version_id,
    )
    route, _created = Route.objects.get_or_create(procedure_version=version)
    # Rules are checked against the form's schema; the questions they may
    # name are listed for the administrator (FieldInfo: key, label, type).
    runtime = version.form_version.runtime
    # A published version's route is part of what running cases were given:
    # it is read-only, like the rest of the version.
    editable = version.is_editable
    status = 200
    if request.method == "POST" and editable:
        editor = RouteEditor(route, runtime, request.POST)
        if editor.is_valid():
            try:
                route_save(
                    route=route,
                    compiled=editor.compiled,
                    actor=request.user,
                    request=request,
                )
            except RouteLocked:
                messages.error(request, _("公開済みの版のルートは変更できません。"))
            else:
                messages.success(request, _("承認ルートを保存しました。"))
            return redirect("workflow_manage:route_edit", version_id=version.pk)
        if editor.action == "save":
            status = 400
    else:
        editor = RouteEditor(route, runtime)
    return render(
        request,
        "workflow/route_edit.html",
        {
            "version": version,
            "route": route,
            "editor": editor,
            "e": editor.context(),
            "editable": editable,
            "fields": runtime.field_keys(),
            "error_items": editor.summary,
            "picture": route_picture(version),
            # What publishing would say of the saved route, before anyone
            # presses 公開する on the procedure's page.
            "problems": route_publish_problems(version) if editable else [],
            **_side_simulator(version),
        },
        status=status,
    )


def _side_simulator(version: ProcedureVersion) -> dict[str, Any]:
    """The simulator's empty form, for the panel beside the route editor."""
    questions, _computed = simulation_questions(version)
    form = SimulateForm(questions=questions)
    return {
        "simulate_form": form,
        "simulate_questions": form.bound_questions(),
        "holders_field": form[HOLDERS_ON],
        "add_row": ADD_ROW,
    }


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
        today = timezone.localdate()
        later = form.cleaned_data.get(HOLDERS_ON)
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
                "today": today,
                "later": later,
                "steps": [
                    {
                        **step,
                        "holders": slot_holders(step["slot"], today),
                        "holders_later": slot_holders(step["slot"], later)
                        if later
                        else None,
                    }
                    for step in plan.chain
                ],
                "consultations": [
                    {
                        **item,
                        "holders": slot_holders(item["slot"], today),
                        "holders_later": slot_holders(item["slot"], later)
                        if later
                        else None,
                    }
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
            "holders_field": form[HOLDERS_ON],
            "picture": route_picture(version),
            "result": result,
            "error": error,
        },
        status=400 if invalid else 200,
    )

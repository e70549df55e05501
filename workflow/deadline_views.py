"""延長 from the case page (issue 15)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.decorators import caseworker_required
from workflow import deadlines, services, views
from workflow.forms import CaseExtendForm


@caseworker_required
@require_POST
def case_extend(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = views._visible_case(request, public_id)
    form = CaseExtendForm(request.POST)
    if not form.is_valid():
        return views._case_page(request, public_id, extend_form=form, status=400)
    try:
        deadlines.case_extend(
            case_id=case.pk,
            user=request.user,
            due_date=form.cleaned_data["due_date"],
            reason=form.cleaned_data["reason"],
            grants=views._grants(request),
            request=request,
        )
    except services.WorkflowError as exc:
        if exc.code in ("not_later", "reason_required"):
            form.add_error("due_date" if exc.code == "not_later" else "reason", exc)
            return views._case_page(request, public_id, extend_form=form, status=400)
        messages.error(request, exc.message)
        return redirect("workflow:case_detail", public_id=public_id)
    messages.success(request, _("処理期間を延長し、申請者に知らせました。"))
    return redirect("workflow:case_detail", public_id=public_id)

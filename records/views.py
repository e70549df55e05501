"""Administrators' pages for the end of the retention period (/manage/records/)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.decorators import administrator_required
from records import selectors, services
from records.forms import RecordsSelectionForm
from records.models import DisposalRecord, TransferBatch

# The list shows the oldest due records first; larger backlogs are worked
# through page by page as they are disposed of.
DUE_SHOWN = 200


@administrator_required
@require_http_methods(["GET", "POST"])
def records_due(request: HttpRequest) -> HttpResponse:
    due = list(selectors.records_due()[:DUE_SHOWN])
    form = RecordsSelectionForm(
        request.POST or None, choices=[application.pk for application in due]
    )
    if request.method == "POST" and form.is_valid():
        ids = form.cleaned_data["application"]
        try:
            if form.cleaned_data["action"] == "export":
                batch, archive = services.records_transfer_export(
                    application_ids=ids, actor=request.user, request=request
                )
                stamp = timezone.localtime(batch.created_at).strftime("%Y%m%d-%H%M")
                return FileResponse(
                    archive,
                    as_attachment=True,
                    filename=f"ikan-{stamp}-{batch.pk}.zip",
                    content_type="application/zip",
                )
            records = services.records_dispose(
                application_ids=ids, actor=request.user, request=request
            )
        except services.RecordsError as exc:
            messages.error(request, exc.message)
            return redirect("records:due")
        messages.success(
            request,
            _("%(count)s件の申請を廃棄しました。廃棄簿に記録しています。")
            % {"count": len(records)},
        )
        return redirect("records:due")
    for application in due:
        application.kept_until = selectors.kept_until(
            closed=timezone.localdate(application.closed_at),
            years=application.procedure_version.retention_years,
        )
    return render(
        request,
        "records/records_due.html",
        {
            "form": form,
            "due": due,
            "selected": {int(pk) for pk in form["application"].value() or []},
            "batches": TransferBatch.objects.filter(
                status=TransferBatch.Status.EXPORTED
            ).select_related("created_by"),
            "register": DisposalRecord.objects.select_related("approved_by")[:100],
        },
        status=400 if form.is_bound else 200,
    )


@administrator_required
@require_POST
def transfer_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(TransferBatch, pk=pk)
    try:
        records = services.records_transfer_confirm(
            batch=batch, actor=request.user, request=request
        )
    except services.RecordsError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(count)s件の申請を移管済みにしました。移管簿に記録しています。")
            % {"count": len(records)},
        )
    return redirect("records:due")

"""Procedure administration (/manage/procedures/): lifecycle, versions, packages."""

from __future__ import annotations

import base64
import csv

from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.access import access_records_for
from core.audit import audit_record
from core.decorators import administrator_required
from procedures import outcomes, packages, selectors, services
from procedures.forms import (
    AddresseeRedrawForm,
    DueDatePreviewForm,
    OutcomeFormSet,
    PackageImportForm,
    PackageMappingForm,
    ProcedureCategoryForm,
    ProcedureCreateForm,
    ProcedureVersionForm,
    outcome_initial,
)
from procedures.models import Application, Procedure, ProcedureVersion
from procedures.package_mapping import apply_mapping
from procedures.publishing import version_panels


def _procedure(code: str) -> Procedure:
    return get_object_or_404(
        Procedure.objects.select_related("category", "current_version"), code=code
    )


@administrator_required
def procedure_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "procedures/manage/procedure_list.html",
        {"procedures": list(selectors.procedures_for_admin())},
    )


@administrator_required
@require_http_methods(["GET", "POST"])
def procedure_create(request: HttpRequest) -> HttpResponse:
    procedure_form = ProcedureCreateForm(request.POST or None, prefix="procedure")
    version_form = ProcedureVersionForm(request.POST or None, prefix="version")
    if (
        request.method == "POST"
        and procedure_form.is_valid()
        and version_form.is_valid()
    ):
        procedure = services.procedure_create(
            code=procedure_form.cleaned_data["code"],
            receipt_prefix=procedure_form.cleaned_data["receipt_prefix"],
            category=procedure_form.cleaned_data["category"],
            version_data=version_form.cleaned_data,
            actor=request.user,
            request=request,
        )
        messages.success(
            request, _("手続を作成しました。内容を確認して公開してください。")
        )
        return redirect("procedures_manage:detail", procedure.code)
    return render(
        request,
        "procedures/manage/procedure_create.html",
        {"procedure_form": procedure_form, "form": version_form},
    )


@administrator_required
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    procedure = _procedure(code)
    versions = list(
        procedure.versions.select_related("form_version__form", "section").order_by(
            "-number"
        )
    )
    draft = next((v for v in versions if v.is_editable), None)
    shown = draft or procedure.current_version
    return render(
        request,
        "procedures/manage/procedure_detail.html",
        {
            "procedure": procedure,
            "versions": versions,
            "draft": draft,
            "shown_version": shown,
            "panels": version_panels(request, shown) if shown else [],
            "category_form": ProcedureCategoryForm(instance=procedure),
        },
    )


@administrator_required
@require_POST
def procedure_category(request: HttpRequest, code: str) -> HttpResponse:
    procedure = _procedure(code)
    form = ProcedureCategoryForm(request.POST)
    if form.is_valid():
        services.procedure_update(
            procedure=procedure,
            category=form.cleaned_data["category"],
            actor=request.user,
            request=request,
        )
        messages.success(request, _("分類を変更しました。"))
    else:
        messages.error(request, _("分類を選び直してください。"))
    return redirect("procedures_manage:detail", procedure.code)


@administrator_required
@require_POST
def procedure_status(request: HttpRequest, code: str) -> HttpResponse:
    procedure = _procedure(code)
    status = request.POST.get("status", "")
    try:
        services.procedure_set_status(
            procedure=procedure, status=status, actor=request.user, request=request
        )
    except services.ProcedureError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("手続の状態を変更しました。"))
    return redirect("procedures_manage:detail", procedure.code)


@administrator_required
@require_POST
def version_draft(request: HttpRequest, code: str) -> HttpResponse:
    procedure = _procedure(code)
    try:
        version = services.procedure_version_draft(
            procedure=procedure, actor=request.user, request=request
        )
    except services.ProcedureError as exc:
        messages.error(request, exc.message)
        return redirect("procedures_manage:detail", procedure.code)
    except IntegrityError:
        messages.error(request, _("作成中の版がすでにあります。"))
        return redirect("procedures_manage:detail", procedure.code)
    messages.success(request, _("新しい版（下書き）を作りました。"))
    return redirect("procedures_manage:version_edit", procedure.code, version.number)


@administrator_required
@require_http_methods(["GET"])
def due_date_preview(request: HttpRequest) -> JsonResponse:
    """The due date of an application received today for a period being
    typed (the version form's script asks while the administrator edits)."""
    form = DueDatePreviewForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"text": ""}, status=400)
    return JsonResponse({"text": form.sentence()})


@administrator_required
@require_http_methods(["GET"])
def addressee_fields(request: HttpRequest) -> HttpResponse:
    """The addressee drop-downs redrawn for the form version and the kind of
    applicant being chosen (the version form's script asks)."""
    form = AddresseeRedrawForm(request.GET)
    if not form.is_valid():
        return HttpResponse(status=400)
    return render(
        request,
        "procedures/manage/addressee_fields.html",
        {"addressee": form.addressee()},
    )


@administrator_required
@require_http_methods(["GET", "POST"])
def version_edit(request: HttpRequest, code: str, number: int) -> HttpResponse:
    procedure = _procedure(code)
    version = get_object_or_404(
        ProcedureVersion.objects.select_related("section", "form_version"),
        procedure=procedure,
        number=number,
    )
    if not version.is_editable:
        messages.info(
            request, _("公開済みの版は変更できません。新しい版を作ってください。")
        )
        return redirect("procedures_manage:detail", procedure.code)
    form = ProcedureVersionForm(request.POST or None, instance=version)
    if request.method == "POST" and form.is_valid():
        try:
            services.procedure_version_update(
                version=version,
                data=form.cleaned_data,
                actor=request.user,
                request=request,
            )
        except services.ProcedureError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("保存しました。"))
            return redirect("procedures_manage:detail", procedure.code)
    return render(
        request,
        "procedures/manage/version_edit.html",
        {"procedure": procedure, "version": version, "form": form},
    )


@administrator_required
@require_http_methods(["GET", "POST"])
def version_outcomes(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """The outcomes a version decides with (許可 / 不許可, 交付決定 / 不交付決定 …)."""
    procedure = _procedure(code)
    version = get_object_or_404(
        ProcedureVersion.objects.select_related("form_version"),
        procedure=procedure,
        number=number,
    )
    current = outcomes.version_outcomes(version)
    formset = OutcomeFormSet(
        request.POST if request.method == "POST" else None,
        initial=[outcome_initial(outcome) for outcome in current],
        form_kwargs={"version": version},
        prefix="outcomes",
    )
    if request.method == "POST" and version.is_editable and formset.is_valid():
        try:
            outcomes.outcomes_replace(
                version=version, items=formset.items(), actor=request.user
            )
        except (outcomes.OutcomeError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
        else:
            messages.success(request, _("決定の種類を保存しました。"))
            return redirect("procedures_manage:detail", procedure.code)
    return render(
        request,
        "procedures/manage/version_outcomes.html",
        {
            "procedure": procedure,
            "version": version,
            "formset": formset,
            "outcomes": current,
        },
        status=400 if request.method == "POST" else 200,
    )


@administrator_required
@require_POST
def version_publish(request: HttpRequest, code: str, number: int) -> HttpResponse:
    procedure = _procedure(code)
    version = get_object_or_404(ProcedureVersion, procedure=procedure, number=number)
    try:
        services.procedure_version_publish(
            version=version,
            actor=request.user,
            request=request,
            accept_warnings=request.POST.get("accept_warnings") == "1",
        )
    except services.PublishRefused as exc:
        # The checks' findings, listed; warnings alone may be accepted here.
        # A finding on the version's own settings links to where it is fixed.
        edit = reverse("procedures_manage:version_edit", args=[code, number])
        anchors = {"addressee": "addressee"}  # else the drop-down's own id
        errors = [
            (
                problem.message,
                f"{edit}#{anchors.get(problem.place, f'id_{problem.place}')}"
                if problem.place
                else "",
            )
            for problem in exc.problems
            if not problem.warning
        ]
        return render(
            request,
            "procedures/manage/version_publish.html",
            {
                "procedure": procedure,
                "version": version,
                "refused": exc,
                "errors": errors,
            },
            status=400 if exc.errors else 200,
        )
    except services.ProcedureError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("第%(number)s版を公開しました。受付中の申請は元の版のまま進みます。")
            % {"number": version.number},
        )
    return redirect("procedures_manage:detail", procedure.code)


@administrator_required
def package_export(request: HttpRequest, code: str) -> HttpResponse:
    procedure = _procedure(code)
    number = request.GET.get("version")
    try:
        if number and number.isdigit():
            version = get_object_or_404(
                ProcedureVersion, procedure=procedure, number=int(number)
            )
            package = packages.package_export(version=version)
        else:
            package = packages.package_export_procedure(procedure=procedure)
    except packages.PackageError as exc:
        messages.error(request, exc.message)
        return redirect("procedures_manage:detail", procedure.code)
    audit_record(
        action="procedure.export",
        actor=request.user,
        target=procedure,
        data={"number": package["version"]["number"]},
        request=request,
    )
    response = HttpResponse(
        packages.package_dumps(package), content_type="application/json; charset=utf-8"
    )
    filename = f"procedure-{procedure.code}-v{package['version']['number']}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@administrator_required
@require_http_methods(["GET", "POST"])
def package_import(request: HttpRequest) -> HttpResponse:
    """Upload a package, review its mapping and difference, then import it."""
    if request.method == "POST" and "content" in request.POST:
        return _package_import_confirm(request)
    form = PackageImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["package"]
        try:
            package = packages.package_loads(raw)
            preview = packages.package_preview(package=package)
        except packages.PackageError as exc:
            form.add_error(
                "package",
                _("読み込めませんでした。何も変更していません。理由: %(reason)s")
                % {"reason": exc.message},
            )
        else:
            mapping_form = PackageMappingForm(
                units=preview["units"],
                initial={"content": base64.b64encode(raw).decode("ascii")},
            )
            return _package_preview_page(request, package, preview, mapping_form)
    return render(request, "procedures/manage/package_import.html", {"form": form})


def _package_preview_page(request, package, preview, mapping_form) -> HttpResponse:
    return render(
        request,
        "procedures/manage/package_preview.html",
        {
            "package": package,
            "preview": preview,
            "mapping_form": mapping_form,
            "title": package["version"].get("title", ""),
        },
    )


def _package_import_confirm(request: HttpRequest) -> HttpResponse:
    form = PackageImportForm()
    try:
        raw = base64.b64decode(request.POST.get("content", ""), validate=True)
        package = packages.package_loads(raw)
        preview = packages.package_preview(package=package)
    except (ValueError, packages.PackageError) as exc:
        reason = getattr(exc, "message", _("ファイルを読めません。"))
        form.add_error(
            "package",
            _("読み込めませんでした。何も変更していません。理由: %(reason)s")
            % {"reason": reason},
        )
        return render(request, "procedures/manage/package_import.html", {"form": form})
    mapping_form = PackageMappingForm(request.POST, units=preview["units"])
    if not mapping_form.is_valid():
        return _package_preview_page(request, package, preview, mapping_form)
    mapping = mapping_form.mapping()
    try:
        version = packages.package_import(
            package=apply_mapping(
                package, sections=mapping["section"], positions=mapping["position"]
            ),
            actor=request.user,
            request=request,
        )
    except packages.PackageError as exc:
        mapping_form.add_error(
            None,
            _("読み込めませんでした。何も変更していません。理由: %(reason)s")
            % {"reason": exc.message},
        )
        return _package_preview_page(request, package, preview, mapping_form)
    messages.success(
        request,
        _("読み込みました（第%(number)s版の下書き）。内容を確認して公開してください。")
        % {"number": version.number},
    )
    return redirect("procedures_manage:detail", version.procedure.code)


@administrator_required
def access_log(request: HttpRequest) -> HttpResponse:
    """Who among the staff viewed one application, for a resident's request
    to see the record of access to their personal data."""
    receipt = request.GET.get("receipt", "").strip()
    application = records = None
    if receipt:
        application = (
            Application.objects.select_related("procedure_version")
            .filter(receipt_number=receipt)
            .first()
        )
    if application is not None:
        records = list(access_records_for(application))
        audit_record(
            action="access_log.view",
            actor=request.user,
            target=application,
            data={"records": len(records)},
            request=request,
        )
        if request.GET.get("format") == "csv":
            return _access_log_csv(application, records)
    return render(
        request,
        "procedures/manage/access_log.html",
        {"receipt": receipt, "application": application, "records": records},
    )


def _access_log_csv(application: Application, records: list) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="access-{application.receipt_number}.csv"'
    )
    response.write("\ufeff")  # BOM: Excel opens UTF-8 Japanese correctly
    writer = csv.writer(response)
    writer.writerow(
        [
            _("日時"),
            _("閲覧者"),
            _("メールアドレス"),
            _("閲覧したもの"),
            _("詳細"),
            _("経路"),
            _("IPアドレス"),
        ]
    )
    for record in records:
        writer.writerow(
            [
                timezone.localtime(record.created_at).isoformat(timespec="seconds"),
                record.user.get_full_name() or record.user.get_username(),
                record.user.email,
                record.get_what_display(),
                record.detail,
                record.get_channel_display(),
                record.ip_address or "",
            ]
        )
    return response

"""Public verification, the applicant's download and the template editor."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.forms.utils import ErrorDict
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.decorators import administrator_required
from core.downloads import private_download
from documents.defaults import PRESETS
from documents.forms import DocumentTemplateForm, VerifyUploadForm
from documents.models import IssuedDocument
from documents.selectors import (
    document_by_token,
    document_for_applicant,
    template_for_version,
)
from documents.services import (
    document_open,
    document_record_download,
    document_template_save,
)
from documents.verification import verify_pdf


@require_http_methods(["GET", "POST"])
def verify(request, token: str | None = None):
    """No login: open from the QR code, or upload a PDF to check it."""
    document = None
    if token is not None:
        document = document_by_token(token)
        if document is None:
            raise Http404
    result = None
    form = VerifyUploadForm()
    if request.method == "POST":
        form = VerifyUploadForm(request.POST, request.FILES)
        if form.is_valid():
            result = verify_pdf(form.cleaned_data["file"].read())
            form = VerifyUploadForm()
    return render(
        request,
        "documents/verify.html",
        {
            "document": document,
            "result": result,
            "form": form,
            # A file checked from a QR page must be that document, not another.
            "other_document": (
                result is not None
                and document is not None
                and result.document is not None
                and result.document.pk != document.pk
            ),
        },
    )


def issued_document_response(document: IssuedDocument | None) -> FileResponse:
    """An issued notice as a download (never shown in the site's origin, never
    cached), or 404 while it is not issued or its file cannot be read.

    Every caller checks first that the user may have this document.
    """
    if document is None or not document.is_issued:
        raise Http404
    return private_download(
        lambda: document_open(document),
        filename=document.filename,
        content_type="application/pdf",
    )


@login_required
def download(request, public_id):
    """The applicant's own notice, as an attachment; 404 for anyone else."""
    document = document_for_applicant(public_id=public_id, user=request.user)
    response = issued_document_response(document)
    document_record_download(document=document, user=request.user)
    return response


@administrator_required
def template_list(request):
    from procedures.models import ProcedureVersion

    versions = ProcedureVersion.objects.select_related(
        "procedure", "section__department", "document_template"
    ).order_by("procedure__code", "-number")
    return render(
        request, "documents/manage_template_list.html", {"versions": versions}
    )


@administrator_required
@require_http_methods(["GET", "POST"])
def template_edit(request, version_id: int):
    from procedures.models import ProcedureVersion

    version = get_object_or_404(
        ProcedureVersion.objects.select_related("procedure"), pk=version_id
    )
    template = template_for_version(version)
    questions = [
        (info.key, info.label) for info in version.form_version.runtime.field_keys()
    ]
    data = request.POST or None
    preset_applied = False
    if data is not None and "_apply_preset" in data:
        # ひな形の文面にする: the chosen preset's title and body texts fill
        # the form again, unsaved, for the administrator to adjust and save.
        data = data.copy()
        for name, text in PRESETS.get(data.get("preset", ""), {}).items():
            data[name] = text
        preset_applied = True
    form = DocumentTemplateForm(data, instance=template, questions=questions)
    if preset_applied:
        form._errors = ErrorDict()  # not a save: nothing to complain about yet
    elif request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        data["shown_fields"] = form.instance.shown_fields
        document_template_save(
            procedure_version=version, data=data, actor=request.user, request=request
        )
        from django.contrib import messages

        messages.success(request, _("文書テンプレートを保存しました。"))
        return redirect("documents:template_edit", version_id=version.pk)
    from procedures.outcomes import version_outcomes

    return render(
        request,
        "documents/manage_template_edit.html",
        {
            "version": version,
            "form": form,
            "template": template,
            "presets": PRESETS,
            "preset_applied": preset_applied,
            # One 見本 per outcome: a partial grant's notice is checked too.
            "outcomes": version_outcomes(version),
            # Template syntax shown as text in the help (not translatable).
            "syntax": {
                "if_partial": '{% if outcome.kind == "partial" %}…{% endif %}',
                "decided": "{{ decision_data.<key> }}",
            },
        },
    )


@administrator_required
def template_preview(request, version_id: int):
    """The saved template printed with sample data (unsigned, marked 見本):
    this version's own numbering, form and outcome (``?outcome=<code>``; the
    refusal with ``?kind=rejection``)."""
    from documents.preview import preview_outcome, preview_snapshot
    from documents.rendering import RenderError, render_pdf
    from procedures.models import ProcedureVersion

    version = get_object_or_404(
        ProcedureVersion.objects.select_related(
            "form_version", "section__department", "procedure"
        ),
        pk=version_id,
    )
    template = template_for_version(version)
    approved = request.GET.get("kind") != "rejection"
    outcome = preview_outcome(
        version, code=request.GET.get("outcome", ""), approved=approved
    )
    snapshot = preview_snapshot(
        version=version, template=template, outcome=outcome, approved=approved
    )
    snapshot["template"] = {
        "approval_text": template.approval_text,
        "rejection_text": template.rejection_text,
        "closing_text": template.closing_text,
        "html": template.html,
        "css": template.css
        + '\nbody::before { content: "見本"; position: absolute; top: 40%; left: 30%;'
        " font-size: 80pt; color: rgba(200, 0, 0, 0.15); }",
    }
    try:
        pdf = render_pdf(snapshot, pdf_variant=None)
    except RenderError as error:
        return HttpResponse(
            _("プレビューを作成できません: %(error)s") % {"error": error},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="preview.pdf"'
    return response

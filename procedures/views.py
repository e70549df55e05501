"""The resident portal: catalogue, applying, following, amending, withdrawing.

Every lookup of an application goes through ``selectors.application_of``
(``Application.objects.of(request.user)``): another resident's id is a 404
for pages and downloads alike.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import roles
from core.downloads import private_download
from procedures import selectors, services
from procedures.forms import AccountCloseForm, CatalogueSearchForm, WithdrawForm
from procedures.models import Application, ApplicationEvent
from procedures.outcomes import decision_data_display

Status = Application.Status


def catalogue(request: HttpRequest) -> HttpResponse:
    form = CatalogueSearchForm(request.GET or None)
    query = category = ""
    if form.is_valid():
        query = form.cleaned_data["q"] or ""
        category = form.cleaned_data["category"] or ""
    categories = list(selectors.catalogue_categories())
    procedures = list(selectors.catalogue_procedures(query=query, category=category))
    current_category = next((c for c in categories if c.code == category), None)
    return render(
        request,
        "procedures/catalogue.html",
        {
            "form": form,
            "query": query,
            "categories": categories,
            "current_category": current_category,
            "procedures": procedures,
        },
    )


def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    procedure = selectors.procedure_for_resident(code=code)
    drafts = list(
        selectors.drafts_of(user=request.user, procedure=procedure)
        .select_related("procedure_version__form_version")
        .order_by("-updated_at")[:5]
    )
    for draft in drafts:
        draft.summary = selectors.draft_summary(application=draft)
    return render(
        request,
        "procedures/procedure_detail.html",
        {
            "procedure": procedure,
            "version": procedure.current_version,
            "drafts": drafts,
        },
    )


@login_required
@require_POST
def application_start(request: HttpRequest, code: str) -> HttpResponse:
    procedure = selectors.procedure_for_resident(code=code)
    try:
        application = services.application_start(
            procedure=procedure,
            applicant=request.user,
            resume_draft=request.POST.get("new") != "1",
        )
    except services.ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(procedure)
    return redirect(_first_page_url(application))


# --- Filling in the form ----------------------------------------------------


def _runtime(application: Application) -> Any:
    return application.procedure_version.form_version.runtime


def _page_title(runtime: Any, index: int) -> str:
    from forms_builder.fieldtypes import loc

    page = runtime.pages[index]
    title = page.get("title") if isinstance(page, dict) else getattr(page, "title", "")
    return loc(title) if isinstance(title, dict) else str(title or "")


def _editable_pages(application: Application) -> list[int]:
    """The pages the resident may open now: every visible page of a draft, or
    the pages holding the fields the office asked to correct (補正)."""
    runtime = _runtime(application)
    visible = list(runtime.visible_page_indexes(application.answers))
    if application.status != Status.AMENDMENT_REQUESTED:
        return visible
    request = selectors.application_amendment_request(application=application)
    fields = set(request.fields) if request else set()
    if not fields:
        return visible
    pages = {
        section["page_index"]
        for section in runtime.display(application.answers)
        for item in section["items"]
        if item["key"] in fields
    }
    return [index for index in visible if index in pages] or visible


def _first_page_url(application: Application) -> str:
    pages = _editable_pages(application)
    if not pages:
        return reverse("procedures:application_confirm", args=[application.public_id])
    return reverse(
        "procedures:application_page", args=[application.public_id, pages[0]]
    )


def _existing_files(application: Application) -> dict[str, list[dict[str, Any]]]:
    return {
        key: value
        for key, value in application.answers.items()
        if isinstance(value, list)
        and value
        and isinstance(value[0], dict)
        and "id" in value[0]
    }


def _progress(
    runtime: Any, pages: list[int], current: int | None
) -> list[dict[str, Any]]:
    """The steps shown above the form: each visible page, then the confirmation."""
    here = pages.index(current) if current in pages else len(pages)
    steps = [
        {
            "number": position + 1,
            "title": _page_title(runtime, index),
            "current": position == here,
            "done": position < here,
        }
        for position, index in enumerate(pages)
    ]
    steps.append(
        {
            "number": len(pages) + 1,
            "title": _("入力内容の確認"),
            "current": current is None,
            "done": False,
        }
    )
    return steps


def _require_editable(
    request: HttpRequest, application: Application
) -> HttpResponse | None:
    if application.status in (Status.DRAFT, Status.AMENDMENT_REQUESTED):
        return None
    messages.info(request, _("この申請は提出済みのため、内容は変更できません。"))
    return redirect(application)


@login_required
@require_http_methods(["GET", "POST"])
def application_page(request: HttpRequest, public_id: Any, index: int) -> HttpResponse:
    application = selectors.application_of(user=request.user, public_id=public_id)
    if refusal := _require_editable(request, application):
        return refusal
    runtime = _runtime(application)
    pages = _editable_pages(application)
    if index not in pages:
        if request.method == "POST":
            # The page was hidden by answers saved since it was drawn (another
            # tab): say so rather than drop what was posted without a word.
            messages.warning(
                request,
                _(
                    "このページは現在の回答では表示されないため、"
                    "送信された内容は保存していません。"
                ),
            )
        return redirect(_first_page_url(application))
    returning = request.GET.get("return") == "confirm"
    kwargs = {
        "answers": application.answers,
        "existing_files": _existing_files(application),
    }
    if request.method == "POST":
        form = runtime.page_form(
            index, data=request.POST, files=request.FILES, **kwargs
        )
        action = request.POST.get("action", "next")
        # 一時保存 also keeps a page whose required questions are not all
        # answered yet; they are asked for again before submitting.
        keep_unfinished = action == "save" and form.only_unanswered()
        if form.is_valid() or keep_unfinished:
            try:
                application = services.application_save_answers(
                    application=application,
                    answers=form.page_answers(),
                    new_files=form.new_files(),
                )
            except services.ApplicationError as exc:
                messages.error(request, exc.message)
                return redirect(application)
            if not keep_unfinished:
                return _after_page(request, application, index, action, returning)
            messages.success(
                request,
                _(
                    "入力内容を保存しました。まだ入力していない必須の項目があります。"
                    "申請の前に入力してください。"
                ),
            )
            return redirect(application)
        # The page's own error summary (forms_builder) lists what to fix; a
        # row added or removed is not an error and re-renders the page.
        # Files that passed their checks are kept with the draft, so the
        # resident sees them as attached instead of choosing them again.
        if kept := form.checked_uploads():
            try:
                application = services.application_keep_uploads(
                    application=application, new_files=kept
                )
            except services.ApplicationError as exc:
                messages.error(request, exc.message)
                return redirect(application)
            form = runtime.page_form(
                index,
                data=request.POST,
                files={},
                answers=application.answers,
                existing_files=_existing_files(application),
            )
            form.is_valid()  # the same messages, with the files now attached
    else:
        form = runtime.page_form(index, **kwargs)
    amendment = (
        selectors.application_amendment_request(application=application)
        if application.status == Status.AMENDMENT_REQUESTED
        else None
    )
    position = pages.index(index)
    return render(
        request,
        "procedures/application_page.html",
        {
            "application": application,
            "procedure": application.procedure,
            "form": form,
            "page_title": _page_title(runtime, index),
            "index": index,
            "steps": _progress(runtime, pages, index),
            "step_number": position + 1,
            "step_count": len(pages) + 1,
            "has_previous": position > 0,
            "returning": returning,
            "amendment": amendment,
        },
    )


def _after_page(
    request: HttpRequest,
    application: Application,
    index: int,
    action: str,
    returning: bool,
) -> HttpResponse:
    if action == "save":
        messages.success(
            request,
            _("入力内容を保存しました。「申請状況」からいつでも続きを入力できます。"),
        )
        return redirect(application)
    # Visibility may change with the answers just saved: recompute.
    pages = _editable_pages(application)
    if action == "back":
        earlier = [page for page in pages if page < index]
        if earlier:
            return redirect(
                "procedures:application_page", application.public_id, earlier[-1]
            )
        return redirect(application)
    later = [page for page in pages if page > index]
    if later and not returning:
        return redirect("procedures:application_page", application.public_id, later[0])
    return redirect("procedures:application_confirm", application.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def application_confirm(request: HttpRequest, public_id: Any) -> HttpResponse:
    application = selectors.application_of(user=request.user, public_id=public_id)
    if application.status not in (Status.DRAFT, Status.AMENDMENT_REQUESTED):
        # A retried submit lands here after the first one succeeded.
        if application.receipt_number and request.method == "POST":
            return redirect("procedures:application_receipt", application.public_id)
        return redirect(application)
    runtime = _runtime(application)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            if application.status == Status.AMENDMENT_REQUESTED:
                services.application_resubmit(application=application)
                messages.success(
                    request, _("修正した内容で再提出しました。担当課が確認します。")
                )
                return redirect(application)
            services.application_submit(
                application=application,
                delivery_consent=request.POST.get("delivery_consent") == "on",
            )
            return redirect("procedures:application_receipt", application.public_id)
        except services.ApplicationInvalid as exc:
            errors = exc.errors
        except services.ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect(application)
    else:
        errors = runtime.validate(runtime.clean(application.answers))
    sections = runtime.display(application.answers)
    editable = set(_editable_pages(application))
    labels = {
        item["key"]: item["label"] for section in sections for item in section["items"]
    }
    page_of = {
        item["key"]: section["page_index"]
        for section in sections
        for item in section["items"]
    }
    error_list = [
        {
            "key": key,
            "label": labels.get(key, key),
            "message": message,
            "page_index": page_of.get(key),
        }
        for key, field_messages in errors.items()
        for message in field_messages
    ]
    pages = _editable_pages(application)
    return render(
        request,
        "procedures/application_confirm.html",
        {
            "application": application,
            "procedure": application.procedure,
            "sections": sections,
            "editable_pages": editable,
            "errors": error_list,
            "steps": _progress(runtime, pages, None),
            "step_number": len(pages) + 1,
            "step_count": len(pages) + 1,
            "amending": application.status == Status.AMENDMENT_REQUESTED,
        },
        status=200,
    )


@login_required
def application_receipt(request: HttpRequest, public_id: Any) -> HttpResponse:
    application = selectors.application_of(user=request.user, public_id=public_id)
    if not application.receipt_number:
        return redirect(application)
    return render(
        request,
        "procedures/application_receipt.html",
        {"application": application, "procedure": application.procedure},
    )


# --- Following an application ------------------------------------------------


@login_required
def my_applications(request: HttpRequest) -> HttpResponse:
    applications = list(selectors.applications_of(user=request.user))
    drafts = [a for a in applications if a.status == Status.DRAFT]
    # The drafts' summaries read their form: one query for the versions, each
    # definition read once (not once per row of the list).
    prefetch_related_objects(drafts, "procedure_version__form_version")
    for draft in drafts:
        draft.summary = selectors.draft_summary(application=draft)
    others = [a for a in applications if a.status != Status.DRAFT]
    return render(
        request,
        "procedures/my_applications.html",
        {"drafts": drafts, "applications": others},
    )


@login_required
def application_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    application = selectors.application_of(user=request.user, public_id=public_id)
    runtime = _runtime(application)
    amendment = None
    amendment_items: list[dict[str, Any]] = []
    sections = runtime.display(application.answers)
    if application.status == Status.AMENDMENT_REQUESTED:
        amendment = selectors.application_amendment_request(application=application)
        requested = set(amendment.fields) if amendment else set()
        amendment_items = [
            {**item, "page_index": section["page_index"]}
            for section in sections
            for item in section["items"]
            if item["key"] in requested
        ]
    timeline = selectors.application_timeline(application=application)
    office_messages = [e for e in timeline if e.kind == ApplicationEvent.Kind.MESSAGE]
    # The decision and its decided values (交付決定額, 許可番号…), as the notice
    # prints them: also for a notice that comes by post.
    decided = application.outcome if not application.is_open else None
    return render(
        request,
        "procedures/application_detail.html",
        {
            "outcome": decided,
            "decision_items": decision_data_display(
                outcome=decided, data=application.decision_data or {}
            )
            if decided
            else [],
            "application": application,
            "procedure": application.procedure,
            "version": application.procedure_version,
            "sections": sections,
            "timeline": timeline,
            "office_messages": office_messages,
            "amendment": amendment,
            "amendment_items": amendment_items,
            "documents": selectors.application_documents(application=application),
            "continue_url": _first_page_url(application)
            if application.status in (Status.DRAFT, Status.AMENDMENT_REQUESTED)
            else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_withdraw(request: HttpRequest, public_id: Any) -> HttpResponse:
    application = selectors.application_of(user=request.user, public_id=public_id)
    if not application.can_withdraw:
        messages.info(request, _("この申請は取り下げできる状態ではありません。"))
        return redirect(application)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_withdraw(
                application=application, reason=form.cleaned_data["reason"]
            )
        except services.ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect(application)
        messages.success(request, _("申請を取り下げました。"))
        return redirect(application)
    return render(
        request,
        "procedures/application_withdraw.html",
        {"application": application, "procedure": application.procedure, "form": form},
    )


@login_required
@require_POST
def application_discard(request: HttpRequest, public_id: Any) -> HttpResponse:
    application = selectors.application_of(user=request.user, public_id=public_id)
    try:
        services.application_discard_draft(application=application)
    except services.ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(application)
    messages.success(request, _("下書きを削除しました。"))
    return redirect("procedures:my_applications")


@login_required
def attachment_download(
    request: HttpRequest, public_id: Any, attachment_id: int
) -> HttpResponse:
    application = selectors.application_of(user=request.user, public_id=public_id)
    attachment = selectors.application_attachment(
        application=application, attachment_id=attachment_id
    )
    return private_download(
        lambda: attachment.file.open("rb"),
        filename=attachment.original_name,
        content_type=attachment.content_type or "application/octet-stream",
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_close(request: HttpRequest) -> HttpResponse:
    if not roles.is_resident(request.user):
        raise PermissionDenied  # staff accounts are closed by their administrators
    form = AccountCloseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.resident_account_close(user=request.user)
        logout(request)
        messages.success(request, _("退会しました。ご利用ありがとうございました。"))
        return redirect("core:home")
    submitted = Application.objects.of(request.user).exclude(status="draft").exists()
    return render(
        request,
        "procedures/account_close.html",
        {"form": form, "has_submitted": submitted},
        status=400 if form.is_bound else 200,
    )

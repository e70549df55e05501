"""State changes of forms and their versions.

A published version is immutable: every function here that writes a
definition refuses a published version, and ``FormVersion.save`` refuses it
again in case a caller bypasses these services.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from core.audit import audit_record
from core.uploads import identify_content_type
from forms_builder import editing
from forms_builder.definition import (
    FORMAT_VERSION,
    DefinitionInvalid,
    validate_definition,
)
from forms_builder.models import (
    Form,
    FormVersion,
    PublishedVersionError,
    TemplateFile,
)

STARTER_PAGE = {"key": "page1", "title": {"ja": "申請内容", "en": "Application"}}


def starter_definition(
    *, page_key: str = "", title: dict[str, str] | None = None
) -> dict[str, Any]:
    """A new form's definition: one empty page to start from, named as the
    administrator named it when creating the form (else 申請内容)."""
    return {
        "version": FORMAT_VERSION,
        "pages": [
            {
                "key": page_key or STARTER_PAGE["key"],
                "title": title or dict(STARTER_PAGE["title"]),
                "fields": [],
            }
        ],
    }


@transaction.atomic
def form_create(
    *,
    code: str,
    title: str,
    title_en: str = "",
    actor: Any,
    definition: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Form:
    """Create a form with its first draft version."""
    form = Form.objects.create(code=code, title=title, title_en=title_en)
    FormVersion.objects.create(
        form=form,
        number=1,
        definition=definition or starter_definition(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(action="forms.create", actor=actor, target=form, request=request)
    return form


@transaction.atomic
def form_update(
    *,
    form: Form,
    title: str,
    title_en: str = "",
    actor: Any,
    request: HttpRequest | None = None,
) -> Form:
    """Rename a form (the code never changes: procedures refer to it)."""
    form.title = title
    form.title_en = title_en
    form.save(update_fields=["title", "title_en", "updated_at"])
    audit_record(action="forms.update", actor=actor, target=form, request=request)
    return form


@transaction.atomic
def form_version_create_draft(
    *, form: Form, actor: Any, request: HttpRequest | None = None
) -> FormVersion:
    """The form's draft: the existing one, or a copy of the latest version.

    Editing a published form never touches it: the copy gets the next number.
    """
    # Lock the form row so two administrators cannot both create a draft.
    Form.objects.select_for_update().filter(pk=form.pk).first()
    draft = form.versions.filter(status=FormVersion.Status.DRAFT).first()
    if draft is not None:
        return draft
    latest = form.versions.order_by("-number").first()
    number = (form.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    draft = FormVersion.objects.create(
        form=form,
        number=number,
        definition=copy.deepcopy(latest.definition) if latest else starter_definition(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        action="forms.draft_create",
        actor=actor,
        target=draft,
        data={"from_version": latest.number if latest else None},
        request=request,
    )
    return draft


def _require_draft(version: FormVersion) -> None:
    if version.is_published:
        raise PublishedVersionError(
            f"{version} is published; create a draft to edit it"
        )


@transaction.atomic
def form_version_update_definition(
    *,
    version: FormVersion,
    definition: dict[str, Any],
    actor: Any,
    summary: str = "",
    request: HttpRequest | None = None,
) -> FormVersion:
    """Store a draft's new definition (builder edits).

    Drafts may hold definitions with problems (a rule left pointing at a
    removed field): the builder shows them next to the field, and
    :func:`form_version_publish` refuses them.
    """
    version = FormVersion.objects.select_for_update().get(pk=version.pk)
    _require_draft(version)
    version.definition = definition
    version.save(update_fields=["definition", "updated_at"])
    audit_record(
        action="forms.edit",
        actor=actor,
        target=version,
        data={"summary": summary} if summary else None,
        request=request,
    )
    return version


@transaction.atomic
def form_version_import(
    *,
    form: Form,
    definition: Any,
    actor: Any,
    request: HttpRequest | None = None,
) -> FormVersion:
    """Replace the form's draft with an imported definition, if it is valid."""
    errors = validate_definition(definition)
    if errors:
        raise DefinitionInvalid(errors)
    draft = form_version_create_draft(form=form, actor=actor, request=request)
    draft = FormVersion.objects.select_for_update().get(pk=draft.pk)
    draft.definition = definition
    draft.save(update_fields=["definition", "updated_at"])
    audit_record(action="forms.import", actor=actor, target=draft, request=request)
    return draft


@transaction.atomic
def form_version_publish(
    *, version: FormVersion, actor: Any, request: HttpRequest | None = None
) -> FormVersion:
    """Publish a valid draft; from then on it never changes."""
    version = FormVersion.objects.select_for_update().get(pk=version.pk)
    _require_draft(version)
    errors = validate_definition(version.definition)
    if errors:
        raise DefinitionInvalid(errors)
    version.status = FormVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor if getattr(actor, "pk", None) else None
    version.save(update_fields=["status", "published_at", "published_by"])
    audit_record(
        action="forms.publish",
        actor=actor,
        target=version,
        data={"form": version.form.code, "number": version.number},
        request=request,
    )
    return version


@transaction.atomic
def form_version_discard(
    *, version: FormVersion, actor: Any, request: HttpRequest | None = None
) -> None:
    """Delete a draft nobody uses (a published version is kept for ever)."""
    version = FormVersion.objects.select_for_update().get(pk=version.pk)
    _require_draft(version)
    audit_record(action="forms.discard", actor=actor, target=version, request=request)
    version.delete()


@transaction.atomic
def form_template_attach(
    *,
    version: FormVersion,
    field_key: str,
    upload: UploadedFile,
    actor: Any,
    request: HttpRequest | None = None,
) -> TemplateFile:
    """Store a checked 様式 and name it in the draft's file question."""
    version = FormVersion.objects.select_for_update().get(pk=version.pk)
    _require_draft(version)
    spec = editing.find_field(version.definition, field_key)
    if spec.get("type") != "file":
        raise editing.EditError(f"{field_key} is not a file question")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    template = TemplateFile(
        form=version.form,
        original_name=upload.name[:255],
        content_type=identify_content_type(upload),
        size=upload.size,
        sha256=digest.hexdigest(),
    )
    template.file.save(upload.name, upload, save=False)
    template.save()
    definition = editing.field_update(
        version.definition, key=field_key, changes={"template": template.as_ref()}
    )
    form_version_update_definition(
        version=version,
        definition=definition,
        actor=actor,
        summary=f"template_attach {field_key}",
        request=request,
    )
    return template


def form_template_detach(
    *,
    version: FormVersion,
    field_key: str,
    actor: Any,
    request: HttpRequest | None = None,
) -> FormVersion:
    """Take the 様式 off a draft's question (published versions keep theirs,
    and so the stored file)."""
    definition = editing.field_update(
        version.definition, key=field_key, changes={"template": None}
    )
    return form_version_update_definition(
        version=version,
        definition=definition,
        actor=actor,
        summary=f"template_detach {field_key}",
        request=request,
    )

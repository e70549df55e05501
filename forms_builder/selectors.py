"""Reads of forms and versions for the builder and the other apps."""

from __future__ import annotations

from django.db.models import Count, Max, Q, QuerySet

from forms_builder.definition import walk
from forms_builder.models import Form, FormVersion, TemplateFile


def form_list() -> QuerySet[Form]:
    """Forms with their latest published number and whether a draft exists."""
    return Form.objects.annotate(
        published_number=Max(
            "versions__number", filter=Q(versions__status=FormVersion.Status.PUBLISHED)
        ),
        draft_number=Max(
            "versions__number", filter=Q(versions__status=FormVersion.Status.DRAFT)
        ),
        version_count=Count("versions"),
    ).order_by("code")


def form_versions(*, form: Form) -> QuerySet[FormVersion]:
    """A form's versions, newest first, with who published them."""
    return form.versions.select_related("published_by", "created_by").order_by(
        "-number"
    )


def form_version_get(*, code: str, number: int) -> FormVersion:
    """One version by form code and number (raises FormVersion.DoesNotExist)."""
    return FormVersion.objects.select_related("form").get(
        form__code=code, number=number
    )


def form_version_latest_published(*, form: Form) -> FormVersion | None:
    """The version residents get for new applications, if any."""
    return (
        form.versions.filter(status=FormVersion.Status.PUBLISHED)
        .order_by("-number")
        .first()
    )


def published_versions() -> QuerySet[FormVersion]:
    """Every published version, for choosing a procedure's form."""
    return (
        FormVersion.objects.filter(status=FormVersion.Status.PUBLISHED)
        .select_related("form")
        .order_by("form__code", "-number")
    )


def template_file_published(*, template: TemplateFile) -> bool:
    """Whether a published version of its form offers this 様式 to residents."""
    wanted = str(template.public_id)
    definitions = FormVersion.objects.filter(
        form_id=template.form_id, status=FormVersion.Status.PUBLISHED
    ).values_list("definition", flat=True)
    return any(
        (node.spec.get("template") or {}).get("id") == wanted
        for definition in definitions
        for node in walk(definition)
        if node.type == "file" and isinstance(node.spec.get("template"), dict)
    )

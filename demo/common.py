"""What every demo procedure's seeding does first: its form, published, and a
draft procedure in the demo's 福祉政策課 under the 福祉・子育て category."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from forms_builder.models import Form, FormVersion
from forms_builder.services import form_create, form_version_publish
from organisation.models import Section
from procedures.models import Category, Procedure
from procedures.services import procedure_create


def demo_published_form(
    *, code: str, title: str, title_en: str, definition: dict[str, Any], admin: User
) -> FormVersion:
    """The form's latest version, created and published when it is not yet."""
    form = Form.objects.filter(code=code).first() or form_create(
        code=code, title=title, title_en=title_en, definition=definition, actor=admin
    )
    version = form.versions.order_by("-number").first()
    if not version.is_published:
        version = form_version_publish(version=version, actor=admin)
    return version


def demo_procedure_draft(
    *,
    code: str,
    receipt_prefix: str,
    form_code: str,
    texts: dict[str, Any],
    definition: dict[str, Any],
    admin: User,
) -> Procedure:
    """The procedure with its first version as a draft, on a published form."""
    form_version = demo_published_form(
        code=form_code,
        title=texts["title"],
        title_en=texts["title_en"],
        definition=definition,
        admin=admin,
    )
    category, _ = Category.objects.get_or_create(
        code="fukushi",
        defaults={"name": "福祉・子育て", "name_en": "Welfare and families"},
    )
    return procedure_create(
        code=code,
        receipt_prefix=receipt_prefix,
        category=category,
        version_data={
            **texts,
            "section": Section.objects.get(code="fukushi-seisaku"),
            "form_version": form_version,
        },
        actor=admin,
    )

"""Procedure packages: one JSON file with everything a procedure needs.

A package carries the procedure's texts, its form definition and one entry
per registered section (the approval route from workflow, the document
template from documents). procedures cannot import those apps (imports go
one way), so they register an exporter and an importer here from their
``AppConfig.ready()``, as Django's admin collects ModelAdmins.

Importing is all or nothing: everything happens in one transaction and any
problem raises :class:`PackageError` with a message for the administrator,
leaving the database as it was.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from procedures.models import (
    RETENTION_CHOICES,
    Category,
    Procedure,
    ProcedureVersion,
)

FORMAT = "e-shinsei.procedure-package"
FORMAT_VERSION = 1

Exporter = Callable[[ProcedureVersion], dict[str, Any]]
Importer = Callable[[ProcedureVersion, dict[str, Any]], None]


class PackageError(Exception):
    """A package that cannot be imported; ``message`` says why, for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Section:
    name: str
    export: Exporter
    import_: Importer


_sections: dict[str, Section] = {}


def register_section(name: str, export: Exporter, import_: Importer) -> None:
    """Add a part of the package (``route``, ``document_template`` …).

    ``export(version)`` returns a JSON-serialisable dict, or ``{}`` when the
    version has nothing of that kind; ``import_(version, data)`` recreates it
    on a new draft version, mapping organisation units by code and creating
    the missing ones, and raises ``ValueError``/``ValidationError`` (or
    :class:`PackageError`) with a readable message on bad data.
    """
    _sections[name] = Section(name=name, export=export, import_=import_)


def registered_sections() -> dict[str, Section]:
    return dict(_sections)


# --- Export ---------------------------------------------------------------


def _department_data(department: Any) -> dict[str, Any]:
    return {
        "code": department.code,
        "name": department.name,
        "name_en": department.name_en,
    }


def package_export(*, version: ProcedureVersion) -> dict[str, Any]:
    """The package of one version of a procedure, as a JSON-ready dict."""
    from procedures.services import VERSION_TEXT_FIELDS

    procedure = version.procedure
    section = version.section
    form_version = version.form_version
    form = form_version.form
    category = procedure.category
    sections: dict[str, Any] = {}
    for name, part in sorted(_sections.items()):
        data = part.export(version)
        if data:
            sections[name] = data
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "procedure": {
            "code": procedure.code,
            "receipt_prefix": procedure.receipt_prefix,
            "category": (
                {
                    "code": category.code,
                    "name": category.name,
                    "name_en": category.name_en,
                    "order": category.order,
                }
                if category
                else None
            ),
        },
        "version": {
            "number": version.number,
            **{field: getattr(version, field) for field in VERSION_TEXT_FIELDS},
            "section": {
                "code": section.code,
                "name": section.name,
                "name_en": section.name_en,
                "contact": section.contact,
                "department": _department_data(section.department),
            },
        },
        "form": {
            "code": form.code,
            "title": form.title,
            "title_en": form.title_en,
            "definition": copy.deepcopy(form_version.definition),
        },
        "sections": sections,
    }


def package_dumps(package: dict[str, Any]) -> str:
    return json.dumps(package, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def package_export_procedure(*, procedure: Procedure) -> dict[str, Any]:
    """The package of the published version (or the latest one if none is published)."""
    version = (
        procedure.current_version or procedure.versions.order_by("-number").first()
    )
    if version is None:
        raise PackageError(gettext("この手続には版がありません。"))
    return package_export(version=version)


def copy_sections(*, source: ProcedureVersion, target: ProcedureVersion) -> None:
    """Copy every registered part from one version to a new draft of the same procedure."""
    for part in _sections.values():
        data = part.export(source)
        if data:
            part.import_(target, data)


# --- Import ---------------------------------------------------------------


def _require(data: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(data, dict) or key not in data:
        raise PackageError(
            gettext("パッケージに「%(where)s.%(key)s」がありません。")
            % {"where": where, "key": key}
        )
    value = data[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise PackageError(
            gettext("パッケージの「%(where)s.%(key)s」の形式が正しくありません。")
            % {"where": where, "key": key}
        )
    return value


def package_loads(text: str | bytes) -> dict[str, Any]:
    """Parse a package file, refusing anything that is not one."""
    try:
        package = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PackageError(
            gettext("JSON として読めません（%(error)s）。") % {"error": exc}
        ) from exc
    if not isinstance(package, dict) or package.get("format") != FORMAT:
        raise PackageError(gettext("手続パッケージのファイルではありません。"))
    if package.get("format_version") != FORMAT_VERSION:
        raise PackageError(
            gettext("このパッケージの形式（版 %(version)s）には対応していません。")
            % {"version": package.get("format_version")}
        )
    return package


def _refuse_unknown(data: dict[str, Any], known: Any, where: str) -> None:
    """A key the importer would not read is refused, never skipped: a
    misspelt or newer key would otherwise vanish without a word."""
    unknown = sorted(str(key) for key in data if key not in known)
    if unknown:
        raise PackageError(
            gettext(
                "パッケージの「%(where)s」に、このシステムでは読み込めない項目があります: "
                "%(keys)s"
            )
            % {"where": where, "keys": ", ".join(unknown)}
        )


def _validate_shape(package: dict[str, Any]) -> None:
    from procedures.services import VERSION_TEXT_FIELDS

    _refuse_unknown(
        package,
        {"format", "format_version", "exported_at", "procedure", "version"}
        | {"form", "sections"},
        "package",
    )
    procedure = _require(package, "procedure", dict, "package")
    _refuse_unknown(procedure, {"code", "receipt_prefix", "category"}, "procedure")
    _require(procedure, "code", str, "procedure")
    _require(procedure, "receipt_prefix", str, "procedure")
    if procedure.get("category") is not None:
        category = _require(procedure, "category", dict, "procedure")
        _refuse_unknown(
            category, {"code", "name", "name_en", "order"}, "procedure.category"
        )
        _require(category, "code", str, "procedure.category")
        _require(category, "name", str, "procedure.category")
    version = _require(package, "version", dict, "package")
    _refuse_unknown(version, {"number", "section", *VERSION_TEXT_FIELDS}, "version")
    # Packages exported before retention classes existed keep the default.
    version.setdefault("retention_years", 5)
    # And those exported before deadlines were settings (issue 15).
    version.setdefault("amendment_days", 14)
    version.setdefault("escalation_working_days", 3)
    for field in VERSION_TEXT_FIELDS:
        kind = (
            int
            if field
            in (
                "fee_yen",
                "processing_days",
                "retention_years",
                "amendment_days",
                "escalation_working_days",
            )
            else bool
            if field == "processing_in_business_days"
            else str
        )
        _require(version, field, kind, "version")
    if version["retention_years"] not in dict(RETENTION_CHOICES):
        raise PackageError(
            gettext("パッケージの「%(where)s.%(key)s」の形式が正しくありません。")
            % {"where": "version", "key": "retention_years"}
        )
    section = _require(version, "section", dict, "version")
    _refuse_unknown(
        section,
        {"code", "name", "name_en", "contact", "department"},
        "version.section",
    )
    _require(section, "code", str, "version.section")
    _require(section, "name", str, "version.section")
    department = _require(section, "department", dict, "version.section")
    _refuse_unknown(
        department, {"code", "name", "name_en"}, "version.section.department"
    )
    _require(department, "code", str, "version.section.department")
    _require(department, "name", str, "version.section.department")
    form = _require(package, "form", dict, "package")
    _refuse_unknown(form, {"code", "title", "title_en", "definition"}, "form")
    _require(form, "code", str, "form")
    _require(form, "title", str, "form")
    _require(form, "definition", dict, "form")
    sections = _require(package, "sections", dict, "package")
    unknown = sorted(set(sections) - set(_sections))
    if unknown:
        raise PackageError(
            gettext("このシステムでは読み込めない部分があります: %(names)s")
            % {"names": ", ".join(unknown)}
        )


def _import_section(data: dict[str, Any]) -> Any:
    from organisation.models import Department, Section

    dept_data = data["department"]
    department, _created = Department.objects.get_or_create(
        code=dept_data["code"],
        defaults={"name": dept_data["name"], "name_en": dept_data.get("name_en", "")},
    )
    section, created = Section.objects.get_or_create(
        code=data["code"],
        defaults={
            "department": department,
            "name": data["name"],
            "name_en": data.get("name_en", ""),
            "contact": data.get("contact", ""),
        },
    )
    if created:
        section.full_clean()
    return section


def import_published_form(data: dict[str, Any], actor: Any) -> Any:
    """The published form version with this definition, reused or created."""
    from forms_builder.models import Form, FormVersion

    form, created = Form.objects.get_or_create(
        code=data["code"],
        defaults={"title": data["title"], "title_en": data.get("title_en", "")},
    )
    if created:
        form.full_clean()
    definition = data["definition"]
    for existing in form.versions.filter(status=FormVersion.Status.PUBLISHED):
        if existing.definition == definition:
            return existing
    errors = _form_definition_errors(definition)
    if errors:
        raise PackageError(
            gettext("申請フォームの定義に誤りがあります: %(errors)s")
            % {"errors": "; ".join(errors)}
        )
    number = (
        form.versions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    now = timezone.now()
    return FormVersion.objects.create(
        form=form,
        number=number,
        status=FormVersion.Status.PUBLISHED,
        definition=definition,
        created_by=actor if getattr(actor, "pk", None) else None,
        published_at=now,
        published_by=actor if getattr(actor, "pk", None) else None,
    )


def _form_definition_errors(definition: dict[str, Any]) -> list[str]:
    from forms_builder.definition import validate_definition

    return [str(problem) for problem in validate_definition(definition)]


@transaction.atomic
def package_import(
    *, package: dict[str, Any], actor: Any, request: Any = None
) -> ProcedureVersion:
    """Import a package as a new draft version (creating the procedure if needed).

    Sections, departments, the category and the form are matched by code and
    created when missing, so a package imports into an empty installation.
    One that exists keeps its own names and contact (the package's are used
    only to create it: the organisation is managed here, not by packages).
    Keys the importer does not read are refused (``_refuse_unknown``).
    The administrator reviews the draft and publishes it.
    """
    from core.audit import audit_record
    from procedures.services import VERSION_TEXT_FIELDS

    _validate_shape(package)
    data = package["procedure"]
    version_data = package["version"]
    try:
        with transaction.atomic():
            category = None
            if data.get("category"):
                cat = data["category"]
                category, _created = Category.objects.get_or_create(
                    code=cat["code"],
                    defaults={
                        "name": cat["name"],
                        "name_en": cat.get("name_en", ""),
                        "order": int(cat.get("order") or 0),
                    },
                )
            procedure = (
                Procedure.objects.select_for_update().filter(code=data["code"]).first()
            )
            if procedure is None:
                procedure = Procedure(
                    code=data["code"],
                    receipt_prefix=data["receipt_prefix"],
                    category=category,
                )
                procedure.full_clean()
                procedure.save()
            else:
                if procedure.status == Procedure.Status.RETIRED:
                    raise PackageError(gettext("この手続は廃止されています。"))
                if procedure.versions.filter(
                    status=ProcedureVersion.Status.DRAFT
                ).exists():
                    raise PackageError(
                        gettext(
                            "手続「%(code)s」には作成中の版があります。"
                            "公開するか削除してから読み込んでください。"
                        )
                        % {"code": procedure.code}
                    )
            number = (
                procedure.versions.order_by("-number")
                .values_list("number", flat=True)
                .first()
                or 0
            ) + 1
            version = ProcedureVersion(
                procedure=procedure,
                number=number,
                section=_import_section(version_data["section"]),
                form_version=import_published_form(package["form"], actor),
                **{field: version_data[field] for field in VERSION_TEXT_FIELDS},
            )
            version.full_clean()
            version.save()
            for name, section_data in package["sections"].items():
                if not isinstance(section_data, dict):
                    raise PackageError(
                        gettext("パッケージの「%(name)s」の形式が正しくありません。")
                        % {"name": name}
                    )
                try:
                    _sections[name].import_(version, section_data)
                except PackageError:
                    raise
                except ValidationError as exc:
                    raise PackageError(
                        gettext("「%(name)s」を読み込めません: %(error)s")
                        % {"name": name, "error": "; ".join(exc.messages)}
                    ) from exc
                except (ValueError, KeyError, TypeError, LookupError) as exc:
                    raise PackageError(
                        gettext("「%(name)s」を読み込めません: %(error)s")
                        % {"name": name, "error": exc}
                    ) from exc
    except ValidationError as exc:
        messages = [
            f"{field}: {'; '.join(str(m) for m in errors)}"
            for field, errors in getattr(
                exc, "message_dict", {"": exc.messages}
            ).items()
        ]
        raise PackageError(
            gettext("パッケージの内容に誤りがあります: %(errors)s")
            % {"errors": " / ".join(messages)}
        ) from exc
    audit_record(
        action="procedure.import",
        actor=actor,
        target=procedure,
        data={"number": version.number, "sections": sorted(package["sections"])},
        request=request,
    )
    return version


# --- Preview --------------------------------------------------------------


def package_preview(*, package: dict[str, Any]) -> dict[str, Any]:
    """What importing ``package`` would do, without doing it.

    Returns the incoming sections and positions with their default match
    (``package_mapping.incoming_units``), the procedure it would add a
    version to (or None), and the difference from its published version.
    """
    from procedures.package_mapping import incoming_units, package_diff
    from procedures.services import VERSION_TEXT_FIELDS

    _validate_shape(package)
    procedure = (
        Procedure.objects.select_related("current_version")
        .filter(code=package["procedure"]["code"])
        .first()
    )
    diff = None
    if procedure is not None and procedure.current_version is not None:
        labels = {
            name: str(ProcedureVersion._meta.get_field(name).verbose_name)
            for name in VERSION_TEXT_FIELDS
        }
        diff = package_diff(
            current=package_export(version=procedure.current_version),
            incoming=package,
            field_labels=labels,
        )
    return {
        "units": incoming_units(package),
        "procedure": procedure,
        "diff": diff,
        "category_new": bool(package["procedure"].get("category"))
        and not Category.objects.filter(
            code=package["procedure"]["category"]["code"]
        ).exists(),
        "form_status": _form_status(package["form"]),
    }


def _form_status(data: dict[str, Any]) -> str:
    """``new`` form, ``new_version`` of an existing one, or ``reused`` as is."""
    from forms_builder.models import Form, FormVersion

    form = Form.objects.filter(code=data["code"]).first()
    if form is None:
        return "new"
    published = form.versions.filter(status=FormVersion.Status.PUBLISHED)
    if any(v.definition == data["definition"] for v in published):
        return "reused"
    return "new_version"

"""Procedure packages: export, import into an empty installation, refusal of broken ones."""

from __future__ import annotations

import contextlib
import copy
import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from forms_builder.models import Form, FormVersion
from organisation.models import Assignment, Department, Position, Section
from procedures import packages
from procedures.models import Category, Procedure, ProcedureVersion
from tests.procedures.conftest import login, make_procedure

pytestmark = pytest.mark.django_db

TABLES = (Procedure, ProcedureVersion, Category, Form, FormVersion, Section, Department)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


def _empty_installation() -> None:
    """Remove every procedure, form and organisation unit (as on a new server)."""
    Procedure.objects.update(current_version=None)
    for name in ("workflow.Route", "documents.DocumentTemplate"):
        from django.apps import apps

        with contextlib.suppress(LookupError):
            apps.get_model(name).objects.all().delete()
    ProcedureVersion.objects.all().delete()
    Procedure.objects.all().delete()
    FormVersion.objects.all().delete()
    Form.objects.all().delete()
    Assignment.objects.all().delete()
    Section.objects.all().delete()
    Position.objects.all().delete()
    Department.objects.all().delete()
    Category.objects.all().delete()


def _confirm_data(preview) -> dict[str, str]:
    """The preview page's form as submitted unchanged (the default mapping)."""
    form = preview.context["mapping_form"]
    return {name: form[name].value() or "" for name in form.fields}


def _comparable(package: dict) -> dict:
    package = copy.deepcopy(package)
    package.pop("exported_at")
    package["version"].pop("number")
    return package


@pytest.fixture
def exported(office) -> tuple[Procedure, dict]:
    category = Category.objects.create(code="fukushi", name="福祉", name_en="Welfare")
    procedure = make_procedure(office, category=category, keywords="補助金")
    version = procedure.current_version
    version.title_en = "Welfare Facility Grant"
    version.fee_yen = 1200
    version.save()
    return procedure, packages.package_export_procedure(procedure=procedure)


def test_export_import_round_trip_into_an_empty_installation(exported):
    procedure, package = exported
    text = packages.package_dumps(package)
    _empty_installation()
    assert _counts()["Procedure"] == _counts()["Section"] == 0

    version = packages.package_import(package=packages.package_loads(text), actor=None)

    assert version.status == ProcedureVersion.Status.DRAFT
    assert version.procedure.code == procedure.code
    assert version.section.code == "fukushi-seisaku"
    assert version.section.department.code == "kenko-fukushi"
    assert version.form_version.is_published
    assert version.procedure.category.name_en == "Welfare"
    again = packages.package_export(version=version)
    assert _comparable(again) == _comparable(package)
    # Every registered part (route, document template) came back too.
    assert set(again["sections"]) == set(package["sections"])


def test_the_retention_class_travels_and_older_packages_get_the_default(exported):
    procedure, package = exported
    assert package["version"]["retention_years"] == 5
    package["version"]["retention_years"] = 30
    assert packages.package_import(package=package, actor=None).retention_years == 30

    older = copy.deepcopy(package)
    del older["version"]["retention_years"]
    Procedure.objects.get(pk=procedure.pk).versions.filter(status="draft").delete()
    assert packages.package_import(package=older, actor=None).retention_years == 5


def test_importing_twice_adds_a_new_draft_version_reusing_the_form(exported):
    procedure, package = exported

    version = packages.package_import(package=package, actor=None)

    assert version.procedure == procedure
    assert version.number == 2
    assert version.form_version == procedure.current_version.form_version
    with pytest.raises(packages.PackageError) as refused:
        packages.package_import(package=package, actor=None)
    assert "作成中の版" in refused.value.message


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda p: p["version"].pop("title"), "version.title"),
        (
            lambda p: p["version"].update(processing_days="三十"),
            "version.processing_days",
        ),
        (lambda p: p["procedure"].update(code="../etc"), "内容に誤り"),
        (
            lambda p: p["version"].update(retention_years=7),
            "version.retention_years",
        ),
        (
            lambda p: p["form"]["definition"]["pages"][0]["fields"].append(
                {"key": "x", "type": "no-such-type", "label": {"ja": "x"}}
            ),
            "申請フォームの定義に誤り",
        ),
        (lambda p: p["sections"].update(unknown_part={}), "unknown_part"),
    ],
)
def test_a_broken_package_is_refused_and_changes_nothing(exported, breakage, message):
    _procedure, package = exported
    package["procedure"]["code"] = "new-procedure"
    package["procedure"]["receipt_prefix"] = "NEW"
    package["version"]["section"]["code"] = "new-section"
    package["version"]["section"]["department"]["code"] = "new-department"
    package["form"]["code"] = "new-form"
    breakage(package)
    before = _counts()

    with pytest.raises(packages.PackageError) as refused:
        packages.package_import(package=package, actor=None)

    assert message in refused.value.message
    assert _counts() == before


def test_a_section_that_fails_late_rolls_back_everything(exported, monkeypatch):
    _procedure, package = exported
    package["procedure"]["code"] = "late-failure"
    package["procedure"]["receipt_prefix"] = "LATE"
    package["version"]["section"]["code"] = "late-section"

    def broken_import(version, data):
        raise ValueError("route: position 'kacho' has no level")

    monkeypatch.setitem(
        packages._sections,
        "route_test",
        packages.Section("route_test", lambda version: {}, broken_import),
    )
    package["sections"]["route_test"] = {"levels": []}
    before = _counts()

    with pytest.raises(packages.PackageError) as refused:
        packages.package_import(package=package, actor=None)

    assert "position 'kacho' has no level" in refused.value.message
    assert _counts() == before


@pytest.mark.parametrize(
    "text",
    [b"not json", b"[]", b'{"format": "something-else"}', "\ufffe".encode("utf-16")],
)
def test_a_file_that_is_not_a_package_is_refused(text):
    with pytest.raises(packages.PackageError):
        packages.package_loads(text)


def test_management_commands_export_to_stdout_and_import_from_a_file(
    exported, tmp_path
):
    procedure, _package = exported
    out = StringIO()
    call_command("export_procedure", procedure.code, stdout=out)
    package = json.loads(out.getvalue())
    assert package["procedure"]["code"] == procedure.code

    _empty_installation()
    path = tmp_path / "package.json"
    path.write_text(out.getvalue(), encoding="utf-8")
    result = StringIO()
    call_command("import_procedure", str(path), stdout=result)
    assert "draft version 1" in result.getvalue()
    assert Procedure.objects.get(code=procedure.code).versions.count() == 1

    path.write_text('{"format": "e-shinsei.procedure-package"}', encoding="utf-8")
    with pytest.raises(CommandError, match="nothing changed"):
        call_command("import_procedure", str(path))
    with pytest.raises(CommandError):
        call_command("export_procedure", "no-such-code")


def test_admin_exports_a_download_and_imports_with_a_readable_refusal(
    exported, administrator
):
    procedure, _package = exported
    admin = login(Client(), administrator)

    response = admin.get(f"/manage/procedures/{procedure.code}/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    body = response.content

    before = _counts()
    broken = SimpleUploadedFile(
        "p.json", b'{"format": "e-shinsei.procedure-package", "format_version": 1}'
    )
    refused = admin.post("/manage/procedures/import/", {"package": broken})
    assert refused.status_code == 200
    assert "何も変更していません" in refused.content.decode()
    assert _counts() == before

    _empty_installation()
    preview = admin.post(
        "/manage/procedures/import/", {"package": SimpleUploadedFile("p.json", body)}
    )
    assert preview.status_code == 200
    assert not Procedure.objects.filter(code=procedure.code).exists()
    accepted = admin.post("/manage/procedures/import/", _confirm_data(preview))
    assert accepted.status_code == 302, accepted.content.decode()[-3000:]
    assert Procedure.objects.filter(code=procedure.code).exists()


def test_demo_package_carries_its_route_and_document_template_into_an_empty_installation():
    call_command(
        "seed_demo", allow_demo_passwords_in_production=True, stdout=StringIO()
    )
    procedure = Procedure.objects.get(code="chiiki-fukushi-josei")
    package = packages.package_export_procedure(procedure=procedure)
    assert set(package["sections"]) == {
        "route",
        "document_template",
        "applicant",
        "outcomes",
    }
    text = packages.package_dumps(package)
    _empty_installation()

    version = packages.package_import(package=packages.package_loads(text), actor=None)

    route = version.route
    assert [level.position.code for level in route.levels.order_by("order")] == [
        "tanto",
        "kakaricho",
        "kacho",
        "bucho",
        "chiji",
    ]
    assert [rule.position.code for rule in route.final_rules.order_by("order")] == [
        "kacho",
        "bucho",
    ]
    assert route.consultations.get().section.code == "zaisei"
    assert version.document_template.preset == "grant"
    assert _comparable(packages.package_export(version=version)) == _comparable(package)


def test_a_route_rule_naming_a_missing_field_refuses_the_whole_package():
    call_command(
        "seed_demo", allow_demo_passwords_in_production=True, stdout=StringIO()
    )
    procedure = Procedure.objects.get(code="chiiki-fukushi-josei")
    package = packages.package_export_procedure(procedure=procedure)
    package["sections"]["route"]["final_rules"][0]["rule"] = {
        "<=": [{"var": "no_such_field"}, 1]
    }
    before = _counts()

    with pytest.raises(packages.PackageError) as refused:
        packages.package_import(package=package, actor=None)

    assert "専決の条件に誤りがあります" in refused.value.message
    assert _counts() == before


def test_cross_field_checks_travel_with_the_form_and_broken_ones_are_refused(
    exported,
):
    """Issue 12: a form's validations are exported, imported and checked."""
    from forms_builder.runtime import FormRuntime

    _procedure, package = exported
    definition = package["form"]["definition"]
    amount = next(
        node.key
        for node in FormRuntime(definition).nodes
        if node.type in {"amount", "integer"}
    )
    check = {
        "field": amount,
        "rule": {"<=": [{"var": amount}, 1000]},
        "message": {"ja": "1,000円以下です。", "en": "At most 1,000 yen."},
    }
    definition["validations"] = [check]
    package["form"]["code"] = "with-checks"
    text = packages.package_dumps(package)
    _empty_installation()
    version = packages.package_import(package=packages.package_loads(text), actor=None)
    assert version.form_version.definition["validations"] == [check]
    assert version.form_version.runtime.validate({amount: 1001})[amount] == [
        "1,000円以下です。"
    ]
    assert packages.package_export(version=version)["form"]["definition"][
        "validations"
    ] == [check]

    broken = packages.package_loads(text)
    version.delete()  # the draft just imported would block a second import
    broken["form"]["code"] = "broken-checks"
    broken["form"]["definition"]["validations"][0]["field"] = "gone"
    with pytest.raises(packages.PackageError, match="「gone」がありません"):
        packages.package_import(package=broken, actor=None)

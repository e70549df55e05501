"""Package import shows what it creates, maps sections and positions, and
shows the difference from the published version (issue 12)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from organisation.models import Position, Section
from procedures import packages
from procedures.models import Procedure
from tests.factories import SectionFactory
from tests.procedures.conftest import login, make_procedure
from tests.procedures.test_packages import _confirm_data

pytestmark = pytest.mark.django_db


def _upload(admin, package):
    body = packages.package_dumps(package).encode()
    return admin.post(
        "/manage/procedures/import/", {"package": SimpleUploadedFile("p.json", body)}
    )


def _foreign(package: dict) -> dict:
    """The package as another prefecture exports it: its own section code."""
    package = json.loads(json.dumps(package))
    package["procedure"]["code"] = "tasha-josei"
    package["procedure"]["receipt_prefix"] = "TS"
    section = package["version"]["section"]
    section["code"] = "fukushi-seisaku-ka"
    section["department"]["code"] = "hoken-fukushi"
    return package


def test_incoming_section_mapped_to_an_existing_one_creates_no_section(
    office, administrator
):
    procedure = make_procedure(office)
    package = _foreign(packages.package_export_procedure(procedure=procedure))
    existing = procedure.current_version.section
    admin = login(Client(), administrator)
    preview = _upload(admin, package)
    body = preview.content.decode()
    assert preview.status_code == 200
    assert "fukushi-seisaku-ka" in body
    assert "新しい手続と、その第1版の下書きを作ります" in body
    assert "の公開中の版をそのまま使います" in body
    # Same name, different code: matched by name by default.
    form = preview.context["mapping_form"]
    assert form["section__fukushi-seisaku-ka"].value() == existing.code
    sections_before = Section.objects.count()
    data = _confirm_data(preview)
    response = admin.post("/manage/procedures/import/", data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    imported = Procedure.objects.get(code="tasha-josei").versions.get()
    assert imported.section == existing
    assert Section.objects.count() == sections_before
    assert not Section.objects.filter(code="fukushi-seisaku-ka").exists()


def test_administrator_may_map_to_another_section_or_create_it(office, administrator):
    procedure = make_procedure(office)
    package = _foreign(packages.package_export_procedure(procedure=procedure))
    other = SectionFactory(code="betsu-ka", name="別の課")
    admin = login(Client(), administrator)
    data = _confirm_data(_upload(admin, package))
    data["section__fukushi-seisaku-ka"] = other.code
    assert admin.post("/manage/procedures/import/", data).status_code == 302
    assert Procedure.objects.get(code="tasha-josei").versions.get().section == other


def test_route_positions_are_offered_for_mapping(administrator):
    from io import StringIO

    from django.core.management import call_command

    call_command(
        "seed_demo", allow_demo_passwords_in_production=True, stdout=StringIO()
    )
    procedure = Procedure.objects.get(code="chiiki-fukushi-josei")
    package = packages.package_export_procedure(procedure=procedure)
    package["procedure"]["code"] = "copy-josei"
    package["procedure"]["receipt_prefix"] = "CP"
    for level in package["sections"]["route"]["levels"]:
        level["code"] = "x-" + level["code"]
    for rule in package["sections"]["route"].get("final_rules", []):
        rule["position"] = "x-" + rule["position"]
    for item in package["sections"]["route"].get("consultations", []):
        item["before_position"] = "x-" + item["before_position"]
    positions_before = Position.objects.count()
    admin = login(Client(), administrator)
    preview = _upload(admin, package)
    form = preview.context["mapping_form"]
    level_codes = [
        f"position__{lv['code']}" for lv in package["sections"]["route"]["levels"]
    ]
    # Renamed codes keep their names: each maps by name to the demo's own.
    assert all(form[name].value() for name in level_codes)
    response = admin.post("/manage/procedures/import/", _confirm_data(preview))
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert not Position.objects.filter(code__startswith="x-").exists()
    assert Position.objects.count() == positions_before


def test_reimport_over_a_published_version_shows_the_difference(office, administrator):
    procedure = make_procedure(office)
    package = packages.package_export_procedure(procedure=procedure)
    package["version"]["fee_yen"] = 9999
    package["version"]["summary"] = "新しい説明です。"
    fields = package["form"]["definition"]["pages"][0]["fields"]
    fields.append({"key": "new_field", "type": "text", "label": {"ja": "新しい項目"}})
    admin = login(Client(), administrator)
    preview = _upload(admin, package)
    body = preview.content.decode()
    assert "公開中の版との違い" in body
    assert "9999" in body
    assert "新しい説明です。" in body
    assert "new_field" in body
    assert "の新しい版を公開します" in body
    assert procedure.versions.count() == 1
    response = admin.post("/manage/procedures/import/", _confirm_data(preview))
    assert response.status_code == 302
    assert procedure.versions.count() == 2


def test_create_is_refused_for_a_code_already_taken(office, administrator):
    procedure = make_procedure(office)
    package = packages.package_export_procedure(procedure=procedure)
    package["procedure"]["code"] = "tasha-josei"
    package["procedure"]["receipt_prefix"] = "TS"
    code = package["version"]["section"]["code"]
    admin = login(Client(), administrator)
    data = _confirm_data(_upload(admin, package))
    data[f"section__{code}"] = ""
    response = admin.post("/manage/procedures/import/", data)
    assert response.status_code == 200
    assert "このコードはすでに使われている" in response.content.decode()
    assert not Procedure.objects.filter(code="tasha-josei").exists()

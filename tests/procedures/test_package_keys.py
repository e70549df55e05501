"""Issue 11 item 2 for packages: a key the importer would not read is refused
with its place named, in the service, the command and the admin page alike."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from procedures import packages
from procedures.models import ProcedureVersion
from tests.procedures.conftest import make_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def package(office) -> dict:
    procedure = make_procedure(office)
    return packages.package_export_procedure(procedure=procedure)


@pytest.mark.parametrize(
    ("place", "where"),
    [
        (lambda p: p, "「package」"),
        (lambda p: p["procedure"], "「procedure」"),
        (lambda p: p["version"], "「version」"),
        (lambda p: p["version"]["section"], "「version.section」"),
        (
            lambda p: p["version"]["section"]["department"],
            "「version.section.department」",
        ),
        (lambda p: p["form"], "「form」"),
    ],
)
def test_an_unknown_key_is_refused_naming_its_place(package, place, where):
    place(package)["processing_dayz"] = 10
    versions = ProcedureVersion.objects.count()

    with pytest.raises(packages.PackageError) as refused:
        packages.package_import(package=package, actor=None)

    assert where in refused.value.message
    assert "processing_dayz" in refused.value.message
    assert ProcedureVersion.objects.count() == versions


def test_the_command_refuses_an_unknown_key_and_changes_nothing(package, tmp_path):
    package["version"]["fee"] = 300  # the key is fee_yen
    path = tmp_path / "package.json"
    path.write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
    versions = ProcedureVersion.objects.count()

    with pytest.raises(CommandError, match="fee"):
        call_command("import_procedure", str(path))

    assert ProcedureVersion.objects.count() == versions


def test_an_exported_package_has_no_key_the_importer_refuses(package):
    version = packages.package_import(package=package, actor=None)
    assert version.status == ProcedureVersion.Status.DRAFT

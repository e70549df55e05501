"""Templates in procedure packages, demo seeding, and template numbering."""

from __future__ import annotations

import pytest

from documents.defaults import PRESETS
from documents.demo import seed_demo_template
from documents.packages import export_template, import_template
from documents.services import document_request
from procedures.models import ProcedureVersion
from tests.documents.conftest import APPROVAL_RECORD, make_application

pytestmark = pytest.mark.django_db


def test_export_then_import_round_trips(version):
    seed_demo_template(version, preset="grant")
    data = export_template(version)
    version.document_template.delete()
    version = ProcedureVersion.objects.get(pk=version.pk)

    import_template(version, data)

    version = ProcedureVersion.objects.get(pk=version.pk)
    assert version.document_template.approval_title == "交付決定通知書"
    assert export_template(version) == data


def test_export_without_a_template_gives_the_default_permit(version):
    assert export_template(version)["approval_title"] == "許可書"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("not a dict", "expected an object"),
        ({**PRESETS["permit"], "format": 99}, "unknown format"),
        ({**PRESETS["permit"], "surprise": 1}, "unknown keys"),
        ({**PRESETS["permit"], "approval_title": ""}, "approval_title is required"),
        ({**PRESETS["permit"], "html": '{% include "a" %}'}, "html"),
        ({**PRESETS["permit"], "shown_fields": "name"}, "shown_fields"),
    ],
)
def test_broken_package_data_raises_a_clear_value_error(version, data, message):
    with pytest.raises(ValueError, match=message):
        import_template(version, data)


def test_seed_demo_template_is_idempotent(version):
    first = seed_demo_template(version)
    assert seed_demo_template(version).pk == first.pk


def test_template_symbol_and_shown_fields_are_used(version):
    template = seed_demo_template(version)
    template.number_symbol = "福政"
    template.shown_fields = ["business"]
    template.save()

    document = document_request(
        application=make_application(version),
        approved=True,
        approval_record=APPROVAL_RECORD,
    )

    assert document.number == "令8福政第00001号"
    assert [row["label"] for row in document.snapshot["answers"]] == ["事業の種類"]


def test_deploy_check_warns_about_the_development_certificate(settings):
    from documents.checks import signing_certificate_check

    settings.DOCUMENT_SIGNING_PKCS12 = ""
    assert [m.id for m in signing_certificate_check(None)] == ["documents.W001"]
    settings.DOCUMENT_SIGNING_PKCS12 = "/etc/eshinsei/signer.p12"
    assert [m.id for m in signing_certificate_check(None)] == ["documents.W002"]


def test_deploy_check_reads_the_configured_certificate(settings, tmp_path):
    from documents.checks import signing_certificate_check
    from documents.signing import create_development_pkcs12

    # The development certificate copied to a production path is no better.
    path = tmp_path / "signer.p12"
    create_development_pkcs12(path, "secret")
    settings.DOCUMENT_SIGNING_PKCS12 = str(path)
    settings.DOCUMENT_SIGNING_PASSWORD = "secret"
    assert [m.id for m in signing_certificate_check(None)] == ["documents.W003"]

    settings.DOCUMENT_SIGNING_PASSWORD = "wrong"
    assert [m.id for m in signing_certificate_check(None)] == ["documents.W002"]

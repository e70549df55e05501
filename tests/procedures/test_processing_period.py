"""標準処理期間 in /manage/procedures/: calendar days unless told otherwise, and
the due date it gives shown next to the setting (issue 11, item 12)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from core.japanese import format_wareki, processing_due_date
from procedures import services
from procedures.models import Procedure, ProcedureVersion
from tests.procedures.conftest import login, make_form_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(administrator):
    return login(Client(), administrator)


def _due(days: int, *, business: bool) -> str:
    return format_wareki(
        processing_due_date(timezone.localdate(), days, business_days=business)
    )


def _checkbox(body: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', body)[0]


def test_a_new_procedure_counts_calendar_days_unless_ticked(admin_client, office):
    page = admin_client.get("/manage/procedures/new/").content.decode()

    assert "checked" not in _checkbox(page, "version-processing_in_business_days")

    procedure = services.procedure_create(
        code="johkaso",
        receipt_prefix="JK",
        category=None,
        version_data={
            "title": "浄化槽設置補助金",
            "processing_days": 30,
            "section": office["section"],
            "form_version": make_form_version(),
        },
        actor=None,
    )
    assert procedure.versions.get().processing_in_business_days is False


def test_the_version_form_shows_the_due_date_of_an_application_received_today(
    admin_client, procedure
):
    admin_client.post(f"/manage/procedures/{procedure.code}/versions/new/")
    draft = procedure.versions.get(number=2)
    # An existing version keeps what it has: this one counts business days.
    ProcedureVersion.objects.filter(pk=draft.pk).update(
        processing_days=30, processing_in_business_days=True
    )
    url = f"/manage/procedures/{procedure.code}/versions/2/edit/"

    page = admin_client.get(url).content.decode()

    assert "checked" in _checkbox(page, "processing_in_business_days")
    preview = re.search(r"<strong data-due-date-preview[^>]*>([^<]*)<", page)[1]
    assert _due(30, business=True) in preview
    assert "開庁日で 30 日目" in preview
    # Without a script, a posted period (here with an error elsewhere) shows
    # the date it gives.
    posted = admin_client.post(
        url, {"title": "", "processing_days": "10", "fee_yen": "0"}
    ).content.decode()
    preview = re.search(r"<strong data-due-date-preview[^>]*>([^<]*)<", posted)[1]
    assert _due(10, business=False) in preview
    assert "暦日で 10 日目" in preview


def test_the_due_date_follows_the_period_while_it_is_typed(admin_client):
    url = "/manage/procedures/new/due-date/"

    calendar = admin_client.get(url, {"days": "30", "business": ""}).json()
    business = admin_client.get(url, {"days": "30", "business": "1"}).json()

    assert _due(30, business=False) in calendar["text"]
    assert _due(30, business=True) in business["text"]
    assert admin_client.get(url, {"days": "三十"}).status_code == 400
    assert admin_client.get(url, {"days": "-1"}).status_code == 400


def test_only_administrators_may_ask_the_due_date(client, office):
    clerk = login(Client(), office["clerk"])
    assert clerk.get("/manage/procedures/new/due-date/?days=3").status_code == 403


def test_an_imported_package_keeps_its_counting(procedure):
    from procedures import packages

    ProcedureVersion.objects.filter(pk=procedure.current_version.pk).update(
        processing_in_business_days=True
    )
    procedure.current_version.refresh_from_db()
    package = packages.package_export_procedure(procedure=procedure)
    assert package["version"]["processing_in_business_days"] is True

    version = packages.package_import(package=package, actor=None)

    assert version.processing_in_business_days is True
    assert Procedure.objects.count() == 1

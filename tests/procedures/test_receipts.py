"""Receipt numbers (受付番号): readable, unique per fiscal year and procedure."""

from __future__ import annotations

import datetime as dt

import pytest

from procedures import services
from procedures.models import Application
from tests.factories import ResidentFactory
from tests.procedures.conftest import make_procedure

pytestmark = pytest.mark.django_db


def _submitted(procedure, on: dt.date, monkeypatch) -> Application:
    monkeypatch.setattr(services, "_today", lambda: on)
    application = services.application_start(
        procedure=procedure, applicant=ResidentFactory()
    )
    application.answers = {
        "name": "山田 太郎",
        "amount": 1000,
        "estimate": [
            {"id": 1, "name": "a.pdf", "size": 1, "content_type": "application/pdf"}
        ],
    }
    application.save()
    return services.application_submit(application=application)


def test_numbers_count_per_procedure_and_restart_each_fiscal_year(
    office, monkeypatch, recording_engine
):
    grant = make_procedure(office)
    permit = make_procedure(office)
    march = dt.date(2027, 3, 31)  # 令和8年度
    april = dt.date(2027, 4, 1)  # 令和9年度

    numbers = [
        _submitted(grant, march, monkeypatch).receipt_number,
        _submitted(grant, march, monkeypatch).receipt_number,
        _submitted(permit, march, monkeypatch).receipt_number,
        _submitted(grant, april, monkeypatch).receipt_number,
    ]

    assert numbers == [
        f"{grant.receipt_prefix}-R8-00001",
        f"{grant.receipt_prefix}-R8-00002",
        f"{permit.receipt_prefix}-R8-00001",
        f"{grant.receipt_prefix}-R9-00001",
    ]
    assert [call for call, _pk in recording_engine.calls] == ["start"] * 4


def test_a_suspended_procedure_refuses_new_submissions_with_a_message(
    office, monkeypatch, recording_engine
):
    procedure = make_procedure(office)
    application = services.application_start(
        procedure=procedure, applicant=ResidentFactory()
    )
    procedure.status = procedure.Status.SUSPENDED
    procedure.save()
    with pytest.raises(services.ApplicationError) as refused:
        services.application_submit(application=application)
    assert "受け付けていません" in refused.value.message
    application.refresh_from_db()
    assert application.receipt_number is None
    assert recording_engine.calls == []

"""Delivering the notice with or without consent (デジタル手続法第7条), as the
resident and the caseworker see it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.procedures.conftest import fill_and_submit, login, office_decides

pytestmark = pytest.mark.django_db


def _decided(client, procedure, office, capture, *, consent: bool):
    application = fill_and_submit(client, procedure, consent=consent)
    with capture(execute=True):
        office_decides(application, office["clerk"], "approve")
    document = application.documents.get()
    assert document.status == "issued", document.last_error
    return application, document


def test_without_consent_the_notice_is_printed_and_the_mailing_recorded(
    resident_client, procedure, office, django_capture_on_commit_callbacks
):
    application, document = _decided(
        resident_client,
        procedure,
        office,
        django_capture_on_commit_callbacks,
        consent=False,
    )
    assert application.delivery_consent_at is None
    assert document.electronic_delivery is False
    assert "郵送でお届けします" in mail.outbox[-1].body

    page = resident_client.get(application.get_absolute_url()).content.decode()
    assert document.get_download_url() not in page
    assert "通知書は郵送でお届けします" in page
    assert resident_client.get(document.get_download_url()).status_code == 404

    clerk = login(Client(), office["clerk"])
    case_url = f"/staff/cases/{application.public_id}/"
    page = clerk.get(case_url).content.decode()
    assert "郵送（電子交付の同意なし）" in page
    assert "発送を記録する" in page
    # The print-ready PDF is the staff's download.
    assert clerk.get(f"{case_url}document/").status_code == 200

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    refused = clerk.post(
        f"{case_url}document/mailing/",
        {"mailed_on": tomorrow.isoformat(), "method": "kani_kakitome"},
    )
    assert refused.status_code == 400
    assert "発送日に未来の日付は入力できません。" in refused.content.decode()

    today = timezone.localdate()
    response = clerk.post(
        f"{case_url}document/mailing/",
        {"mailed_on": today.isoformat(), "method": "kani_kakitome"},
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.mailed_on == today
    assert document.mail_method == "kani_kakitome"
    assert document.mailed_by == office["clerk"]
    page = clerk.get(case_url).content.decode()
    assert "発送済み" in page
    assert "簡易書留" in page


def test_with_consent_staff_see_whether_the_notice_was_downloaded(
    resident_client, procedure, office, django_capture_on_commit_callbacks
):
    application, document = _decided(
        resident_client,
        procedure,
        office,
        django_capture_on_commit_callbacks,
        consent=True,
    )
    assert application.delivery_consent_at is not None
    assert document.electronic_delivery is True
    clerk = login(Client(), office["clerk"])
    case_url = f"/staff/cases/{application.public_id}/"
    page = clerk.get(case_url).content.decode()
    assert "未ダウンロード" in page
    assert "発送を記録する" not in page

    # Staff downloading it is not the applicant learning of the decision.
    clerk.get(f"{case_url}document/")
    document.refresh_from_db()
    assert document.first_downloaded_at is None

    assert resident_client.get(document.get_download_url()).status_code == 200
    page = clerk.get(case_url).content.decode()
    assert "交付済み" in page
    assert "初めてダウンロードしました" in page

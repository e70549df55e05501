"""Following an application: status, timeline, due date, amendment, withdrawal."""

from __future__ import annotations

import pytest
from django.core import mail

from procedures import services
from procedures.models import Application, ApplicationRevision
from tests.procedures.conftest import (
    fill_and_submit,
    make_procedure,
    office_decides,
)

pytestmark = pytest.mark.django_db


def test_my_applications_shows_status_in_plain_words_and_the_due_date(
    resident_client, procedure
):
    application = fill_and_submit(resident_client, procedure)

    page = resident_client.get("/my/").content.decode()

    assert "申請済み" in page
    assert application.receipt_number in page
    assert "結果の予定 令和" in page


def test_my_applications_query_count_does_not_grow_with_applications(
    resident_client, resident, office, django_assert_max_num_queries
):
    for n in range(6):
        procedure = make_procedure(office, title=f"手続{n}")
        fill_and_submit(resident_client, procedure)
        services.application_start(procedure=procedure, applicant=resident)
    with django_assert_max_num_queries(6):
        response = resident_client.get("/my/")
    assert response.content.decode().count('class="application-item"') == 12


def test_my_applications_query_count_does_not_grow_with_decided_applications(
    resident_client, resident, office, django_assert_max_num_queries
):
    # Issue 15 (load bench): each decided application read its outcome for
    # its status words in a query of its own.
    for n in range(4):
        procedure = make_procedure(office, title=f"手続{n}")
        application = fill_and_submit(resident_client, procedure)
        office_decides(application, office["clerk"], "approve")
    with django_assert_max_num_queries(6):
        response = resident_client.get("/my/")
    page = response.content.decode()
    assert page.count('class="application-item"') == 4
    assert "status-approved" in page or "status-issuing" in page


def test_detail_shows_timeline_and_expected_decision_date_in_wareki(
    resident_client, procedure
):
    application = fill_and_submit(resident_client, procedure)

    page = resident_client.get(application.get_absolute_url()).content.decode()

    assert "これまでの経過" in page
    assert "申請" in page
    assert "結果が出る予定日（目安）" in page
    from core.japanese import format_wareki

    assert format_wareki(application.due_date) in page
    assert "佐藤" not in page  # staff names stay on the staff side
    # Whom to ask, under its own label (the contact often repeats the section).
    assert "<dt>問い合わせ先</dt><dd>電話 000-000-0000</dd>" in page


def test_messages_from_the_office_appear_on_the_detail_page(
    resident_client, procedure, office
):
    application = fill_and_submit(resident_client, procedure)
    services.application_message_add(
        application=application,
        actor=office["clerk"],
        applicant_message="書類を確認中です。",
    )
    page = resident_client.get(application.get_absolute_url()).content.decode()
    assert "担当課からのお知らせ" in page
    assert "書類を確認中です。" in page


def test_amendment_shows_reasons_and_fields_and_resubmission_keeps_both_versions(
    resident_client, procedure, office, django_capture_on_commit_callbacks
):
    application = fill_and_submit(resident_client, procedure, amount="500000")
    with django_capture_on_commit_callbacks(execute=True):
        office_decides(
            application,
            office["clerk"],
            "amend",
            applicant_message="見積額と申請額が一致しません。",
            amend_fields=["amount"],
        )
    application.refresh_from_db()
    assert application.status == Application.Status.AMENDMENT_REQUESTED
    assert "修正" in mail.outbox[-1].subject
    base = f"/my/{application.public_id}"

    detail = resident_client.get(f"{base}/").content.decode()
    assert "補正依頼中" in detail
    assert "見積額と申請額が一致しません。" in detail
    assert f'href="{base}/page/0/"' in detail
    assert "申請額" in detail

    # Only the page holding the requested field opens; the others redirect.
    assert resident_client.get(f"{base}/page/1/")["Location"] == f"{base}/page/0/"
    response = resident_client.post(
        f"{base}/page/0/", {"name": "山田 太郎", "amount": "480000", "action": "next"}
    )
    assert response["Location"] == f"{base}/confirm/"
    confirm = resident_client.get(f"{base}/confirm/").content.decode()
    assert "再提出する" in confirm
    assert "480,000" in confirm
    response = resident_client.post(f"{base}/confirm/")
    assert response["Location"] == f"{base}/"

    application.refresh_from_db()
    assert application.status == Application.Status.UNDER_REVIEW
    revisions = list(ApplicationRevision.objects.filter(application=application))
    assert [r.answers["amount"] for r in revisions] == [500000, 480000]
    assert "補正後に再申請" in resident_client.get(f"{base}/").content.decode()


def test_withdrawal_needs_a_reason_and_closes_the_case(resident_client, procedure):
    application = fill_and_submit(resident_client, procedure)
    base = f"/my/{application.public_id}"

    refused = resident_client.post(f"{base}/withdraw/", {"reason": "", "confirm": "on"})
    assert refused.status_code == 200
    assert "取り下げる理由を入力してください" in refused.content.decode()
    kept = resident_client.post(f"{base}/withdraw/", {"reason": "別の制度を使います"})
    assert "別の制度を使います" in kept.content.decode()  # nothing typed is lost

    response = resident_client.post(
        f"{base}/withdraw/", {"reason": "別の制度を使います", "confirm": "on"}
    )

    assert response["Location"] == f"{base}/"
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN
    assert application.case.status == "CANCELED"
    detail = resident_client.get(f"{base}/").content.decode()
    assert "取下げ" in detail
    assert "別の制度を使います" in detail
    assert "この申請を取り下げる" not in detail


def test_a_decided_application_cannot_be_withdrawn(resident_client, procedure, office):
    application = fill_and_submit(resident_client, procedure)
    office_decides(application, office["clerk"], "approve")
    application.refresh_from_db()
    assert application.status in (
        Application.Status.ISSUING,
        Application.Status.APPROVED,
    )

    response = resident_client.post(
        f"/my/{application.public_id}/withdraw/",
        {"reason": "やめます", "confirm": "on"},
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status != Application.Status.WITHDRAWN


def test_the_issued_document_can_be_downloaded_when_ready(
    resident_client, procedure, office, django_capture_on_commit_callbacks
):
    application = fill_and_submit(resident_client, procedure)
    with django_capture_on_commit_callbacks(execute=True):
        office_decides(application, office["clerk"], "approve")
    document = application.documents.first()
    if document is None or document.status != "issued":
        pytest.skip("documents did not issue the notice in this environment")
    page = resident_client.get(application.get_absolute_url()).content.decode()
    assert document.get_download_url() in page
    assert "許可・交付済み" in page

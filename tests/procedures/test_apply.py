"""Applying through HTTP: start, pages, draft and resume, confirm, submit, receipt."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from procedures.models import Application, ApplicationRevision, Attachment
from tests.procedures.conftest import fill_and_submit, login, pdf_upload

pytestmark = pytest.mark.django_db


def _start(client, procedure) -> Application:
    response = client.post(f"/procedures/{procedure.code}/start/")
    assert response.status_code == 302
    return Application.objects.order_by("-id").first()


def test_starting_needs_an_account(client, procedure):
    response = client.post(f"/procedures/{procedure.code}/start/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Application.objects.exists()


def test_first_page_is_prefilled_from_the_profile_and_shows_progress(
    resident_client, procedure
):
    application = _start(resident_client, procedure)
    page = resident_client.get(f"/my/{application.public_id}/page/0/").content.decode()

    assert 'value="山田 太郎"' in page
    assert "手順 1 / 3" in page
    assert "申請者" in page
    assert "添付書類" in page
    assert "入力内容の確認" in page


def test_starting_twice_resumes_the_draft_instead_of_making_another(
    resident_client, procedure
):
    first = _start(resident_client, procedure)
    second = _start(resident_client, procedure)
    assert first == second
    assert Application.objects.count() == 1


def test_a_page_with_errors_keeps_what_was_typed_and_says_what_to_fix(
    resident_client, procedure
):
    application = _start(resident_client, procedure)
    response = resident_client.post(
        f"/my/{application.public_id}/page/0/",
        {"name": "山田 太郎", "amount": "たくさん", "action": "next"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "入力内容に問題があります" in page
    assert 'href="#id_amount"' in page
    assert 'value="たくさん"' in page
    application.refresh_from_db()
    assert application.answers.get("amount") is None


def test_saving_a_draft_lets_the_resident_resume_from_another_device(
    resident_client, resident, procedure
):
    application = _start(resident_client, procedure)
    response = resident_client.post(
        f"/my/{application.public_id}/page/0/",
        {"name": "山田 太郎", "amount": "１２０，０００", "action": "save"},
    )
    assert response.status_code == 302
    assert response["Location"] == application.get_absolute_url()

    phone = login(Client(), resident)
    listing = phone.get("/my/").content.decode()
    assert "入力途中の申請" in listing
    assert application.get_absolute_url() in listing
    resumed = phone.get(f"/my/{application.public_id}/page/0/").content.decode()
    assert 'value="120000"' in resumed or "120,000" in resumed


def test_full_walk_gives_a_receipt_number_on_screen_and_by_mail(
    resident_client, procedure, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = fill_and_submit(resident_client, procedure)

    assert application.status == Application.Status.SUBMITTED
    assert re.fullmatch(
        rf"{procedure.receipt_prefix}-R\d+-00001", application.receipt_number
    )
    receipt = resident_client.get(
        f"/my/{application.public_id}/receipt/"
    ).content.decode()
    assert "申請を受け付けました" in receipt
    assert application.receipt_number in receipt
    assert "令和" in receipt  # the expected decision date in 和暦
    assert len(mail.outbox) == 1
    assert application.receipt_number in mail.outbox[0].subject
    assert application.get_absolute_url() in mail.outbox[0].body
    assert mail.outbox[0].to == ["taro@example.jp"]
    # The case entered the real approval workflow in the same transaction.
    assert application.case.status == "NEW"
    assert ApplicationRevision.objects.filter(application=application).count() == 1


def test_receipt_mail_is_in_the_residents_language(
    client, resident, procedure, django_capture_on_commit_callbacks
):
    resident.preferred_language = "en"
    resident.save()
    with django_capture_on_commit_callbacks(execute=True):
        fill_and_submit(login(client, resident), procedure)
    body = mail.outbox[0].body
    assert "Receipt number: " in body  # rendered under English, not Japanese


def test_confirmation_page_shows_every_answer_with_change_links(
    resident_client, procedure
):
    application = _start(resident_client, procedure)
    base = f"/my/{application.public_id}"
    resident_client.post(f"{base}/page/0/", {"name": "山田 太郎", "amount": "500000"})
    resident_client.post(f"{base}/page/1/", {"estimate": pdf_upload("見積.pdf")})

    page = resident_client.get(f"{base}/confirm/").content.decode()

    assert "山田 太郎" in page
    assert "500,000" in page
    assert "見積.pdf" in page
    assert f'href="{base}/page/0/?return=confirm"' in page
    assert f'href="{base}/page/1/?return=confirm"' in page
    # A change made from the confirmation page comes back to it.
    response = resident_client.post(
        f"{base}/page/0/?return=confirm", {"name": "山田 次郎", "amount": "1000"}
    )
    assert response["Location"] == f"{base}/confirm/"


def test_confirmation_refuses_to_submit_an_incomplete_application(
    resident_client, procedure
):
    application = _start(resident_client, procedure)
    base = f"/my/{application.public_id}"
    resident_client.post(f"{base}/page/0/", {"name": "山田 太郎", "amount": "500000"})

    response = resident_client.post(f"{base}/confirm/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "まだ申請できません" in page
    assert f"{base}/page/1/?return=confirm" in page  # the error links to its page
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    assert application.receipt_number is None


def test_double_submit_makes_one_application_with_one_receipt_number(
    resident_client, procedure, django_capture_on_commit_callbacks
):
    application = _start(resident_client, procedure)
    base = f"/my/{application.public_id}"
    resident_client.post(f"{base}/page/0/", {"name": "山田 太郎", "amount": "500000"})
    resident_client.post(f"{base}/page/1/", {"estimate": pdf_upload()})

    with django_capture_on_commit_callbacks(execute=True):
        first = resident_client.post(f"{base}/confirm/")
        second = resident_client.post(f"{base}/confirm/")

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"{base}/receipt/"
    assert Application.objects.count() == 1
    application.refresh_from_db()
    assert application.receipt_number.endswith("-00001")
    assert application.events.filter(kind="submitted").count() == 1
    assert len(mail.outbox) == 1


def test_a_file_that_is_not_what_its_name_says_is_refused_in_plain_words(
    resident_client, procedure
):
    application = _start(resident_client, procedure)
    base = f"/my/{application.public_id}"
    resident_client.post(f"{base}/page/0/", {"name": "山田 太郎", "amount": "500000"})
    fake = SimpleUploadedFile(
        "見積書.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "application/pdf"
    )

    response = resident_client.post(f"{base}/page/1/", {"estimate": fake})

    assert response.status_code == 200
    assert "入力内容に問題があります" in response.content.decode()
    assert not Attachment.objects.exists()


def test_attachments_download_only_as_attachments_for_their_owner(
    resident_client, procedure, other_resident
):
    application = fill_and_submit(resident_client, procedure)
    attachment = application.attachments.get()
    assert attachment.file.name.startswith(f"attachments/{application.public_id}/")
    assert "見積書" not in attachment.file.name  # generated storage name
    url = f"/my/{application.public_id}/files/{attachment.pk}/"

    response = resident_client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content).startswith(b"%PDF")

    stranger = login(Client(), other_resident)
    assert stranger.get(url).status_code == 404


def test_another_residents_drafts_and_applications_are_404_everywhere(
    resident_client, procedure, other_resident
):
    application = fill_and_submit(resident_client, procedure)
    draft = _start(resident_client, procedure)
    stranger = login(Client(), other_resident)

    for target in (application, draft):
        base = f"/my/{target.public_id}"
        for url in (
            f"{base}/",
            f"{base}/page/0/",
            f"{base}/confirm/",
            f"{base}/receipt/",
            f"{base}/withdraw/",
        ):
            assert stranger.get(url).status_code == 404, url
        assert stranger.post(f"{base}/confirm/").status_code == 404
        assert (
            stranger.post(f"{base}/page/0/", {"name": "x", "amount": "1"}).status_code
            == 404
        )
        assert (
            stranger.post(
                f"{base}/withdraw/", {"reason": "x", "confirm": "on"}
            ).status_code
            == 404
        )
        assert stranger.post(f"{base}/discard/").status_code == 404
    listing = stranger.get("/my/").content.decode()
    assert str(application.public_id) not in listing
    assert str(draft.public_id) not in listing
    draft.refresh_from_db()
    assert draft.status == Application.Status.DRAFT


def test_a_submitted_application_can_no_longer_be_edited(resident_client, procedure):
    application = fill_and_submit(resident_client, procedure)
    response = resident_client.post(
        f"/my/{application.public_id}/page/0/", {"name": "改ざん", "amount": "1"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.answers["name"] == "山田 太郎"


def test_discarding_a_draft_removes_it_and_its_files(
    resident_client, procedure, django_capture_on_commit_callbacks
):
    application = _start(resident_client, procedure)
    base = f"/my/{application.public_id}"
    resident_client.post(f"{base}/page/0/", {"name": "山田 太郎", "amount": "500000"})
    resident_client.post(f"{base}/page/1/", {"estimate": pdf_upload()})
    stored = Attachment.objects.get()
    storage, name = stored.file.storage, stored.file.name

    with django_capture_on_commit_callbacks(execute=True):
        response = resident_client.post(f"{base}/discard/")

    assert response.status_code == 302
    assert not Application.objects.exists()
    assert not storage.exists(name)


def test_a_procedure_with_a_fee_tells_it_on_the_confirm_page_the_receipt_and_the_mail(
    resident_client, procedure, django_capture_on_commit_callbacks
):
    """QA walk: 手数料 81,000円 was said only on the procedure's page; the
    applicant must read it again where they apply and once they have."""
    version = procedure.current_version
    version.fee_yen = 81_000
    version.fee_note = "架空県収入証紙により納付してください。"
    version.save()
    response = resident_client.post(f"/procedures/{procedure.code}/start/")
    application = Application.objects.order_by("-id").first()
    base = f"/my/{application.public_id}"
    resident_client.post(
        f"{base}/page/0/", {"name": "山田 太郎", "amount": "5000", "action": "next"}
    )
    resident_client.post(
        f"{base}/page/1/", {"estimate": pdf_upload(), "action": "next"}
    )
    confirm = resident_client.get(f"{base}/confirm/").content.decode()
    assert "81,000円" in confirm
    assert "架空県収入証紙により納付してください。" in confirm
    with django_capture_on_commit_callbacks(execute=True):
        response = resident_client.post(f"{base}/confirm/", {"delivery_consent": "on"})
    assert response.status_code == 302
    receipt = resident_client.get(f"{base}/receipt/").content.decode()
    assert "81,000円" in receipt
    assert "架空県収入証紙により納付してください。" in receipt
    (mail_sent,) = mail.outbox
    assert "手数料: 81,000円" in mail_sent.body
    assert "架空県収入証紙により納付してください。" in mail_sent.body


def test_a_free_procedure_says_nothing_about_a_fee(resident_client, procedure):
    application = fill_and_submit(resident_client, procedure)
    receipt = resident_client.get(f"/my/{application.public_id}/receipt/").content
    assert "手数料" not in receipt.decode()


def test_saving_a_half_filled_page_keeps_what_was_typed(resident_client, procedure):
    """QA walk: 「一時保存して中断する」 on a page with a required question
    still empty refused to save and kept nothing that was typed."""
    application = _start(resident_client, procedure)
    response = resident_client.post(
        f"/my/{application.public_id}/page/0/",
        {"name": "山田 太郎", "amount": "", "action": "save"},
    )
    assert response.status_code == 302
    assert response["Location"] == application.get_absolute_url()
    application.refresh_from_db()
    assert application.answers["name"] == "山田 太郎"
    assert application.answers.get("amount") is None
    page = resident_client.get(application.get_absolute_url()).content.decode()
    assert "まだ入力していない必須の項目があります" in page
    # The files page too: nothing attached yet is not a reason to lose the draft.
    response = resident_client.post(
        f"/my/{application.public_id}/page/1/", {"action": "save"}
    )
    assert response.status_code == 302
    # Going on still asks for them; the confirm page refuses to submit.
    response = resident_client.post(
        f"/my/{application.public_id}/page/0/",
        {"name": "山田 太郎", "amount": "", "action": "next"},
    )
    assert response.status_code == 200
    assert "入力内容に問題があります" in response.content.decode()


def test_saving_a_page_with_a_wrong_answer_still_shows_the_error(
    resident_client, procedure
):
    application = _start(resident_client, procedure)
    resident_client.post(
        f"/my/{application.public_id}/page/0/",
        {"name": "山田 太郎", "amount": "120000", "action": "save"},
    )
    response = resident_client.post(
        f"/my/{application.public_id}/page/0/",
        {"name": "山田 次郎", "amount": "たくさん", "action": "save"},
    )
    assert response.status_code == 200
    assert "入力内容に問題があります" in response.content.decode()
    application.refresh_from_db()
    assert application.answers["name"] == "山田 太郎"
    assert application.answers["amount"] == 120_000

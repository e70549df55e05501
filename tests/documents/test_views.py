"""Public verification page, the applicant's download, the template editor."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.documents.conftest import stored_bytes
from tests.factories import AdministratorFactory, ResidentFactory
from tests.second_factor import verified_login

pytestmark = pytest.mark.django_db


def _upload(data: bytes, name: str = "permit.pdf") -> dict:
    return {"file": SimpleUploadedFile(name, data, content_type="application/pdf")}


def test_qr_page_shows_the_record_without_login(client, issued):
    response = client.get(
        reverse("documents:verify_token", args=[issued.verification_token])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert issued.number in page
    assert "令和8年11月26日" in page
    assert "健康福祉部" in page
    assert issued.sha256 in page
    # The resident's name is not published on an open page.
    assert "髙橋 𠮷郎" not in page


def test_qr_code_in_the_document_points_at_its_verification_page(issued):
    assert issued.snapshot["verification_url"] == (
        "https://e-shinsei.example.jp"
        + reverse("documents:verify_token", args=[issued.verification_token])
    )


def test_unknown_token_is_404(client, db):
    assert (
        client.get(reverse("documents:verify_token", args=["nope"])).status_code == 404
    )


def test_uploading_the_issued_file_says_it_is_genuine(client, issued):
    response = client.post(reverse("documents:verify"), _upload(stored_bytes(issued)))

    page = response.content.decode()
    assert "正本です" in page
    assert "改ざんされていません" in page
    assert issued.number in page


def test_uploading_a_tampered_file_says_so_in_plain_japanese(client, issued):
    data = bytearray(stored_bytes(issued))
    position = data.index(b"stream", 200) + 40
    data[position] ^= 0x01

    response = client.post(reverse("documents:verify"), _upload(bytes(data)))

    page = response.content.decode()
    assert "正本であることを確認できません" in page
    assert "書き換えられています" in page
    # Issue 11 item 9: the certificate is still ours; only the content changed.
    assert "県の発行用証明書ではありません" not in page


def test_file_for_another_document_on_a_qr_page_is_flagged(client, issued, version):
    from documents.services import document_issue, document_request
    from tests.documents.conftest import APPROVAL_RECORD, make_application

    other = document_issue(
        document=document_request(
            application=make_application(version),
            approved=True,
            approval_record=APPROVAL_RECORD,
        )
    )
    url = reverse("documents:verify_token", args=[issued.verification_token])

    page = client.post(url, _upload(stored_bytes(other))).content.decode()

    assert "このページの文書とは別の文書です" in page


def test_non_pdf_upload_gets_an_error_next_to_the_field(client, db):
    response = client.post(reverse("documents:verify"), _upload(b"hello", "a.txt"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "PDFファイルではありません" in page
    assert "入力内容に問題があります" in page


def test_applicant_downloads_the_notice_as_an_attachment(client, issued):
    client.force_login(issued.application.applicant)

    response = client.get(issued.get_download_url())

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body == stored_bytes(issued)


def test_other_residents_get_404_and_anonymous_users_the_login(client, issued):
    url = issued.get_download_url()

    assert client.get(url).status_code == 302
    client.force_login(ResidentFactory())
    assert client.get(url).status_code == 404


def test_template_preview_is_a_pdf_for_administrators_only(client, version):
    url = reverse("documents:template_preview", args=[version.pk])
    client.force_login(ResidentFactory())
    assert client.get(url).status_code == 403

    verified_login(client, AdministratorFactory())
    response = client.get(url)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    rejection = client.get(url + "?kind=rejection")
    assert rejection.content.startswith(b"%PDF-")


def test_template_editor_saves_and_refuses_unsafe_tags(client, version):
    admin = AdministratorFactory()
    verified_login(client, admin)
    url = reverse("documents:template_edit", args=[version.pk])
    data = {
        "preset": "grant",
        "number_symbol": "福政",
        "approval_title": "交付決定通知書",
        "approval_text": "{{ procedure.title }}について交付を決定しました。",
        "rejection_title": "不交付決定通知書",
        "rejection_text": "交付しないことに決定しました。",
        "closing_text": "",
        "html": "",
        "css": "",
        "shown_fields": ["business"],
    }

    bad = client.post(url, {**data, "approval_text": '{% include "x.html" %}'})
    assert bad.status_code == 200
    assert "入力内容に問題があります" in bad.content.decode()

    assert client.post(url, data).status_code == 302
    version.refresh_from_db()
    assert version.document_template.number_symbol == "福政"
    assert version.document_template.shown_fields == ["business"]


def test_template_list_for_administrators(
    client, version, django_assert_max_num_queries
):
    verified_login(client, AdministratorFactory())

    with django_assert_max_num_queries(8):
        response = client.get(reverse("documents:template_list"))

    assert version.title in response.content.decode()

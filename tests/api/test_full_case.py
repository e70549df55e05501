"""One whole case driven only through the API.

A resident applies (answers, attachment, submit with an Idempotency-Key);
担当, 係長 and 課長 each claim and approve; the 専決 rule makes the 課長 final
for 500,000 yen; the notice is issued (the issuing task is run synchronously
here, as the documents tests do); the resident downloads it, and anyone
verifies it by uploading the PDF and by its QR token.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.api.conftest import claim_and_decide, otp, start, upload

pytestmark = pytest.mark.django_db


def test_whole_case_through_the_api(as_resident, procedure, staff):
    data = start(as_resident, procedure)
    assert upload(as_resident, data["id"]).status_code == 201
    response = as_resident.post(
        f"/api/v1/applications/{data['id']}/submit/",
        {"delivery_consent": True},
        format="json",
        HTTP_IDEMPOTENCY_KEY="case-1",
    )
    assert response.status_code == 200
    case_id = response.json()["id"]

    for person in ("tanto", "kakaricho", "kacho"):
        response = claim_and_decide(
            staff[person],
            case_id,
            "approve",
            internal_comment=f"{person} 確認済み",
            # The 課長's approval is the 決裁: it asks for the code again.
            otp_code=otp(staff[person]),
        )
        assert response.status_code == 200, (person, response.json())
    case = response.json()
    assert case["status"] == "issuing"
    assert [step["done"]["mark"] for step in case["chain"]] == ["", "", "専決"]
    # Nobody above the 課長 gets the case: the 専決 rule ended the chain there.
    assert staff["bucho"].get("/api/v1/staff/tasks/").json()["results"] == []

    from documents.services import document_issue_pending

    assert document_issue_pending()["issued"] == 1

    mine = as_resident.get(f"/api/v1/applications/{case_id}/").json()
    assert mine["status"] == "approved"
    assert [e["kind"] for e in mine["timeline"]] == [
        "submitted",
        "decided_approve",
        "document_issued",
    ]
    document = mine["documents"][0]
    pdf = as_resident.get(f"/api/v1/applications/{case_id}/documents/{document['id']}/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    data = b"".join(pdf.streaming_content)
    # The caseworkers of the case see the notice's state and get the same file.
    seen_by_staff = staff["tanto"].get(f"/api/v1/staff/cases/{case_id}/").json()
    assert seen_by_staff["document"]["status"] == "issued"
    assert seen_by_staff["document"]["number"] == document["number"]
    staff_pdf = staff["tanto"].get(f"/api/v1/staff/cases/{case_id}/document/")
    assert b"".join(staff_pdf.streaming_content) == data

    from django.core.files.uploadedfile import SimpleUploadedFile

    anyone = APIClient()
    verified = anyone.post(
        "/api/v1/verify/",
        {"file": SimpleUploadedFile("notice.pdf", data)},
        format="multipart",
    ).json()
    assert verified["genuine"] is True
    assert verified["document"]["number"] == document["number"]

    tampered = data.replace(b"/Producer", b"/Producex", 1)
    verified = anyone.post(
        "/api/v1/verify/",
        {"file": SimpleUploadedFile("notice.pdf", tampered)},
        format="multipart",
    ).json()
    assert verified["genuine"] is False
    # Only the content changed: the certificate is still the prefecture's.
    assert verified["signature"]["intact"] is False
    assert verified["signature"]["trusted"] is True
    assert not any("証明書" in message for message in verified["messages"])

    from documents.models import IssuedDocument

    token = IssuedDocument.objects.get(public_id=document["id"]).verification_token
    by_token = anyone.get(f"/api/v1/verify/{token}/").json()
    assert by_token["number"] == document["number"]


def test_verification_refuses_what_is_not_a_pdf(db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = APIClient().post(
        "/api/v1/verify/",
        {"file": SimpleUploadedFile("a.pdf", b"hello")},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["file"]


def test_unknown_verification_token_is_not_found(db):
    assert APIClient().get("/api/v1/verify/nothing-here/").status_code == 404


def test_verification_upload_is_throttled(db, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_verify": "1/minute"},
    }
    codes = [
        APIClient()
        .post(
            "/api/v1/verify/",
            {"file": SimpleUploadedFile("a.pdf", b"x")},
            format="multipart",
        )
        .status_code
        for _ in range(2)
    ]
    assert codes == [400, 429]


def test_someone_elses_document_is_not_found(as_resident, as_other, procedure, staff):
    from tests.api.conftest import submitted

    case_id = submitted(as_resident, procedure)["id"]
    for person in ("tanto", "kakaricho", "kacho"):
        claim_and_decide(staff[person], case_id, otp_code=otp(staff[person]))
    from documents.services import document_issue_pending

    document_issue_pending()
    document = as_resident.get(f"/api/v1/applications/{case_id}/").json()["documents"][
        0
    ]
    mine = as_other.get("/api/v1/applications/").json()
    assert mine["results"] == []
    response = as_other.get(
        f"/api/v1/applications/{case_id}/documents/{document['id']}/"
    )
    assert response.status_code == 404

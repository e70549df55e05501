"""Delivery of the notice through the API: consent at submission, the
mailing record, the first download, and the addressee on the case."""

from __future__ import annotations

import pytest
from django.utils import timezone

from documents.models import IssuedDocument
from documents.services import document_issue_pending
from tests.api.conftest import claim_and_decide, submitted

pytestmark = pytest.mark.django_db


def _decide(staff, case_id: str) -> IssuedDocument:
    for person in ("tanto", "kakaricho", "kacho"):
        claim_and_decide(staff[person], case_id)
    document_issue_pending()
    return IssuedDocument.objects.get(application__public_id=case_id)


def test_without_consent_the_notice_is_mailed_and_recorded_by_the_api(
    as_resident, procedure, staff
):
    data = submitted(as_resident, procedure, consent=False)
    assert data["delivery_consent_at"] is None
    assert data["addressee"]["submitter"]["name"] == "山田 太郎"
    case_id = data["id"]
    document = _decide(staff, case_id)
    assert document.is_issued

    mine = as_resident.get(f"/api/v1/applications/{case_id}/").json()
    assert mine["documents"] == []
    response = as_resident.get(
        f"/api/v1/applications/{case_id}/documents/{document.public_id}/"
    )
    assert response.status_code == 404

    case = staff["tanto"].get(f"/api/v1/staff/cases/{case_id}/").json()
    assert case["document"]["electronic_delivery"] is False
    assert case["document"]["mailed_on"] is None

    url = f"/api/v1/staff/cases/{case_id}/document/mailing/"
    refused = staff["tanto"].post(
        url, {"mailed_on": "2001-01-01", "method": "kani_kakitome"}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["mailed_on"]
    refused = staff["tanto"].post(
        url, {"mailed_on": str(timezone.localdate()), "method": "pigeon"}, format="json"
    )
    assert refused.status_code == 400
    response = staff["tanto"].post(
        url,
        {"mailed_on": str(timezone.localdate()), "method": "kani_kakitome"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["mailed_on"] == str(timezone.localdate())
    assert response.json()["mail_method"] == "kani_kakitome"


def test_the_applicants_api_download_is_recorded_as_the_first(
    as_resident, resident, procedure, staff
):
    data = submitted(as_resident, procedure)
    assert data["delivery_consent_at"] is not None
    document = _decide(staff, data["id"])
    url = f"/api/v1/applications/{data['id']}/documents/{document.public_id}/"
    assert as_resident.get(url).status_code == 200
    case = staff["tanto"].get(f"/api/v1/staff/cases/{data['id']}/").json()
    assert case["document"]["first_downloaded_at"] is not None
    assert case["addressee"]["submitter"]["email"] == resident.email


def test_the_procedure_tells_clients_to_ask_for_consent(as_resident, procedure):
    data = as_resident.get(f"/api/v1/procedures/{procedure.code}/").json()
    assert data["asks_delivery_consent"] is True
    assert data["applicant_kind"] == "person"
    assert data["allows_proxy"] is False


def test_an_agents_application_without_the_power_of_attorney_is_refused(
    as_resident, procedure
):
    from tests.procedures.conftest import make_form_version
    from tests.procedures.test_addressee import DEFINITION, MAPPING

    version = procedure.current_version
    version.form_version = make_form_version(DEFINITION)
    version.applicant_kind = "either"
    version.allows_proxy = True
    version.addressee_fields = MAPPING
    version.save()
    answers = {
        "is_business": True,
        "corp_name": "株式会社架空商事",
        "rep_name": "鈴木 一郎",
        "corp_address": "架空県見本市本町1-2-3",
        "by_agent": True,
        "agent_name": "山田 太郎",
        "amount": 1000,
    }
    response = as_resident.post(
        "/api/v1/applications/",
        {"procedure": procedure.code, "answers": answers, "submit": True},
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["fields"]["proxy_letter"] == [
        "代理人が申請するときは委任状を添付してください。"
    ]

"""Residents through the API: catalogue, drafts, answers, files, submit, withdraw."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from procedures.models import Application
from tests.api.conftest import ANSWERS, claim_and_decide, start, submitted, upload

pytestmark = pytest.mark.django_db


# --- Catalogue ------------------------------------------------------------------


def test_catalogue_lists_published_procedures_without_login(procedure):
    response = APIClient().get("/api/v1/procedures/")
    assert response.status_code == 200
    assert [p["code"] for p in response.json()] == [procedure.code]
    assert response.json()[0]["title"] == "福祉施設整備助成金"


def test_catalogue_says_whether_the_period_counts_business_days(procedure):
    # Issue 11, item 12: "30" alone does not say 30 days or 30 business days.
    version = procedure.current_version
    listed = APIClient().get("/api/v1/procedures/").json()[0]
    assert listed["processing_days"] == 30
    assert listed["processing_in_business_days"] is False  # calendar days
    version.processing_in_business_days = True
    version.save(update_fields=["processing_in_business_days"])
    detail = APIClient().get(f"/api/v1/procedures/{procedure.code}/").json()
    assert detail["processing_in_business_days"] is True


def test_catalogue_answers_in_english_when_asked(procedure):
    response = APIClient().get("/api/v1/procedures/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()[0]["title"] == "Welfare facility grant"


def test_catalogue_search_narrows_by_words(procedure):
    assert APIClient().get("/api/v1/procedures/", {"q": "介護"}).json() == []
    assert len(APIClient().get("/api/v1/procedures/", {"q": "福祉"}).json()) == 1


def test_catalogue_refuses_an_overlong_query(procedure):
    response = APIClient().get("/api/v1/procedures/", {"q": "あ" * 101})
    assert response.status_code == 400
    assert "q" in response.json()["error"]["fields"]


def test_catalogue_list_has_a_query_budget(version, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert APIClient().get("/api/v1/procedures/").status_code == 200


def test_procedure_detail_has_the_form_definition(procedure):
    body = APIClient().get(f"/api/v1/procedures/{procedure.code}/").json()
    assert [q["key"] for q in body["form"]["questions"]] == [
        "name",
        "amount",
        "estimate",
    ]
    assert body["form"]["definition"]["pages"][0]["key"] == "applicant"


def test_draft_procedure_is_not_found(procedure):
    Procedure.objects.filter(pk=procedure.pk).update(status="draft")
    response = APIClient().get(f"/api/v1/procedures/{procedure.code}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# --- Drafts and answers -----------------------------------------------------------


def test_resident_starts_a_draft_with_answers(as_resident, procedure, resident):
    data = start(as_resident, procedure)
    assert data["status"] == "draft"
    assert data["answers"]["amount"] == 500_000
    # The missing attachment is what would stop submission now.
    assert list(data["errors"]) == ["estimate"]
    assert Application.objects.get(public_id=data["id"]).applicant == resident


def test_a_draft_with_answers_is_written_once(as_resident, procedure):
    # Issue 15 (performance): the draft is inserted with its answers, not
    # created, locked and updated again.
    with CaptureQueriesContext(connection) as queries:
        data = start(as_resident, procedure)
    assert data["answers"]["amount"] == 500_000
    table = Application._meta.db_table
    writes = [
        q["sql"].split(" (")[0]
        for q in queries.captured_queries
        if f'"{table}"' in q["sql"] and not q["sql"].startswith("SELECT")
    ]
    assert writes == [f'INSERT INTO "{table}"']
    assert not any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)


def test_start_needs_a_login(procedure):
    response = APIClient().post(
        "/api/v1/applications/", {"procedure": procedure.code}, format="json"
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_start_of_an_unknown_procedure_is_not_found(as_resident, db):
    response = as_resident.post(
        "/api/v1/applications/", {"procedure": "nothing"}, format="json"
    )
    assert response.status_code == 404


def test_answers_are_checked_like_the_portal_checks_them(as_resident, procedure):
    data = start(as_resident, procedure, {"name": "山田 太郎"})
    response = as_resident.patch(
        f"/api/v1/applications/{data['id']}/",
        {"answers": {"amount": -5, "unknown": 1, "name": ["not", "text"]}},
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_answers"
    assert set(error["fields"]) == {"unknown", "name"}  # shape first, then the form
    response = as_resident.patch(
        f"/api/v1/applications/{data['id']}/",
        {"answers": {"amount": "many"}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["amount"]


def test_patch_merges_and_keeps_other_answers(as_resident, procedure):
    data = start(as_resident, procedure)
    response = as_resident.patch(
        f"/api/v1/applications/{data['id']}/",
        {"answers": {"amount": 700_000}},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["answers"] == {"name": "山田 太郎", "amount": 700_000}


def test_patch_body_must_hold_answers(as_resident, procedure):
    data = start(as_resident, procedure)
    response = as_resident.patch(
        f"/api/v1/applications/{data['id']}/", {"answers": "x"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["answers"]


def test_attachment_upload_adds_to_the_file_question(as_resident, procedure):
    data = start(as_resident, procedure)
    response = upload(as_resident, data["id"])
    assert response.status_code == 201
    body = response.json()
    assert [a["name"] for a in body["attachments"]] == ["見積書.pdf"]
    assert body["answers"]["estimate"][0]["id"] == body["attachments"][0]["id"]
    assert body["errors"] == {}
    download = as_resident.get(
        f"/api/v1/applications/{data['id']}/attachments/{body['attachments'][0]['id']}/"
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert download["Content-Disposition"].startswith("attachment")


def test_attachment_of_the_wrong_type_is_refused(as_resident, procedure):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = start(as_resident, procedure)
    response = as_resident.post(
        f"/api/v1/applications/{data['id']}/attachments/",
        {"field": "estimate", "file": SimpleUploadedFile("a.pdf", b"just text")},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["file"]
    response = upload(as_resident, data["id"], field="name")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["field"]


def test_file_answer_names_the_attachments_to_keep(as_resident, procedure):
    data = start(as_resident, procedure)
    stored = upload(as_resident, data["id"]).json()["attachments"][0]["id"]
    url = f"/api/v1/applications/{data['id']}/"
    response = as_resident.patch(
        url, {"answers": {"estimate": [stored]}}, format="json"
    )
    assert response.status_code == 200
    assert [ref["id"] for ref in response.json()["answers"]["estimate"]] == [stored]
    # The question is required: the portal refuses to drop its only file too.
    response = as_resident.patch(url, {"answers": {"estimate": []}}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["estimate"]
    response = as_resident.patch(url, {"answers": {"estimate": [99999]}}, format="json")
    assert response.status_code == 400


def test_draft_can_be_deleted(as_resident, procedure):
    data = start(as_resident, procedure)
    assert as_resident.delete(f"/api/v1/applications/{data['id']}/").status_code == 204
    assert not Application.objects.filter(public_id=data["id"]).exists()


# --- Submitting -------------------------------------------------------------------


def test_submit_without_the_attachment_lists_the_missing_field(as_resident, procedure):
    data = start(as_resident, procedure)
    response = as_resident.post(f"/api/v1/applications/{data['id']}/submit/")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_answers"
    assert list(error["fields"]) == ["estimate"]


def test_submit_gives_a_receipt_number_and_a_visible_timeline(as_resident, procedure):
    body = submitted(as_resident, procedure)
    assert body["status"] == "submitted"
    assert body["receipt_number"].startswith(procedure.receipt_prefix)
    assert [e["kind"] for e in body["timeline"]] == ["submitted"]
    assert body["editable"] is False


def test_submitted_application_cannot_be_changed(as_resident, procedure):
    body = submitted(as_resident, procedure)
    response = as_resident.patch(
        f"/api/v1/applications/{body['id']}/", {"answers": {"amount": 1}}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_editable"


def test_create_and_submit_in_one_request_is_all_or_nothing(as_resident, procedure):
    response = as_resident.post(
        "/api/v1/applications/",
        {"procedure": procedure.code, "answers": ANSWERS, "submit": True},
        format="json",
    )
    # The required attachment cannot come in JSON: nothing is created.
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["estimate"]
    assert not Application.objects.exists()


def test_retried_create_with_the_same_key_creates_one_application(
    as_resident, procedure
):
    body = {"procedure": procedure.code, "answers": ANSWERS}
    headers = {"HTTP_IDEMPOTENCY_KEY": "7b1d0c1e-retry"}
    first = as_resident.post("/api/v1/applications/", body, format="json", **headers)
    second = as_resident.post("/api/v1/applications/", body, format="json", **headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second["Idempotent-Replayed"] == "true"
    assert Application.objects.count() == 1


def test_same_key_with_another_body_is_refused(as_resident, procedure):
    headers = {"HTTP_IDEMPOTENCY_KEY": "k-1"}
    as_resident.post(
        "/api/v1/applications/", {"procedure": procedure.code}, format="json", **headers
    )
    response = as_resident.post(
        "/api/v1/applications/",
        {"procedure": procedure.code, "answers": {"amount": 1}},
        format="json",
        **headers,
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Application.objects.count() == 1


def test_keys_are_per_user(as_resident, as_other, procedure):
    headers = {"HTTP_IDEMPOTENCY_KEY": "shared-key"}
    body = {"procedure": procedure.code}
    a = as_resident.post("/api/v1/applications/", body, format="json", **headers)
    b = as_other.post("/api/v1/applications/", body, format="json", **headers)
    assert a.json()["id"] != b.json()["id"]


def test_retried_submit_with_the_same_key_submits_once(as_resident, procedure):
    data = start(as_resident, procedure)
    upload(as_resident, data["id"])
    url = f"/api/v1/applications/{data['id']}/submit/"
    first = as_resident.post(url, HTTP_IDEMPOTENCY_KEY="submit-1")
    second = as_resident.post(url, HTTP_IDEMPOTENCY_KEY="submit-1")
    assert first.status_code == second.status_code == 200
    assert first.json()["receipt_number"] == second.json()["receipt_number"]
    application = Application.objects.get(public_id=data["id"])
    assert application.events.filter(kind="submitted").count() == 1


def test_failed_submit_frees_its_key_for_a_retry(as_resident, procedure):
    data = start(as_resident, procedure)
    url = f"/api/v1/applications/{data['id']}/submit/"
    assert as_resident.post(url, HTTP_IDEMPOTENCY_KEY="s").status_code == 400
    upload(as_resident, data["id"])
    assert as_resident.post(url, HTTP_IDEMPOTENCY_KEY="s").status_code == 200


def test_submit_is_throttled(as_resident, procedure, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_submit": "2/hour"},
    }
    body = {"procedure": procedure.code}
    codes = [
        as_resident.post("/api/v1/applications/", body, format="json").status_code
        for _ in range(3)
    ]
    assert codes == [201, 201, 429]


# --- Following, amending, withdrawing ---------------------------------------------


def test_my_applications_lists_only_mine(as_resident, as_other, procedure):
    mine = start(as_resident, procedure)
    start(as_other, procedure)
    body = as_resident.get("/api/v1/applications/").json()
    assert [a["id"] for a in body["results"]] == [mine["id"]]
    assert body["next_cursor"] is None


def test_my_applications_pages_by_cursor_with_a_query_budget(
    as_resident, procedure, resident, django_assert_max_num_queries
):
    for _ in range(3):
        start(as_resident, procedure)
    from api.views import residents

    residents.PAGE_SIZE, saved = 2, residents.PAGE_SIZE
    try:
        with django_assert_max_num_queries(4):
            first = as_resident.get("/api/v1/applications/").json()
        second = as_resident.get(
            "/api/v1/applications/", {"cursor": first["next_cursor"]}
        ).json()
    finally:
        residents.PAGE_SIZE = saved
    ids = [a["id"] for a in first["results"] + second["results"]]
    assert len(ids) == len(set(ids)) == 3


def test_list_refuses_an_unknown_status(as_resident, db):
    assert as_resident.get("/api/v1/applications/", {"status": "x"}).status_code == 400


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("patch", ""),
        ("delete", ""),
        ("post", "submit/"),
        ("post", "withdraw/"),
        ("post", "attachments/"),
        ("get", "attachments/1/"),
        ("get", "documents/00000000-0000-4000-8000-000000000000/"),
    ],
)
def test_another_residents_application_is_not_found(
    as_resident, as_other, procedure, method, suffix
):
    data = start(as_resident, procedure)
    response = getattr(as_other, method)(
        f"/api/v1/applications/{data['id']}/{suffix}", {}, format="json"
    )
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "not_found",
            "message": response.json()["error"]["message"],
            "fields": {},
        }
    }
    assert Application.objects.get(public_id=data["id"]).status == "draft"


def test_withdraw_needs_a_reason(as_resident, procedure):
    body = submitted(as_resident, procedure)
    response = as_resident.post(
        f"/api/v1/applications/{body['id']}/withdraw/", {}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]


def test_withdraw_ends_the_case(as_resident, procedure):
    body = submitted(as_resident, procedure)
    response = as_resident.post(
        f"/api/v1/applications/{body['id']}/withdraw/",
        {"reason": "別の制度を利用するため"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert response.json()["timeline"][-1]["message"] == "別の制度を利用するため"


def test_draft_cannot_be_withdrawn(as_resident, procedure):
    data = start(as_resident, procedure)
    response = as_resident.post(
        f"/api/v1/applications/{data['id']}/withdraw/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 409


def test_resident_answers_an_amendment_request(as_resident, procedure, staff):
    body = submitted(as_resident, procedure)
    response = claim_and_decide(
        staff["tanto"],
        body["id"],
        "amend",
        applicant_message="申請額を見直してください。",
        amend_fields=["amount"],
    )
    assert response.status_code == 200, response.json()
    mine = as_resident.get(f"/api/v1/applications/{body['id']}/").json()
    assert mine["status"] == "amendment_requested"
    assert mine["amendment"]["fields"] == ["amount"]
    assert mine["amendment"]["message"] == "申請額を見直してください。"
    # Issue 15: with its deadline (the version's default: 14 days on).
    assert (
        mine["amendment_due_date"]
        >= (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    )
    # Staff-only steps (the claim) are not on the resident's timeline.
    assert [e["kind"] for e in mine["timeline"]] == ["submitted", "amendment_requested"]
    response = as_resident.patch(
        f"/api/v1/applications/{body['id']}/",
        {"answers": {"amount": 400_000}},
        format="json",
    )
    assert response.status_code == 200
    response = as_resident.post(f"/api/v1/applications/{body['id']}/submit/")
    assert response.status_code == 200
    assert response.json()["status"] == "under_review"
    assert response.json()["revision"] == 2
    assert response.json()["amendment_due_date"] is None


from rest_framework.test import APIClient  # noqa: E402

from procedures.models import Procedure  # noqa: E402

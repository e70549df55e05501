"""Caseworkers through the API: queue, claim, release, case, decisions."""

from __future__ import annotations

import pytest

from tests.api.conftest import claim_and_decide, otp, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_id(as_resident, procedure) -> str:
    return submitted(as_resident, procedure)["id"]


def test_queue_shows_the_new_case_to_the_first_level(staff, case_id):
    body = staff["tanto"].get("/api/v1/staff/tasks/").json()
    assert [t["case"] for t in body["results"]] == [case_id]
    assert body["results"][0]["step"] == "担当"
    assert staff["kacho"].get("/api/v1/staff/tasks/").json()["results"] == []


def test_queue_has_a_query_budget(
    staff, as_resident, procedure, django_assert_max_num_queries
):
    for _ in range(3):
        submitted(as_resident, procedure)
    client = staff["tanto"]
    # Token (+ last use), permissions (2), posts held and deputised (2), tasks (1):
    # the same whatever the number of tasks.
    with django_assert_max_num_queries(7):
        body = client.get("/api/v1/staff/tasks/", {"sort": "newest"}).json()
    assert len(body["results"]) == 3


def test_queue_refuses_bad_filters(staff, db):
    response = staff["tanto"].get(
        "/api/v1/staff/tasks/", {"tab": "all", "procedure": "x"}
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"tab", "procedure"}


def test_residents_cannot_use_the_staff_endpoints(as_resident, case_id):
    assert as_resident.get("/api/v1/staff/tasks/").status_code == 403
    response = as_resident.get(f"/api/v1/staff/cases/{case_id}/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_staff_without_the_caseworker_permission_is_refused(db, case_id):
    from tests.api.conftest import api_client
    from tests.factories import StaffFactory

    client = api_client(StaffFactory(caseworker=False))
    assert client.get("/api/v1/staff/tasks/").status_code == 403


def test_case_of_another_section_is_not_found(outsider, case_id):
    assert outsider.get(f"/api/v1/staff/cases/{case_id}/").status_code == 404
    response = outsider.post(f"/api/v1/staff/cases/{case_id}/tasks/1/claim/")
    assert response.status_code == 404


def test_case_detail_shows_answers_files_and_full_timeline(staff, case_id):
    body = staff["tanto"].get(f"/api/v1/staff/cases/{case_id}/").json()
    assert body["applicant_name"] == "山田 太郎"
    items = {i["key"]: i for section in body["display"] for i in section["items"]}
    assert items["amount"]["value"]
    assert [a["name"] for a in body["attachments"]] == ["見積書.pdf"]
    assert [step["position"] for step in body["chain"]] == ["担当", "係長", "課長"]
    assert body["claimable_task"]
    assert body["my_task"] is None
    download = staff["tanto"].get(
        f"/api/v1/staff/cases/{case_id}/attachments/{body['attachments'][0]['id']}/"
    )
    assert download.status_code == 200
    assert download["Content-Type"] == "application/octet-stream"


def test_claim_then_release(staff, case_id):
    client = staff["tanto"]
    task = client.get(f"/api/v1/staff/cases/{case_id}/").json()["claimable_task"]
    body = client.post(f"/api/v1/staff/cases/{case_id}/tasks/{task}/claim/").json()
    assert body["my_task"] == task
    assert [e["kind"] for e in body["timeline"]][-1] == "claimed"
    assert client.get("/api/v1/staff/tasks/", {"tab": "mine"}).json()["results"]
    body = client.post(f"/api/v1/staff/cases/{case_id}/tasks/{task}/release/").json()
    assert body["my_task"] is None
    assert body["claimable_task"] == task


def test_second_claim_is_a_conflict(staff, case_id):
    task = (
        staff["tanto"].get(f"/api/v1/staff/cases/{case_id}/").json()["claimable_task"]
    )
    url = f"/api/v1/staff/cases/{case_id}/tasks/{task}/claim/"
    assert staff["tanto"].post(url).status_code == 200
    response = staff["tanto2"].post(url)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "taken"


def test_release_of_someone_elses_task_is_a_conflict(staff, case_id):
    task = (
        staff["tanto"].get(f"/api/v1/staff/cases/{case_id}/").json()["claimable_task"]
    )
    staff["tanto"].post(f"/api/v1/staff/cases/{case_id}/tasks/{task}/claim/")
    response = staff["tanto2"].post(
        f"/api/v1/staff/cases/{case_id}/tasks/{task}/release/"
    )
    assert response.status_code == 409


def test_unknown_task_is_not_found(staff, case_id):
    response = staff["tanto"].post(f"/api/v1/staff/cases/{case_id}/tasks/999999/claim/")
    assert response.status_code == 404


def test_deciding_a_queued_task_claims_it_in_the_same_call(staff, case_id):
    # Issue 15: one call instead of claim then decide.
    task = (
        staff["tanto"].get(f"/api/v1/staff/cases/{case_id}/").json()["claimable_task"]
    )
    response = staff["tanto"].post(
        f"/api/v1/staff/cases/{case_id}/tasks/{task}/decide/",
        {"decision": "approve"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    kinds = [event["kind"] for event in body["timeline"]]
    assert kinds[-2:] == ["claimed", "approved"]
    assert body["claimable_task"] is None  # now at 係長


def test_deciding_a_task_a_colleague_claimed_is_a_conflict(staff, case_id):
    task = (
        staff["tanto"].get(f"/api/v1/staff/cases/{case_id}/").json()["claimable_task"]
    )
    staff["tanto2"].post(f"/api/v1/staff/cases/{case_id}/tasks/{task}/claim/")
    response = staff["tanto"].post(
        f"/api/v1/staff/cases/{case_id}/tasks/{task}/decide/",
        {"decision": "approve"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "taken"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "reject"}, "applicant_message"),
        ({"decision": "reject", "internal_comment": "x"}, "applicant_message"),
        ({"decision": "amend", "internal_comment": "x"}, "applicant_message"),
        ({"decision": "send_back", "target_level": 0}, "internal_comment"),
        ({"decision": "send_back", "internal_comment": "x"}, "target_level"),
        ({"decision": "consult", "internal_comment": "x"}, "consult_to"),
        ({"decision": "maybe"}, "decision"),
        ({"decision": "opinion", "internal_comment": "x"}, "decision"),
        (
            {"decision": "consult", "internal_comment": "x", "consult_to": "nowhere"},
            "consult_to",
        ),
        (
            {"decision": "amend", "applicant_message": "x", "amend_fields": ["nope"]},
            "amend_fields",
        ),
        # Issue 11: only decisions that reach the applicant carry a message
        # to them; the old single ``comment`` is refused, never guessed at.
        (
            {"decision": "consult", "internal_comment": "x", "applicant_message": "y"},
            "applicant_message",
        ),
        ({"decision": "approve", "applicant_message": "y"}, "applicant_message"),
        ({"decision": "approve", "comment": "問題なし"}, "comment"),
        ({"decision": "amend", "comment": "添付してください"}, "comment"),
    ],
)
def test_invalid_decisions_name_the_field(staff, case_id, body, field):
    response = claim_and_decide(staff["tanto"], case_id, **body)
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"]


def test_reject_below_the_final_level_is_refused(staff, case_id):
    response = claim_and_decide(
        staff["tanto"], case_id, "reject", applicant_message="不備"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_final"


def test_send_back_returns_the_case_to_an_earlier_level(staff, case_id):
    assert claim_and_decide(staff["tanto"], case_id).status_code == 200
    response = claim_and_decide(
        staff["kakaricho"],
        case_id,
        "send_back",
        internal_comment="再確認を",
        target_level=0,
    )
    assert response.status_code == 200
    queue = staff["tanto"].get("/api/v1/staff/tasks/").json()["results"]
    assert [t["case"] for t in queue] == [case_id]


def test_consultation_gets_an_opinion(staff, case_id, org):
    from organisation.selectors import slot_key

    slot = slot_key(
        position=org["positions"]["kacho"], section=org["sections"]["zaisei"]
    )
    response = claim_and_decide(
        staff["tanto"],
        case_id,
        "consult",
        internal_comment="財政課の意見を",
        consult_to=slot,
    )
    assert response.status_code == 200, response.json()
    response = claim_and_decide(
        staff["zaisei_kacho"], case_id, "opinion", internal_comment="問題ありません"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["timeline"][-1]["kind"] == "opinion"


def test_impossible_cursor_is_a_400_not_a_500(staff, db):
    response = staff["tanto"].get(
        "/api/v1/staff/tasks/", {"cursor": "2026-13-45T00:00:00+09:00|1"}
    )
    assert response.status_code == 400
    assert "cursor" in response.json()["error"]["fields"]


def test_approver_pulls_the_case_back_while_the_next_level_has_not_decided(
    staff, case_id
):
    assert claim_and_decide(staff["tanto"], case_id).status_code == 200
    before = staff["tanto"].get(f"/api/v1/staff/cases/{case_id}/").json()
    assert before["can_pull_back"] is True
    # Only the approver of the previous level may pull back.
    refused = staff["kakaricho"].post(f"/api/v1/staff/cases/{case_id}/pull-back/")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "too_late"

    response = staff["tanto"].post(
        f"/api/v1/staff/cases/{case_id}/pull-back/",
        {"comment": "金額を確かめ直します"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["can_pull_back"] is False
    assert body["my_task"]  # back with the approver, already claimed
    assert body["timeline"][-1]["kind"] == "pulled_back"
    assert staff["kakaricho"].get("/api/v1/staff/tasks/").json()["results"] == []


def test_pull_back_by_an_outsider_is_not_found(staff, outsider, case_id):
    assert claim_and_decide(staff["tanto"], case_id).status_code == 200
    response = outsider.post(f"/api/v1/staff/cases/{case_id}/pull-back/")
    assert response.status_code == 404


def test_pull_back_refuses_a_comment_too_long(staff, case_id):
    response = staff["tanto"].post(
        f"/api/v1/staff/cases/{case_id}/pull-back/",
        {"comment": "あ" * 4001},
        format="json",
    )
    assert response.status_code == 400
    assert "comment" in response.json()["error"]["fields"]


def test_holder_post_reviews_what_the_deputy_decided(staff, case_id, absence, org):
    absence(holder="kacho", deputy="kakaricho")
    assert claim_and_decide(staff["tanto"], case_id).status_code == 200
    assert claim_and_decide(staff["kakaricho"], case_id).status_code == 200
    # The 係長 now also stands in for the absent 課長 (代決), finally.
    final = claim_and_decide(
        staff["kakaricho"], case_id, otp_code=otp(staff["kakaricho"])
    )
    assert final.status_code == 200

    waiting = staff["kacho"].get("/api/v1/staff/post-reviews/").json()
    assert [(r["case"], r["deputy"]) for r in waiting] == [
        (case_id, str(org["people"]["kakaricho"]))
    ]
    review_id = waiting[0]["id"]
    case = staff["kacho"].get(f"/api/v1/staff/cases/{case_id}/").json()
    assert case["post_review"] == review_id

    # Nobody else may record it.
    other = staff["kakaricho"].post(f"/api/v1/staff/post-reviews/{review_id}/")
    assert other.status_code == 404

    done = staff["kacho"].post(
        f"/api/v1/staff/post-reviews/{review_id}/",
        {"comment": "確認しました"},
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert done.json()["reviewed_at"]
    assert staff["kacho"].get("/api/v1/staff/post-reviews/").json() == []


def test_unknown_post_review_is_not_found(staff, db):
    assert staff["kacho"].post("/api/v1/staff/post-reviews/999999/").status_code == 404


def test_case_without_a_notice_has_none_to_download(staff, outsider, case_id):
    assert (
        staff["tanto"].get(f"/api/v1/staff/cases/{case_id}/").json()["document"] is None
    )
    assert (
        staff["tanto"].get(f"/api/v1/staff/cases/{case_id}/document/").status_code
        == 404
    )
    assert outsider.get(f"/api/v1/staff/cases/{case_id}/document/").status_code == 404


def test_the_schema_documents_who_reads_each_text(client, db):
    # Issue 11: the two texts are separate keys, each saying who reads it.
    components = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()[
        "components"
    ]["schemas"]
    decision = components["DecisionRequest"]["properties"]
    assert "comment" not in decision
    assert "applicant_message" in decision
    assert "never shown to the applicant" in decision["internal_comment"]["description"]
    staff_event = components["StaffEvent"]["properties"]
    assert {"applicant_message", "internal_comment"} <= set(staff_event)
    assert "message" not in staff_event
    resident_event = components["Event"]["properties"]
    assert "Internal comments" in resident_event["message"]["description"]
    assert "internal_comment" not in resident_event


def _to_the_final_level(staff, case_id):
    for person in ("tanto", "kakaricho"):
        assert claim_and_decide(staff[person], case_id).status_code == 200


def test_the_final_decision_with_a_token_asks_for_a_fresh_code(staff, case_id, org):
    from core.models import AuditEvent
    from tests.second_factor import give_second_factor

    _to_the_final_level(staff, case_id)
    kacho = staff["kacho"]

    without = claim_and_decide(kacho, case_id, otp_code="")
    task = kacho.get(f"/api/v1/staff/cases/{case_id}/").json()["my_task"]
    wrong = kacho.post(
        f"/api/v1/staff/cases/{case_id}/tasks/{task}/decide/",
        {"decision": "approve", "otp_code": "000000"},
        format="json",
    )

    assert without.status_code == wrong.status_code == 403
    assert without.json()["error"]["code"] == "reauthentication_required"
    assert "otp_code" in without.json()["error"]["message"]
    assert wrong.json()["error"]["code"] == "reauthentication_required"
    assert "確認コードが正しくありません" in wrong.json()["error"]["message"]
    case = kacho.get(f"/api/v1/staff/cases/{case_id}/").json()
    assert case["status"] != "issuing"  # nothing decided
    assert AuditEvent.objects.filter(
        action="account.second_factor_failed",
        actor=org["people"]["kacho"],
        data__purpose="decision",
    ).exists()

    # A wrong code holds the device for a second (django-otp's throttling).
    give_second_factor(org["people"]["kacho"]).throttle_reset()
    accepted = kacho.post(
        f"/api/v1/staff/cases/{case_id}/tasks/{task}/decide/",
        {"decision": "approve", "otp_code": otp(kacho)},
        format="json",
    )
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "issuing"


def test_a_browser_session_verified_recently_needs_no_code(staff, case_id, org):
    import time

    from rest_framework.test import APIClient

    from accounts.second_factor import VERIFIED_AT_KEY
    from tests.second_factor import verified_login

    _to_the_final_level(staff, case_id)
    browser = verified_login(APIClient(), org["people"]["kacho"])
    session = browser.session
    session[VERIFIED_AT_KEY] = time.time() - 3600  # an hour ago: not fresh
    session.save()

    stale = claim_and_decide(browser, case_id)
    assert stale.status_code == 403
    assert stale.json()["error"]["code"] == "reauthentication_required"

    session = browser.session
    session[VERIFIED_AT_KEY] = time.time()
    session.save()
    task = browser.get(f"/api/v1/staff/cases/{case_id}/").json()["my_task"]
    fresh = browser.post(
        f"/api/v1/staff/cases/{case_id}/tasks/{task}/decide/",
        {"decision": "approve"},
        format="json",
    )
    assert fresh.status_code == 200, fresh.json()

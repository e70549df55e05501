"""The staff API decides with an outcome and its decision data (issue 14)."""

from __future__ import annotations

import pytest

from tests.api.conftest import api_client, claim_and_decide, submitted
from tests.workflow.test_outcomes import decision_form, grants  # noqa: F401


@pytest.fixture
def at_final_level(staff, as_resident, grants):  # noqa: F811
    case_id = submitted(as_resident, grants.procedure)["id"]
    for person in ("tanto", "kakaricho"):
        response = claim_and_decide(staff[person], case_id)
        assert response.status_code == 200, response.json()
    return case_id


def test_the_case_lists_the_outcomes_and_fields_available_at_this_step(
    staff,
    as_resident,
    grants,  # noqa: F811
    at_final_level,
):
    case_id = at_final_level
    kacho = staff["kacho"]
    # Before claiming, nothing is decidable by me.
    assert (
        kacho.get(f"/api/v1/staff/cases/{case_id}/").json()["available_outcomes"] == []
    )
    task_id = kacho.get(f"/api/v1/staff/cases/{case_id}/").json()["claimable_task"]
    kacho.post(f"/api/v1/staff/cases/{case_id}/tasks/{task_id}/claim/")
    body = kacho.get(f"/api/v1/staff/cases/{case_id}/").json()
    outcomes = {item["code"]: item for item in body["available_outcomes"]}
    assert list(outcomes) == ["grant", "grant_reduced", "no_grant"]
    assert outcomes["no_grant"]["reason_required"] is True
    assert outcomes["grant"]["reason_required"] is False
    assert [field["key"] for field in outcomes["grant"]["fields"]] == [
        "granted_amount",
        "conditions",
    ]
    assert outcomes["grant"]["limits"] == [
        {"field": "granted_amount", "answer": "amount"}
    ]
    # An earlier level is offered none.
    assert (
        staff["tanto"]
        .get(f"/api/v1/staff/cases/{case_id}/")
        .json()["available_outcomes"]
        == []
    )


def test_a_granted_amount_above_the_request_is_a_400_with_a_field_message(
    staff, at_final_level
):
    response = claim_and_decide(
        staff["kacho"],
        at_final_level,
        "decide",
        outcome="grant",
        decision_data={"granted_amount": 700_000},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "decision_data_invalid"
    assert (
        "500,000以下にしてください"
        in error["fields"]["decision_data.granted_amount"][0]
    )


def test_a_refusal_without_its_reason_is_a_400_on_applicant_message(
    staff, at_final_level
):
    response = claim_and_decide(staff["kacho"], at_final_level, "no_grant")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "不交付決定の理由" in fields["applicant_message"][0]


def test_an_unknown_outcome_is_a_400_on_outcome(staff, at_final_level):
    response = claim_and_decide(
        staff["kacho"], at_final_level, "decide", outcome="maybe"
    )
    assert response.status_code == 400
    assert "outcome" in response.json()["error"]["fields"]


def test_the_decision_and_its_data_come_back_by_key(staff, as_resident, at_final_level):
    response = claim_and_decide(
        staff["kacho"],
        at_final_level,
        "grant_reduced",
        decision_data={"granted_amount": 400_000, "conditions": "報告すること。"},
        applicant_message="対象外の経費を除きました。",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["outcome"]["code"] == "grant_reduced"
    assert body["outcome"]["kind"] == "partial"
    assert body["decision_data"] == {
        "granted_amount": 400_000,
        "conditions": "報告すること。",
    }
    assert body["available_outcomes"] == []
    # The resident reads the outcome's words as the status, and the reason.
    mine = as_resident.get(f"/api/v1/applications/{at_final_level}/").json()
    assert mine["status_label"] == "減額交付決定（通知書を作成中）"


def test_a_draft_through_the_api_is_amended_and_decided_as_it_stands(
    staff,
    as_resident,
    grants,  # noqa: F811
):
    case_id = submitted(as_resident, grants.procedure)["id"]
    drafted = claim_and_decide(
        staff["tanto"],
        case_id,
        outcome="grant",
        decision_data={"granted_amount": 450_000},
    )
    assert drafted.status_code == 200, drafted.json()
    too_much = claim_and_decide(
        staff["kakaricho"],
        case_id,
        outcome="grant",
        decision_data={"granted_amount": 550_000},
    )
    assert too_much.status_code == 400
    assert "decision_data.granted_amount" in too_much.json()["error"]["fields"]
    task_id = (
        staff["kakaricho"].get(f"/api/v1/staff/cases/{case_id}/").json()["my_task"]
    )
    amended = staff["kakaricho"].post(
        f"/api/v1/staff/cases/{case_id}/tasks/{task_id}/decide/",
        {
            "decision": "approve",
            "outcome": "grant",
            "decision_data": {"granted_amount": 400_000},
        },
        format="json",
    )
    assert amended.status_code == 200, amended.json()
    body = amended.json()
    assert body["draft"]["decision_data"] == {"granted_amount": 400_000}
    assert [entry["action"] for entry in body["draft_history"]] == [
        "drafted",
        "amended",
    ]
    final = claim_and_decide(staff["kacho"], case_id)
    assert final.status_code == 200, final.json()
    assert final.json()["outcome"]["code"] == "grant"
    assert final.json()["decision_data"] == {"granted_amount": 400_000}


def test_the_api_takes_the_consultations_answer(staff, as_resident, procedure, org):
    case_id = submitted(as_resident, procedure)["id"]
    assert claim_and_decide(staff["tanto"], case_id).status_code == 200
    sections, positions = org["sections"], org["positions"]
    slot = f"workflow.slot_s{sections['zaisei'].pk}_p{positions['tanto'].pk}"
    asked = claim_and_decide(
        staff["kakaricho"],
        case_id,
        "consult",
        consult_to=slot,
        internal_comment="意見をください。",
    )
    assert asked.status_code == 200, asked.json()
    zaisei = api_client(org["people"]["zaisei_tanto"])
    answered = claim_and_decide(
        zaisei, case_id, "opinion", opinion="object", internal_comment="反対です。"
    )
    assert answered.status_code == 200, answered.json()
    refused = claim_and_decide(staff["kakaricho"], case_id)
    assert refused.status_code == 400
    assert "internal_comment" in refused.json()["error"]["fields"]


def test_approve_with_an_explicit_outcome_decides_that_outcome(staff, at_final_level):
    response = claim_and_decide(
        staff["kacho"],
        at_final_level,
        "approve",
        outcome="grant_reduced",
        decision_data={"granted_amount": 100_000},
        applicant_message="一部の経費は対象外です。",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["outcome"]["code"] == "grant_reduced"

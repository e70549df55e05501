"""Issue 15 through the API: approve several simple tasks at once."""

from __future__ import annotations

import pytest

from core.models import AuditEvent
from tests.api.conftest import api_client, claim_and_decide, otp, submitted
from tests.workflow.test_outcomes import decision_form, grants  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/api/v1/staff/tasks/bulk-approve/"


def _task(client, case_id: str) -> int:
    case = client.get(f"/api/v1/staff/cases/{case_id}/").json()
    return case["claimable_task"]


def _by_task(body: dict) -> dict[int, dict]:
    return {item["task_id"]: item for item in body["results"]}


def test_three_tasks_approved_and_one_taken_reported(staff, as_resident, procedure):
    cases = [submitted(as_resident, procedure)["id"] for _ in range(4)]
    tanto = staff["tanto"]
    tasks = [_task(tanto, case_id) for case_id in cases]
    taken = staff["tanto2"].post(
        f"/api/v1/staff/cases/{cases[3]}/tasks/{tasks[3]}/claim/"
    )
    assert taken.status_code == 200

    response = tanto.post(URL, {"task_ids": tasks}, format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["approved"], body["refused"]) == (3, 1)
    results = _by_task(body)
    assert [results[t]["result"] for t in tasks] == ["done"] * 3 + ["refused"]
    assert results[tasks[3]]["code"] == "taken"
    assert results[tasks[3]]["reason"]
    assert AuditEvent.objects.filter(action="workflow.task_decide").count() == 3
    for case_id in cases[:3]:
        case = tanto.get(f"/api/v1/staff/cases/{case_id}/").json()
        assert [e["kind"] for e in case["timeline"]].count("approved") == 1
    # The 係長 now finds the three in the queue.
    queue = staff["kakaricho"].get("/api/v1/staff/tasks/").json()["results"]
    assert sorted(t["case"] for t in queue) == sorted(cases[:3])


def test_a_final_level_batch_needs_the_code(staff, as_resident, procedure):
    case_id = submitted(as_resident, procedure)["id"]
    for person in ("tanto", "kakaricho"):
        assert claim_and_decide(staff[person], case_id).status_code == 200
    kacho = staff["kacho"]
    task = _task(kacho, case_id)

    missing = kacho.post(URL, {"task_ids": [task]}, format="json")

    assert missing.status_code == 403
    assert missing.json()["error"]["code"] == "reauthentication_required"
    assert kacho.get(f"/api/v1/staff/cases/{case_id}/").json()["status"] in (
        "submitted",
        "under_review",
    )

    done = kacho.post(URL, {"task_ids": [task], "otp_code": otp(kacho)}, format="json")

    assert done.status_code == 200, done.json()
    assert done.json()["approved"] == 1
    case = kacho.get(f"/api/v1/staff/cases/{case_id}/").json()
    assert case["outcome"]["code"] == "approve"


def test_a_consultation_and_a_decision_form_are_refused_with_their_reasons(
    staff,
    as_resident,
    grants,  # noqa: F811
    org,
):
    p = org["people"]
    consulted = submitted(as_resident, grants.procedure)["id"]
    at_final = submitted(as_resident, grants.procedure)["id"]
    for person in ("tanto", "kakaricho"):
        assert claim_and_decide(staff[person], at_final).status_code == 200
    assert claim_and_decide(staff["tanto"], consulted).status_code == 200
    sections, positions = org["sections"], org["positions"]
    slot = f"workflow.slot_s{sections['zaisei'].pk}_p{positions['tanto'].pk}"
    asked = claim_and_decide(
        staff["kakaricho"], consulted, "consult", consult_to=slot, internal_comment="?"
    )
    assert asked.status_code == 200, asked.json()
    zaisei = api_client(p["zaisei_tanto"])
    consult_task = _task(zaisei, consulted)
    refused = zaisei.post(URL, {"task_ids": [consult_task]}, format="json").json()
    assert _by_task(refused)[consult_task]["code"] == "consultation"

    kacho = staff["kacho"]
    final_task = _task(kacho, at_final)
    body = kacho.post(
        URL, {"task_ids": [final_task, 999_999], "otp_code": otp(kacho)}, format="json"
    ).json()

    results = _by_task(body)
    assert results[final_task]["code"] == "decision_form_required"
    assert "決定内容の入力が必要です" in results[final_task]["reason"]
    assert results[999_999]["code"] == "not_found"
    assert body["approved"] == 0
    assert kacho.get(f"/api/v1/staff/cases/{at_final}/").json()["outcome"] is None


def test_the_ids_are_checked(staff, db):
    response = staff["tanto"].post(URL, {"task_ids": ["x"]}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["task_ids.0"]

"""Issue 11 item 2 through the API: input is refused with a field message,
never dropped without a word (rows beyond max_rows, extra files, unknown
columns and keys, answers to questions the answers hide)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from procedures.models import Application, Procedure
from tests.api.conftest import pdf_file, published_procedure

pytestmark = pytest.mark.django_db

_codes = itertools.count(1)

HOUSEHOLD = {
    "version": 1,
    "pages": [
        {
            "key": "household",
            "title": {"ja": "世帯"},
            "fields": [
                {
                    "key": "name",
                    "type": "name_pair",
                    "label": {"ja": "氏名"},
                    "required": True,
                },
                {
                    "key": "members",
                    "type": "repeat",
                    "label": {"ja": "世帯員"},
                    "max_rows": 2,
                    "fields": [
                        {
                            "key": "member_name",
                            "type": "text",
                            "label": {"ja": "氏名"},
                            "required": True,
                        },
                        {"key": "income", "type": "amount", "label": {"ja": "収入"}},
                    ],
                },
                {
                    "key": "total",
                    "type": "computed",
                    "format": "amount",
                    "label": {"ja": "収入合計"},
                    "expression": {
                        "reduce": [
                            {"var": "members"},
                            {"+": [{"var": "accumulator"}, {"var": "current.income"}]},
                            0,
                        ]
                    },
                },
                {
                    "key": "purpose",
                    "type": "choice",
                    "label": {"ja": "目的"},
                    "options": [
                        {"value": "new", "label": {"ja": "新規"}},
                        {"value": "renewal", "label": {"ja": "更新"}},
                    ],
                },
                {
                    "key": "previous_number",
                    "type": "text",
                    "label": {"ja": "前回の許可番号"},
                    "show_if": {"==": [{"var": "purpose"}, "renewal"]},
                },
                {
                    "key": "papers",
                    "type": "file",
                    "label": {"ja": "添付書類"},
                    "accept": ["application/pdf"],
                    "max_files": 1,
                },
            ],
        }
    ],
}


@pytest.fixture
def household(org) -> Procedure:
    return published_procedure(org, HOUSEHOLD, title="世帯の届出")


NAME = {"name": "山田 太郎", "kana": "ヤマダ タロウ"}


def _rows(count: int) -> list[dict[str, Any]]:
    return [{"member_name": f"世帯員{n}", "income": 100} for n in range(count)]


def _create(client, procedure, answers):
    return client.post(
        "/api/v1/applications/",
        {"procedure": procedure.code, "answers": answers},
        format="json",
    )


def test_rows_beyond_max_rows_are_a_400_naming_the_maximum(as_resident, household):
    response = _create(as_resident, household, {"name": NAME, "members": _rows(3)})
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["fields"] == {
        "members": ["世帯員 は 2 件までです。"]
    }
    assert not Application.objects.exists()  # nothing stored, nothing summed
    response = _create(as_resident, household, {"name": NAME, "members": _rows(2)})
    assert response.status_code == 201
    assert response.json()["answers"]["total"] == 200


def test_files_beyond_max_files_in_one_upload_are_refused(as_resident, household):
    data = _create(as_resident, household, {"name": NAME}).json()
    response = as_resident.post(
        f"/api/v1/applications/{data['id']}/attachments/",
        {"field": "papers", "file": [pdf_file("一.pdf"), pdf_file("二.pdf")]},
        format="multipart",
    )
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["fields"] == {
        "file": ["添付できるファイルは 1 件までです。"]
    }
    assert not Application.objects.get().attachments.exists()


def test_unknown_keys_of_a_request_body_are_refused(as_resident, household):
    response = as_resident.post(
        "/api/v1/applications/",
        {"procedure": household.code, "answer": {"name": NAME}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "answer": ["この項目は受け付けていません。"]
    }
    assert not Application.objects.exists()


def test_unknown_columns_and_name_parts_are_refused(as_resident, household):
    response = _create(
        as_resident,
        household,
        {
            "name": {**NAME, "title": "様"},
            "members": [{"member_name": "花子", "incom": 100}],
        },
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert "「incom」" in fields["members"][0]
    assert "「title」" in fields["name"][0]


def test_answer_to_a_question_the_answers_hide_is_refused(as_resident, household):
    response = _create(
        as_resident,
        household,
        {"name": NAME, "purpose": "new", "previous_number": "AB1234"},
    )
    assert response.status_code == 400
    assert "表示されない" in (response.json()["error"]["fields"]["previous_number"][0])
    response = _create(
        as_resident,
        household,
        {"name": NAME, "purpose": "new", "previous_number": None},
    )
    assert response.status_code == 201
    response = _create(
        as_resident,
        household,
        {"name": NAME, "purpose": "renewal", "previous_number": "AB1234"},
    )
    assert response.status_code == 201
    assert response.json()["answers"]["previous_number"] == "AB1234"


def test_a_misspelt_key_of_a_decision_is_refused_not_dropped(
    as_resident, procedure, staff
):
    from tests.api.conftest import claim_and_decide, submitted

    case_id = submitted(as_resident, procedure)["id"]
    response = claim_and_decide(
        staff["tanto"], case_id, "approve", coment="金額を確認済み"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "coment": ["この項目は受け付けていません。"]
    }

"""Cross-field checks (issue 12): a form-level rule with a message under the
question it names, checked on the page, at submission and in the builder."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.http import QueryDict
from django.urls import reverse

from forms_builder.builder_forms import rule_to_rows
from forms_builder.definition import validate_definition
from forms_builder.models import FormVersion
from forms_builder.runtime import FormRuntime
from forms_builder.services import form_create

HALF = "申請額は補助対象経費の2分の1以下です。"
GRANT: dict[str, Any] = {
    "version": 1,
    "pages": [
        {
            "key": "costs",
            "title": {"ja": "経費"},
            "fields": [
                {
                    "key": "eligible",
                    "type": "amount",
                    "label": {"ja": "補助対象経費"},
                    "required": True,
                }
            ],
        },
        {
            "key": "request",
            "title": {"ja": "申請額"},
            "fields": [
                {
                    "key": "requested",
                    "type": "amount",
                    "label": {"ja": "申請額"},
                    "required": True,
                },
                {"key": "note", "type": "text", "label": {"ja": "備考"}},
            ],
        },
    ],
    "validations": [
        {
            "field": "requested",
            "rule": {"<=": [{"var": "requested"}, {"/": [{"var": "eligible"}, 2]}]},
            "message": {"ja": HALF, "en": "At most half of the eligible costs."},
        }
    ],
}


def grant() -> dict[str, Any]:
    return copy.deepcopy(GRANT)


def _post(data: dict[str, str]) -> QueryDict:
    query = QueryDict(mutable=True)
    query.update(data)
    return query


def test_the_definition_with_a_check_is_valid_and_a_wrong_one_is_refused():
    assert validate_definition(grant()) == []
    broken = grant()
    broken["validations"][0]["field"] = "gone"
    broken["validations"][0]["rule"] = {"<=": [{"var": "nothing"}, 1]}
    broken["validations"].append({"field": "note"})
    messages = [str(error) for error in validate_definition(broken)]
    assert any("「gone」がありません" in m for m in messages), messages
    assert any("nothing" in m for m in messages), messages
    assert any("必須の設定「rule」がありません" in m for m in messages), messages


def test_the_page_refuses_with_the_message_under_the_field():
    runtime = FormRuntime(grant())
    form = runtime.page_form(
        1,
        data=_post({"requested": "600,000"}),
        answers={"eligible": 1_000_000},
        existing_files={},
    )
    assert not form.is_valid()
    assert form.errors == {"requested": [HALF]}
    assert ("id_requested", "申請額", HALF) in form.error_items()
    form = runtime.page_form(
        1,
        data=_post({"requested": "500000"}),
        answers={"eligible": 1_000_000},
        existing_files={},
    )
    assert form.is_valid(), form.errors
    assert form.page_answers()["requested"] == 500_000


def test_an_unanswered_field_is_only_reported_as_missing():
    runtime = FormRuntime(grant())
    form = runtime.page_form(
        1, data=_post({}), answers={"eligible": 1_000_000}, existing_files={}
    )
    assert not form.is_valid()
    assert HALF not in form.errors["requested"]


def test_whole_form_validation_at_submit_reports_the_check_in_english_too():
    from django.utils import translation

    runtime = FormRuntime(grant())
    answers = {"eligible": 1_000_000, "requested": 500_001, "note": None}
    assert runtime.validate(answers) == {"requested": [HALF]}
    with translation.override("en"):
        assert runtime.validate(answers) == {
            "requested": ["At most half of the eligible costs."]
        }
    assert runtime.validate({**answers, "requested": 500_000}) == {}


def test_the_browser_gets_the_checks_of_its_page_only():
    runtime = FormRuntime(grant())
    first = runtime.page_form(0, answers={}, existing_files={}).client_config()
    second = runtime.page_form(1, answers={}, existing_files={}).client_config()
    assert "checks" not in first["nodes"]["requested"]
    assert second["nodes"]["requested"]["checks"][0]["message"] == HALF


@pytest.mark.parametrize(
    ("factor", "rule"),
    [
        ("", {"var": "eligible"}),
        ("1/2", {"/": [{"var": "eligible"}, 2]}),
        ("2/3", {"/": [{"*": [{"var": "eligible"}, 2]}, 3]}),
        ("0.8", {"*": [{"var": "eligible"}, 0.8]}),
    ],
)
def test_rows_compare_with_another_field_times_a_factor(factor, rule):
    full = {"<=": [{"var": "requested"}, rule]}
    assert rule_to_rows(full) == ("all", [("requested", "le", factor, "eligible")])


@pytest.mark.django_db
def test_administrator_adds_a_check_with_the_row_editor(admin_client, administrator):
    form = form_create(code="grant", title="補助金", title_en="", actor=administrator)
    version = form.versions.get()
    version.definition = {k: v for k, v in grant().items() if k != "validations"}
    version.save()
    edit = reverse("forms_builder:version_edit", args=["grant", 1])
    assert "入力チェックはありません" in admin_client.get(edit).content.decode()
    add = reverse("forms_builder:check_add", args=["grant", 1])
    page = admin_client.get(add).content.decode()
    assert "または比べる項目" in page
    response = admin_client.post(
        add,
        {
            "field": "requested",
            "message_ja": HALF,
            "message_en": "At most half of the eligible costs.",
            "chk_combinator": "all",
            "chk_0_field": "requested",
            "chk_0_op": "le",
            "chk_0_value": "1/2",
            "chk_0_other": "eligible",
        },
    )
    assert response.status_code == 302, response.content.decode()
    version = FormVersion.objects.get(pk=version.pk)
    assert version.definition["validations"] == GRANT["validations"]
    page = admin_client.get(edit).content.decode()
    assert HALF in page
    # Edited again, the rows come back as typed.
    edit_check = reverse("forms_builder:check_edit", args=["grant", 1, 0])
    page = admin_client.get(edit_check).content.decode()
    assert 'value="1/2"' in page
    # A check without a condition is refused next to the rows.
    response = admin_client.post(
        edit_check, {"field": "requested", "message_ja": HALF, "chk_combinator": "all"}
    )
    assert response.status_code == 200
    assert "条件を1つ以上指定してください。" in response.content.decode()
    response = admin_client.post(
        reverse("forms_builder:check_remove", args=["grant", 1, 0])
    )
    assert response.status_code == 302
    assert "validations" not in FormVersion.objects.get(pk=version.pk).definition


@pytest.mark.django_db
def test_a_broken_check_is_shown_on_its_page_and_blocks_publishing(
    admin_client, administrator
):
    broken = grant()
    broken["validations"][0]["field"] = "gone"
    form_create(code="broken", title="補助金", actor=administrator, definition=broken)
    page = admin_client.get(
        reverse("forms_builder:check_edit", args=["broken", 1, 0])
    ).content.decode()
    assert "入力チェック1: メッセージを表示する項目「gone」がありません。" in page
    edit = admin_client.get(reverse("forms_builder:version_edit", args=["broken", 1]))
    assert "「gone」がありません" in edit.content.decode()
    admin_client.post(reverse("forms_builder:version_publish", args=["broken", 1]))
    assert not FormVersion.objects.get(form__code="broken").is_published

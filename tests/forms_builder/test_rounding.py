"""Rounding as a computed value (issue 12): 千円未満切捨て, 円未満四捨五入 …
computed on the server as in the browser, chosen from a list in the builder."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.urls import reverse

from forms_builder.definition import validate_definition
from forms_builder.models import FormVersion
from forms_builder.runtime import FormRuntime, round_to_unit
from forms_builder.services import form_create

SUBSIDY: dict[str, Any] = {
    "version": 1,
    "pages": [
        {
            "key": "costs_page",
            "title": {"ja": "経費"},
            "fields": [
                {"key": "costs", "type": "amount", "label": {"ja": "補助対象経費"}},
                {
                    "key": "subsidy",
                    "type": "computed",
                    "format": "amount",
                    "label": {"ja": "補助額（2分の1、千円未満切捨て）"},
                    "expression": {"/": [{"var": "costs"}, 2]},
                    "rounding": {"mode": "floor", "unit": 1000},
                },
                {
                    "key": "tax",
                    "type": "computed",
                    "format": "amount",
                    "label": {"ja": "消費税相当額（円未満四捨五入）"},
                    "expression": {"/": [{"*": [{"var": "costs"}, 10]}, 110]},
                    "rounding": {"mode": "round", "unit": 1},
                },
            ],
        }
    ],
}


def subsidy() -> dict[str, Any]:
    return copy.deepcopy(SUBSIDY)


@pytest.mark.parametrize(
    ("value", "mode", "unit", "expected"),
    [
        (1_234_567.5, "floor", 1000, 1_234_000),
        (1_234_567.5, "ceil", 1000, 1_235_000),
        (1_234_500, "round", 1000, 1_235_000),
        (1_234_499, "round", 1000, 1_234_000),
        (90.9, "floor", 1, 90),
        (90.5, "round", 1, 91),
        (-1_500, "floor", 1000, -1_000),
        (-1_500, "round", 1000, -2_000),
    ],
)
def test_round_to_unit(value, mode, unit, expected):
    assert round_to_unit(value, mode, unit) == expected


def test_computed_values_are_rounded_as_the_definition_says():
    assert validate_definition(subsidy()) == []
    runtime = FormRuntime(subsidy())
    values = runtime.rule_values({"costs": 2_469_135})
    assert values["subsidy"] == 1_234_000  # 1,234,567.5 → 千円未満切捨て
    assert values["tax"] == 224_467  # 224,466.8… → 円未満四捨五入
    shown = runtime.display({"costs": 2_469_135})[0]["items"]
    assert [item["value"] for item in shown[1:]] == ["1,234,000円", "224,467円"]


def test_rounding_of_a_text_result_is_a_definition_error():
    definition = subsidy()
    definition["pages"][0]["fields"][1]["format"] = "text"
    definition["pages"][0]["fields"][2]["rounding"] = {"mode": "down", "unit": 3}
    messages = [str(error) for error in validate_definition(definition)]
    assert any("端数処理は、表示形式が整数か金額" in m for m in messages), messages
    assert any("「down」は使えません" in m for m in messages), messages


@pytest.mark.django_db
def test_administrator_picks_rounding_from_a_list_and_a_new_computed_field_is_valid(
    admin_client, administrator
):
    form_create(code="subsidy", title="補助金", actor=administrator)
    add = reverse("forms_builder:field_add", args=["subsidy", 1])
    response = admin_client.post(
        add,
        {
            "page": "page1",
            "type": "computed",
            "key": "total",
            "label_ja": "合計",
            "format": "integer",
        },
    )
    assert response.status_code == 302
    version = FormVersion.objects.get(form__code="subsidy")
    assert validate_definition(version.definition) == []  # starts valid
    edit = reverse("forms_builder:field_edit", args=["subsidy", 1, "total"])
    page = admin_client.get(edit).content.decode()
    assert "千円未満切捨て" in page
    assert "円未満（1未満）四捨五入" in page
    response = admin_client.post(
        edit,
        {
            "key": "total",
            "label_ja": "合計",
            "expression": '{"/": [5555, 2]}',
            "format": "amount",
            "rounding": "floor:1000",
            "visibility": "always",
        },
    )
    assert response.status_code == 302, response.content.decode()
    version.refresh_from_db()
    spec = version.definition["pages"][0]["fields"][0]
    assert spec["rounding"] == {"mode": "floor", "unit": 1000}
    assert FormRuntime(version.definition).rule_values({})["total"] == 2000
    page = admin_client.get(edit).content.decode()
    assert 'value="floor:1000" selected' in page

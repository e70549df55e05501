"""Computed values the editor writes give the same number in Chromium as on
the server (issue 12), and the editor's screens pass axe."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from playwright.sync_api import expect

from forms_builder.computed import write_computation
from forms_builder.rules import evaluate_rule
from forms_builder.runtime import ROUNDING_MODES, ROUNDING_UNITS, normalize_computed
from forms_builder.services import form_create
from tests.factories import AdministratorFactory
from tests.forms_builder import views as test_views
from tests.forms_builder.test_browser import _same, rules_page  # noqa: F401
from tests.forms_builder.test_computed_editor import (
    OPERANDS,
    computations,
    household,
)
from tests.workflow.test_accessibility import _check, _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

amounts = st.one_of(st.none(), st.integers(-(10**9), 10**9))
rows = st.lists(
    st.fixed_dictionaries({"name": st.just("x")}, optional={"income": amounts}),
    max_size=4,
)
answers = st.fixed_dictionaries(
    {
        "income": amounts,
        "deduction": amounts,
        "people": amounts,
        "subtotal": amounts,  # an earlier computed value, as rules see it
        "members": st.one_of(st.none(), rows),
    }
)
roundings = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "mode": st.sampled_from(ROUNDING_MODES),
            "unit": st.sampled_from(ROUNDING_UNITS),
        }
    ),
)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.tuples(
            computations(),
            answers,
            roundings,
            st.sampled_from(["integer", "amount"]),
        ),
        min_size=25,
        max_size=25,
    )
)
def test_generated_computations_give_the_same_value_in_python_and_javascript(
    rules_page,  # noqa: F811
    cases,
):
    batch = [
        [write_computation(computation, OPERANDS), data, rounding, fmt]
        for computation, data, rounding, fmt in cases
    ]
    expected = [
        normalize_computed(evaluate_rule(logic, data), fmt, rounding)
        for logic, data, rounding, fmt in batch
    ]
    actual = rules_page.evaluate(
        """cases => cases.map(([logic, data, rounding, format]) =>
             FormRules.normalizeComputed(FormRules.evaluate(logic, data), format, rounding))""",
        batch,
    )
    for case, python, javascript in zip(batch, expected, actual, strict=True):
        assert _same(python, javascript), (case, python, javascript)


SHAPES = [
    ("total", {"+": [{"var": "income"}, {"var": "deduction"}]}, None),
    (
        "members_total",
        {
            "reduce": [
                {"var": "members"},
                {"+": [{"var": "accumulator"}, {"var": "current.income"}]},
                0,
            ]
        },
        {"mode": "floor", "unit": 1000},
    ),
    (
        "members_count",
        {"reduce": [{"var": "members"}, {"+": [{"var": "accumulator"}, 1]}, 0]},
        None,
    ),
    ("half", {"/": [{"var": "income"}, 2]}, {"mode": "floor", "unit": 1000}),
    (
        "rate",
        {"/": [{"*": [{"var": "income"}, 29]}, 100]},
        {"mode": "floor", "unit": 1},
    ),
    ("net", {"-": [{"var": "income"}, {"var": "deduction"}]}, None),
    ("capped", {"min": [{"var": "half"}, 1_000_000]}, None),
    (
        "share",
        {"/": [{"*": [{"var": "deduction"}, 100]}, {"var": "income"}]},
        {"mode": "round", "unit": 1},
    ),
]


def _definition() -> dict:
    definition = household()
    fields = definition["pages"][0]["fields"][:5]
    for key, expression, rounding in SHAPES:
        spec = {
            "key": key,
            "type": "computed",
            "format": "amount",
            "label": {"ja": key},
            "expression": expression,
        }
        if rounding:
            spec["rounding"] = rounding
        fields.append(spec)
    definition["pages"][0]["fields"] = fields
    return definition


def test_the_page_shows_what_the_server_stores_while_rows_are_typed(live_server, page):
    from forms_builder.runtime import FormRuntime

    definition = _definition()
    runtime = FormRuntime(definition)
    test_views.CURRENT.update(definition=definition, answers={}, submitted=None)
    page.goto(f"{live_server.url}/test-forms/0/")
    page.wait_for_selector("[data-fb-form][data-fb-ready]")
    rows = page.locator("#fb-item-members [data-fb-row]")
    for income, deduction, members in [
        ("3,456,789", "480,000", ["1,234,567", "100,999"]),
        ("2,000,001", "0", ["999"]),
        ("", "12", []),
    ]:
        page.get_by_label("本人の収入").fill(income)
        page.get_by_label("控除額").fill(deduction)
        while rows.count() > max(len(members), 1):
            rows.last.get_by_role("button", name="この行を削除").click()
        for index, value in enumerate(members):
            if rows.count() <= index:
                page.get_by_role("button", name="行を追加").click()
                expect(rows).to_have_count(index + 1)
            rows.nth(index).get_by_label("氏名").fill("世帯員")
            rows.nth(index).get_by_label("収入").fill(value)
        if not members:
            rows.first.get_by_label("氏名").fill("")
            rows.first.get_by_label("収入").fill("")
        answers = {
            "income": int(income.replace(",", "")) if income else None,
            "deduction": int(deduction.replace(",", "")),
            "members": [
                {"name": "世帯員", "income": int(value.replace(",", ""))}
                for value in members
            ],
        }
        server = {
            item["key"]: item["value"] for item in runtime.display(answers)[0]["items"]
        }
        for key, _expression, _rounding in SHAPES:
            shown = page.locator(f"[data-fb-output='{key}']").inner_text()
            assert shown == (server[key] or "—"), (key, answers, shown, server[key])


def test_the_editor_shows_the_parts_of_the_chosen_shape_and_passes_axe(
    live_server, page
):
    admin = AdministratorFactory()
    definition = household()
    del definition["pages"][0]["fields"][-1]
    form_create(code="household", title="世帯", actor=admin, definition=definition)
    base = live_server.url + "/manage/forms/household/v1/"
    _login(page, live_server.url, "/manage/forms/household/v1/", admin.email)

    page.goto(base + "fields/add/?page=income_page&type=computed")
    shape = page.get_by_label("計算のしかた")
    expect(shape).to_have_value("sum")
    expect(page.get_by_label("足す項目 1")).to_be_visible()
    expect(page.get_by_label("合計する列")).to_be_hidden()
    shape.select_option(label="繰り返しの列の合計（例: 世帯員の収入の合計）")
    expect(page.get_by_label("足す項目 1")).to_be_hidden()
    page.get_by_label("合計する列").select_option(label="世帯員の収入の合計")
    page.get_by_label("キー").first.fill("members_total")
    page.get_by_label("項目名（日本語）").fill("世帯員の収入の合計")
    page.get_by_label("表示形式").select_option(label="金額（円）")
    page.get_by_label("端数処理（整数・金額）").select_option(label="千円未満切捨て")
    page.get_by_role("button", name="追加する").click()
    page.wait_for_url("**/v1/#field-members_total")

    # Another: 本人の収入 × 0.8, with the rate left empty first.
    page.goto(base + "fields/add/?page=income_page&type=computed")
    page.get_by_label("計算のしかた").select_option("multiply")
    page.get_by_label("率を掛ける項目").select_option(label="本人の収入 [income]")
    page.get_by_label("キー").first.fill("eighty")
    page.get_by_label("項目名（日本語）").fill("収入の8割")
    page.get_by_role("button", name="追加する").click()
    rate = page.get_by_label("掛ける率")
    expect(rate).to_be_visible()
    expect(page.locator(".error-summary")).to_contain_text("掛ける率を入力してください")
    expect(rate).to_have_attribute("aria-invalid", "true")
    rate.fill("0.8")
    page.get_by_role("button", name="追加する").click()
    page.wait_for_url("**/v1/#field-eighty")

    found: list[str] = []
    for path in (
        "",  # the outline, with each computation in words
        "fields/add/?page=income_page&type=computed",
        "fields/members_total/",
        "fields/eighty/",
    ):
        _check(page, base + path, found)
    assert not found, "\n".join(found)
    page.goto(base)
    expect(page.locator("#field-eighty")).to_contain_text("計算: 本人の収入 × 0.8")
    page.goto(base + "fields/eighty/")
    expect(page.get_by_label("掛ける率")).to_have_value("0.8")
    expect(page.get_by_label("計算式（JSON Logic）")).to_be_hidden()

"""The same rules give the same result in Chromium as on the server."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms_builder.rules import evaluate_rule
from forms_builder.runtime import FormRuntime
from tests.forms_builder import views as test_views
from tests.forms_builder.conftest import SAMPLE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
STATIC = Path(__file__).resolve().parents[2] / "static"


def _open(
    page, live_server, definition: dict[str, Any], index: int = 0, answers=None
) -> None:
    test_views.CURRENT.update(definition=definition, answers=answers or {})
    page.goto(f"{live_server.url}/test-forms/{index}/")
    page.wait_for_selector("[data-fb-form][data-fb-ready]")


def _hidden_keys(page) -> set[str]:
    return set(
        page.eval_on_selector_all(
            "[data-fb-key][hidden]", "els => els.map(e => e.dataset.fbKey)"
        )
    )


def _server_hidden(
    runtime: FormRuntime, index: int, answers: dict[str, Any]
) -> set[str]:
    evaluation = runtime.evaluate(runtime.rule_data(answers))
    return {
        node.key
        for node in runtime.nodes
        if node.kind == "field"
        and node.page_index == index
        and not node.in_repeat
        and not evaluation.visible[node.key]
    }


def test_visibility_and_computed_values_match_the_server_while_typing(
    live_server, page
):
    definition = copy.deepcopy(SAMPLE)
    runtime = FormRuntime(definition)
    _open(page, live_server, definition)
    assert (
        _hidden_keys(page)
        == _server_hidden(runtime, 0, {})
        == {"members", "household_income"}
    )

    page.get_by_label("はい").check()
    answers: dict[str, Any] = {"has_household": True, "members": []}
    assert _hidden_keys(page) == _server_hidden(runtime, 0, answers) == set()

    page.locator("[name='members-0-name']").fill("山田 花子")
    page.locator("[name='members-0-income']").fill("１，２００，０００")
    page.get_by_role("button", name="行を追加").click()
    page.locator("[name='members-1-name']").fill("山田 一郎")
    page.locator("[name='members-1-income']").fill("¥300,000")
    answers["members"] = [
        {"name": "山田 花子", "relationship": None, "income": 1200000},
        {"name": "山田 一郎", "relationship": None, "income": 300000},
    ]
    server = runtime.evaluate(runtime.rule_data(answers))
    assert server.values["household_income"] == 1500000
    assert (
        page.locator("[data-fb-output='household_income']").inner_text()
        == "1,500,000円"
    )

    page.get_by_label("いいえ").check()
    assert (
        _hidden_keys(page)
        == _server_hidden(runtime, 0, {"has_household": False})
        == {
            "members",
            "household_income",
        }
    )
    # Hidden inputs are disabled, so they are not posted.
    assert page.locator("[name='members-0-name']").is_disabled()


def test_required_mark_follows_the_rule_on_the_second_page(live_server, page):
    definition = copy.deepcopy(SAMPLE)
    runtime = FormRuntime(definition)
    _open(page, live_server, definition, index=1)
    fee = page.locator("#fb-item-fee")
    assert "fb-is-required" not in (fee.get_attribute("class") or "")
    page.get_by_label("新規").check()
    assert "fb-is-required" in fee.get_attribute("class")
    assert (
        runtime.evaluate(runtime.rule_data({"purpose": "new"})).required["fee"] is True
    )
    assert (
        _hidden_keys(page)
        == _server_hidden(runtime, 1, {"purpose": "new"})
        == {"previous_number"}
    )
    page.get_by_label("更新").check()
    assert (
        _hidden_keys(page)
        == _server_hidden(runtime, 1, {"purpose": "renewal"})
        == set()
    )


def test_no_script_add_row_button_posts_and_the_server_adds_the_row(
    live_server, chromium
):
    context = chromium.new_context(java_script_enabled=False, locale="ja-JP")
    page = context.new_page()
    try:
        test_views.CURRENT.update(
            definition=copy.deepcopy(SAMPLE), answers={"has_household": True}
        )
        page.goto(f"{live_server.url}/test-forms/0/")
        page.locator("[name='members-0-name']").fill("花子")
        page.get_by_role("button", name="行を追加").click()
        assert page.locator("[name='members-1-name']").count() == 1
        assert page.locator("[name='members-0-name']").input_value() == "花子"
    finally:
        context.close()


# --- the rule evaluators themselves ----------------------------------------

KEYS = ["n", "m", "s", "t", "b", "lst", "d"]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 1000),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False).map(
        lambda f: round(f, 3)
    ),
    st.text(alphabet="ab1.0-𠮷髙 ", max_size=4),
)
data_values = st.fixed_dictionaries(
    {
        "n": st.one_of(st.none(), st.integers(-50, 50)),
        "m": st.one_of(st.none(), st.integers(-5, 5)),
        "s": st.one_of(st.none(), st.text(alphabet="ab1𠮷", max_size=3)),
        "t": st.one_of(st.none(), st.sampled_from(["1", "1.0", "a", ""])),
        "b": st.one_of(st.none(), st.booleans()),
        "lst": st.one_of(
            st.none(), st.lists(st.sampled_from(["a", "b", "1"]), max_size=3)
        ),
        "d": st.one_of(st.none(), st.sampled_from(["2026-04-01", "1990-01-08"])),
    }
)
BINARY = [
    "==",
    "!=",
    "===",
    "!==",
    "<",
    "<=",
    ">",
    ">=",
    "in",
    "+",
    "-",
    "*",
    "/",
    "%",
    "min",
    "max",
    "cat",
]
leaf = st.one_of(scalars, st.sampled_from(KEYS).map(lambda key: {"var": key}))


def _expressions():
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.tuples(st.sampled_from(BINARY), inner, inner).map(
                lambda t: {t[0]: [t[1], t[2]]}
            ),
            st.tuples(st.sampled_from(["!", "!!"]), inner).map(
                lambda t: {t[0]: [t[1]]}
            ),
            st.tuples(
                st.sampled_from(["and", "or"]), st.lists(inner, min_size=1, max_size=3)
            ).map(lambda t: {t[0]: t[1]}),
            st.tuples(inner, inner, inner).map(lambda t: {"if": list(t)}),
            st.tuples(
                inner, st.integers(-3, 3), st.one_of(st.none(), st.integers(-3, 3))
            ).map(
                lambda t: {"substr": [t[0], t[1]] + ([] if t[2] is None else [t[2]])}
            ),
            st.tuples(inner, inner, inner).map(lambda t: {"<": list(t)}),
        ),
        max_leaves=6,
    )


@pytest.fixture(scope="module")
def rules_page(chromium):
    """A blank page with json-logic-js and the project's rules.js: no server."""
    context = chromium.new_context()
    page = context.new_page()
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(path=str(STATIC / "vendor/json-logic/logic.js"))
    page.add_script_tag(path=str(STATIC / "forms_builder/rules.js"))
    yield page
    context.close()


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(_expressions(), data_values), min_size=20, max_size=20))
def test_generated_rules_give_the_same_result_in_python_and_javascript(
    rules_page, cases
):
    expected = [evaluate_rule(rule, data) for rule, data in cases]
    actual = rules_page.evaluate(
        "cases => cases.map(([rule, data]) => FormRules.evaluate(rule, data))",
        [list(c) for c in cases],
    )
    for (rule, data), python, javascript in zip(cases, expected, actual, strict=True):
        assert _same(python, javascript), (rule, data, python, javascript)


def _same(python: Any, javascript: Any) -> bool:
    if isinstance(python, bool) or isinstance(javascript, bool):
        return python is javascript or (
            python == javascript and type(python) is type(javascript)
        )
    if isinstance(python, int | float) and isinstance(javascript, int | float):
        return python == javascript
    return python == javascript


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("令和8年4月1日", "2026-04-01"),
        ("R8.4.1", "2026-04-01"),
        ("平成元年1月8日", "1989-01-08"),
        ("平成31年5月1日", None),
        ("２０２６年４月１日", "2026-04-01"),
        ("2026-02-30", None),
        ("昭和64年1月7日", "1989-01-07"),
    ],
)
def test_browser_reads_dates_like_the_server(rules_page, text, iso):
    from forms_builder.fieldtypes import DateType

    assert DateType().rule_value({}, "q", {"q": text}) == iso
    assert rules_page.evaluate("t => FormRules.parseJapaneseDate(t)", text) == iso


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"==": [1, "1"]}, False),
        ({"cat": [None, True, 2.0]}, "true2"),
        ({"%": [-7, 3]}, -1),
        ({"+": [None, 5]}, 5),
        ({"+": ["5", 5]}, None),
        ({"/": [1, 0]}, None),
        ({"substr": ["𠮷野家", 1]}, "野家"),
        ({"in": [1, "123"]}, False),
        ({"<": ["𠮷", "\uff21"]}, False),
    ],
)
def test_operators_where_the_two_libraries_disagree_are_pinned(
    rules_page, rule, expected
):
    assert evaluate_rule(rule, {}) == expected
    assert rules_page.evaluate("r => FormRules.evaluate(r, {})", rule) == expected

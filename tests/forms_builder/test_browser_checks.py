"""Cross-field checks in Chromium: the message appears under the field while
typing, the server refuses the post with the same message, axe finds nothing."""

from __future__ import annotations

import pytest

from tests.a11y import axe_violations
from tests.forms_builder import views as test_views
from tests.forms_builder.test_checks import HALF, grant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The bare test page has no <title> or <h1>; the form markup is what is checked.
BARE_PAGE = ("document-title", "page-has-heading-one")


def test_a_check_is_shown_live_and_refused_by_the_server(live_server, page):
    test_views.CURRENT.update(
        definition=grant(), answers={"eligible": 1_000_000}, submitted=None
    )
    page.goto(f"{live_server.url}/test-forms/1/")
    page.wait_for_selector("[data-fb-form][data-fb-ready]")
    amount = page.locator("[name='requested']")
    live = page.locator("#fb-item-requested [data-fb-check]")
    amount.fill("600,000")
    assert live.inner_text() == HALF
    assert amount.get_attribute("aria-invalid") == "true"
    assert "fb-check-requested" in (amount.get_attribute("aria-describedby") or "")
    assert axe_violations(page, skip=BARE_PAGE) == ""
    amount.fill("500000")
    assert live.is_hidden()
    assert amount.get_attribute("aria-invalid") is None

    # Without the script's verdict, the server says the same under the field.
    amount.fill("700000")
    page.get_by_role("button", name="次へ進む").click()
    page.wait_for_selector("[data-fb-form][data-fb-ready]")
    assert test_views.CURRENT["submitted"] is None
    assert HALF in page.locator(".error-summary").inner_text()
    assert HALF in page.locator("#fb-item-requested").inner_text()
    # The server's message is not repeated by the live check.
    assert page.locator("#fb-item-requested").inner_text().count(HALF) == 1
    assert axe_violations(page, skip=BARE_PAGE) == ""


def test_rounded_computed_values_match_the_server_while_typing(live_server, page):
    from forms_builder.runtime import FormRuntime
    from tests.forms_builder.test_rounding import subsidy

    test_views.CURRENT.update(definition=subsidy(), answers={}, submitted=None)
    page.goto(f"{live_server.url}/test-forms/0/")
    page.wait_for_selector("[data-fb-form][data-fb-ready]")
    runtime = FormRuntime(subsidy())
    for costs in (2_469_135, 1_999, 101, 3_333_333):
        page.locator("[name='costs']").fill(str(costs))
        server = runtime.display({"costs": costs})[0]["items"]
        for item in server[1:]:
            shown = page.locator(f"[data-fb-output='{item['key']}']").inner_text()
            assert shown == item["value"], (costs, item["key"])


def test_new_types_read_in_the_browser_as_on_the_server(live_server, page):
    """A checkbox and a 法人番号 as rules see them while typing (rules.js
    ruleValue mirrors the server's fields)."""
    from tests.forms_builder.test_new_field_types import CHECKBOX

    test_views.CURRENT.update(definition=CHECKBOX, answers={}, submitted=None)
    page.goto(f"{live_server.url}/test-forms/0/")
    page.wait_for_selector("[data-fb-form][data-fb-ready]")

    def values():
        return page.evaluate("() => window.FormConditions.evaluate().values")

    assert values()["is_sme"] is False
    page.get_by_label("中小企業").check()
    assert values()["is_sme"] is True
    corp = page.locator("[name='corp']")
    corp.fill("７０００－０１２０－５０００２")
    assert values()["corp"] == "7000012050002"
    corp.fill("8000012050002")  # wrong check digit: not a number rules can use
    assert values()["corp"] is None
    corp.fill("1-1803-0101-8771")
    page.get_by_role("button", name="次へ進む").click()
    page.wait_for_selector("[data-fb-form][data-fb-ready]")
    assert test_views.CURRENT["submitted"]["corp"] == "1180301018771"
    assert test_views.CURRENT["submitted"]["is_sme"] is True

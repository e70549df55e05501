"""Issue 11 item 7 in Chromium: a question an answer reveals is shown without
an error when the page has no script, and checked like any other when the
script showed it live."""

from __future__ import annotations

import copy

import pytest

from tests.forms_builder import views as test_views
from tests.forms_builder.conftest import SAMPLE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_without_script_a_revealed_question_opens_without_an_error(
    live_server, chromium
):
    context = chromium.new_context(java_script_enabled=False, locale="ja-JP")
    page = context.new_page()
    try:
        test_views.CURRENT.update(definition=copy.deepcopy(SAMPLE), answers={})
        test_views.CURRENT.pop("submitted", None)
        page.goto(f"{live_server.url}/test-forms/1/")
        assert not page.locator("[name='previous_number']").is_visible()
        page.get_by_label("更新").check()
        page.get_by_role("button", name="次へ進む").click()

        assert page.locator("[name='previous_number']").is_visible()
        assert page.locator(".error-summary").count() == 0
        assert "この項目は必須です" not in page.content()
        notice = page.locator("[data-fb-revealed]")
        assert "前回の許可番号" in notice.inner_text()
        assert "submitted" not in test_views.CURRENT  # stayed on the page

        page.locator("[name='previous_number']").fill("AB1234")
        page.get_by_role("button", name="次へ進む").click()
        assert test_views.CURRENT["submitted"]["previous_number"] == "AB1234"
    finally:
        context.close()


def test_with_script_a_question_shown_live_is_checked_when_left_empty(
    live_server, page
):
    test_views.CURRENT.update(definition=copy.deepcopy(SAMPLE), answers={})
    test_views.CURRENT.pop("submitted", None)
    page.goto(f"{live_server.url}/test-forms/1/")
    page.wait_for_selector("[data-fb-form][data-fb-ready]")
    page.get_by_label("更新").check()
    assert page.locator("[name='previous_number']").is_visible()
    page.get_by_role("button", name="次へ進む").click()

    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert "前回の許可番号: この項目は必須です。" in summary.inner_text()
    assert page.locator("[data-fb-revealed]").count() == 0

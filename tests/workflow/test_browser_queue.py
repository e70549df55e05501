"""Issue 15 in Debian's Chromium: deciding straight from the queue, the
amendment deadline on the send-back form, and the next-case shortcut."""

from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD
from tests.second_factor import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base: str, email: str) -> None:
    browser_login(page, base, "/staff/login/", email, PASSWORD)
    page.wait_for_load_state()


def test_decide_from_the_queue_and_move_on_with_the_keyboard(
    live_server, page, submit, org
):
    base = live_server.url
    first, second = submit(500_000), submit(500_000)
    _login(page, base, "tanto@example.jp")
    page.goto(f"{base}/staff/cases/{first.public_id}/")

    # The amendment deadline shows only for a 補正.
    deadline = page.get_by_label("補正期限")
    assert not deadline.is_visible()
    page.get_by_label("申請者に補正を求める").check()
    assert deadline.is_visible()

    # N opens the next case of the queue; typing in a field does not.
    page.get_by_label("内部コメント（申請者には表示されません）").press("n")
    assert str(first.public_id) in page.url
    page.locator("h1").click()
    page.keyboard.press("n")
    page.wait_for_url(re.compile(str(second.public_id)))

    # One click: no claim first.
    page.get_by_label(re.compile("承認する")).check()
    page.get_by_role("button", name="判断を記録する").click()
    page.wait_for_load_state()
    assert "判断を記録しました" in page.locator("main").inner_text()
    second.case.refresh_from_db()
    assert second.case.level == 1

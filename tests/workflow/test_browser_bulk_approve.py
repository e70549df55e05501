"""Issue 15 in Debian's Chromium: approve several tasks from the inbox, and
axe-core on the inbox with its bulk controls and their result."""

from __future__ import annotations

import pytest

from tests.a11y import axe_violations
from tests.factories import PASSWORD
from tests.second_factor import browser_login

from .helpers import open_task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bulk_approval_from_the_inbox_has_no_axe_violations(
    live_server, page, submit, org, settings
):
    base = live_server.url
    first, second = submit(500_000), submit(500_000)
    browser_login(page, base, "/staff/inbox/", "tanto@example.jp", PASSWORD)
    page.goto(f"{base}/staff/inbox/")
    assert axe_violations(page) == ""

    page.get_by_label(f"受付番号 {first.receipt_number} を選ぶ").check()
    page.get_by_label(f"受付番号 {second.receipt_number} を選ぶ").check()
    page.get_by_role("button", name="選んだタスクをまとめて承認する").click()
    page.wait_for_load_state()

    assert "2 件のタスクを承認しました" in page.content()
    assert page.get_by_text("該当するタスクはありません。").is_visible()
    assert axe_violations(page) == ""
    for application in (first, second):
        assert open_task(application).level == 1

    # A session whose second factor is no longer fresh sees the code field.
    settings.STAFF_REAUTH_MINUTES = 0
    third = submit(500_000)
    page.goto(f"{base}/staff/inbox/")
    assert page.get_by_label("確認コード（最終決裁を含むとき）").is_visible()
    assert third.receipt_number in page.content()
    assert axe_violations(page) == ""

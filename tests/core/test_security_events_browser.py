"""The security events page in Chromium: axe-core finds nothing, with rows,
with a filter error, in Japanese and in English, on a desktop and a phone."""

from __future__ import annotations

import pytest

from core.audit import audit_record
from tests.a11y import axe_violations
from tests.factories import PASSWORD, AdministratorFactory
from tests.second_factor import browser_login
from tests.workflow.test_accessibility import _check, _in_english

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_security_events_page_has_no_axe_violations(live_server, page):
    admin = AdministratorFactory(email="admin@example.jp")
    for n in range(3):
        audit_record(
            action="account.login_failed",
            data={"username": f"guess{n}@example.jp", "area": "resident"},
        )
    base = live_server.url
    browser_login(page, base, "/manage/login/", admin.email, PASSWORD)
    found: list[str] = []
    url = base + "/manage/security-events/"

    _check(page, url, found)
    assert "guess2@example.jp" in page.content()
    page.get_by_label("開始日").fill("2026-05-01")
    page.get_by_label("終了日").fill("2026-04-01")
    page.get_by_role("button", name="絞り込む").click()
    page.wait_for_load_state()
    assert "終了日は開始日より後の日にしてください" in page.content()
    if report := axe_violations(page):  # the page with its field error
        found.append(report)
    _in_english(page, base)
    _check(page, url, found)

    assert not found, "\n".join(found)

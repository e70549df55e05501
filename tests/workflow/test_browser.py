"""The caseworker's pages in Debian's Chromium: inbox, case page, simulator.

Set WORKFLOW_SCREENSHOTS to a folder to keep the screenshots (desktop and a
390 px phone) for looking at the pages.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.factories import PASSWORD, AdministratorFactory
from tests.second_factor import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("WORKFLOW_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _both_sizes(page, folder: Path, name: str) -> None:
    """Screenshot the page as it is on a desktop and on a 390 px phone."""
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(folder / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def _no_sideways_scroll(page) -> None:
    page.set_viewport_size(PHONE)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    page.set_viewport_size(DESKTOP)
    assert overflow <= 0, "the page scrolls sideways on a phone"


def _login(page, base: str, path: str, email: str) -> None:
    browser_login(page, base, path, email, PASSWORD)


def test_caseworker_claims_reads_and_approves_and_the_next_level_sees_it(
    live_server, chromium, page, submit, org, shots
):
    base = live_server.url
    application = submit(500_000, plan=True)
    page.set_viewport_size(DESKTOP)
    _login(page, base, "/staff/login/", "tanto@example.jp")
    page.get_by_role("link", name="受信箱").first.click()
    row = page.get_by_role("row", name=re.compile(application.receipt_number))
    assert application.applicant_name in row.inner_text()
    assert "担当" in row.inner_text()
    _both_sizes(page, shots, "inbox")
    _no_sideways_scroll(page)

    page.get_by_role("link", name=application.receipt_number).click()
    page.get_by_role("button", name="このタスクを担当する").click()
    main = page.locator("main")
    # The answers as the resident gave them, and the attachment to open.
    assert "500,000円" in main.inner_text()
    attachment = page.get_by_role("link", name=re.compile("事業計画書.pdf")).first
    assert attachment.is_visible()
    assert "/attachments/" in attachment.get_attribute("href")
    _both_sizes(page, shots, "case")
    _no_sideways_scroll(page)

    # Keyboard users see where they are.
    page.get_by_label(re.compile("承認する")).focus()
    outline = page.evaluate(
        "getComputedStyle(document.activeElement).outlineStyle + ' '"
        " + getComputedStyle(document.activeElement).boxShadow"
    )
    assert outline.strip() not in ("none none", "none"), outline

    # Nothing chosen: the error summary says so and links to the question.
    page.get_by_role("button", name="判断を記録する").click()
    summary = page.get_by_role("alert")
    assert "入力内容に問題があります" in summary.inner_text()
    summary.get_by_role("link", name=re.compile("判断を選んでください")).click()
    assert page.evaluate("document.activeElement.id") == "id_decision_0"
    page.screenshot(path=str(shots / "case-error-desktop.png"), full_page=True)

    # The message to the applicant shows only for a decision that reaches
    # them (issue 11); the internal comment is always there.
    message = page.get_by_label("申請者へのメッセージ（申請者に表示されます）")
    page.get_by_label(re.compile("承認する")).check()
    assert not message.is_visible()
    page.get_by_label("申請者に補正を求める").check()
    assert message.is_visible()
    page.get_by_label(re.compile("承認する")).check()
    assert not message.is_visible()
    page.get_by_label("内部コメント（申請者には表示されません）").fill(
        "書類を確認しました。"
    )
    page.get_by_role("button", name="判断を記録する").click()
    page.wait_for_load_state()
    assert "判断を記録しました" in page.locator("main").inner_text()
    assert application.receipt_number not in page.locator("main").inner_text()

    context = chromium.new_context(locale="ja-JP")
    boss = context.new_page()
    _login(boss, base, "/staff/login/", "kakaricho@example.jp")
    boss.goto(base + "/staff/inbox/")
    row = boss.get_by_role("row", name=re.compile(application.receipt_number))
    assert "係長" in row.inner_text()
    boss.get_by_role("link", name=application.receipt_number).click()
    timeline = boss.locator("main").inner_text()
    assert "書類を確認しました。" in timeline
    assert "佐藤 花子" in timeline
    context.close()


def test_route_simulator_on_desktop_and_phone(
    live_server, page, version, org, absence, shots
):
    admin = AdministratorFactory(email="admin@example.jp")
    absence("bucho", "kacho")
    _login(page, live_server.url, "/manage/login/", admin.email)
    page.goto(f"{live_server.url}/manage/routes/{version.pk}/simulate/")
    page.get_by_label("補助金の申請額（円）").fill("5000000")
    page.get_by_role("button", name="順路を表示する").click()
    result = page.locator("main").inner_text()
    assert "部長" in result
    assert "髙橋 美咲" in result
    _both_sizes(page, shots, "simulator")
    _no_sideways_scroll(page)

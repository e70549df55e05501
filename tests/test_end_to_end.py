"""The demo procedure end to end, for all three roles, in Debian's Chromium.

A resident applies with an attachment; three caseworkers claim and approve
(担当 → 係長 → 課長: 800,000 yen is within the 課長's 専決); the signed notice
is issued after the final approval; the resident downloads it and anyone can
verify it on the public page. Nothing is faked: real forms, real workflow,
WeasyPrint, pyHanko, the default file storage.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from demo.organisation import DEMO_PASSWORD
from tests.second_factor import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS")  # a folder, to look at the pages
PLAN_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def _login(page, base: str, path: str, email: str) -> None:
    browser_login(page, base, path, email, DEMO_PASSWORD)


def _next(page) -> None:
    page.get_by_role("button", name="次へ進む").click()


def _apply(page, base: str, tmp_path: Path) -> str:
    _login(page, base, "/accounts/login/", "resident@example.jp")
    page.get_by_role("link", name="手続を探す").first.click()
    page.get_by_role("link", name=re.compile("地域福祉活動支援補助金")).first.click()
    _shot(page, "01-procedure")
    page.get_by_role("button", name=re.compile("申請を始める")).first.click()

    # Page 1 comes pre-filled from the resident's profile.
    assert page.get_by_label("氏名").first.input_value() == "山田 太郎"
    assert page.get_by_label("住所").input_value() == "架空県架空市中央1-2-3"
    page.get_by_label("個人").check()
    _next(page)

    page.get_by_label("事業の名称").fill("みんなの子ども食堂")
    page.get_by_label("事業の目的と内容").fill(
        "地域の子どもに週1回、夕食を提供します。"
    )
    page.get_by_label("事業の開始予定日").fill("令和8年12月1日")
    page.get_by_label("補助金の申請額（円）").fill("800000")
    _next(page)

    page.locator("#id_members-0-name").fill("山田 太郎")
    page.get_by_label("代表").check()
    _next(page)

    plan = tmp_path / "事業計画書.pdf"
    plan.write_bytes(PLAN_PDF)
    page.get_by_label(re.compile("事業計画書")).set_input_files(str(plan))
    page.get_by_label(re.compile("記載内容に偽りがない")).check()
    _shot(page, "02-attachments")
    _next(page)

    # The confirmation page shows every answer before anything is sent.
    confirm = page.locator("main").inner_text()
    assert "みんなの子ども食堂" in confirm
    assert "令和8年12月1日" in confirm
    assert "事業計画書.pdf" in confirm
    _shot(page, "03-confirm")
    page.get_by_role("button", name="申請する").click()

    page.wait_for_url(re.compile(r"/receipt/$"))
    _shot(page, "04-receipt")
    receipt = re.search(r"FK-R\d+-\d{5}", page.locator("main").inner_text())
    assert receipt, "the receipt page shows the 受付番号"
    return receipt.group(0)


def _approve(
    browser, base: str, email: str, receipt: str, comment: str, final: bool = False
) -> None:
    context = browser.new_context(locale="ja-JP")
    page = context.new_page()
    page.set_default_timeout(15_000)
    _login(page, base, "/staff/login/", email)
    page.get_by_role("link", name="受信箱").first.click()
    page.get_by_role("link", name=receipt).first.click()
    page.get_by_role("button", name="このタスクを担当する").click()
    assert "事業計画書.pdf" in page.locator("main").inner_text()
    if final:
        # The final level decides on the procedure's outcome (issue 14): the
        # amount granted may not exceed the amount applied for (800,000).
        page.get_by_label(re.compile("「交付決定」と決定する")).check()
        grant = page.locator('[data-show-for="grant"]')
        grant.get_by_label("交付決定額（円）").fill("900000")
        page.get_by_label("内部コメント").fill(comment)
        page.get_by_role("button", name="判断を記録する").click()
        page.wait_for_load_state()
        error = page.locator(".workflow-decision-data .invalid-feedback").inner_text()
        assert "800,000以下にしてください" in error
        grant = page.locator('[data-show-for="grant"]')
        grant.get_by_label("交付決定額（円）").fill("600000")
        grant.get_by_label("交付の条件").fill(
            "事業の完了後30日以内に実績を報告すること。"
        )
    else:
        page.get_by_label(re.compile("承認する")).check()
    page.get_by_label("内部コメント").fill(comment)
    _shot(page, f"05-case-{email.split('@')[0]}")
    page.get_by_role("button", name="判断を記録する").click()
    page.wait_for_load_state()
    context.close()


def test_resident_applies_three_caseworkers_approve_and_anyone_verifies_the_notice(
    live_server, chromium, page, tmp_path, settings
):
    settings.SITE_URL = live_server.url
    call_command(
        "seed_demo", allow_demo_passwords_in_production=True, stdout=io.StringIO()
    )
    base = live_server.url

    receipt = _apply(page, base, tmp_path)
    for email, comment in [
        ("tanto@example.jp", "内容を確認しました。"),
        ("kakaricho@example.jp", "問題ありません。"),
    ]:
        _approve(chromium, base, email, receipt, comment)
    _approve(
        chromium,
        base,
        "kacho@example.jp",
        receipt,
        "専決により交付を決定します。",
        True,
    )

    page.goto(base + "/my/")
    page.get_by_role("link", name=re.compile("地域福祉活動支援補助金")).first.click()
    detail = page.locator("main").inner_text()
    _shot(page, "06-decided")
    # The status speaks the outcome's words, not a permit's (issue 14).
    assert "交付決定" in detail
    assert "許可・交付済み" not in detail
    # What the caseworkers wrote for each other stays with them (issue 11).
    assert "専決により交付を決定します。" not in detail
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("ダウンロード")).first.click()
    notice = tmp_path / "notice.pdf"
    download_info.value.save_as(notice)
    text = subprocess.run(
        ["pdftotext", "-layout", str(notice), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "山田 太郎" in text
    assert "令和" in text
    assert "交付決定通知書" in text
    assert "600,000" in text
    assert "事業の完了後30日以内に実績を報告すること。" in text
    assert "みんなの子ども食堂" in text or "地域福祉活動支援補助金" in text

    # Anyone, without logging in, can check the file.
    visitor = chromium.new_context(locale="ja-JP").new_page()
    visitor.goto(base + "/verify/")
    visitor.locator("input[type=file]").set_input_files(str(notice))
    visitor.get_by_role("button", name="確認する", exact=True).click()
    result = visitor.locator(".verify-result").inner_text()
    _shot(visitor, "07-verified")
    assert result.startswith("正本です")
    assert "発行後に改ざんされていません" in result

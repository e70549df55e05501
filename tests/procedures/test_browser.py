"""A resident's first application, end to end, in Debian's Chromium.

Set ``PROCEDURES_SCREENSHOTS=/some/dir`` to keep a desktop and a 390 px
phone screenshot of every page on the way.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.core import mail

from procedures.models import Application, Category
from tests.procedures.conftest import PDF_BYTES, make_procedure
from tests.second_factor import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("PROCEDURES_SCREENSHOTS")


def _shoot(page, name: str) -> None:
    if not SHOTS:
        return
    folder = Path(SHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_register_verify_apply_with_an_attachment_confirm_submit_and_see_receipt(
    live_server, page, office, tmp_path
):
    category = Category.objects.create(code="fukushi", name="福祉", order=1)
    procedure = make_procedure(office, category=category, keywords="補助金")
    make_procedure(office, title="浄化槽設置補助金", category=category)
    url = live_server.url
    if os.environ.get("PROCEDURES_PHONE"):
        page.set_viewport_size({"width": 390, "height": 844})
        suffix = "-phone"
    else:
        page.set_viewport_size({"width": 1280, "height": 900})
        suffix = ""

    # Register and verify the address from the mail.
    page.goto(url + "/accounts/register/")
    page.fill("#id_email", "hanako@example.jp")
    page.fill("#id_full_name", "山田 花子")
    page.fill("#id_password1", "correct-horse-battery-9")
    page.fill("#id_password2", "correct-horse-battery-9")
    page.get_by_role("button", name="登録する").click()
    link = re.search(r"https?://\S+/accounts/verify/\S+/", mail.outbox[-1].body)[0]
    page.goto(url + "/accounts/" + link.split("/accounts/", 1)[1])
    page.get_by_label("メールアドレス").fill("hanako@example.jp")
    page.get_by_label("パスワード").fill("correct-horse-battery-9")
    page.get_by_role("button", name="ログインする").click()

    # Find the procedure.
    page.goto(url + "/procedures/")
    _shoot(page, f"01-catalogue{suffix}")
    page.get_by_label("キーワードで探す").fill("補助金 福祉施設")
    page.get_by_role("button", name="検索").click()
    page.get_by_role("link", name="福祉施設整備助成金").click()
    _shoot(page, f"02-procedure{suffix}")
    page.get_by_role("button", name="申請を始める").click()

    # Page 1: pre-filled name, a mistake, then the fix.
    assert page.get_by_label("氏名").input_value() == "山田 花子"
    page.get_by_label("申請額").fill("たくさん")
    page.get_by_role("button", name="次へ進む").click()
    assert page.locator(".error-summary").is_visible()
    _shoot(page, f"03-page-error{suffix}")
    page.get_by_label("申請額").fill("1,200,000")
    page.get_by_role("button", name="次へ進む").click()

    # Page 2: the attachment.
    pdf = tmp_path / "見積書.pdf"
    pdf.write_bytes(PDF_BYTES)
    page.locator("input[type=file]").set_input_files(str(pdf))
    _shoot(page, f"04-attachment{suffix}")
    page.get_by_role("button", name="次へ進む").click()

    # Confirmation, then submit.
    assert page.get_by_role("heading", name="入力内容の確認").is_visible()
    assert page.get_by_text("1,200,000").first.is_visible()
    assert page.get_by_role("link", name="見積書.pdf").is_visible()
    _shoot(page, f"05-confirm{suffix}")
    page.get_by_role("button", name="申請する").click()

    assert page.get_by_role("heading", name="申請を受け付けました").is_visible()
    number = page.get_by_test_id("receipt-number").inner_text()
    application = Application.objects.get()
    assert number == application.receipt_number
    assert number.startswith(procedure.receipt_prefix + "-R")
    _shoot(page, f"06-receipt{suffix}")
    assert any(number in message.subject for message in mail.outbox)

    page.get_by_role("link", name="申請状況を見る").click()
    _shoot(page, f"07-detail{suffix}")
    page.goto(url + "/my/")
    _shoot(page, f"08-my-applications{suffix}")


def test_administrator_imports_a_package_and_publishes_it(
    live_server, page, office, administrator, tmp_path
):
    from procedures import packages
    from procedures.models import Procedure
    from tests.factories import PASSWORD
    from tests.second_factor import browser_login

    procedure = make_procedure(office, title="浄化槽設置補助金")
    package = packages.package_export_procedure(procedure=procedure)
    package["procedure"].update(code="johkaso-2", receipt_prefix="JK2")
    file = tmp_path / "johkaso.json"
    file.write_text(packages.package_dumps(package), encoding="utf-8")
    page.set_viewport_size({"width": 1280, "height": 900})

    browser_login(
        page, live_server.url, "/manage/login/", administrator.email, PASSWORD
    )
    page.goto(live_server.url + "/manage/procedures/")
    _shoot(page, "10-manage-list")
    page.get_by_role("link", name="パッケージを読み込む").click()
    page.locator("input[type=file]").set_input_files(str(file))
    page.get_by_role("button", name="内容を確かめる").click()
    # The preview names the section the package will use, before anything is made.
    assert page.get_by_role("heading", name="課室と職位の対応").is_visible()
    assert not Procedure.objects.filter(code="johkaso-2").exists()
    from tests.a11y import axe_violations

    if report := axe_violations(page):
        pytest.fail(report)
    page.get_by_role("button", name="下書きとして読み込む").click()
    assert page.get_by_text("内容を確認して公開してください").is_visible()
    _shoot(page, "11-manage-detail")
    page.get_by_role("button", name="公開する").click()

    assert Procedure.objects.get(code="johkaso-2").accepts_applications
    page.goto(live_server.url + "/procedures/johkaso-2/")
    assert page.get_by_role("heading", name="浄化槽設置補助金").is_visible()


def test_due_date_next_to_the_processing_period_follows_the_typing(
    live_server, page, office
):
    # Issue 11, item 12: the administrator sees what the period means.
    from django.utils import timezone

    from core.japanese import format_wareki, processing_due_date
    from tests.factories import PASSWORD, AdministratorFactory
    from tests.second_factor import browser_login

    admin = AdministratorFactory(email="admin@example.jp")
    browser_login(page, live_server.url, "/manage/login/", admin.email, PASSWORD)
    page.goto(live_server.url + "/manage/procedures/new/")
    preview = page.locator("[data-due-date-preview]")
    today = timezone.localdate()

    page.get_by_label("標準処理期間（日）").fill("30")
    due = processing_due_date(today, 30, business_days=False)
    page.wait_for_function(
        "text => document.querySelector('[data-due-date-preview]')"
        ".textContent.includes(text)",
        arg=format_wareki(due),
    )
    page.get_by_label("開庁日で数える").check()
    due = processing_due_date(today, 30, business_days=True)
    page.wait_for_function(
        "text => document.querySelector('[data-due-date-preview]')"
        ".textContent.includes(text)",
        arg=format_wareki(due),
    )
    assert "開庁日で 30 日目" in preview.inner_text()


def test_reimport_preview_shows_the_difference_without_axe_violations(
    live_server, page, office, administrator, tmp_path
):
    from procedures import packages
    from tests.a11y import axe_violations
    from tests.factories import PASSWORD

    procedure = make_procedure(office, title="浄化槽設置補助金")
    package = packages.package_export_procedure(procedure=procedure)
    package["version"]["fee_yen"] = 4321
    file = tmp_path / "johkaso.json"
    file.write_text(packages.package_dumps(package), encoding="utf-8")
    browser_login(
        page, live_server.url, "/manage/login/", administrator.email, PASSWORD
    )
    page.goto(live_server.url + "/manage/procedures/import/")
    page.locator("input[type=file]").set_input_files(str(file))
    page.get_by_role("button", name="内容を確かめる").click()
    assert page.get_by_role("heading", name="公開中の版との違い").is_visible()
    assert page.get_by_role("cell", name="4321").is_visible()
    if report := axe_violations(page):
        pytest.fail(report)

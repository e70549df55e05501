"""Issue 14 in Debian's Chromium: the rows of a decision form's repeating
group (不開示とした部分とその理由) are added and removed on the case page,
with nothing else typed lost, and a row's error shows next to its field."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from demo.organisation import DEMO_PASSWORD
from tests.a11y import axe_violations
from tests.second_factor import browser_login

from .helpers import disclosure_at_final

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PREFIX = "dd-disclose_partly-withheld"


def _rows(page):
    return page.locator(f"#{PREFIX}")


def _fill_row(page, index: int, part: str, exemption: str, explanation: str):
    row = _rows(page).locator(f'[data-row="{index}"]')
    row.get_by_label("部分").fill(part)
    row.get_by_role("group", name="理由（不開示情報）").get_by_label(exemption).check()
    row.get_by_label("理由の説明").fill(explanation)


def test_rows_are_added_and_removed_in_place_and_the_decision_keeps_the_rest(
    live_server, page, tmp_path
):
    # WORKFLOW_SCREENSHOTS names a folder to keep the rows as they look.
    shots = Path(os.environ.get("WORKFLOW_SCREENSHOTS") or tmp_path)
    application = disclosure_at_final()
    base = live_server.url
    path = f"/staff/cases/{application.public_id}/"
    browser_login(page, base, path, "kacho@example.jp", DEMO_PASSWORD)
    page.goto(base + path)
    page.get_by_label("「部分開示決定」と決定する（最終決裁）").check()
    message = page.get_by_label("申請者へのメッセージ（申請者に表示されます）")
    message.fill("個人情報と審議中の内容を除いて開示します。")
    _fill_row(page, 0, "3頁の申請者の氏名", "個人情報", "個人を識別できるため。")
    # One row, at least one required: no removal offered.
    assert not _rows(page).locator('[data-row="0"] [data-remove-row]').is_visible()

    # 「行を追加」 posts the form; the page comes back with one more row.
    for index, values in (
        (1, ("誤って足した行", "法人等情報", "消す行です。")),
        (2, ("5頁の審査委員の評点", "審議検討情報", "審議中のため。")),
    ):
        _rows(page).get_by_role("button", name="行を追加").click()
        page.wait_for_load_state()
        _fill_row(page, index, *values)
    assert _rows(page).locator("[data-row]").count() == 3

    # Enter in a field shows the page again: no row removed, nothing decided.
    with page.expect_navigation():
        _rows(page).locator('[data-row="2"]').get_by_label("部分").press("Enter")
    assert _rows(page).locator("[data-row]").count() == 3
    assert _rows(page).locator('[data-row="1"]').get_by_label("部分").input_value() == (
        "誤って足した行"
    )

    # 「この行を削除」 on the second row: removed in place, the third moves up.
    url = page.url
    _rows(page).locator('[data-row="1"]').get_by_role(
        "button", name="この行を削除"
    ).click()
    assert page.url == url
    assert _rows(page).locator("[data-row]").count() == 2
    moved = _rows(page).locator('[data-row="1"]')
    assert moved.locator(".workflow-row-title").inner_text() == "2 件目"
    assert moved.get_by_label("部分").input_value() == "5頁の審査委員の評点"
    assert moved.get_by_label("部分").get_attribute("name") == f"{PREFIX}-1-part"
    assert page.evaluate("document.activeElement.name") == f"{PREFIX}-1-part"
    assert page.locator(f'input[name="{PREFIX}-rows"]').input_value() == "2"
    assert message.input_value() == "個人情報と審議中の内容を除いて開示します。"
    assert axe_violations(page) == ""
    _rows(page).screenshot(path=str(shots / "decision-rows-after-removal.png"))

    # A row left incomplete: the error is next to its field, nothing lost.
    moved.get_by_label("理由の説明").fill("")
    page.get_by_role("button", name="判断を記録する").click()
    page.wait_for_load_state()
    error = _rows(page).locator('[data-row="1"] .invalid-feedback')
    assert error.is_visible()
    assert "必須" in error.inner_text()
    _rows(page).screenshot(path=str(shots / "decision-rows-error.png"))
    assert _rows(page).locator('[data-row="1"]').get_by_label("部分").input_value() == (
        "5頁の審査委員の評点"
    )
    assert _rows(page).locator("[data-row]").count() == 2

    _rows(page).locator('[data-row="1"]').get_by_label("理由の説明").fill(
        "審議中のため。"
    )
    page.get_by_role("button", name="判断を記録する").click()
    page.wait_for_load_state()
    application.refresh_from_db()
    assert application.outcome.code == "disclose_partly"
    assert [row["part"] for row in application.decision_data["withheld"]] == [
        "3頁の申請者の氏名",
        "5頁の審査委員の評点",
    ]

"""Chromium: an administrator builds an amount band in the route editor,
simulates it and meets the publish check; axe-core finds nothing on the way."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.a11y import axe_violations
from tests.factories import PASSWORD, AdministratorFactory
from tests.second_factor import browser_login
from workflow.routes import chain_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _axe(page, found: list[str]) -> None:
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        if report := axe_violations(page):
            found.append(f"{size['width']}px {report}")
    page.set_viewport_size(DESKTOP)


def test_administrator_builds_a_band_rule_and_publishes_it(
    live_server, page, version, absence
):
    version.status = "draft"
    version.save(update_fields=["status"])
    admin = AdministratorFactory()
    base = live_server.url
    found: list[str] = []
    browser_login(page, base, "/manage/login/", admin.email, PASSWORD)
    page.wait_for_load_state()

    page.goto(f"{base}/manage/routes/{version.pk}/")
    expect(page.get_by_role("img", name="承認ルートの図")).to_be_visible()
    _axe(page, found)
    page.get_by_role("button", name="金額の区分をやめる").click()
    page.get_by_role("button", name="金額の区分を使う").click()
    page.locator('[name="band-subject"]').select_option(label="補助金の申請額（円）")
    page.locator('[name="band-compare"]').select_option(value="<")
    page.get_by_label("区分 1: 上限").fill("1,000,000")
    page.locator('[name="band-0-position"]').select_option(label="課長")
    page.get_by_label("区分 2: 上限").fill("10,000,000")
    page.locator('[name="band-1-position"]').select_option(label="部長")
    page.locator('[name="band-otherwise"]').select_option(label="知事")
    # A third band left blank is dropped, not refused.
    page.get_by_role("button", name="区分を追加").click()
    expect(page.get_by_label("区分 3: 上限")).to_be_visible()
    assert page.get_by_label("区分 1: 上限").input_value() == "1,000,000"
    _axe(page, found)
    # A mistake is summarised at the top and shown next to the field.
    page.get_by_label("区分 2: 上限").fill("900,000")
    page.get_by_role("button", name="保存する", exact=True).click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("上限は前の行（1,000,000）より大きくしてください。")
    _axe(page, found)
    summary.get_by_role("link").first.click()
    page.get_by_label("区分 2: 上限").fill("10,000,000")
    page.get_by_role("button", name="保存する", exact=True).click()
    expect(page.get_by_text("承認ルートを保存しました。")).to_be_visible()
    for amount, final in [
        (999_999, "課長"),
        (1_000_000, "部長"),
        (9_999_999, "部長"),
        (10_000_000, "知事"),
    ]:
        plan = chain_plan(version=version, answers={"amount": amount})
        assert plan.chain[-1]["position"] == final
    text = page.locator("#route-picture-text").inner_text()
    assert "1,000,000 未満" in text
    assert "10,000,000 以上" in text

    page.get_by_role("link", name="このルートをシミュレーションする").click()
    page.get_by_label("補助金の申請額（円）").fill("1000000")
    page.get_by_role("button", name="順路を表示する").click()
    expect(page.locator(".workflow-chain li").last).to_contain_text("部長")
    _axe(page, found)

    # Publishing: the 課長 is away today, so there is a warning to accept.
    absence("kacho", "kakaricho")
    page.goto(f"{base}/manage/procedures/{version.procedure.code}/")
    expect(page.get_by_role("img", name="承認ルートの図")).to_be_visible()
    _axe(page, found)
    page.get_by_role("button", name="公開する").click()
    expect(page.get_by_text("「課長」は今日、全員不在です")).to_be_visible()
    _axe(page, found)
    page.get_by_role("button", name="注意を確認したうえで公開する").click()
    expect(page.get_by_text("第1版を公開しました")).to_be_visible()
    version.refresh_from_db()
    assert version.status == "published"
    assert not found, "\n".join(found)

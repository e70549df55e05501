"""An administrator chooses the addressee of a business procedure in Chromium:
publishing is refused until the 名称 question is chosen (issue 14)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from procedures.models import ProcedureVersion
from tests.factories import PASSWORD
from tests.procedures.test_addressee import _draft_version
from tests.second_factor import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administrator_maps_the_addressee_and_publishes(
    live_server, page, office, administrator
):
    version = _draft_version(office)
    code = version.procedure.code
    page.set_viewport_size({"width": 1280, "height": 900})
    browser_login(
        page, live_server.url, "/manage/login/", administrator.email, PASSWORD
    )

    page.goto(f"{live_server.url}/manage/procedures/{code}/versions/1/edit/")
    page.get_by_label("申請できる者").select_option("business")
    page.get_by_label("宛名: 代表者の氏名").select_option("rep_name")
    page.get_by_label("宛名: 所在地", exact=True).select_option("corp_address")
    # An amount is never offered as the business's name.
    options = page.get_by_label("宛名: 法人・事業者の名称").locator("option")
    assert "amount" not in options.evaluate_all("os => os.map(o => o.value)")
    page.get_by_role("button", name="保存する").click()

    page.get_by_role("button", name="公開する").click()
    expect(
        page.get_by_text("宛名の「法人・事業者の名称」に使う項目を選んでください。")
    ).to_be_visible()
    version.refresh_from_db()
    assert version.status == ProcedureVersion.Status.DRAFT

    page.goto(f"{live_server.url}/manage/procedures/{code}/versions/1/edit/")
    page.get_by_label("宛名: 法人・事業者の名称").select_option("corp_name")
    page.get_by_role("button", name="保存する").click()
    page.get_by_role("button", name="公開する").click()
    expect(page.get_by_text("第1版を公開しました")).to_be_visible()
    version.refresh_from_db()
    assert version.status == ProcedureVersion.Status.PUBLISHED
    assert version.addressee_fields == {
        "business_name": "corp_name",
        "representative_name": "rep_name",
        "business_address": "corp_address",
    }

"""An administrator chooses the addressee of a business procedure in Chromium
(issue 14): the drop-downs follow 申請できる者 with guesses from the form's
questions; a publish refused for the mapping links straight to the fix."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from procedures.models import ProcedureVersion
from tests.a11y import axe_violations
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
    name = page.get_by_label("宛名: 法人・事業者の名称")
    expect(name).to_have_count(0)  # a person's procedure: the person's parts
    expect(page.get_by_label("宛名: 個人の氏名")).to_have_value("person_name")
    page.get_by_label("申請できる者").select_option("business")
    # Redrawn for a business, each part guessed from the questions' labels.
    expect(name).to_have_value("corp_name")
    expect(page.get_by_label("宛名: 代表者の役職")).to_have_value("rep_title")
    expect(page.get_by_label("宛名: 代表者の氏名")).to_have_value("rep_name")
    expect(page.get_by_label("宛名: 所在地", exact=True)).to_have_value("corp_address")
    expect(page.get_by_label("宛名: 個人の氏名")).to_have_count(0)
    # An amount is never offered as the business's name.
    options = name.locator("option").evaluate_all("os => os.map(o => o.value)")
    assert "amount" not in options
    assert axe_violations(page) == ""
    # Left out on purpose: publishing refuses.
    name.select_option("")
    page.get_by_role("button", name="保存する").click()

    page.get_by_role("button", name="公開する").click()
    refusal = page.locator(".publish-errors")
    expect(refusal).to_contain_text(
        "宛名の「法人・事業者の名称」に使う項目を選んでください。"
    )
    assert axe_violations(page) == ""
    version.refresh_from_db()
    assert version.status == ProcedureVersion.Status.DRAFT

    # The refusal links to the drop-down, which offers the question again.
    refusal.get_by_role("link", name="宛名の設定を直す").click()
    page.wait_for_url("**/versions/1/edit/#id_addressee_business_name")
    expect(name).to_be_in_viewport()
    expect(name).to_have_value("corp_name")
    page.get_by_role("button", name="保存する").click()
    page.get_by_role("button", name="公開する").click()
    expect(page.get_by_text("第1版を公開しました")).to_be_visible()
    version.refresh_from_db()
    assert version.status == ProcedureVersion.Status.PUBLISHED
    assert version.addressee_fields == {
        "business_name": "corp_name",
        "representative_title": "rep_title",
        "representative_name": "rep_name",
        "business_address": "corp_address",
    }

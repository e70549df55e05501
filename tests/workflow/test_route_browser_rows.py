"""Chromium: the route editor's rows are added, moved and removed in the page
(static/workflow/route_editor.js), and the whole route is stored by one
保存する (issue 12: modelling in fewer submissions). axe-core finds nothing
on the page with the rows the script added."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.a11y import axe_violations
from tests.factories import PASSWORD, AdministratorFactory
from tests.second_factor import browser_login
from workflow.routes import chain_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _button(scope, name: str):
    """A button by its visible text and its visually hidden part (Chromium
    puts a space between them in the accessible name)."""
    visible, hidden = name.split("（", 1)
    return scope.get_by_role(
        "button", name=re.compile(rf"^{re.escape(visible)}\s*（{re.escape(hidden)}$")
    )


def _levels(page) -> list[str]:
    selects = page.locator("#level-list select")
    return [
        selects.nth(i).evaluate("s => s.options[s.selectedIndex].text.split('（')[0]")
        for i in range(selects.count())
    ]


def test_levels_bands_and_consultations_are_edited_in_the_page_and_saved_once(
    live_server, page, version, org
):
    version.status = "draft"
    version.save(update_fields=["status"])
    admin = AdministratorFactory()
    base = live_server.url
    browser_login(page, base, "/manage/login/", admin.email, PASSWORD)
    page.wait_for_load_state()
    url = f"{base}/manage/routes/{version.pk}/"
    page.goto(url)
    posts: list[str] = []
    page.on(
        "request",
        lambda request: posts.append(request.url) if request.method == "POST" else None,
    )
    found: list[str] = []
    if report := axe_violations(page):
        found.append(report)
    assert _levels(page) == ["担当", "係長", "課長", "部長", "知事"]

    # A level added: a blank row at the end, the keyboard on its select.
    page.get_by_role("button", name="段階を追加").click()
    new = page.get_by_label("段階 6 の職")
    expect(new).to_be_focused()
    expect(page.get_by_text("変更はまだ保存されていません")).to_be_visible()
    new.select_option(value=str(org["positions"]["tanto"].pk))
    # The first 担当 removed: the rows below move up and are renumbered.
    _button(page, "削除（段階 1）").click()
    assert _levels(page) == ["係長", "課長", "部長", "知事", "担当"]
    expect(page.get_by_label("段階 5 の職")).to_have_value(
        str(org["positions"]["tanto"].pk)
    )
    # The first row has no 上へ, the last no 下へ (hidden, not disabled).
    expect(page.locator("#level-0-row [data-row-action='up']")).to_be_hidden()
    expect(page.locator("#level-0-row [data-row-action='down']")).to_be_visible()
    expect(page.locator("#level-4-row [data-row-action='down']")).to_be_hidden()
    # Moved up three times, down once, up once: the keyboard stays on it.
    for n in (5, 4, 3):
        _button(page, f"上へ（段階 {n}）").click()
    assert _levels(page) == ["係長", "担当", "課長", "部長", "知事"]
    expect(_button(page, "上へ（段階 2）")).to_be_focused()
    _button(page, "下へ（段階 2）").click()
    assert _levels(page) == ["係長", "課長", "担当", "部長", "知事"]
    expect(_button(page, "下へ（段階 3）")).to_be_focused()
    _button(page, "上へ（段階 3）").click()
    assert _levels(page) == ["係長", "担当", "課長", "部長", "知事"]
    assert page.locator("[name='levels-count']").input_value() == "5"

    # The band dropped and made again, a row added, the middle one removed.
    page.get_by_role("button", name="金額の区分をやめる").click()
    expect(page.get_by_label("区分 1: 上限")).to_have_count(0)
    use_band = page.get_by_role("button", name="金額の区分を使う")
    expect(use_band).to_be_focused()
    use_band.click()
    expect(page.get_by_label("区分に使う項目")).to_be_focused()
    page.get_by_label("区分に使う項目").select_option(label="補助金の申請額（円）")
    page.get_by_label("上限の値を").select_option(value="<=")
    page.get_by_label("区分 1: 上限").fill("1,000,000")
    page.locator('[name="band-0-position"]').select_option(label="課長")
    page.get_by_label("区分 2: 上限").fill("5,000,000")
    page.locator('[name="band-1-position"]').select_option(label="課長")
    page.get_by_role("button", name="区分を追加").click()
    expect(page.get_by_label("区分 3: 上限")).to_be_focused()
    page.get_by_label("区分 3: 上限").fill("10,000,000")
    page.locator('[name="band-2-position"]').select_option(label="部長")
    _button(page, "削除（区分 2）").click()
    expect(page.get_by_label("区分 2: 上限")).to_have_value("10,000,000")
    expect(page.locator('[name="band-1-position"]')).to_have_value(
        str(org["positions"]["bucho"].pk)
    )
    page.locator('[name="band-otherwise"]').select_option(label="知事")

    # A second 合議, its first condition row removed and another added.
    page.get_by_role("button", name="合議を追加").click()
    expect(page.locator('[name="consult-1-section"]')).to_be_focused()
    page.locator('[name="consult-1-section"]').select_option(
        value=str(org["sections"]["hisho"].pk)
    )
    page.locator('[name="consult-1-position"]').select_option(label="課長")
    page.locator('[name="consult-1-before"]').select_option(label="知事")
    row = page.locator("#consult-1-row")
    _button(row, "削除（条件 1）").click()
    expect(row.get_by_text("条件がないので、いつも合議します。")).to_be_visible()
    row.get_by_role("button", name="条件を追加").click()
    expect(row.get_by_label("条件 1: 項目")).to_be_focused()
    row.get_by_label("条件 1: 項目").select_option(label="補助金の申請額（円）")
    row.get_by_label("比べ方").select_option(value=">=")
    row.get_by_label("値", exact=True).fill("5,000,000")
    if report := axe_violations(page):
        found.append(report)
    assert posts == [], posts  # nothing has been sent yet

    page.get_by_role("button", name="保存する", exact=True).click()
    expect(page.get_by_text("承認ルートを保存しました。")).to_be_visible()
    assert posts == [url], posts  # one submission for all of it
    route = version.route
    assert list(
        route.levels.order_by("order").values_list("position__code", flat=True)
    ) == ["kakaricho", "tanto", "kacho", "bucho", "chiji"]

    def final(amount: int) -> str:
        return chain_plan(version=version, answers={"amount": amount}).chain[-1][
            "position"
        ]

    assert [final(a) for a in (1_000_000, 1_000_001, 10_000_000, 10_000_001)] == [
        "課長",
        "部長",
        "部長",
        "知事",
    ]
    assert route.consultations.count() == 2
    labels = [
        c["label"]
        for c in chain_plan(
            version=version, answers={"amount": 5_000_000}
        ).consultations
    ]
    assert labels == ["秘書課 課長"]
    if report := axe_violations(page):
        found.append(report)
    assert not found, "\n".join(found)

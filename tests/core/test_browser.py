"""A new user's first minutes, in Debian's Chromium."""

import io

import pytest
from django.core.management import call_command

from demo.organisation import DEMO_PASSWORD
from tests.second_factor import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("email", "login_path", "heading"),
    [
        ("resident@example.jp", "/accounts/login/", "架空県の手続をオンラインで"),
        ("tanto@example.jp", "/staff/login/", "審査事務"),
        ("admin@example.jp", "/manage/login/", "手続管理"),
    ],
)
def test_each_demo_account_logs_in_and_sees_its_area_in_japanese(
    live_server, page, email, login_path, heading
):
    call_command(
        "seed_demo", allow_demo_passwords_in_production=True, stdout=io.StringIO()
    )
    page.goto(live_server.url + login_path)
    assert page.locator("html").get_attribute("lang") == "ja"

    browser_login(page, live_server.url, login_path, email, DEMO_PASSWORD)

    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert page.get_by_role("button", name="ログアウト").is_visible()


def test_keyboard_users_can_skip_to_the_content(live_server, page):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")

    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "本文へ移動"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_the_site_switches_to_english(live_server, page):
    page.goto(live_server.url + "/")
    page.select_option("#language-select", "en")
    page.get_by_role("button", name="切替 / Language").click()

    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Skip to main content").count() == 1

"""The demo administrator adds a section's chat channel in Chromium and sends a
test to a real local receiver; axe-core finds nothing on the pages (issue 15)."""

from __future__ import annotations

import io
import json
import os

import pytest
from django.core.management import call_command

from demo.organisation import DEMO_PASSWORD
from tests.a11y import axe_violations
from tests.second_factor import browser_login
from tests.webhookserver import WebhookReceiver
from workflow.models import SectionWebhook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set to a folder to keep a screenshot of each page (for a look by eye).
SHOTS = os.environ.get("WEBHOOK_SCREENSHOTS", "")


def _check(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)
    if report := axe_violations(page):
        pytest.fail(report)


@pytest.fixture
def receiver():
    server = WebhookReceiver().start()
    yield server
    server.stop()


def test_administrator_adds_a_channel_and_sends_a_test(live_server, page, receiver):
    call_command(
        "seed_demo", allow_demo_passwords_in_production=True, stdout=io.StringIO()
    )
    browser_login(
        page, live_server.url, "/manage/login/", "admin@example.jp", DEMO_PASSWORD
    )
    page.get_by_role("link", name="組織", exact=True).first.click()
    page.get_by_role("link", name="チャット通知", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "課室ごとのチャット通知"
    _check(page, "1-list-empty")

    page.get_by_role("link", name="チャット通知を追加").click()
    page.get_by_role("button", name="保存する").click()
    assert page.locator(".error-summary").is_visible()
    _check(page, "2-form-errors")

    secret = "/services/T000DEMO/B000DEMO/d3m0S3cr3tT0k3nXyZ"
    page.get_by_label("課室").select_option(label="健康福祉部 福祉政策課")
    page.get_by_label("Slack 互換（Incoming Webhook の JSON）").check()
    page.get_by_label("Webhook の URL（Chatwork はルーム ID）").fill(
        receiver.url + secret
    )
    page.get_by_role("button", name="保存する").click()
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "健康福祉部 福祉政策課 のチャット通知"
    assert "d3m0S3cr3t" not in page.content()
    assert page.get_by_text("…nXyZ").is_visible()
    _check(page, "3-detail-new")

    page.get_by_role("button", name="テスト送信").click()
    assert page.get_by_text(
        "テストメッセージを送りました（応答 HTTP 200）"
    ).is_visible()
    assert len(receiver.requests) == 1
    assert receiver.requests[0]["path"] == secret
    assert "テスト送信" in json.loads(receiver.requests[0]["body"])["text"]
    deliveries = page.get_by_role("region", name="最近の送信記録")
    assert deliveries.get_by_role("cell", name="送信済み").is_visible()
    assert deliveries.get_by_role("cell", name="200", exact=True).is_visible()
    _check(page, "4-detail-tested")

    page.get_by_role("link", name="編集する").click()
    address = page.get_by_label("Webhook の URL（Chatwork はルーム ID）")
    assert address.input_value() == ""
    _check(page, "5-edit")

    page.get_by_role("link", name="戻る").click()
    page.get_by_role("button", name="この通知を無効にする").click()
    assert page.get_by_text("チャット通知を無効にしました。").is_visible()
    page.get_by_role("link", name="課室のチャット通知の一覧へ戻る").click()
    _check(page, "6-list")

    page.get_by_role("link", name="Slack 互換（Incoming Webhook の JSON）").click()
    page.get_by_role("link", name="削除する").click()
    _check(page, "7-delete")
    page.get_by_role("button", name="削除する").click()
    assert page.get_by_text("チャット通知を削除しました。").is_visible()
    assert not SectionWebhook.objects.exists()

"""Issue 15: 所属管理者 keep each section's chat channels on /manage/ (list, add,
edit, disable, delete, test), the address never shown back or audited in full."""

from __future__ import annotations

import json
import logging
import re

import pytest
from django.urls import reverse

from core.models import AuditEvent, OutboxMessage
from core.outbox import outbox_deliver, outbox_deliver_due, outbox_webhook
from tests.factories import (
    AdministratorFactory,
    AssignmentFactory,
    OrganisationAdministratorFactory,
    PositionFactory,
    SectionFactory,
    StaffFactory,
)
from tests.second_factor import login_as
from tests.webhookserver import WebhookReceiver
from workflow.models import SectionWebhook
from workflow.webhooks import chat_message

pytestmark = pytest.mark.django_db

SECRET_PATH = "/services/T0AB12CD/B0EF34GH/s3cr3tW3bh00kT0k3n"


@pytest.fixture
def receiver():
    server = WebhookReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def section(db):
    return SectionFactory(code="fukushi-seisaku", name="福祉政策課")


@pytest.fixture
def admin_client(client):
    # An organisation administrator who holds no post in any section.
    login_as(client, OrganisationAdministratorFactory(caseworker=False))
    return client


def _hook(section, receiver, **fields):
    return SectionWebhook.objects.create(
        section=section,
        service=fields.pop("service", "slack"),
        target=fields.pop("target", receiver.url + SECRET_PATH),
        **fields,
    )


def _audit_text() -> str:
    return json.dumps(list(AuditEvent.objects.values("action", "data")))


def _urls(hook):
    gets = [
        reverse("workflow_webhooks:list"),
        reverse("workflow_webhooks:create"),
        reverse("workflow_webhooks:detail", args=[hook.pk]),
        reverse("workflow_webhooks:edit", args=[hook.pk]),
        reverse("workflow_webhooks:delete", args=[hook.pk]),
    ]
    posts = [
        reverse("workflow_webhooks:test", args=[hook.pk]),
        reverse("workflow_webhooks:active", args=[hook.pk]),
        reverse("workflow_webhooks:delete", args=[hook.pk]),
        reverse("workflow_webhooks:edit", args=[hook.pk]),
    ]
    return gets, posts


def test_caseworkers_section_heads_and_procedure_administrators_are_refused(
    client, section, receiver
):
    hook = _hook(section, receiver)
    head = AssignmentFactory(
        section=section, position=PositionFactory(code="kacho", name="課長", level=40)
    ).user
    gets, posts = _urls(hook)
    for user in (StaffFactory(), head, AdministratorFactory()):
        login_as(client, user)
        for url in gets:
            assert client.get(url).status_code == 403, url
        for url in posts:
            response = client.post(url, {"active": "0", "target": "https://x.jp/"})
            assert response.status_code == 403, url
    client.logout()
    response = client.get(gets[0])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("manage_auth:login"))
    hook.refresh_from_db()
    assert hook.active
    assert receiver.requests == []
    assert not AuditEvent.objects.filter(action__startswith="workflow.webhook").exists()


def test_organisation_administrator_adds_a_channel_to_any_section(
    admin_client, section
):
    url = "https://hooks.slack.com" + SECRET_PATH
    page = admin_client.get(reverse("organisation:home")).content.decode()
    assert reverse("workflow_webhooks:list") in page  # in the organisation nav
    response = admin_client.post(
        reverse("workflow_webhooks:create"),
        {"section": section.pk, "service": "slack", "target": url},
    )
    hook = SectionWebhook.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workflow_webhooks:detail", args=[hook.pk])
    assert (hook.section, hook.service, hook.target, hook.active) == (
        section,
        "slack",
        url,
        True,
    )
    # Shown masked: the host and the last four characters, never the token.
    assert hook.masked_target == "https://hooks.slack.com/…0k3n"
    for page_url in (
        reverse("workflow_webhooks:list"),
        reverse("workflow_webhooks:detail", args=[hook.pk]),
        reverse("workflow_webhooks:edit", args=[hook.pk]),
    ):
        body = admin_client.get(page_url).content.decode()
        assert "https://hooks.slack.com/…0k3n" in body, page_url
        assert "s3cr3t" not in body, page_url
        assert "福祉政策課" in body
    event = AuditEvent.objects.get(action="workflow.webhook.create")
    assert event.target_id == str(hook.pk)
    assert event.data["changes"]["target"] == [None, "https://hooks.slack.com/…0k3n"]
    assert event.data["changes"]["section"][1].endswith("福祉政策課")
    assert "s3cr3t" not in _audit_text()


@pytest.mark.parametrize(
    ("service", "target", "error"),
    [
        (
            "slack",
            "http://hooks.example.jp/services/abc",
            "https:// で始まる URL にしてください（http は使えません）。",
        ),
        (
            "teams",
            "hooks.example.jp/webhook",
            "https:// で始まる Webhook の URL を入力してください。",
        ),
        (
            "slack",
            "https://169.254.169.254/latest/meta-data",
            "このアドレスには送れません。チャットサービスの URL を入力してください。",
        ),
        (
            "slack",
            "https://127.0.0.1:8443/hook",
            "このサーバー自身（localhost）のアドレスには送れません。",
        ),
        ("chatwork", "room-12", "Chatwork のルーム ID（数字）を入力してください。"),
        ("slack", "", "この項目は必須です。"),
    ],
)
def test_a_wrong_address_is_refused_in_japanese_next_to_the_field(
    admin_client, section, settings, service, target, error
):
    settings.WEBHOOK_ALLOW_LOOPBACK = False  # as in production
    settings.CHATWORK_API_TOKEN = "cw-token"
    response = admin_client.post(
        reverse("workflow_webhooks:create"),
        {"section": section.pk, "service": service, "target": target},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "error-summary" in body
    match = re.search(r'<[^>]+id="error_1_id_target"[^>]*>(.*?)</', body, re.S)
    assert match, body
    assert error in match.group(1)
    assert not SectionWebhook.objects.exists()


def test_chatwork_needs_the_sites_token(admin_client, section, settings):
    settings.CHATWORK_API_TOKEN = ""
    response = admin_client.post(
        reverse("workflow_webhooks:create"),
        {"section": section.pk, "service": "chatwork", "target": "123456"},
    )
    body = response.content.decode()
    match = re.search(r'id="error_1_id_service"[^>]*>(.*?)</', body, re.S)
    assert match, body
    assert "Chatwork の API トークンがシステムに設定されていない" in match.group(1)
    settings.CHATWORK_API_TOKEN = "cw-token"
    response = admin_client.post(
        reverse("workflow_webhooks:create"),
        {"section": section.pk, "service": "chatwork", "target": "123456"},
    )
    assert response.status_code == 302
    # A room ID is no secret (the token is the site's): shown as it is.
    assert SectionWebhook.objects.get().masked_target == "123456"


def test_edit_leaves_the_address_out_of_the_page_and_keeps_it_when_blank(
    admin_client, section, receiver, django_capture_on_commit_callbacks
):
    hook = _hook(section, receiver)
    edit = reverse("workflow_webhooks:edit", args=[hook.pk])
    page = admin_client.get(edit).content.decode()
    assert SECRET_PATH not in page
    assert re.search(r'name="target"[^>]*value=""|name="target"(?![^>]*value=)', page)
    assert "いまの登録:" in page
    assert "…0k3n" in page

    other = SectionFactory(code="zaisei", name="財政課")
    response = admin_client.post(
        edit, {"section": other.pk, "service": "slack", "target": ""}
    )
    assert response.status_code == 302
    hook.refresh_from_db()
    assert (hook.section, hook.target) == (other, receiver.url + SECRET_PATH)
    changes = AuditEvent.objects.get(action="workflow.webhook.update").data["changes"]
    assert set(changes) == {"section"}

    # A failed delivery waits for a retry; the corrected address takes it.
    receiver.status = 500
    with django_capture_on_commit_callbacks(execute=True):
        waiting = outbox_webhook(
            **chat_message(hook, title="t", text="x", link="l", link_label="o")
        )
    waiting.refresh_from_db()
    assert waiting.status == "failed"
    new_url = receiver.url + "/services/NEW/ADDRESS/n3wT0k3nAbcd"
    response = admin_client.post(
        edit, {"section": other.pk, "service": "slack", "target": new_url}
    )
    assert response.status_code == 302
    hook.refresh_from_db()
    assert hook.target == new_url
    waiting.refresh_from_db()
    assert waiting.payload["url"] == new_url
    changes = (
        AuditEvent.objects.filter(action="workflow.webhook.update")
        .latest("id")
        .data["changes"]
    )
    assert changes["target"] == [hook.masked_target[:-4] + "0k3n", hook.masked_target]
    assert "n3wT0k3n" not in _audit_text()
    assert SECRET_PATH not in _audit_text()


def test_changing_the_service_needs_an_address_of_that_service(
    admin_client, section, receiver, settings
):
    settings.CHATWORK_API_TOKEN = "cw-token"
    hook = _hook(section, receiver)
    response = admin_client.post(
        reverse("workflow_webhooks:edit", args=[hook.pk]),
        {"section": section.pk, "service": "chatwork", "target": ""},
    )
    assert response.status_code == 200
    assert (
        "Chatwork のルーム ID（数字）を入力してください。" in response.content.decode()
    )
    # The refused form does not give the kept address back either.
    assert SECRET_PATH not in response.content.decode()
    hook.refresh_from_db()
    assert hook.service == "slack"


def test_test_send_reaches_a_real_receiver_and_shows_the_answer(
    admin_client, section, receiver
):
    hook = _hook(section, receiver)
    test = reverse("workflow_webhooks:test", args=[hook.pk])
    response = admin_client.post(test, follow=True)
    body = response.content.decode()
    assert "テストメッセージを送りました（応答 HTTP 200）" in body
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request["path"] == SECRET_PATH
    text = json.loads(request["body"])["text"]
    assert "テスト送信" in text
    assert "福祉政策課" in text
    assert text.rstrip().endswith("/staff/inbox/")
    message = OutboxMessage.objects.get()
    assert (message.status, message.response_status, message.attempts) == (
        "sent",
        200,
        1,
    )
    assert (message.about_type, message.about_id) == (
        "workflow.sectionwebhook",
        str(hook.pk),
    )
    # The delivery is on the channel's page, with the answer's status.
    row = re.search(r"<tbody>(.*?)</tbody>", body, re.S).group(1)
    assert "送信済み" in row
    assert "<td>200</td>" in row

    receiver.status = 404
    body = admin_client.post(test, follow=True).content.decode()
    assert "テスト送信に失敗しました（応答 HTTP 404）" in body
    failed = OutboxMessage.objects.latest("id")
    assert (failed.status, failed.response_status) == ("abandoned", 404)
    assert "HTTP Error 404" in failed.last_error
    # A test is never retried behind the administrator's back.
    assert outbox_deliver_due()["sent"] == 0
    assert len(receiver.requests) == 2
    events = AuditEvent.objects.filter(action="workflow.webhook.test").order_by("id")
    assert [(e.data["result"], e.data["response_status"]) for e in events] == [
        ("sent", 200),
        ("abandoned", 404),
    ]
    assert SECRET_PATH not in _audit_text()


def test_a_webhooks_errors_and_logs_never_carry_its_url(
    section, receiver, caplog, django_capture_on_commit_callbacks
):
    # An address without its scheme (stored around the screens' checks)
    # makes urllib quote it whole in its error.
    hook = _hook(section, receiver, target="chat.example.jp/s3cr3tT0k3n")
    message = outbox_webhook(
        **chat_message(hook, title="t", text="x", link="l", link_label="o")
    )
    with caplog.at_level(logging.WARNING, logger="core.outbox"):
        assert outbox_deliver(message_id=message.pk) == "failed"
    message.refresh_from_db()
    assert "[URL]" in message.last_error
    assert "s3cr3t" not in message.last_error
    assert caplog.records
    assert "s3cr3t" not in caplog.text


def test_a_redirect_is_a_failure_never_followed(section, receiver):
    receiver.status = 302  # the receiver answers without a Location
    hook = _hook(section, receiver)
    message = outbox_webhook(
        **chat_message(hook, title="t", text="x", link="l", link_label="o")
    )
    assert outbox_deliver(message_id=message.pk) == "failed"
    message.refresh_from_db()
    assert message.response_status == 302


def test_disable_enable_and_delete_are_audited(admin_client, section, receiver):
    hook = _hook(section, receiver)
    active = reverse("workflow_webhooks:active", args=[hook.pk])
    admin_client.post(active, {"active": "0"})
    hook.refresh_from_db()
    assert not hook.active
    page = admin_client.get(reverse("workflow_webhooks:list")).content.decode()
    assert "無効" in page
    admin_client.post(active, {"active": "1"})
    hook.refresh_from_db()
    assert hook.active

    receiver.status = 500
    waiting = outbox_webhook(
        **chat_message(hook, title="t", text="x", link="l", link_label="o")
    )
    delete = reverse("workflow_webhooks:delete", args=[hook.pk])
    confirm = admin_client.get(delete).content.decode()
    assert "…0k3n" in confirm
    assert SECRET_PATH not in confirm
    response = admin_client.post(delete)
    assert response.status_code == 302
    assert not SectionWebhook.objects.exists()
    # What was still waiting for the channel is given up with it.
    waiting.refresh_from_db()
    assert waiting.status == "abandoned"
    assert outbox_deliver_due()["sent"] == 0
    assert receiver.requests == []
    actions = list(
        AuditEvent.objects.filter(action__startswith="workflow.webhook")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "workflow.webhook.disable",
        "workflow.webhook.enable",
        "workflow.webhook.delete",
    ]
    assert SECRET_PATH not in _audit_text()
    # They are security events, named as such.
    login_as(admin_client, AdministratorFactory())
    page = admin_client.get(
        reverse("core:security_events") + "?kind=workflow.webhook."
    ).content.decode()
    assert page.count("チャット通知の設定") >= 4  # the filter's option and 3 rows


def test_the_list_reads_a_fixed_number_of_queries(
    admin_client, section, receiver, django_assert_max_num_queries
):
    for index in range(6):
        hook = _hook(
            SectionFactory(), receiver, target=f"{receiver.url}/hook/{index:04d}"
        )
        outbox_webhook(
            **chat_message(hook, title="t", text="x", link="l", link_label="o")
        )
    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("workflow_webhooks:list"))
    assert response.content.decode().count("送信待ち") == 6
    filtered = admin_client.get(
        reverse("workflow_webhooks:list") + "?section=" + hook.section.code
    ).content.decode()
    assert filtered.count("…000") == 1
    assert "…0005" in filtered

"""Issue 15: staff hear of new tasks by e-mail (now or in a digest) and chat."""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.parse
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import OutboxMessage
from core.outbox import outbox_deliver_due
from procedures import services as procedure_services
from tests.factories import AdministratorFactory, ResidentFactory
from tests.second_factor import login_as
from tests.webhookserver import WebhookReceiver
from workflow.demo import seed_demo_route
from workflow.models import CaseTask, DigestItem, NotificationSetting, SectionWebhook
from workflow.notifications import digests_send, task_notifications_due

from .conftest import DEFINITION, published_version
from .helpers import claim, decide

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
# Tuesday 8 December 2026, a working day.
DIGEST_DAY = dt.datetime(2026, 12, 8, 8, 31, tzinfo=TOKYO)


@pytest.fixture
def receiver():
    server = WebhookReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def announced(submit, django_capture_on_commit_callbacks):
    """Submit with the after-commit jobs run (the immediate task backend)."""

    def _submit(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return submit(*args, **kwargs)

    return _submit


def _new_task_mails():
    return list(
        OutboxMessage.objects.filter(
            kind="email", subject__contains="新しいタスク"
        ).order_by("pk")
    )


def test_immediate_mail_to_who_chose_it_and_a_digest_item_for_the_others(
    announced, org
):
    p = org["people"]
    NotificationSetting.objects.create(user=p["tanto"], email="immediate")
    NotificationSetting.objects.create(user=p["kakaricho"], email="immediate")
    application = announced(500_000)
    mails = _new_task_mails()
    # Only the 担当 post's holders hear of a task at 担当; 係長 does not.
    assert [m.recipient for m in mails] == [p["tanto"].email]
    body = mails[0].payload["body"]
    assert application.receipt_number in body
    assert "福祉施設整備助成金" in body
    assert "担当" in body
    assert reverse("workflow:case_detail", args=[application.public_id]) in body
    assert application.applicant_name not in body
    assert list(DigestItem.objects.values_list("user_id", flat=True)) == [
        p["tanto2"].pk
    ]
    # The poll finds nothing left to announce.
    assert task_notifications_due() == 0
    assert len(_new_task_mails()) == 1


def test_the_poll_announces_a_task_whose_job_was_lost(submit, org):
    p = org["people"]
    NotificationSetting.objects.create(user=p["tanto"], email="immediate")
    submit(500_000)  # the after-commit job never ran
    assert _new_task_mails() == []
    assert task_notifications_due() == 1
    assert task_notifications_due() == 0
    assert [m.recipient for m in _new_task_mails()] == [p["tanto"].email]


def test_a_deputy_holding_the_post_is_told(
    submit, org, absence, django_capture_on_commit_callbacks
):
    p = org["people"]
    absence("kacho", "kakaricho")
    NotificationSetting.objects.create(user=p["kakaricho"], email="immediate")
    application = submit(500_000)
    decide(application, p["tanto"])
    with django_capture_on_commit_callbacks(execute=True):
        decide(application, p["kakaricho"])  # the task goes to 課長, away today
    assert [m.recipient for m in _new_task_mails()] == [p["kakaricho"].email]
    assert list(DigestItem.objects.values_list("user_id", flat=True)) == [p["kacho"].pk]


def test_digest_groups_by_procedure_once_on_working_day_mornings(announced, org):
    p = org["people"]
    other = published_version(
        org,
        code="kyoka-x",
        prefix="KX",
        title="社会福祉施設許可",
        definition=DEFINITION,
    )
    seed_demo_route(other)
    first = announced(500_000)
    second = announced(600_000)
    taken = announced(700_000)
    with_other = procedure_services.application_start(
        procedure=other.procedure, applicant=ResidentFactory()
    )
    with_other = procedure_services.application_save_answers(
        application=with_other, answers={"name": "山田", "amount": 1000}
    )
    with_other = procedure_services.application_submit(application=with_other)
    task_notifications_due()  # its job did not run here; the poll does it
    claim(taken, p["tanto2"])

    assert digests_send(now=DIGEST_DAY.replace(hour=8, minute=29)) == 0
    sunday = dt.datetime(2026, 12, 6, 9, 0, tzinfo=TOKYO)
    assert digests_send(now=sunday) == 0
    assert digests_send(now=DIGEST_DAY) == 2  # 担当 ×2
    assert digests_send(now=DIGEST_DAY + dt.timedelta(hours=1)) == 0
    digests = list(OutboxMessage.objects.filter(subject__contains="お知らせ（"))
    assert sorted(m.recipient for m in digests) == sorted(
        [p["tanto"].email, p["tanto2"].email]
    )
    mail = next(m for m in digests if m.recipient == p["tanto"].email)
    body = mail.payload["body"]
    # Two groups, each case under its own procedure; the taken one left out.
    assert "（3 件）" in mail.subject
    welfare, permit = (
        body.index("■ 福祉施設整備助成金"),
        body.index("■ 社会福祉施設許可"),
    )
    for application in (first, second):
        assert welfare < body.index(application.receipt_number)
    assert permit < body.index(with_other.receipt_number)
    assert (body.index(with_other.receipt_number) < welfare) == (permit < welfare)
    assert taken.receipt_number not in body
    assert "山田" not in body


def test_settings_page_saves_the_choice(client, org):
    user = org["people"]["tanto"]
    login_as(client, user)
    url = reverse("workflow:notification_settings")
    # Each person finds it on the staff home page and in the inbox.
    assert url in client.get(reverse("core:staff_home")).content.decode()
    assert url in client.get(reverse("workflow:inbox")).content.decode()
    page = client.get(url).content.decode()
    assert re.search(r'value="digest"[^>]*checked', page)  # the default
    response = client.post(url, {"email": "immediate"})
    assert response.status_code == 302
    assert NotificationSetting.objects.get(user=user).email == "immediate"
    response = client.post(url, {"email": "sms"})
    assert response.status_code == 400
    assert 'id="id_email-error"' in response.content.decode()


def _hook(org, receiver, service="slack", target=None):
    return SectionWebhook.objects.create(
        section=org["sections"]["fukushi"],
        service=service,
        target=target or receiver.url + "/hook",
    )


def test_slack_webhook_delivered_to_a_local_receiver(announced, org, receiver):
    _hook(org, receiver)
    application = announced(500_000)
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request["path"] == "/hook"
    payload = json.loads(request["body"])
    assert application.receipt_number in payload["text"]
    assert "福祉施設整備助成金" in payload["text"]
    assert "担当" in payload["text"]
    assert str(application.public_id) in payload["text"]
    assert application.applicant_name not in payload["text"]
    message = OutboxMessage.objects.get(kind="webhook")
    assert message.status == "sent"
    assert message.response_status == 200
    assert receiver.url not in message.recipient  # the URL is a secret
    # The channel's page lists it (/manage/organisation/webhooks/<id>/).
    assert message.about_id == str(SectionWebhook.objects.get().pk)


def test_teams_and_chatwork_formats(announced, org, receiver, settings):
    settings.CHATWORK_API_URL = receiver.url + "/v2"
    settings.CHATWORK_API_TOKEN = "cw-token"
    _hook(org, receiver, service="teams", target=receiver.url + "/teams")
    _hook(org, receiver, service="chatwork", target="12345")
    application = announced(500_000)
    by_path = {r["path"]: r for r in receiver.requests}
    card = json.loads(by_path["/teams"]["body"])
    assert card["@type"] == "MessageCard"
    assert application.receipt_number in card["title"]
    assert card["potentialAction"][0]["targets"][0]["uri"].endswith(
        f"/staff/cases/{application.public_id}/"
    )
    chatwork = by_path["/v2/rooms/12345/messages"]
    assert chatwork["headers"]["x-chatworktoken"] == "cw-token"
    form = urllib.parse.parse_qs(chatwork["body"].decode())
    assert application.receipt_number in form["body"][0]


def test_a_failing_webhook_is_retried_and_never_blocks_the_decision(
    submit, org, receiver, django_capture_on_commit_callbacks, client
):
    p = org["people"]
    _hook(org, receiver)
    application = submit(500_000)
    receiver.status = 500
    with django_capture_on_commit_callbacks(execute=True):
        decide(application, p["tanto"])  # the task now goes to 係長
    application.case.refresh_from_db()
    assert application.case.level == 1
    assert CaseTask.objects.filter(process=application.case, status="DONE").count()
    message = OutboxMessage.objects.get(kind="webhook")
    assert message.status == "failed"
    assert message.attempts == 1
    assert message.response_status == 500
    assert "500" in message.last_error
    # Administrators see the failed delivery.
    login_as(client, AdministratorFactory())
    page = client.get(reverse("core:outbox")).content.decode()
    assert "福祉政策課" in page
    assert "チャット通知" in page
    # The receiver comes back; the worker's poll sends it again.
    receiver.status = 200
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    outbox_deliver_due()
    message.refresh_from_db()
    assert message.status == "sent"
    assert message.attempts == 2
    assert len(receiver.requests) == 2


def test_a_pulled_back_task_is_not_announced(
    submit, org, django_capture_on_commit_callbacks
):
    from workflow import services

    p = org["people"]
    NotificationSetting.objects.create(user=p["tanto"], email="immediate")
    application = submit(500_000)
    decide(application, p["tanto"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.case_pull_back(case_id=application.case.pk, user=p["tanto"])
    assert callbacks  # the new task's announcement job ran, and skipped it:
    # the task went straight back to whoever pulled it.
    assert _new_task_mails() == []

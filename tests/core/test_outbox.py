"""The outbox: mail written with its change, delivered once, failures shown to
administrators (issue 16). SMTP is a real server on loopback (aiosmtpd)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from core.models import AuditEvent, OutboxMessage
from core.outbox import outbox_deliver_due, outbox_mail
from tests.factories import AdministratorFactory, StaffFactory
from tests.second_factor import login_as
from tests.smtpserver import SmtpServer, free_port

Status = OutboxMessage.Status


@pytest.fixture
def smtp_port(settings):
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 2
    return port


@pytest.mark.django_db
def test_a_message_is_written_only_if_its_change_commits():
    def change_that_fails():
        with transaction.atomic():
            outbox_mail(to="a@example.jp", subject="受付", body="本文")
            raise RuntimeError("the change fails")

    with pytest.raises(RuntimeError):
        change_that_fails()

    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_failures_back_off_then_wait_for_an_administrator(smtp_port, settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 0
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = outbox_mail(to="a@example.jp", subject="受付", body="本文")

    assert outbox_deliver_due() == {
        "sent": 0,
        "failed": 1,
        "abandoned": 0,
        "skipped": 0,
    }
    assert outbox_deliver_due()["abandoned"] == 1
    message.refresh_from_db()
    assert message.status == Status.ABANDONED
    assert message.attempts == 2
    assert outbox_deliver_due()["abandoned"] == 0  # no more automatic tries


@pytest.mark.django_db
def test_administrators_see_undelivered_mail_and_send_it_again(
    client, smtp_port, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    message = outbox_mail(to="taro@example.jp", subject="【電子申請】受付", body="本文")
    outbox_deliver_due()
    administrator = AdministratorFactory()
    login_as(client, administrator)

    page = client.get("/manage/outbox/").content.decode()
    assert "taro@example.jp" in page
    assert "【電子申請】受付" in page
    assert "失敗（自動の再試行を終了）" in page
    assert "Connection" in page or "refused" in page

    with (
        SmtpServer(smtp_port) as server,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(f"/manage/outbox/{message.pk}/retry/", follow=True)

    assert response.status_code == 200
    assert "メッセージをもう一度送信します。" in response.content.decode()
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert [m["To"] for m in server.messages] == ["taro@example.jp"]
    event = AuditEvent.objects.get(action="outbox_retry")
    assert event.actor == administrator
    assert "taro@example.jp" not in client.get("/manage/outbox/").content.decode()


@pytest.mark.django_db
def test_caseworkers_cannot_open_the_outbox(client):
    caseworker = StaffFactory()
    login_as(client, caseworker)

    assert client.get("/manage/outbox/").status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_deliver_each_message_exactly_once(smtp_port, settings):
    # Queued where nothing runs them: the two polling workers find them all.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    for number in range(30):
        outbox_mail(to=f"r{number}@example.jp", subject=f"受付 {number}", body="本文")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait()
            outbox_deliver_due()
        except BaseException as error:  # the test must show it
            errors.append(error)
        finally:
            connection.close()

    # A slow server: both workers are delivering at the same time.
    with SmtpServer(smtp_port, delay=0.02) as server:
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert errors == []
    received = sorted(m["To"] for m in server.messages)
    assert received == sorted(f"r{number}@example.jp" for number in range(30))
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}

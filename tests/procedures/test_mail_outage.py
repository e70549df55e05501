"""A mail server that is down never turns a submission into an error (issue 16).

The receipt mail used to go over SMTP inside the request, after the commit:
with the server down the resident saw a 500 for an application that was in
fact submitted. Now it goes to the outbox with the submission and a worker
delivers it, retrying until the server is back. The server here is a real
SMTP server (aiosmtpd) on a loopback port, started by the test.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from core.models import OutboxMessage
from procedures.models import Application
from tests.procedures.conftest import fill_and_submit
from tests.smtpserver import SmtpServer, free_port

# Real commits: the mail goes out after the submission commits, and the
# worker run here closes connections between jobs as it does in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def smtp_settings(settings):
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 2
    settings.OUTBOX_RETRY_BASE_SECONDS = 0  # due again at once: no waiting here
    return port


def test_submission_with_the_mail_server_down_succeeds_and_mails_when_it_returns(
    resident_client, procedure, smtp_settings
):
    # Nobody listens on the port: the delivery after the commit fails.
    application = fill_and_submit(resident_client, procedure)
    receipt = resident_client.get(f"/my/{application.public_id}/receipt/")

    assert application.status == Application.Status.SUBMITTED
    assert receipt.status_code == 200
    assert application.receipt_number in receipt.content.decode()
    message = OutboxMessage.objects.get()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.recipient == "taro@example.jp"
    assert "Connection" in message.last_error or "refused" in message.last_error

    with SmtpServer(smtp_settings) as server:
        call_command("run_worker", "--once")

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert len(server.messages) == 1
    assert application.receipt_number in server.messages[0]["Subject"]
    assert server.messages[0]["To"] == "taro@example.jp"
    assert application.get_absolute_url() in server.messages[0].get_content()

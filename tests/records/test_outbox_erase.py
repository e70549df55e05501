"""Issue 16: disposal (廃棄) erases the mail about the application too."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import OutboxMessage
from tests.factories import AdministratorFactory
from tests.records.test_retention import decided  # noqa: F401 (a fixture)
from tests.second_factor import login_as

Status = OutboxMessage.Status


@pytest.mark.django_db
def test_disposal_blanks_the_applications_messages(
    client,
    decided,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    mails = OutboxMessage.objects.filter(
        about_type="procedures.application", about_id=str(decided.pk)
    )
    assert mails.count() >= 2  # the receipt and the decision, at least
    assert any(decided.receipt_number in m.payload["body"] for m in mails)
    waiting = mails.first()
    OutboxMessage.objects.filter(pk=waiting.pk).update(status=Status.FAILED)
    other = OutboxMessage.objects.create(
        recipient="other@example.jp", subject="別件", payload={"body": "別の方"}
    )
    login_as(client, AdministratorFactory())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("records:due"),
            {"application": [decided.pk], "action": "dispose", "confirm": "on"},
        )

    assert response.status_code == 302
    for message in mails.all():
        assert (message.recipient, message.subject, message.payload) == ("", "", {})
    assert mails.get(pk=waiting.pk).status == Status.ABANDONED  # nothing to send
    other.refresh_from_db()
    assert other.payload == {"body": "別の方"}

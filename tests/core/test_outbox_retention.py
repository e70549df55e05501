"""Issue 16: sent mail (its body holds personal data) is deleted after
OUTBOX_KEEP_DAYS by the periodic job that the embedded worker runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone

from core.models import OutboxMessage
from core.outbox import outbox_mail

Status = OutboxMessage.Status
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _sent(days_ago: int, subject: str) -> OutboxMessage:
    message = outbox_mail(to="taro@example.jp", subject=subject, body="山田太郎様")
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.SENT, sent_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    return message


def test_the_purge_is_on_the_periodic_schedule():
    tasks = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert "core.tasks.purge_sent_messages" in tasks
    assert django_settings.OUTBOX_KEEP_DAYS == 30


# Real commits: the worker closes connections between jobs, as in production.
@pytest.mark.django_db(transaction=True)
def test_the_worker_deletes_sent_mail_older_than_the_setting(settings):
    settings.TASKS = DATABASE_QUEUE
    settings.OUTBOX_KEEP_DAYS = 30
    old = _sent(31, "古い通知")
    recent = _sent(29, "最近の通知")
    failed = outbox_mail(to="hanako@example.jp", subject="未送信", body="本文")
    OutboxMessage.objects.filter(pk=failed.pk).update(
        status=Status.ABANDONED, created_at=timezone.now() - dt.timedelta(days=90)
    )

    call_command("run_worker", "--once")

    remaining = set(OutboxMessage.objects.values_list("subject", flat=True))
    assert remaining == {"最近の通知", "未送信"}
    assert not OutboxMessage.objects.filter(pk=old.pk).exists()
    assert OutboxMessage.objects.get(pk=recent.pk).payload["body"] == "山田太郎様"

    settings.OUTBOX_KEEP_DAYS = 7
    call_command("run_worker", "--once")
    assert not OutboxMessage.objects.filter(pk=recent.pk).exists()
    assert OutboxMessage.objects.filter(pk=failed.pk).exists()  # never sent

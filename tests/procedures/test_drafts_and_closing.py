"""Drafts left alone are deleted after a reminder; a resident closes their
account, and what they submitted stays under the retention rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from procedures import services
from procedures.models import Application
from tests.factories import PASSWORD
from tests.procedures.conftest import fill_and_submit, login

pytestmark = pytest.mark.django_db


def _idle(application: Application, days: int) -> None:
    Application.objects.filter(pk=application.pk).update(
        updated_at=timezone.now() - dt.timedelta(days=days)
    )


def _purge(django_capture_on_commit_callbacks, days_later: int = 0):
    with django_capture_on_commit_callbacks(execute=True):
        return services.drafts_purge(now=timezone.now() + dt.timedelta(days=days_later))


def test_an_idle_draft_is_reminded_once_then_deleted(
    procedure, resident, django_capture_on_commit_callbacks
):
    draft = services.application_start(procedure=procedure, applicant=resident)
    _idle(draft, 77)

    assert _purge(django_capture_on_commit_callbacks) == (1, 0)
    assert _purge(django_capture_on_commit_callbacks) == (0, 0)  # told once
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [resident.email]
    assert procedure.current_version.title in mail.outbox[0].subject
    assert "削除されます" in mail.outbox[0].body

    # Ninety days idle, but the reminder went out only now: it waits.
    assert _purge(django_capture_on_commit_callbacks, days_later=13) == (0, 0)
    assert _purge(django_capture_on_commit_callbacks, days_later=14) == (0, 1)
    assert not Application.objects.filter(pk=draft.pk).exists()


def test_saving_the_draft_again_starts_a_new_period(
    procedure, resident, django_capture_on_commit_callbacks
):
    draft = services.application_start(procedure=procedure, applicant=resident)
    _idle(draft, 80)
    _purge(django_capture_on_commit_callbacks)
    services.application_save_answers(
        application=draft, answers={"name": "山田 太郎"}, new_files={}
    )

    assert _purge(django_capture_on_commit_callbacks, days_later=20) == (0, 0)
    assert Application.objects.filter(pk=draft.pk).exists()
    # The next idle period gets its own reminder.
    assert _purge(django_capture_on_commit_callbacks, days_later=77) == (1, 0)


def test_submitted_applications_are_never_purged(
    procedure, resident_client, resident, django_capture_on_commit_callbacks
):
    application = fill_and_submit(resident_client, procedure)
    _idle(application, 400)

    assert _purge(django_capture_on_commit_callbacks) == (0, 0)
    assert Application.objects.filter(pk=application.pk).exists()


def test_a_resident_closes_their_account(client, procedure, resident):
    login(client, resident)
    submitted = fill_and_submit(client, procedure)
    draft = services.application_start(procedure=procedure, applicant=resident)
    page = client.get("/my/close-account/")
    assert "保存期間" in page.content.decode()

    wrong = client.post("/my/close-account/", {"password": "wrong", "confirm": "on"})
    assert wrong.status_code == 400
    assert "パスワードが正しくありません" in wrong.content.decode()

    response = client.post(
        "/my/close-account/", {"password": PASSWORD, "confirm": "on"}
    )

    assert response.status_code == 302
    resident.refresh_from_db()
    assert not resident.is_active
    assert resident.email.endswith("@closed.invalid")
    assert resident.full_name == ""
    assert not resident.has_usable_password()
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert Application.objects.get(pk=submitted.pk).applicant == resident
    assert client.get("/my/").status_code == 302  # signed out
    assert not client.login(username="taro@example.jp", password=PASSWORD)


def test_staff_cannot_close_their_account_as_residents_do(client, administrator):
    login(client, administrator)

    assert client.get("/my/close-account/").status_code == 403

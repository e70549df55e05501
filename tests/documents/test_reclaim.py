"""A notice left "working" by a worker that died is taken back by staff, and
the attempt it was taken from stores nothing (issue 16)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from core.models import AuditEvent
from documents.models import IssuedDocument
from documents.services import document_issue, document_request, document_retry_now
from tests.documents.conftest import APPROVAL_RECORD
from tests.factories import UserFactory
from tests.second_factor import login_as

pytestmark = pytest.mark.django_db
Status = IssuedDocument.Status


def _working(application, *, seconds_ago: int) -> IssuedDocument:
    document = document_request(
        application=application, approved=True, approval_record=APPROVAL_RECORD
    )
    IssuedDocument.objects.filter(pk=document.pk).update(
        status=Status.WORKING,
        attempts=1,
        claimed_at=timezone.now() - dt.timedelta(seconds=seconds_ago),
    )
    document.refresh_from_db()
    return document


def test_a_claim_younger_than_the_grace_is_left_to_its_worker(application):
    document = _working(application, seconds_ago=5)

    assert not document.claim_is_stale
    assert document_retry_now(document=document) is False
    document.refresh_from_db()
    assert document.status == Status.WORKING


def test_a_stale_claim_is_taken_back_and_issued(
    application, django_capture_on_commit_callbacks
):
    document = _working(application, seconds_ago=120)

    assert document.claim_is_stale
    with django_capture_on_commit_callbacks(execute=True):
        assert document_retry_now(document=document) is True

    document.refresh_from_db()
    assert document.status == Status.ISSUED, document.last_error
    assert document.attempts == 2


def test_the_attempt_that_was_taken_over_stores_nothing(application, monkeypatch):
    import documents.services

    document = document_request(
        application=application, approved=True, approval_record=APPROVAL_RECORD
    )
    real = documents.services.render_and_sign

    def slow_attempt(snapshot):
        data = real(snapshot)
        # While this attempt renders, staff take the document back.
        IssuedDocument.objects.filter(pk=document.pk).update(
            status=Status.FAILED, claimed_at=None
        )
        return data

    monkeypatch.setattr(documents.services, "render_and_sign", slow_attempt)
    result = document_issue(document=document)

    assert result.status == Status.FAILED  # left for the new attempt
    assert not result.file
    storage = IssuedDocument._meta.get_field("file").storage
    assert not storage.exists(documents.services.storage_key(result))


def test_the_django_admin_retry_takes_a_stale_claim_back_audited(
    client, application, django_capture_on_commit_callbacks, settings
):
    settings.DJANGO_ADMIN_ENABLED = True
    document = _working(application, seconds_ago=120)
    superuser = UserFactory(is_staff=True, is_superuser=True)
    login_as(client, superuser)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/django-admin/documents/issueddocument/",
            {"action": "retry_now", "_selected_action": [document.pk]},
        )

    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == Status.ISSUED, document.last_error
    event = AuditEvent.objects.get(action="documents.retry")
    assert event.actor == superuser
    assert event.data == {"number": document.number, "was": "working"}

"""Issued documents in a real S3 server (SeaweedFS), including an outage."""

from __future__ import annotations

import hashlib

import pytest
from django.utils import timezone

from documents.models import IssuedDocument
from documents.services import (
    document_issue,
    document_issue_pending,
    document_open,
    document_request,
    storage_key,
)
from documents.verification import verify_pdf
from procedures.models import Application
from tests.documents.conftest import APPROVAL_RECORD

pytestmark = [pytest.mark.s3, pytest.mark.django_db]


def test_issued_document_round_trips_through_s3(s3_storage, s3_server, application):
    document = document_issue(
        document=document_request(
            application=application, approved=True, approval_record=APPROVAL_RECORD
        )
    )

    assert document.status == IssuedDocument.Status.ISSUED
    with document_open(document) as stored:
        data = stored.read()
    assert hashlib.sha256(data).hexdigest() == document.sha256
    assert verify_pdf(data).genuine
    # Straight from the bucket, with the deterministic key.
    raw = (
        s3_server.client()
        .get_object(Bucket=s3_server.bucket, Key=storage_key(document))["Body"]
        .read()
    )
    assert raw == data


def test_s3_outage_during_issuing_ends_with_the_document_stored(
    s3_storage, s3_server, application
):
    document = document_request(
        application=application, approved=True, approval_record=APPROVAL_RECORD
    )
    s3_server.stop()
    try:
        failed = document_issue(document=document)
        assert failed.status == IssuedDocument.Status.FAILED
        assert failed.last_error
        application.refresh_from_db()
        assert application.status == Application.Status.ISSUING
    finally:
        s3_server.start()

    IssuedDocument.objects.filter(pk=document.pk).update(next_attempt_at=timezone.now())
    assert document_issue_pending()["issued"] == 1

    document.refresh_from_db()
    application.refresh_from_db()
    assert document.status == IssuedDocument.Status.ISSUED
    assert document.number == failed.number
    assert application.status == Application.Status.APPROVED
    with document_open(document) as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == document.sha256

"""Requesting, numbering and issuing notices: idempotent, retried, never lost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from documents.models import IssuedDocument
from documents.selectors import document_for_application
from documents.services import (
    document_issue,
    document_issue_pending,
    document_request,
    storage_key,
)
from documents.verification import verify_pdf
from procedures.models import Application
from tests.documents.conftest import (
    APPROVAL_RECORD,
    make_application,
    pdftotext,
    stored_bytes,
)

pytestmark = pytest.mark.django_db
Status = IssuedDocument.Status


def _request(application, approved=True, **kwargs):
    return document_request(
        application=application,
        approved=approved,
        approval_record=APPROVAL_RECORD,
        **kwargs,
    )


def _unreachable(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "tests.documents.broken_storage.UnreachableStorage",
            "OPTIONS": {"location": str(tmp_path / "nowhere")},
        },
    }


def _reachable(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


def test_numbers_run_per_department_and_fiscal_year(version):
    first = _request(make_application(version))
    second = _request(make_application(version))
    # 2027-03-31 is still fiscal 2026; 2027-04-01 starts a new series.
    march = _request(
        make_application(
            version, decided_at=timezone.make_aware(dt.datetime(2027, 3, 31, 12))
        )
    )
    april = _request(
        make_application(
            version, decided_at=timezone.make_aware(dt.datetime(2027, 4, 1, 12))
        )
    )

    assert [first.serial, second.serial, march.serial] == [1, 2, 3]
    assert first.number == "令8健康福祉部第00001号"
    assert april.serial == 1
    assert april.number == "令9健康福祉部第00001号"


def test_a_retried_request_returns_the_same_document_and_number(application):
    first = _request(application)
    again = _request(application)

    assert again.pk == first.pk
    assert again.number == first.number
    assert IssuedDocument.objects.filter(application=application).count() == 1
    assert document_for_application(application) == first
    assert list(application.documents.all()) == [first]


def test_request_only_writes_rows_and_issues_after_commit(
    application, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        document = _request(application)
        assert document.status == Status.PENDING
        assert not document.file
    assert len(callbacks) == 1

    callbacks[0]()  # the commit: the task runs in-process without a broker

    document.refresh_from_db()
    application.refresh_from_db()
    assert document.status == Status.ISSUED
    assert document.file.name == storage_key(document)
    assert application.status == Application.Status.APPROVED
    assert document.get_download_url().endswith("/download/")


def test_rejection_notice_carries_the_reason_and_ends_the_case(version, tmp_path):
    application = make_application(version)
    document = document_issue(
        document=_request(
            application, approved=False, reason="施設が基準を満たしていないため。"
        )
    )

    text = pdftotext(stored_bytes(document), tmp_path)
    application.refresh_from_db()
    assert document.title == "不許可通知書"
    assert "施設が基準を満たしていないため。" in text
    assert application.status == Application.Status.REJECTED


def test_issued_permit_prints_the_snapshot(issued, tmp_path):
    text = pdftotext(stored_bytes(issued), tmp_path)

    assert "髙橋 𠮷郎" in text
    assert "令和8年11月26日" in text
    assert issued.number in text
    assert "産業廃棄物収集運搬業" in text
    assert "専決" in text


def test_storage_outage_is_recorded_and_retried_until_stored(
    application, settings, tmp_path
):
    document = _request(application)
    _unreachable(settings, tmp_path)

    failed = document_issue(document=document)

    assert failed.status == Status.FAILED
    assert "storage unreachable" in failed.last_error
    assert failed.attempts == 1
    assert failed.next_attempt_at > timezone.now()
    application.refresh_from_db()
    assert application.status == Application.Status.ISSUING

    # Not due yet: the poller leaves it alone.
    assert document_issue_pending() == {"issued": 0, "failed": 0, "skipped": 0}

    _reachable(settings, tmp_path)
    IssuedDocument.objects.filter(pk=document.pk).update(next_attempt_at=timezone.now())
    call_command("issue_pending_documents")

    document.refresh_from_db()
    application.refresh_from_db()
    assert document.status == Status.ISSUED
    assert document.attempts == 2
    assert document.number == failed.number
    assert application.status == Application.Status.APPROVED


def test_a_file_uploaded_before_a_crash_is_adopted_not_duplicated(issued):
    # The worker uploaded, then died before recording it: the row is still
    # "working" and its lease has expired.
    data = stored_bytes(issued)
    IssuedDocument.objects.filter(pk=issued.pk).update(
        status=Status.WORKING,
        sha256="",
        claimed_at=timezone.now() - dt.timedelta(hours=1),
    )
    storage = issued.file.storage

    counts = document_issue_pending()

    issued.refresh_from_db()
    assert counts["issued"] == 1
    assert issued.status == Status.ISSUED
    assert stored_bytes(issued) == data
    directory = storage_key(issued).rsplit("/", 1)[0]
    assert storage.listdir(directory)[1] == [f"{issued.public_id}.pdf"]


def test_a_document_being_issued_is_not_taken_by_a_second_worker(application):
    document = _request(application)
    IssuedDocument.objects.filter(pk=document.pk).update(
        status=Status.WORKING, claimed_at=timezone.now()
    )

    result = document_issue(document=document)

    assert result.status == Status.WORKING
    assert result.attempts == 0


def test_unprintable_name_fails_visibly_instead_of_printing_boxes(version):
    application = make_application(version, name="山田 \U000f0001")

    document = document_issue(document=_request(application))

    assert document.status == Status.FAILED
    assert "notdef" in document.last_error
    assert not document.file
    # A stored file that can't be tied to a record must not exist either.
    assert not document.file.storage.exists(storage_key(document))


def test_stored_file_is_written_under_a_deterministic_private_key(issued):
    key = storage_key(issued)

    assert key == f"documents/2026/kenko-fukushi/{issued.public_id}.pdf"
    assert issued.file.storage.exists(key)
    assert len(issued.sha256) == 64


def test_a_broken_leftover_under_the_key_is_replaced_by_a_signed_document(
    application,
):
    document = _request(application)
    storage = IssuedDocument._meta.get_field("file").storage
    storage.save(storage_key(document), ContentFile(b"%PDF-1.7 half an upload"))

    issued = document_issue(document=document)

    assert issued.status == Status.ISSUED
    assert verify_pdf(stored_bytes(issued)).genuine

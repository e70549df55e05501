"""Delivering the notice (issue 14): the first download recorded once, one
reminder for a notice left unread, and the 公印 or 公印省略 per template."""

from __future__ import annotations

import datetime as dt
import threading
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from documents.models import DocumentTemplate, IssuedDocument
from documents.services import (
    document_issue,
    document_record_download,
    document_request,
)
from tests.documents.conftest import (
    APPROVAL_RECORD,
    make_application,
    pdftotext,
    stored_bytes,
)
from tests.factories import ResidentFactory


@pytest.mark.django_db
def test_the_first_download_is_recorded_once(client, issued):
    applicant = issued.application.applicant
    client.force_login(applicant)
    assert issued.first_downloaded_at is None

    assert client.get(issued.get_download_url()).status_code == 200
    issued.refresh_from_db()
    first = issued.first_downloaded_at
    assert first is not None
    assert issued.first_downloaded_by == applicant

    assert client.get(issued.get_download_url()).status_code == 200
    issued.refresh_from_db()
    assert issued.first_downloaded_at == first


@pytest.mark.django_db
def test_a_notice_without_consent_is_not_offered_for_download(client, version):
    application = make_application(version, delivery_consent_at=None)
    document = document_issue(
        document=document_request(
            application=application, approved=True, approval_record=APPROVAL_RECORD
        )
    )
    assert document.is_issued
    assert document.electronic_delivery is False
    client.force_login(application.applicant)
    assert client.get(document.get_download_url()).status_code == 404
    document.refresh_from_db()
    assert document.first_downloaded_at is None


@pytest.mark.django_db
def test_an_unread_notice_is_reminded_once(
    issued, settings, django_capture_on_commit_callbacks
):
    settings.DOCUMENT_UNREAD_REMINDER_DAYS = 7
    IssuedDocument.objects.filter(pk=issued.pk).update(
        stored_at=timezone.now() - dt.timedelta(days=6)
    )
    call_command("documents_remind_unread", stdout=StringIO())
    assert mail.outbox == []  # not yet

    IssuedDocument.objects.filter(pk=issued.pk).update(
        stored_at=timezone.now() - dt.timedelta(days=8)
    )
    # Mail goes through the outbox, delivered after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("documents_remind_unread", stdout=StringIO())
        call_command("documents_remind_unread", stdout=StringIO())
    assert len(mail.outbox) == 1
    assert issued.number in mail.outbox[0].body
    assert mail.outbox[0].to == [issued.application.applicant.email]
    issued.refresh_from_db()
    assert issued.unread_reminded_at is not None


@pytest.mark.django_db
def test_a_downloaded_notice_is_not_reminded(issued, settings):
    document_record_download(document=issued, user=issued.application.applicant)
    IssuedDocument.objects.filter(pk=issued.pk).update(
        stored_at=timezone.now() - dt.timedelta(days=30)
    )
    call_command("documents_remind_unread", stdout=StringIO())
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_template_states_koin_shoryaku_and_its_honorific(version, tmp_path):
    from documents.defaults import PRESETS

    DocumentTemplate.objects.create(
        procedure_version=version,
        **PRESETS[DocumentTemplate.Preset.PERMIT],
        honorific="殿",
        print_seal=False,
    )
    application = make_application(
        version, applicant=ResidentFactory(full_name="髙橋 𠮷郎")
    )
    document = document_issue(
        document=document_request(
            application=application, approved=True, approval_record=APPROVAL_RECORD
        )
    )
    text = pdftotext(stored_bytes(document), tmp_path)
    assert "公印省略" in text
    assert "殿" in text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_downloads_record_one(issued):
    applicant = issued.application.applicant
    barrier = threading.Barrier(4)
    results: list = []

    def download() -> None:
        try:
            barrier.wait()
            results.append(document_record_download(document=issued, user=applicant))
        except Exception as exc:  # reported by the assertion below
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=download) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results, key=str) == [False, False, False, True], results
    issued.refresh_from_db()
    assert issued.first_downloaded_at is not None


@pytest.mark.django_db
def test_the_preview_shows_a_business_addressee_with_the_templates_seal_rule(
    client, version, tmp_path
):
    from django.urls import reverse

    from documents.defaults import PRESETS
    from tests.factories import AdministratorFactory
    from tests.second_factor import login_as

    version.applicant_kind = "business"
    version.save(update_fields=["applicant_kind"])
    DocumentTemplate.objects.create(
        procedure_version=version,
        **PRESETS[DocumentTemplate.Preset.PERMIT],
        honorific="殿",
        print_seal=False,
    )
    login_as(client, AdministratorFactory())
    response = client.get(reverse("documents:template_preview", args=[version.pk]))
    text = pdftotext(response.content, tmp_path)
    assert "株式会社見本商事" in text
    assert "代表取締役" in text
    assert "公印省略" in text

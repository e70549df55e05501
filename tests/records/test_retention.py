"""The end of the retention period (保存期間): what is due, disposal (廃棄) and
transfer to the archives (移管), each approved by an administrator, erasing
the personal data and leaving an anonymous register."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.models import AccessRecord, AuditEvent
from documents.models import IssuedDocument
from procedures.models import Application
from records.models import DisposalRecord, TransferBatch
from records.selectors import kept_until, records_due
from records.services import RecordsError, records_dispose
from tests.factories import AdministratorFactory
from tests.second_factor import login_as
from tests.workflow.helpers import approve_to_the_end
from workflow.models import CaseTask


@pytest.mark.parametrize(
    ("closed", "years", "until"),
    [
        (dt.date(2026, 12, 6), 5, dt.date(2032, 3, 31)),
        (dt.date(2027, 3, 31), 5, dt.date(2032, 3, 31)),  # still 令和8年度
        (dt.date(2027, 4, 1), 5, dt.date(2033, 3, 31)),  # 令和9年度
        (dt.date(2026, 4, 1), 1, dt.date(2028, 3, 31)),
        (dt.date(2026, 6, 1), 30, dt.date(2057, 3, 31)),
    ],
)
def test_the_period_counts_from_the_next_fiscal_year(closed, years, until):
    assert kept_until(closed=closed, years=years) == until


def _closed_on(application: Application, day: dt.date) -> None:
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(15)))
    Application.objects.filter(pk=application.pk).update(closed_at=moment)


@pytest.fixture
def decided(submit, org, signing, django_capture_on_commit_callbacks):
    """A granted case with an attachment, its notice issued, closed in 令和元年度."""
    application = submit(500_000, plan=True)
    with django_capture_on_commit_callbacks(execute=True):
        approve_to_the_end(application, org["people"])
    application.refresh_from_db()
    assert application.status == "approved"
    _closed_on(application, dt.date(2019, 11, 1))  # kept (5 years) to 2025-03-31
    return application


def test_only_closed_records_past_their_period_are_due(decided, submit):
    still_open = submit(300_000)
    assert list(records_due(today=dt.date(2025, 3, 31))) == []
    assert list(records_due(today=dt.date(2025, 4, 1))) == [decided]
    assert still_open not in records_due(today=dt.date(2099, 4, 1))

    version = decided.procedure_version
    version.retention_years = 10
    version.save(update_fields=["retention_years"])
    assert list(records_due(today=dt.date(2025, 4, 1))) == []


def test_an_administrator_disposes_of_a_due_record_and_its_data_is_gone(
    client, decided, org, django_capture_on_commit_callbacks
):
    attachment = decided.attachments.get()
    attachment_file = attachment.file.name
    storage = attachment.file.storage
    document = IssuedDocument.objects.get(application=decided)
    notice_file = document.file.name
    resident = decided.applicant
    login_as(client, org["people"]["tanto"])
    client.get(reverse("workflow:case_detail", args=[decided.public_id]))
    # What a decision leaves on the case: decided values and the draft.
    Application.objects.filter(pk=decided.pk).update(
        decision_data={"withheld": [{"part": "山田 太郎の住所"}]}
    )
    from workflow.models import Case

    Case.objects.filter(application=decided).update(
        draft={"applicant_message": "山田 太郎様の件"},
        draft_history=[{"by": "佐藤", "applicant_message": "山田 太郎様の件"}],
    )
    admin = AdministratorFactory()
    login_as(client, admin)
    url = reverse("records:due")

    page = client.get(url).content.decode()
    refused = client.post(url, {"application": [decided.pk], "action": "dispose"})
    assert decided.receipt_number in page
    assert refused.status_code == 400
    assert "元に戻せないことの確認" in refused.content.decode()
    assert Application.objects.get(pk=decided.pk).disposed_at is None

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"application": [decided.pk], "action": "dispose", "confirm": "on"}
        )

    assert response.status_code == 302
    decided.refresh_from_db()
    assert decided.disposed_at is not None
    assert decided.answers == {}
    assert decided.applicant_name == ""
    assert decided.applicant is None
    assert not decided.attachments.exists()
    assert not decided.events.exists()
    assert not storage.exists(attachment_file)
    document.refresh_from_db()
    assert document.snapshot == {}
    assert document.file.name == ""
    assert not storage.exists(notice_file)
    assert all(
        task.comment == "" and task.data == {}
        for task in CaseTask.objects.filter(application=decided)
    )
    assert decided.decision_data == {}
    decided.case.refresh_from_db()
    assert (decided.case.draft, decided.case.draft_history) == ({}, [])
    assert not AccessRecord.objects.exclude(detail="").exists()
    assert decided not in Application.objects.of(resident)
    record = DisposalRecord.objects.get()
    assert (record.action, record.receipt_number, record.approved_by) == (
        "dispose",
        decided.receipt_number,
        admin,
    )
    assert record.kept_until == dt.date(2025, 3, 31)
    assert record.document_number == document.number
    assert AuditEvent.objects.filter(action="records.dispose", actor=admin).exists()
    # The register shows it, and the notice's holder can still verify it.
    assert decided.receipt_number in client.get(url).content.decode()
    verify = client.get(document.get_verification_url())
    assert document.number in verify.content.decode()


def test_a_record_not_yet_due_cannot_be_disposed_of(submit, org, decided):
    fresh = submit(400_000)
    admin = AdministratorFactory()

    with pytest.raises(RecordsError):
        records_dispose(application_ids=[decided.pk, fresh.pk], actor=admin)

    assert not DisposalRecord.objects.exists()
    assert Application.objects.get(pk=decided.pk).disposed_at is None


def test_transfer_exports_the_records_and_erases_them_once_confirmed(client, decided):
    admin = AdministratorFactory()
    login_as(client, admin)
    answers = dict(decided.answers)

    response = client.post(
        reverse("records:due"), {"application": [decided.pk], "action": "export"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    manifest_bytes = archive.read("manifest.json")
    manifest = json.loads(manifest_bytes)
    (entry,) = manifest["records"]
    assert entry["receipt_number"] == decided.receipt_number
    kinds = {file["kind"] for file in entry["files"]}
    assert kinds == {"application", "notice", "attachment"}
    for file in entry["files"]:
        data = archive.read(file["path"])
        assert hashlib.sha256(data).hexdigest() == file["sha256"]
    record = json.loads(archive.read(f"{decided.receipt_number}/application.json"))
    assert record["answers"] == answers
    assert record["outcome"] == "approve"  # the permit default's 許可
    assert [a["level"] for a in record["approvals"]] == [0, 1, 2]
    notice = next(f for f in entry["files"] if f["kind"] == "notice")
    assert archive.read(notice["path"]).startswith(b"%PDF")
    batch = TransferBatch.objects.get()
    assert batch.manifest_sha256 == hashlib.sha256(manifest_bytes).hexdigest()
    # Nothing is erased before the archives confirm receipt.
    decided.refresh_from_db()
    assert decided.answers == answers

    client.post(reverse("records:transfer_confirm", args=[batch.pk]))

    decided.refresh_from_db()
    assert decided.disposed_at is not None
    assert decided.answers == {}
    batch.refresh_from_db()
    assert (batch.status, batch.confirmed_by) == ("transferred", admin)
    assert DisposalRecord.objects.get().action == "transfer"
    # A second confirmation changes nothing.
    client.post(reverse("records:transfer_confirm", args=[batch.pk]))
    assert DisposalRecord.objects.count() == 1


def test_the_records_pages_are_for_administrators(client, org, decided):
    login_as(client, org["people"]["kacho"])
    assert client.get(reverse("records:due")).status_code == 403


def test_the_scheduled_command_lists_what_is_due(decided, capsys):
    call_command("records_due")
    out = capsys.readouterr().out

    assert decided.receipt_number in out
    assert "kept until 2025-03-31" in out

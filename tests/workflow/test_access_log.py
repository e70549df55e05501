"""Every staff view of a resident's case, attachment or notice is recorded, and
an administrator lists, for one application, the staff who viewed it."""

import csv
import io

from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AccessRecord, AuditEvent
from tests.factories import AdministratorFactory
from tests.second_factor import login_as

from .helpers import approve_to_the_end


def _records(application):
    return list(
        AccessRecord.objects.filter(
            target_type="procedures.application", target_id=str(application.pk)
        ).order_by("id")
    )


def test_the_case_page_and_an_attachment_download_are_recorded(client, submit, org):
    tanto = org["people"]["tanto"]
    application = submit(500_000, plan=True)
    attachment = application.attachments.get()
    login_as(client, tanto)

    client.get(reverse("workflow:case_detail", args=[application.public_id]))
    client.get(
        reverse(
            "workflow:attachment_download",
            args=[application.public_id, attachment.pk],
        )
    )

    records = _records(application)
    assert [(r.user, r.what, r.channel) for r in records] == [
        (tanto, "case", "page"),
        (tanto, "attachment", "page"),
    ]
    assert records[1].detail == "事業計画書.pdf"
    assert records[0].ip_address == "127.0.0.1"


def test_views_through_the_api_are_recorded(submit, org):
    kacho = org["people"]["kacho"]
    application = submit(500_000, plan=True)
    attachment = application.attachments.get()
    api = APIClient()
    api.force_authenticate(kacho)

    case_url = f"/api/v1/staff/cases/{application.public_id}/"
    assert api.get(case_url).status_code == 200
    assert api.get(f"{case_url}attachments/{attachment.pk}/").status_code == 200

    assert [(r.user, r.what, r.channel) for r in _records(application)] == [
        (kacho, "case", "api"),
        (kacho, "attachment", "api"),
    ]


def test_the_notice_download_is_recorded(
    client, submit, org, signing, django_capture_on_commit_callbacks
):
    application = submit(500_000)
    with django_capture_on_commit_callbacks(execute=True):
        approve_to_the_end(application, org["people"])
    login_as(client, org["people"]["tanto"])

    response = client.get(
        reverse("workflow:document_download", args=[application.public_id])
    )

    assert response.status_code == 200
    assert [r.what for r in _records(application)] == ["document"]


def test_a_caseworker_refused_the_case_leaves_no_record(client, submit):
    from tests.factories import StaffFactory

    application = submit(500_000)
    login_as(client, StaffFactory())

    response = client.get(reverse("workflow:case_detail", args=[application.public_id]))

    assert response.status_code in (403, 404)
    assert _records(application) == []


def test_an_administrator_lists_who_viewed_an_application_and_downloads_it(
    client, submit, org
):
    application = submit(500_000)
    for person in ("tanto", "kakaricho"):
        login_as(client, org["people"][person])
        client.get(reverse("workflow:case_detail", args=[application.public_id]))
    admin = AdministratorFactory()
    login_as(client, admin)
    url = reverse("procedures_manage:access_log")

    page = client.get(url, {"receipt": application.receipt_number}).content.decode()
    download = client.get(url, {"receipt": application.receipt_number, "format": "csv"})

    assert "佐藤 花子" in page
    assert "鈴木 一郎" in page
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == ["佐藤 花子", "鈴木 一郎"]
    assert rows[1][3] == "案件（申請内容）"
    # Looking up the access log is itself audited.
    assert AuditEvent.objects.filter(action="access_log.view", actor=admin).count() == 2


def test_the_access_log_is_for_administrators_only(client, submit, org):
    application = submit(500_000)
    login_as(client, org["people"]["kacho"])

    response = client.get(
        reverse("procedures_manage:access_log"),
        {"receipt": application.receipt_number},
    )

    assert response.status_code == 403


def test_an_unknown_receipt_number_says_so(client, db):
    login_as(client, AdministratorFactory())

    response = client.get(
        reverse("procedures_manage:access_log"), {"receipt": "NO-SUCH-1"}
    )

    assert response.status_code == 200
    assert "NO-SUCH-1" in response.content.decode()
    assert "見つかりません" in response.content.decode()

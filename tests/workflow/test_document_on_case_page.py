"""The issued notice on the caseworker's case page: download, and a failed issue
that stays visible and can be retried."""

from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from documents.models import IssuedDocument
from tests.second_factor import verified_login

from .helpers import approve_to_the_end


def _decided(submit, org, django_capture_on_commit_callbacks):
    p = org["people"]
    application = submit(500_000)
    with django_capture_on_commit_callbacks(execute=True):
        approve_to_the_end(application, p)
    return application


def test_caseworkers_of_the_case_download_the_issued_notice(
    client, submit, org, signing, django_capture_on_commit_callbacks
):
    application = _decided(submit, org, django_capture_on_commit_callbacks)
    document = IssuedDocument.objects.get(application=application)
    verified_login(client, org["people"]["tanto"])

    page = client.get(
        reverse("workflow:case_detail", args=[application.public_id])
    ).content.decode()
    response = client.get(
        reverse("workflow:document_download", args=[application.public_id])
    )

    assert document.number in page
    assert reverse("workflow:document_download", args=[application.public_id]) in page
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_caseworker_outside_the_case_gets_404_for_its_notice(
    client, submit, org, signing, django_capture_on_commit_callbacks
):
    from tests.factories import StaffFactory

    application = _decided(submit, org, django_capture_on_commit_callbacks)
    verified_login(client, StaffFactory())
    url = reverse("workflow:document_download", args=[application.public_id])
    assert client.get(url).status_code == 404
    retry = reverse("workflow:document_retry", args=[application.public_id])
    assert client.post(retry).status_code == 404


def test_a_failed_notice_is_shown_with_its_error_and_retried_on_request(
    client, submit, org, signing, django_capture_on_commit_callbacks
):
    p = org["people"]
    application = submit(500_000)
    approve_to_the_end(application, p)  # the issue after commit never ran
    IssuedDocument.objects.filter(application=application).update(
        status=IssuedDocument.Status.FAILED,
        attempts=4,
        last_error="ConnectionError: storage unreachable",
        next_attempt_at=timezone.now() + timezone.timedelta(hours=1),
    )
    verified_login(client, p["kacho"])
    case_url = reverse("workflow:case_detail", args=[application.public_id])

    page = client.get(case_url).content.decode()
    assert "文書の作成に失敗しました（試行 4 回）" in page
    assert "storage unreachable" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("workflow:document_retry", args=[application.public_id])
        )

    assert response.status_code == 302
    document = IssuedDocument.objects.get(application=application)
    assert document.status == IssuedDocument.Status.ISSUED
    assert AuditEvent.objects.filter(action="workflow.document_retry").count() == 1
    # Nothing left to retry: a second request says so, and changes nothing.
    again = client.post(
        reverse("workflow:document_retry", args=[application.public_id]), follow=True
    )
    assert "再試行が必要な文書はありません。" in again.content.decode()

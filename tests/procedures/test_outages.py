"""Issue 16: with S3 down, an upload answers 503 "try again later" and the
resident's draft stays as it was; once S3 is back the same upload works.

The real SeaweedFS server of the test session is stopped by the test (and
started again), as an outage of the prefecture's object storage would.
"""

import pytest
from django.test import Client

from procedures.models import Application
from tests.procedures.conftest import login, pdf_upload

pytestmark = [pytest.mark.django_db, pytest.mark.s3]

RETRY_JA = "しばらくしてからもう一度お試しください"


@pytest.fixture
def browser(resident):
    # A browser sees the page the 500 handler answers; Django's test client
    # would re-raise the exception instead.
    return login(Client(raise_request_exception=False), resident)


def _draft_with_first_page(browser, procedure) -> Application:
    browser.post(f"/procedures/{procedure.code}/start/")
    application = Application.objects.order_by("-id").first()
    response = browser.post(
        f"/my/{application.public_id}/page/0/",
        {"name": "山田 太郎", "amount": "500000", "action": "next"},
    )
    assert response.status_code == 302
    return application


def test_upload_with_s3_down_answers_503_and_keeps_the_draft(
    browser, procedure, s3_storage, s3_server
):
    application = _draft_with_first_page(browser, procedure)
    page = f"/my/{application.public_id}/page/1/"
    s3_server.stop()
    try:
        response = browser.post(page, {"estimate": pdf_upload(), "action": "next"})

        assert response.status_code == 503
        assert RETRY_JA in response.content.decode()
        application.refresh_from_db()
        assert application.answers["name"] == "山田 太郎"
        assert application.answers["amount"] == 500000
        assert not application.answers.get("estimate")
        assert not application.attachments.exists()
    finally:
        s3_server.start()

    response = browser.post(page, {"estimate": pdf_upload(), "action": "next"})

    assert response.status_code == 302
    application.refresh_from_db()
    assert len(application.answers["estimate"]) == 1


def test_api_upload_with_s3_down_answers_503_json(
    browser, procedure, s3_storage, s3_server
):
    application = _draft_with_first_page(browser, procedure)
    s3_server.stop()
    try:
        response = browser.post(
            f"/api/v1/applications/{application.public_id}/attachments/",
            {"field": "estimate", "file": pdf_upload()},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    finally:
        s3_server.start()

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
    assert "Please try again in a little while" in response.json()["error"]["message"]
    assert not application.attachments.exists()

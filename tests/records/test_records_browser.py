"""The records, access-log and account-closing pages in Chromium: axe-core
finds nothing, in Japanese and in English, on a desktop and a phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.a11y import axe_violations
from tests.factories import AdministratorFactory
from tests.workflow.helpers import approve_to_the_end
from tests.workflow.test_accessibility import _check, _in_english, _login

from .test_retention import _closed_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_records_and_access_log_pages_have_no_axe_violations(
    live_server, page, submit, org, signing
):
    application = submit(500_000, plan=True)
    approve_to_the_end(application, org["people"])
    application.refresh_from_db()
    _closed_on(application, dt.date(2019, 11, 1))
    admin = AdministratorFactory(email="admin@example.jp")
    base = live_server.url
    _login(page, base, "/manage/login/", admin.email)
    found: list[str] = []
    urls = [
        base + reverse("records:due"),
        base
        + reverse("procedures_manage:access_log")
        + f"?receipt={application.receipt_number}",
    ]

    for url in urls:
        _check(page, url, found)
    assert page.url.endswith(urls[1].removeprefix(base))  # not sent elsewhere
    assert application.receipt_number in page.content()
    _in_english(page, base)
    for url in urls:
        _check(page, url, found)

    assert not found, "\n".join(found)


def test_account_closing_page_has_no_axe_violations(live_server, page):
    from tests.factories import ResidentFactory

    resident = ResidentFactory()
    base = live_server.url
    _login(page, base, "/accounts/login/", resident.email)
    found: list[str] = []

    _check(page, base + reverse("procedures:account_close"), found)
    page.get_by_role("button", name="退会する").click()
    assert "確認のチェックを入れてください" in page.content()
    if report := axe_violations(page):  # the page with its error summary
        found.append(report)

    assert not found, "\n".join(found)

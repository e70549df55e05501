"""axe-core finds nothing on the platform's main pages, in Debian's Chromium.

Every area is visited as its user would: the resident's catalogue, procedure
page, form, confirmation and application page; the caseworker's inbox and
case page; the administrator's procedure page, form builder and route page;
and the public verification page. WCAG 2.1 AA (colour contrast included) and
axe's best practices, 0 violations, on a desktop and a phone width.

Set A11Y_SCREENSHOTS to a folder to keep a screenshot of every page checked.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from forms_builder.services import form_version_create_draft
from procedures import services as procedure_services
from tests.a11y import axe_violations
from tests.factories import PASSWORD, AdministratorFactory, ResidentFactory
from tests.second_factor import browser_login

from .helpers import claim

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _login(page, base: str, path: str, email: str) -> None:
    # Staff through their second factor too: without it every staff page
    # would redirect to the enrolment page, and axe would check that instead.
    browser_login(page, base, path, email, PASSWORD)


SHOTS = os.environ.get("A11Y_SCREENSHOTS")


def _check(page, url: str, found: list[str]) -> None:
    page.goto(url)
    # A redirect (to a login or second-factor page) would check the wrong page.
    assert urlsplit(page.url).path == urlsplit(url).path, f"{url} -> {page.url}"
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        if report := axe_violations(page):
            found.append(f"{size['width']}px {report}")
        if SHOTS:
            name = re.sub(r"[^a-z0-9]+", "-", url.split("//", 1)[1].lower())
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            path = Path(SHOTS) / f"{name}-{size['width']}.png"
            page.screenshot(path=str(path), full_page=True)


def _in_english(page, base: str) -> None:
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}]
    )


def test_public_pages_have_no_axe_violations(live_server, page, version):
    found: list[str] = []
    for path in (
        "/",
        "/accounts/login/",
        "/accounts/register/",
        "/staff/login/",
        "/manage/login/",
        version.procedure.get_absolute_url(),
    ):
        _check(page, live_server.url + path, found)
    assert not found, "\n".join(found)


def test_api_docs_have_no_axe_violations_of_our_making(live_server, page):
    page.goto(live_server.url + "/api/docs/")
    page.wait_for_selector(".opblock")  # Swagger UI has drawn the operations
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / "api-docs.png"))
    # Swagger UI's own markup puts the path link inside the operation's button,
    # starts the operations at h3 and draws the API description outside its
    # own <main>: not ours to change (the bundle is used as it ships). The
    # colours, the language and the top heading are ours.
    report = axe_violations(
        page, skip=("nested-interactive", "heading-order", "region")
    )
    assert not report, report


@pytest.mark.parametrize("language", ["ja", "en"])
def test_residents_pages_have_no_axe_violations(
    live_server, page, version, submit, language
):
    base = live_server.url
    resident = ResidentFactory(email="hanako@example.jp")
    submitted = submit(500_000)
    submitted.applicant = resident
    submitted.save(update_fields=["applicant"])
    draft = procedure_services.application_start(
        procedure=version.procedure, applicant=resident
    )
    draft = procedure_services.application_save_answers(
        application=draft, answers={"name": "山田 花子", "amount": 300_000}
    )
    older = procedure_services.application_start(
        procedure=version.procedure, applicant=resident, resume_draft=False
    )
    procedure_services.application_save_answers(
        application=older, answers={"name": "山田 花子", "amount": 120_000}
    )
    found: list[str] = []
    _login(page, base, "/accounts/login/", resident.email)
    if language == "en":
        _in_english(page, base)
    # Two drafts of one procedure: two resume links with different names.
    page.goto(base + version.procedure.get_absolute_url())
    resume = page.get_by_role(
        "link", name=re.compile("続きから入力する|Continue your application")
    )
    names = {resume.nth(i).inner_text() for i in range(resume.count())}
    assert len(names) == 2, names
    for path in (
        "/procedures/",
        version.procedure.get_absolute_url(),
        f"/my/{draft.public_id}/page/0/",
        f"/my/{draft.public_id}/confirm/",
        f"/my/{submitted.public_id}/",
        "/my/",
        "/accounts/profile/",
        "/verify/",
    ):
        _check(page, base + path, found)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_caseworkers_pages_have_no_axe_violations(
    live_server, page, submit, org, language
):
    base = live_server.url
    application = submit(500_000, plan=True)
    taken = submit(800_000)
    claim(taken, org["people"]["tanto"])  # the decision form shows
    found: list[str] = []
    _login(page, base, "/staff/login/", "tanto@example.jp")
    if language == "en":
        _in_english(page, base)
    for path in (
        "/staff/",
        "/staff/inbox/",
        "/staff/inbox/?tab=mine",
        f"/staff/cases/{application.public_id}/",
        f"/staff/cases/{taken.public_id}/",
        # Issue 15: the case search, with results and with an error.
        "/staff/search/",
        "/staff/search/?submitted_from=2026-02-30",
        "/staff/notifications/",
    ):
        _check(page, base + path, found)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_administrators_pages_have_no_axe_violations(
    live_server, page, version, language
):
    base = live_server.url
    admin = AdministratorFactory(email="admin@example.jp")
    form = version.form_version.form
    draft = form_version_create_draft(form=form, actor=None)
    from core.models import OutboxMessage

    for status in ("failed", "sent"):
        OutboxMessage.objects.create(
            kind="webhook",
            status=status,
            recipient="福祉政策課 (Slack)",
            subject="新しいタスク",
            last_error="HTTPError: HTTP Error 500" if status == "failed" else "",
        )
    found: list[str] = []
    _login(page, base, "/manage/login/", admin.email)
    if language == "en":
        _in_english(page, base)
    for path in (
        "/manage/",
        "/manage/procedures/",
        f"/manage/procedures/{version.procedure.code}/",
        "/manage/forms/",
        form.get_absolute_url(),
        draft.get_absolute_url(),
        f"{draft.get_absolute_url()}preview/?lang=ja",
        f"{draft.get_absolute_url()}fields/amount/",
        f"{draft.get_absolute_url()}pages/main/",
        "/manage/routes/",
        f"/manage/routes/{version.pk}/",
        f"/manage/routes/{version.pk}/simulate/",
        "/manage/documents/",
        f"/manage/documents/{version.pk}/",
        "/api/tokens/",
        # Issue 15: chat deliveries, failed and sent, on the outbox page.
        "/manage/outbox/",
    ):
        _check(page, base + path, found)
    assert not found, "\n".join(found)

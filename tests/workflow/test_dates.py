"""Staff and administrators' pages show dates as residents' and documents do:
和暦 (with the time where it matters) in Japanese, '5 Dec 2026' in English,
never ISO (issue 11, item 16).

The pages' text is scanned, not their attributes: ``<time datetime="…">``
keeps the machine-readable ISO form on purpose.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from api.services import api_token_create, api_token_revoke, token_validity_days_for
from core.japanese import format_wareki
from tests.factories import AdministratorFactory, StaffFactory
from tests.second_factor import login_as

from .helpers import approve_to_the_end

pytestmark = pytest.mark.django_db

ISO_DATE = re.compile(r"\b\d{4}[-/]\d{1,2}[-/]\d{1,2}\b")
ENGLISH_DATE = re.compile(
    r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b"
)


class _Text(HTMLParser):
    """The text a person reads: no attributes, no script or style."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _text(response) -> str:
    assert response.status_code == 200, response
    parser = _Text()
    parser.feed(response.content.decode())
    return " ".join(" ".join(parser.parts).split())


@pytest.fixture
def cases(submit, org, signing, django_capture_on_commit_callbacks):
    """One case decided with its notice issued, one waiting in the 担当's inbox."""
    decided = submit(500_000)
    with django_capture_on_commit_callbacks(execute=True):
        approve_to_the_end(decided, org["people"])
    return decided, submit(300_000)


@pytest.fixture
def staff_pages(cases, version):
    decided, waiting = cases
    return [
        reverse("workflow:inbox"),
        reverse("workflow:case_detail", args=[decided.public_id]),
        reverse("workflow:case_detail", args=[waiting.public_id]),
    ]


@pytest.fixture
def manage_pages(version):
    form = version.form_version.form
    return [
        reverse("procedures_manage:detail", args=[version.procedure.code]),
        form.get_absolute_url(),
        reverse("api:tokens"),
    ]


@pytest.fixture
def administrator():
    admin = AdministratorFactory()
    days = token_validity_days_for(admin)[0]
    api_token_create(user=admin, name="集計用", days=days)
    token, _ = api_token_create(user=admin, name="旧", days=days)
    api_token_revoke(token=token, user=admin)
    return admin


def test_caseworker_and_admin_pages_show_wareki_not_iso(
    client, org, staff_pages, manage_pages, administrator
):
    today = format_wareki(timezone.localdate())
    login_as(client, org["people"]["tanto"])
    for path in staff_pages:
        text = _text(client.get(path))
        assert not ISO_DATE.findall(text), (path, ISO_DATE.findall(text))
        assert "令和" in text, path
    case_page = _text(client.get(staff_pages[1]))
    assert re.search(rf"{today} \d\d:\d\d", case_page)  # submitted, timeline
    login_as(client, administrator)
    for path in manage_pages:
        text = _text(client.get(path))
        assert not ISO_DATE.findall(text), (path, ISO_DATE.findall(text))
    assert re.search(rf"{today} \d\d:\d\d", _text(client.get(reverse("api:tokens"))))


def test_the_english_pages_show_the_english_date_style(
    client, org, staff_pages, manage_pages, administrator
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    login_as(client, org["people"]["tanto"])
    for path in staff_pages:
        text = _text(client.get(path))
        assert not ISO_DATE.findall(text), (path, ISO_DATE.findall(text))
        assert "令和" not in text, path
        assert ENGLISH_DATE.search(text), path
    login_as(client, administrator)
    text = _text(client.get(reverse("api:tokens")))
    assert not ISO_DATE.findall(text)
    assert ENGLISH_DATE.search(text)


def test_the_audit_log_shows_wareki_with_the_local_time(
    client, administrator, settings
):
    settings.DJANGO_ADMIN_ENABLED = True
    login_as(client, StaffFactory(is_superuser=True))

    text = _text(client.get(reverse("admin:core_auditevent_changelist")))

    assert not ISO_DATE.findall(text)
    assert re.search(rf"{format_wareki(timezone.localdate())} \d\d:\d\d", text)

"""Several drafts of one procedure can be told apart where they are offered to
resume: the time of saving, the page reached and the first answers, in the
link itself so each link's accessible name differs (issue 11, item 15)."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.conf import settings

from procedures import services
from procedures.models import Application

from .conftest import pdf_upload

pytestmark = pytest.mark.django_db

TOKYO = dt.timezone(dt.timedelta(hours=9))


def _draft(procedure, resident, *, amount, saved_at, files=None):
    draft = services.application_start(
        procedure=procedure, applicant=resident, resume_draft=False
    )
    services.application_save_answers(
        application=draft,
        answers={"name": "山田 太郎", "amount": amount},
        new_files=files or {},
    )
    # auto_now: the time of saving is set the way the database keeps it.
    Application.objects.filter(pk=draft.pk).update(updated_at=saved_at)
    return draft


@pytest.fixture
def two_drafts(procedure, resident):
    morning = _draft(
        procedure,
        resident,
        amount=500_000,
        saved_at=dt.datetime(2026, 11, 30, 9, 5, tzinfo=TOKYO),
    )
    evening = _draft(
        procedure,
        resident,
        amount=1_200_000,
        saved_at=dt.datetime(2026, 11, 30, 17, 20, tzinfo=TOKYO),
        files={"estimate": [pdf_upload()]},
    )
    return morning, evening


def _links(html: str, draft) -> list[str]:
    """The text (accessible name) of every link to ``draft``."""
    pattern = rf'<a [^>]*href="{draft.get_absolute_url()}"[^>]*>(.*?)</a>'
    return [
        " ".join(unescape(re.sub(r"<[^>]+>", " ", text)).split())
        for text in re.findall(pattern, html, flags=re.S)
    ]


def test_the_procedure_page_tells_two_drafts_of_the_same_day_apart(
    resident_client, procedure, two_drafts
):
    morning, evening = two_drafts

    html = resident_client.get(procedure.get_absolute_url()).content.decode()

    [first] = _links(html, morning)
    [second] = _links(html, evening)
    assert first != second
    assert "令和8年11月30日 09:05" in first
    assert "1 / 2 ページまで入力" in first
    assert "申請額: 500,000円" in first
    assert "令和8年11月30日 17:20" in second
    assert "2 / 2 ページまで入力" in second
    assert "申請額: 1,200,000円" in second
    # Newest first: the draft saved last is offered first.
    assert html.index(evening.get_absolute_url()) < html.index(
        morning.get_absolute_url()
    )


def test_my_applications_tells_the_drafts_apart_too(resident_client, two_drafts):
    morning, evening = two_drafts

    html = resident_client.get("/my/").content.decode()

    rows = {
        draft.pk: html[html.index(draft.get_absolute_url()) :].split("</li>")[0]
        for draft in (morning, evening)
    }
    first, second = (
        " ".join(unescape(re.sub(r"<[^>]+>", " ", rows[d.pk])).split())
        for d in (morning, evening)
    )
    assert "令和8年11月30日 09:05 に保存 1 / 2 ページまで入力" in first
    assert "申請額: 500,000円" in first
    assert "令和8年11月30日 17:20 に保存 2 / 2 ページまで入力" in second
    assert "申請額: 1,200,000円" in second


def test_the_english_page_tells_them_apart_in_english(
    resident_client, procedure, two_drafts
):
    morning, evening = two_drafts
    resident_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = resident_client.get(procedure.get_absolute_url()).content.decode()

    [first] = _links(html, morning)
    [second] = _links(html, evening)
    assert "saved 30 Nov 2026 09:05" in first
    assert "Filled in up to page 1 of 2" in first
    assert "Name: 山田 太郎, Amount: ¥500,000" in first
    assert "saved 30 Nov 2026 17:20" in second
    assert "Filled in up to page 2 of 2" in second

"""Issue 11 items 2, 7 and 8 on the resident's pages (posted as a browser
without JavaScript posts them): nothing typed or chosen is dropped without a
word, a question an answer reveals is shown rather than reported missing, and
valid attachments survive a post that fails on another field."""

from __future__ import annotations

import re
from typing import Any

import pytest

from procedures.models import Application, Attachment
from tests.procedures.conftest import make_form_version, make_procedure, pdf_upload

pytestmark = pytest.mark.django_db

PAGE = {
    "version": 1,
    "pages": [
        {
            "key": "request",
            "title": {"ja": "申請内容"},
            "fields": [
                {
                    "key": "purpose",
                    "type": "choice",
                    "label": {"ja": "目的"},
                    "required": True,
                    "options": [
                        {"value": "new", "label": {"ja": "新規"}},
                        {"value": "renewal", "label": {"ja": "更新"}},
                    ],
                },
                {
                    "key": "previous_number",
                    "type": "text",
                    "label": {"ja": "前回の許可番号"},
                    "required": True,
                    "show_if": {"==": [{"var": "purpose"}, "renewal"]},
                },
                {
                    "key": "members",
                    "type": "repeat",
                    "label": {"ja": "世帯員"},
                    "max_rows": 2,
                    "fields": [
                        {"key": "member", "type": "text", "label": {"ja": "氏名"}}
                    ],
                },
                {
                    "key": "amount",
                    "type": "amount",
                    "label": {"ja": "申請額"},
                    "required": True,
                },
                {
                    "key": "estimate",
                    "type": "file",
                    "label": {"ja": "見積書"},
                    "required": True,
                    "max_files": 2,
                    "accept": ["application/pdf"],
                },
            ],
        }
    ],
}


@pytest.fixture
def application(office, resident_client) -> Application:
    procedure = make_procedure(office)
    version = procedure.current_version
    version.form_version = make_form_version(PAGE)
    version.save(update_fields=["form_version"])
    response = resident_client.post(f"/procedures/{procedure.code}/start/")
    assert response.status_code == 302
    return Application.objects.get()


def _url(application: Application) -> str:
    return f"/my/{application.public_id}/page/0/"


def _shown(page: str) -> str | None:
    """The questions the page says it shows (sent back as the browser does)."""
    match = re.search(r'name="_fb_shown" value="([^"]*)"', page)
    return match[1] if match else None


def _post(client, application, **data: Any):
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(_url(application), {"action": "next", **data})


# --- item 2: rows beyond the maximum ------------------------------------------


def test_a_row_beyond_the_maximum_is_an_error_not_dropped(resident_client, application):
    page = resident_client.get(_url(application)).content.decode()
    response = _post(
        resident_client,
        application,
        _fb_shown=_shown(page),
        purpose="new",
        amount="1000",
        estimate=pdf_upload(),
        **{"members-rows": "3"},
        **{f"members-{n}-member": f"世帯員{n}" for n in range(3)},
    )
    assert response.status_code == 200  # the resident does not move on
    page = response.content.decode()
    assert "入力内容に問題があります" in page
    assert "世帯員 は 2 件までです。" in page
    assert 'value="世帯員2"' in page  # the third row is still there to fix
    application.refresh_from_db()
    assert "members" not in application.answers


# --- item 7: a question an answer reveals --------------------------------------


def test_a_revealed_question_is_shown_without_an_error(resident_client, application):
    page = resident_client.get(_url(application)).content.decode()
    response = _post(
        resident_client,
        application,
        _fb_shown=_shown(page),
        purpose="renewal",
        amount="1000",
        estimate=pdf_upload(),
    )
    assert response.status_code == 200  # stays on the page to answer it
    page = response.content.decode()
    assert "この項目は必須です" not in page
    assert "入力内容に問題があります" not in page
    assert "次の質問が表示されました" in page
    assert 'href="#fb-item-previous_number"' in page
    assert (
        re.search(r'id="fb-item-previous_number"[^>]*>', page)[0].find("hidden") == -1
    )
    assert "previous_number" in _shown(page).split()
    first = resident_client.get(_url(application)).content.decode()
    assert _shown(first) == "purpose members amount estimate"

    # Posted again without an answer, it is now missing like any other.
    response = _post(
        resident_client,
        application,
        _fb_shown=_shown(page),
        purpose="renewal",
        amount="1000",
    )
    assert "この項目は必須です" in response.content.decode()
    response = _post(
        resident_client,
        application,
        _fb_shown=_shown(page),
        purpose="renewal",
        previous_number="AB1234",
        amount="1000",
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.answers["previous_number"] == "AB1234"


def test_a_post_that_does_not_list_its_questions_is_checked_whole(
    resident_client, application
):
    # An older page (or a client) that does not send the list: every shown
    # question is checked, as before.
    response = _post(resident_client, application, purpose="renewal", amount="1")
    assert "この項目は必須です" in response.content.decode()


# --- item 8: valid attachments survive a failed post ---------------------------


def test_a_valid_attachment_is_kept_when_another_question_fails(
    resident_client, application
):
    page = resident_client.get(_url(application)).content.decode()
    response = _post(
        resident_client,
        application,
        _fb_shown=_shown(page),
        purpose="new",
        amount="たくさん",
        estimate=pdf_upload("見積書.pdf"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "半角または全角の数字で入力してください。" in page
    assert "ファイルを添付してください" not in page
    assert "添付済みのファイル" in page
    assert re.search(r"見積書.pdf（45\sバイト）を削除する", page)
    attachment = Attachment.objects.get()
    assert attachment.application == application
    application.refresh_from_db()
    assert [ref["id"] for ref in application.answers["estimate"]] == [attachment.pk]
    assert "amount" not in application.answers  # the failed page is not saved

    # The resident fixes the amount only; the file is still there.
    response = _post(
        resident_client,
        application,
        _fb_shown=_shown(page),
        purpose="new",
        amount="1000",
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.answers["amount"] == 1000
    assert [ref["name"] for ref in application.answers["estimate"]] == ["見積書.pdf"]


def test_a_kept_attachment_can_be_replaced(resident_client, application):
    page = resident_client.get(_url(application)).content.decode()
    _post(
        resident_client,
        application,
        _fb_shown=_shown(page),
        purpose="new",
        amount="",
        estimate=pdf_upload("古い見積書.pdf"),
    )
    old = Attachment.objects.get()
    response = _post(
        resident_client,
        application,
        _fb_shown=_shown(page),
        purpose="new",
        amount="1000",
        estimate=pdf_upload("新しい見積書.pdf"),
        **{"estimate-remove": str(old.pk)},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert [ref["name"] for ref in application.answers["estimate"]] == [
        "新しい見積書.pdf"
    ]


def test_a_file_that_fails_its_own_check_is_not_kept(resident_client, application):
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = resident_client.get(_url(application)).content.decode()
    response = _post(
        resident_client,
        application,
        _fb_shown=_shown(page),
        purpose="new",
        amount="1000",
        estimate=SimpleUploadedFile("見積書.pdf", b"just text", "application/pdf"),
    )
    assert "受け付けていない種類のファイル" in response.content.decode()
    assert not Attachment.objects.exists()


def test_uploads_are_kept_when_a_row_is_added_or_a_question_revealed(
    resident_client, application
):
    page = resident_client.get(_url(application)).content.decode()
    response = _post(
        resident_client,
        application,
        _fb_shown=_shown(page),
        purpose="renewal",  # reveals 前回の許可番号
        amount="1000",
        estimate=pdf_upload("一.pdf"),
    )
    assert "次の質問が表示されました" in response.content.decode()
    response = _post(
        resident_client,
        application,
        _fb_shown=_shown(response.content.decode()),
        purpose="renewal",
        amount="1000",
        estimate=pdf_upload("二.pdf"),
        _fb_action="add:members",
    )
    assert response.status_code == 200
    application.refresh_from_db()
    assert [ref["name"] for ref in application.answers["estimate"]] == [
        "一.pdf",
        "二.pdf",
    ]
    assert re.search(r"二.pdf（45\sバイト）を削除する", response.content.decode())


def test_a_post_to_a_page_the_answers_now_hide_says_it_was_not_saved(
    office, resident_client
):
    definition = {
        "version": 1,
        "pages": [
            {
                "key": "first",
                "title": {"ja": "一"},
                "fields": [PAGE["pages"][0]["fields"][0]],
            },
            {
                "key": "renewal",
                "title": {"ja": "更新"},
                "show_if": {"==": [{"var": "purpose"}, "renewal"]},
                "fields": [
                    {"key": "previous", "type": "text", "label": {"ja": "前回の番号"}}
                ],
            },
        ],
    }
    procedure = make_procedure(office)
    version = procedure.current_version
    version.form_version = make_form_version(definition)
    version.save(update_fields=["form_version"])
    resident_client.post(f"/procedures/{procedure.code}/start/")
    application = Application.objects.get()
    response = resident_client.post(
        f"/my/{application.public_id}/page/1/", {"previous": "AB1234"}, follow=True
    )
    assert "送信された内容は保存していません" in response.content.decode()

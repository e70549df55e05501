"""The demo's disclosure request decided 部分開示 on the case page (issue 14):
a caseworker adds rows without JavaScript, and the notice prints each part
withheld with its reason."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from documents.models import IssuedDocument
from procedures import services as procedure_services
from procedures.models import Procedure
from tests.second_factor import login_as

from .helpers import decide, disclosure_at_final, open_task

pytestmark = pytest.mark.django_db

OUTCOME = "disclose_partly"
PREFIX = f"dd-{OUTCOME}"


@pytest.fixture
def at_final():
    """A 公文書開示請求 by the demo resident, approved by 担当 and 係長."""
    return disclosure_at_final()


def _row(index: int, part: str, exemption: str, explanation: str) -> dict:
    return {
        f"{PREFIX}-withheld-{index}-part": part,
        f"{PREFIX}-withheld-{index}-exemption": exemption,
        f"{PREFIX}-withheld-{index}-explanation": explanation,
    }


def test_a_partial_disclosure_decided_on_the_case_page_prints_each_part_and_reason(
    client, at_final, signing, django_capture_on_commit_callbacks
):
    application = at_final
    kacho = User.objects.get(email="kacho@example.jp")
    login_as(client, kacho)
    page_url = reverse("workflow:case_detail", args=[application.public_id])
    page = client.get(page_url).content.decode()
    assert "「部分開示決定」と決定する（最終決裁）" in page
    assert "不開示とした部分とその理由" in page
    # One row to start, and the add-row button (a plain submit button).
    assert f'name="{PREFIX}-withheld-0-part"' in page
    assert f'name="{PREFIX}-withheld-1-part"' not in page
    assert f'name="{PREFIX}-_fb_action" value="add:withheld"' in page

    task = open_task(application)
    url = reverse("workflow:task_decide", args=[application.public_id, task.pk])
    first = _row(
        0, "3頁の申請者の氏名・住所", "personal", "特定の個人を識別できるため。"
    )
    message = "個人情報と審議中の内容を除いて開示します。"
    # 「行を追加」 without JavaScript: the page comes back with a second row,
    # what was typed is kept, and nothing is decided.
    response = client.post(
        url,
        {
            "decision": OUTCOME,
            "applicant_message": message,
            f"{PREFIX}-withheld-rows": "1",
            **first,
            f"{PREFIX}-_fb_action": "add:withheld",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'name="{PREFIX}-withheld-1-part"' in body
    assert "2 件目" in body
    assert 'value="3頁の申請者の氏名・住所"' in body
    assert message in body
    assert "判断を記録しました" not in body
    action = body.split('id="action-title"')[1].split("</form>")[0]
    assert "text-danger" not in action
    assert "invalid-feedback" not in action  # the decision form's own errors
    application.refresh_from_db()
    assert application.outcome is None

    second = _row(
        1,
        "5頁の審査委員の評点",
        "deliberation",
        "審議中で、率直な意見交換が損なわれるため。",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "decision": OUTCOME,
                "applicant_message": message,
                f"{PREFIX}-withheld-rows": "2",
                **first,
                **second,
            },
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.outcome.code == OUTCOME
    assert [row["part"] for row in application.decision_data["withheld"]] == [
        "3頁の申請者の氏名・住所",
        "5頁の審査委員の評点",
    ]

    document = IssuedDocument.objects.get(application=application)
    assert document.status == IssuedDocument.Status.ISSUED, document.last_error
    with document.file.open("rb") as stored:
        pdf = stored.read()
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    flat = "".join(text.split())
    assert "公文書部分開示決定通知書" in flat
    for words in [
        "3頁の申請者の氏名・住所",
        "個人情報",
        "特定の個人を識別できるため。",
        "5頁の審査委員の評点",
        "審議検討情報",
        "審議中で、率直な意見交換が損なわれるため。",
        "不開示とした部分とその理由",
        "個人情報と審議中の内容を除いて開示します。",
    ]:
        assert words in flat, words


def test_the_first_level_adds_rows_to_its_draft_without_javascript(client):
    call_command("seed_demo", allow_demo_passwords_in_production=True)
    procedure = Procedure.objects.get(code="kobunsho-kaiji-seikyu")
    application = procedure_services.application_start(
        procedure=procedure, applicant=User.objects.get(email="resident@example.jp")
    )
    application = procedure_services.application_save_answers(
        application=application,
        answers={
            "as_business": True,
            "corp_name": "株式会社かせい介護サービス",
            "rep_name": "架空 太郎",
            "postal_code": "100-0002",
            "address": "架空県架空市本町4-5-6",
            "phone": "000-000-0000",
            "documents": "介護サービス事業者の指定に関する審査記録",
            "receive_method": "electronic",
        },
        new_files={},
    )
    application = procedure_services.application_submit(application=application)
    tanto = User.objects.get(email="tanto@example.jp")
    login_as(client, tanto)
    task = open_task(application)
    url = reverse("workflow:task_decide", args=[application.public_id, task.pk])
    response = client.post(
        url,
        {
            "decision": "approve",
            "draft_outcome": OUTCOME,
            f"{PREFIX}-withheld-rows": "1",
            **_row(0, "2頁の担当者名", "personal", "個人を識別できるため。"),
            f"{PREFIX}-_fb_action": "add:withheld",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'name="{PREFIX}-withheld-1-explanation"' in body
    assert 'value="2頁の担当者名"' in body
    application.case.refresh_from_db()
    # Nothing recorded: the case still waits at the 担当, without a draft.
    assert application.case.level == 0
    assert not application.case.draft
    # The addressee is the business the request is from.
    assert "株式会社かせい介護サービス" in body


def test_a_drafted_partial_disclosure_shows_each_part_to_the_next_level(client):
    call_command("seed_demo", allow_demo_passwords_in_production=True)
    procedure = Procedure.objects.get(code="kobunsho-kaiji-seikyu")
    application = procedure_services.application_start(
        procedure=procedure, applicant=User.objects.get(email="resident@example.jp")
    )
    application = procedure_services.application_save_answers(
        application=application,
        answers={
            "as_business": False,
            "requester_name": {"name": "開示 請子", "kana": "カイジ セイコ"},
            "postal_code": "100-0001",
            "address": "架空県架空市中央1-2-3",
            "phone": "000-000-0000",
            "documents": "審査調書",
            "receive_method": "view",
        },
        new_files={},
    )
    application = procedure_services.application_submit(application=application)
    decide(
        application,
        User.objects.get(email="tanto@example.jp"),
        outcome=OUTCOME,
        decision_data={
            "withheld": [
                {
                    "part": "3頁の氏名",
                    "exemption": "personal",
                    "explanation": "個人を識別できるため。",
                },
                {
                    "part": "5頁の評点",
                    "exemption": "deliberation",
                    "explanation": "審議中のため。",
                },
            ]
        },
        applicant_message="一部を除いて開示します。",
    )
    login_as(client, User.objects.get(email="kakaricho@example.jp"))
    page = client.get(
        reverse("workflow:case_detail", args=[application.public_id])
    ).content.decode()
    draft = page.split('id="draft-title"')[1].split("</dl>")[0]
    assert "部分開示決定" in draft
    assert "部分: 3頁の氏名" in draft
    assert "審議検討情報" in draft
    assert "5頁の評点" in draft


def test_a_row_is_removed_without_javascript_and_nothing_else_typed_is_lost(
    client, at_final
):
    # Issue 14: 「この行を削除」 on each row of a decision form's repeating
    # group (a submit button): the page comes back without the row, the
    # rows after it moved up, every other answer kept, nothing decided.
    application = at_final
    login_as(client, User.objects.get(email="kacho@example.jp"))
    task = open_task(application)
    url = reverse("workflow:task_decide", args=[application.public_id, task.pk])
    message = "個人情報を除いて開示します。"
    response = client.post(
        url,
        {
            "decision": OUTCOME,
            "applicant_message": message,
            f"{PREFIX}-withheld-rows": "3",
            **_row(0, "1頁の氏名", "personal", "個人を識別できるため。"),
            **_row(1, "誤って足した行", "corporate", "消す行です。"),
            **_row(2, "5頁の評点", "deliberation", "審議中のため。"),
            f"{PREFIX}-_fb_action": "remove:withheld:1",
        },
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "誤って足した行" not in body
    assert f'name="{PREFIX}-withheld-2-part"' not in body
    assert 'value="1頁の氏名"' in body
    assert re.search(
        rf'name="{PREFIX}-withheld-1-part"[^>]*value="5頁の評点"', body
    ) or re.search(rf'value="5頁の評点"[^>]*name="{PREFIX}-withheld-1-part"', body)
    assert 'value="remove:withheld:1"' in body
    assert re.search(rf'name="{PREFIX}-withheld-rows" value="2"', body)
    assert message in body
    assert "text-danger" not in body.split('id="action-title"')[1].split("</form>")[0]
    application.refresh_from_db()
    assert application.outcome is None


def test_the_last_row_has_no_remove_button_and_enter_only_shows_the_page_again(
    client, at_final
):
    application = at_final
    login_as(client, User.objects.get(email="kacho@example.jp"))
    page = client.get(
        reverse("workflow:case_detail", args=[application.public_id])
    ).content.decode()
    # One row and at least one required: nothing to remove.
    assert 'value="remove:withheld:0" data-remove-row hidden' in page
    # The form's first submit button, which Enter in a field presses.
    form = page.split('id="action-title"')[1]
    first_button = re.search(r"<button[^>]*>", form).group(0)
    assert f'name="{PREFIX}-_fb_action" value="show"' in first_button

    task = open_task(application)
    url = reverse("workflow:task_decide", args=[application.public_id, task.pk])
    response = client.post(
        url,
        {
            "decision": OUTCOME,
            f"{PREFIX}-withheld-rows": "1",
            **_row(0, "1頁の氏名", "personal", "個人を識別できるため。"),
            f"{PREFIX}-_fb_action": "show",
        },
    )

    assert response.status_code == 200
    assert 'value="1頁の氏名"' in response.content.decode()
    application.refresh_from_db()
    assert application.outcome is None

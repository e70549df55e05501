"""Internal comments and messages to the applicant (issue 11, item 1).

The final decider's comment, written for colleagues, appeared word for word
on the resident's timeline, in the API's ``timeline`` and in English too.
Every text staff write now says who reads it: an internal comment never
reaches the resident (pages, API, e-mail, the notice); a message to the
applicant does, labelled as such where it is written.
"""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from api.services import api_token_create
from documents.models import IssuedDocument
from procedures.models import Application, ApplicationEvent
from procedures.services import application_resubmit
from tests.second_factor import give_second_factor, login_as
from workflow import services
from workflow.models import PostReview

from .helpers import claim, decide, open_task

pytestmark = pytest.mark.django_db

Kind = ApplicationEvent.Kind
APPLICANT_LABEL = "申請者へのメッセージ（申請者に表示されます）"
INTERNAL_LABEL = "内部コメント（申請者には表示されません）"


def _resident_api(application: Application) -> APIClient:
    client = APIClient()
    _token, raw = api_token_create(user=application.applicant, name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def _everything_the_resident_can_read(client, application: Application) -> str:
    """The resident's page in both languages, their API answers and their mail."""
    login_as(client, application.applicant)
    url = application.get_absolute_url()
    pages = [client.get(url).content.decode()]
    client.cookies["django_language"] = "en"
    pages.append(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    del client.cookies["django_language"]
    api = _resident_api(application)
    answers = [
        api.get(f"/api/v1/applications/{application.public_id}/").json(),
        api.get(
            f"/api/v1/applications/{application.public_id}/",
            HTTP_ACCEPT_LANGUAGE="en",
        ).json(),
        api.get("/api/v1/applications/").json(),
    ]
    mails = [
        f"{message.subject}\n{message.body}"
        for message in mail.outbox
        if application.applicant.email in message.to
    ]
    documents = [
        json.dumps(document.snapshot, ensure_ascii=False)
        for document in IssuedDocument.objects.filter(application=application)
    ]
    return "\n".join(
        [*pages, json.dumps(answers, ensure_ascii=False), *mails, *documents]
    )


def test_the_final_deciders_internal_comment_never_reaches_the_resident(
    client, submit, org, signing, django_capture_on_commit_callbacks
):
    p = org["people"]
    application = submit(500_000)
    decide(application, p["tanto"])
    decide(application, p["kakaricho"])
    with django_capture_on_commit_callbacks(execute=True):
        decide(
            application,
            p["kacho"],
            internal_comment="申請者は前年度に書類の不備が多かった。念のため実地確認を。",
            applicant_message="事業が終わったら、30日以内に実績報告書を出してください。",
        )
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED

    seen = _everything_the_resident_can_read(client, application)

    assert "書類の不備が多かった" not in seen
    assert "実地確認" not in seen
    # The message meant for them is there: page, API and the decision's mail.
    assert seen.count("30日以内に実績報告書を出してください。") >= 4
    mine = _resident_api(application).get(
        f"/api/v1/applications/{application.public_id}/"
    )
    decided = [e for e in mine.json()["timeline"] if e["kind"] == "decided_approve"]
    assert decided[0]["message"] == (
        "事業が終わったら、30日以内に実績報告書を出してください。"
    )
    assert set(decided[0]) == {"kind", "kind_label", "created_at", "message"}
    login_as(client, application.applicant)
    page = client.get(application.get_absolute_url()).content.decode()
    assert (
        '<span class="fw-bold">担当課からのメッセージ:</span> 事業が終わったら' in page
    )


def test_every_text_written_for_colleagues_stays_on_the_staff_side(
    client, submit, org, absence, signing, django_capture_on_commit_callbacks
):
    """差戻し, 合議 and its opinion, 引戻し, 補正's note, 後閲, the refusal's note."""
    p, sections, positions = org["people"], org["sections"], org["positions"]
    absence()  # the 課長 is away: the 係長 decides in her place (代決, then 後閲)
    with django_capture_on_commit_callbacks(execute=True):
        application = submit(500_000)
    with django_capture_on_commit_callbacks(execute=True):
        decide(
            application,
            p["tanto"],
            decision="amend",
            applicant_message="見積書の金額を直してください。",
            internal_comment="内部1 電話で本人に確認済み",
        )
    application.refresh_from_db()
    application_resubmit(application=application)
    decide(application, p["tanto"], internal_comment="内部2 書類は揃った")
    services.case_pull_back(
        case_id=application.case.pk, user=p["tanto"], comment="内部3 添付の見落とし"
    )
    task = open_task(application)
    services.task_decide(
        task_id=task.pk,
        case_id=task.process_id,
        user=p["tanto"],
        decision="consult",
        internal_comment="内部4 財政課に予算を確認",
        consult_slot=f"workflow.slot_s{sections['zaisei'].pk}_p{positions['tanto'].pk}",
        consult_label="財政課 担当",
    )
    decide(
        application, p["zaisei_tanto"], kind="consult", internal_comment="内部5 予算内"
    )
    decide(application, p["tanto"])
    decide(
        application,
        p["kakaricho"],
        decision="send_back",
        target_level=0,
        internal_comment="内部6 計算をやり直して",
    )
    decide(application, p["tanto"])
    decide(application, p["kakaricho"])
    with django_capture_on_commit_callbacks(execute=True):
        decide(
            application,
            p["kakaricho"],  # 代決 for the absent 課長
            decision="reject",
            applicant_message="対象となる施設の要件を満たしていないためです。",
            internal_comment="内部7 課長の判断も同じはず",
        )
    review = PostReview.objects.get(application=application)
    services.post_review_complete(
        post_review_id=review.pk, user=p["kacho"], comment="内部8 了解"
    )
    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED

    seen = _everything_the_resident_can_read(client, application)

    assert [n for n in range(1, 9) if f"内部{n}" in seen] == []
    assert "見積書の金額を直してください。" in seen
    # The refusal's reason is on the page, in the API and printed on the notice.
    assert seen.count("対象となる施設の要件を満たしていないためです。") >= 4
    document = IssuedDocument.objects.get(application=application)
    assert (
        document.snapshot["reason"] == "対象となる施設の要件を満たしていないためです。"
    )

    # Staff see every text, each under its own label.
    login_as(client, p["tanto"])
    staff_page = client.get(
        reverse("workflow:case_detail", args=[application.public_id])
    ).content.decode()
    for n in range(1, 8):
        assert f"内部{n}" in staff_page
    assert "申請者へのメッセージ（申請者に表示）" in staff_page
    assert "内部コメント（申請者には非表示）" in staff_page


def test_the_staff_api_gives_each_text_its_own_key(submit, org):
    p = org["people"]
    application = submit(500_000)
    decide(
        application,
        p["tanto"],
        decision="amend",
        applicant_message="見積書を添付してください。",
        internal_comment="前回も添付漏れ",
    )
    client = APIClient()
    give_second_factor(p["tanto"])  # staff tokens need an authenticator
    _token, raw = api_token_create(user=p["tanto"], name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    case = client.get(f"/api/v1/staff/cases/{application.public_id}/").json()
    event = next(e for e in case["timeline"] if e["kind"] == "amendment_requested")
    assert event["applicant_message"] == "見積書を添付してください。"
    assert event["internal_comment"] == "前回も添付漏れ"
    assert "message" not in event
    task = next(t for t in case["tasks"] if t["decision"] == "amend")
    assert task["applicant_message"] == "見積書を添付してください。"
    assert task["internal_comment"] == "前回も添付漏れ"


def test_the_decision_form_labels_who_reads_each_text(client, submit, org):
    p = org["people"]
    application = submit(500_000)
    decide(application, p["tanto"])
    decide(application, p["kakaricho"])
    claim(application, p["kacho"])
    login_as(client, p["kacho"])
    url = reverse("workflow:case_detail", args=[application.public_id])

    page = client.get(url).content.decode()
    assert APPLICANT_LABEL in page
    assert INTERNAL_LABEL in page
    # With JavaScript, the message shows for the decisions that reach the
    # applicant only (at the final level: approve, amend, reject).
    assert 'data-show-for="approve amend reject"' in page

    client.cookies["django_language"] = "en"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Message to the applicant (shown to the applicant)" in english
    assert "Internal comment (never shown to the applicant)" in english


def test_a_refusal_without_a_message_to_the_applicant_is_refused_next_to_it(
    client, submit, org
):
    p = org["people"]
    application = submit(500_000)
    decide(application, p["tanto"])
    decide(application, p["kakaricho"])
    task = claim(application, p["kacho"])
    login_as(client, p["kacho"])
    url = reverse("workflow:task_decide", args=[application.public_id, task.pk])

    # An internal comment is no reason given to the applicant (行政手続法第8条).
    response = client.post(url, {"decision": "reject", "internal_comment": "不可"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "不許可の理由を「申請者へのメッセージ」に入力してください" in page
    assert 'id="id_applicant_message-error"' in page
    assert "不可</textarea>" in page  # nothing typed is lost
    with pytest.raises(services.WorkflowError) as refused:
        services.task_decide(
            task_id=task.pk,
            case_id=task.process_id,
            user=p["kacho"],
            decision="reject",
            internal_comment="不可",
        )
    assert refused.value.code == "applicant_message_invalid"


def test_a_message_to_the_applicant_on_an_internal_step_is_refused_not_dropped(
    client, submit, org
):
    p = org["people"]
    application = submit(500_000)
    task = claim(application, p["tanto"])
    login_as(client, p["tanto"])
    url = reverse("workflow:task_decide", args=[application.public_id, task.pk])

    response = client.post(
        url, {"decision": "approve", "applicant_message": "確認しました"}
    )

    assert response.status_code == 400
    assert "申請者へのメッセージは送れません" in response.content.decode()
    assert open_task(application).step_label == "担当"

"""Decisions with content (issue 14): outcomes, decision data, their words."""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest
from django.urls import reverse

from forms_builder.services import form_create, form_version_publish
from procedures.models import Application, Outcome
from procedures.outcomes import import_outcomes
from tests.second_factor import login_as
from workflow import services

from .helpers import claim, decide, notice_text

DECISION_DEFINITION = {
    "version": 1,
    "pages": [
        {
            "key": "decision",
            "title": {"ja": "決定内容"},
            "fields": [
                {
                    "key": "granted_amount",
                    "type": "amount",
                    "label": {"ja": "交付決定額（円）"},
                    "required": True,
                },
                {
                    "key": "conditions",
                    "type": "textarea",
                    "label": {"ja": "交付の条件"},
                },
            ],
        }
    ],
}


@pytest.fixture
def decision_form(db):
    form = form_create(
        code="kettei", title="交付決定", definition=DECISION_DEFINITION, actor=None
    )
    return form_version_publish(version=form.versions.get(), actor=None)


@pytest.fixture
def grants(version, decision_form):
    """The version decides 交付決定 / 減額交付決定 / 不交付決定."""
    limit = [{"field": "granted_amount", "answer": "amount"}]
    import_outcomes(
        version,
        {
            "outcomes": [
                {
                    "code": "grant",
                    "kind": "favourable",
                    "label": "交付決定",
                    "status_label": "交付決定",
                    "notice_title": "交付決定通知書",
                    "reason_required": False,
                    "decision_form": decision_form,
                    "limits": limit,
                },
                {
                    "code": "grant_reduced",
                    "kind": "partial",
                    "label": "減額交付決定",
                    "notice_title": "減額交付決定通知書",
                    "decision_form": decision_form,
                    "limits": limit,
                },
                {
                    "code": "no_grant",
                    "kind": "unfavourable",
                    "label": "不交付決定",
                    "notice_title": "不交付決定通知書",
                },
            ]
        },
    )
    return version


def _to_final(application: Any, people: dict[str, Any]) -> None:
    decide(application, people["tanto"])
    decide(application, people["kakaricho"])


@pytest.fixture
def at_final(grants, submit, org):
    """An application of 500,000 yen waiting for the 課長's final decision."""
    application = submit(500_000)
    _to_final(application, org["people"])
    return application


def _refused(application: Any, people: dict[str, Any], **decision: Any) -> Any:
    with pytest.raises(services.WorkflowError) as refused:
        decide(application, people["kacho"], **decision)
    application.refresh_from_db()
    assert application.outcome is None
    return refused.value


@pytest.mark.parametrize(
    ("code", "data", "message", "status", "words"),
    [
        (
            "grant",
            {"granted_amount": 500_000, "conditions": "実績を報告すること。"},
            "",
            Application.Status.APPROVED,
            ["交付決定通知書", "500,000", "実績を報告すること。"],
        ),
        (
            "grant_reduced",
            {"granted_amount": 300_000},
            "対象外の経費を除きました。",
            Application.Status.APPROVED,
            ["減額交付決定通知書", "300,000", "理由", "対象外の経費を除きました。"],
        ),
        (
            "no_grant",
            {},
            "予算の範囲を超えています。",
            Application.Status.REJECTED,
            ["不交付決定通知書", "理由", "予算の範囲を超えています。"],
        ),
    ],
)
def test_each_outcome_kind_is_recorded_and_printed_in_its_own_words(
    grants,
    submit,
    org,
    signing,
    django_capture_on_commit_callbacks,
    code,
    data,
    message,
    status,
    words,
):
    p = org["people"]
    application = submit(500_000)
    _to_final(application, p)
    with django_capture_on_commit_callbacks(execute=True):
        decide(
            application,
            p["kacho"],
            decision=code,
            decision_data=data,
            applicant_message=message,
        )
    application.refresh_from_db()
    assert application.outcome.code == code
    assert application.decision_data == data
    assert application.status == status
    # The resident's status speaks the outcome, never 許可・交付済み.
    assert (
        application.status_text
        == Outcome.objects.get(procedure_version=grants, code=code).status_text
    )
    assert "許可" not in application.status_text
    text = notice_text(application)
    for word in words:
        assert word in text
    assert "許可書" not in text


@pytest.mark.parametrize("code", ["grant_reduced", "no_grant"])
def test_an_unfavourable_or_partial_outcome_needs_its_reason(at_final, org, code):
    refused = _refused(
        at_final,
        org["people"],
        decision=code,
        decision_data={"granted_amount": 100} if code != "no_grant" else {},
    )
    assert refused.code == "applicant_message_invalid"
    assert "理由" in refused.message


def test_a_granted_amount_above_the_request_is_refused_by_field(at_final, org):
    errors = _refused(
        at_final,
        org["people"],
        decision="grant",
        decision_data={"granted_amount": 500_001, "surprise": 1},
    ).errors
    assert "500,000以下にしてください" in errors["granted_amount"][0]
    # A key the decision form does not know is refused, not dropped.
    assert "surprise" in errors


def test_decision_data_is_checked_by_the_form_builders_rules(at_final, org):
    refused = _refused(
        at_final,
        org["people"],
        decision="grant",
        decision_data={"granted_amount": "たくさん"},
    )
    assert "granted_amount" in refused.errors


def test_approve_and_reject_name_the_versions_first_outcomes(grants, submit, org):
    p = org["people"]
    application = submit(500_000)
    _to_final(application, p)
    decide(
        application,
        p["kacho"],
        decision="reject",
        applicant_message="予算の範囲を超えています。",
    )
    application.refresh_from_db()
    assert application.outcome.code == "no_grant"


def test_only_the_final_level_decides_an_outcome(grants, submit, org):
    p = org["people"]
    application = submit(500_000)
    with pytest.raises(services.WorkflowError) as refused:
        decide(application, p["tanto"], decision="decide", outcome="grant")
    assert refused.value.code == "not_final"


def test_the_case_page_shows_the_outcomes_and_refuses_an_amount_next_to_its_field(
    client, grants, submit, org
):
    p = org["people"]
    application = submit(500_000)
    _to_final(application, p)
    task = claim(application, p["kacho"])
    login_as(client, p["kacho"])
    page = client.get(
        reverse("workflow:case_detail", args=[application.public_id])
    ).content.decode()
    assert "「交付決定」と決定する（最終決裁）" in page
    assert "「不交付決定」と決定する（最終決裁）" in page
    assert 'name="dd-grant-granted_amount"' in page

    url = reverse("workflow:task_decide", args=[application.public_id, task.pk])
    response = client.post(
        url, {"decision": "grant", "dd-grant-granted_amount": "600000"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    field_at = body.index('name="dd-grant-granted_amount"')
    error_at = body.index("500,000以下にしてください")
    # The message sits in the field's block, right after its input as on the
    # resident's pages, and the input is marked invalid and points at it.
    assert 0 < error_at - field_at < 600
    tag = body[body.rindex("<input", 0, field_at) : body.index(">", field_at)]
    assert 'aria-invalid="true"' in tag
    assert "form-control" in tag

    response = client.post(
        url,
        {
            "decision": "grant",
            "dd-grant-granted_amount": "450000",
            "dd-grant-conditions": "実績を報告すること。",
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.decision_data == {
        "granted_amount": 450_000,
        "conditions": "実績を報告すること。",
    }
    page = client.get(
        reverse("workflow:case_detail", args=[application.public_id])
    ).content.decode()
    assert "交付決定額（円）" in page
    assert "450,000" in page


def test_the_case_page_asks_the_reason_of_a_refusal_in_the_outcomes_words(
    client, grants, submit, org
):
    p = org["people"]
    application = submit(500_000)
    _to_final(application, p)
    task = claim(application, p["kacho"])
    login_as(client, p["kacho"])
    url = reverse("workflow:task_decide", args=[application.public_id, task.pk])
    response = client.post(url, {"decision": "no_grant"})
    assert response.status_code == 400
    assert (
        "不交付決定の理由を「申請者へのメッセージ」に入力してください"
        in response.content.decode()
    )


def test_the_resident_reads_the_outcome_in_the_mail_and_on_their_page(
    client, grants, submit, org, mailoutbox, django_capture_on_commit_callbacks
):
    p = org["people"]
    application = submit(500_000)
    _to_final(application, p)
    with django_capture_on_commit_callbacks(execute=True):
        decide(
            application,
            p["kacho"],
            decision="no_grant",
            applicant_message="予算の範囲を超えています。",
            internal_comment="課内の事情。",
        )
    mail = next(m for m in mailoutbox if "審査の結果" in m.subject)
    assert "決定: 不交付決定" in mail.body
    assert "予算の範囲を超えています。" in mail.body
    assert "課内の事情。" not in mail.body
    application.refresh_from_db()
    login_as(client, application.applicant)
    page = client.get(application.get_absolute_url()).content.decode()
    assert "決定（不交付決定）" in page
    assert "不許可" not in page
    assert "課内の事情。" not in page


def _outcome_rows(version: Any) -> list[tuple]:
    return [
        (
            outcome.code,
            outcome.kind,
            outcome.label,
            outcome.notice_title,
            outcome.reason_required,
            outcome.limits,
            outcome.decision_form.definition if outcome.decision_form else None,
        )
        for outcome in version.outcomes.order_by("order", "pk")
    ]


def test_a_package_round_trips_outcomes_and_decision_forms(grants):
    from procedures import packages

    text = packages.package_dumps(packages.package_export(version=grants))
    imported = packages.package_import(package=packages.package_loads(text), actor=None)
    assert imported.pk != grants.pk
    assert _outcome_rows(imported) == _outcome_rows(grants)
    assert _outcome_rows(imported)[0][-1] == DECISION_DEFINITION


def test_a_package_whose_refusal_states_no_reason_is_refused(grants):
    from procedures import packages

    package = packages.package_export(version=grants)
    package["sections"]["outcomes"]["outcomes"][2]["reason_required"] = False
    with pytest.raises(packages.PackageError) as refused:
        packages.package_import(package=package, actor=None)
    assert "行政手続法第8条" in refused.value.message


def test_a_draft_amended_at_a_later_level_keeps_its_history_and_is_decided_as_it_stands(
    client, grants, submit, org
):
    p = org["people"]
    application = submit(500_000)
    # 起案: the first level drafts the decision as it passes the case on.
    decide(
        application,
        p["tanto"],
        outcome="grant",
        decision_data={"granted_amount": 500_000, "conditions": "報告すること。"},
    )
    # 回議: the next level amends it (a reduced grant, with its reason).
    decide(
        application,
        p["kakaricho"],
        outcome="grant_reduced",
        decision_data={"granted_amount": 350_000, "conditions": "報告すること。"},
        applicant_message="対象外の経費を除きました。",
    )
    case = application.case
    case.refresh_from_db()
    assert case.draft["outcome"] == "grant_reduced"
    history = case.draft_history
    assert [(h["action"], h["position"], h["by"]) for h in history] == [
        ("drafted", "担当", "佐藤 花子"),
        ("amended", "係長", "鈴木 一郎"),
    ]
    assert history[1]["changes"]["decision_data.granted_amount"] == {
        "from": 500_000,
        "to": 350_000,
    }
    assert history[1]["changes"]["outcome"] == {
        "from": "交付決定",
        "to": "減額交付決定",
    }

    # Every level sees the difference and the notice as it would be issued.
    task = claim(application, p["kacho"])
    login_as(client, p["kacho"])
    page = client.get(
        reverse("workflow:case_detail", args=[application.public_id])
    ).content.decode()
    assert "起案と修正の履歴" in page
    # Each change by its label, its values as the form shows them, the time
    # in local 和暦 (QA walk: keys, 500000 and 2026-12-0608:10 UTC before).
    assert "交付決定額（円）: <del>500,000円</del> → <ins>350,000円</ins>" in page
    assert "決定: <del>交付決定</del> → <ins>減額交付決定</ins>" in page
    assert "decision_data." not in page
    assert re.search(r"<time datetime=\"[^\"]+\+09:00\">令和\d+年", page)
    preview = client.get(
        reverse("workflow:case_draft_preview", args=[application.public_id])
    )
    assert preview.status_code == 200
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=preview.content,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "案" in text
    assert "減額交付決定通知書" in text
    assert "350,000" in text
    assert "対象外の経費を除きました。" in text

    # 決裁: the final level approves the draft as it stands.
    services.task_decide(
        task_id=task.pk, case_id=task.process_id, user=p["kacho"], decision="approve"
    )
    application.refresh_from_db()
    assert application.outcome.code == "grant_reduced"
    assert application.decision_data["granted_amount"] == 350_000
    decided = application.events.get(kind="decided_approve")
    assert decided.applicant_message == "対象外の経費を除きました。"


def test_a_draft_above_the_request_is_refused_when_drafted(grants, submit, org):
    application = submit(500_000)
    with pytest.raises(services.DecisionDataInvalid) as refused:
        decide(
            application,
            org["people"]["tanto"],
            outcome="grant",
            decision_data={"granted_amount": 600_000},
        )
    assert "granted_amount" in refused.value.errors


def test_the_first_level_drafts_on_the_case_page(client, grants, submit, org):
    p = org["people"]
    application = submit(500_000)
    task = claim(application, p["tanto"])
    login_as(client, p["tanto"])
    url = reverse("workflow:task_decide", args=[application.public_id, task.pk])
    response = client.post(
        url,
        {
            "decision": "approve",
            "draft_outcome": "grant",
            "dd-grant-granted_amount": "420000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    application.case.refresh_from_db()
    assert application.case.draft["decision_data"]["granted_amount"] == 420_000
    assert application.case.draft["outcome"] == "grant"


def test_a_level_with_a_draft_consults_without_clearing_the_drafts_message(
    client, grants, submit, org
):
    """QA walk: the draft's reason fills in the (hidden) message field; a
    合議 sends the applicant nothing, so the page must not refuse it for
    carrying that text, and the draft keeps its message."""
    p, sections, positions = org["people"], org["sections"], org["positions"]
    application = submit(500_000)
    reason = "対象外の経費を除きました。\n詳しくは別紙のとおりです。"
    decide(
        application,
        p["tanto"],
        outcome="grant_reduced",
        decision_data={"granted_amount": 300_000},
        applicant_message=reason,
    )
    task = claim(application, p["kakaricho"])
    login_as(client, p["kakaricho"])
    page = client.get(
        reverse("workflow:case_detail", args=[application.public_id])
    ).content.decode()
    assert "詳しくは別紙のとおりです。" in page  # the field comes filled in
    slot = f"workflow.slot_s{sections['zaisei'].pk}_p{positions['kacho'].pk}"
    response = client.post(
        reverse("workflow:task_decide", args=[application.public_id, task.pk]),
        {
            "decision": "consult",
            "consult_to": slot,
            "internal_comment": "予算の裏付けを確認したい。",
            # As the browser posts the untouched fields: the draft's message,
            # its outcome still chosen and its decided values filled in.
            "applicant_message": reason.replace("\n", "\r\n"),
            "draft_outcome": "grant_reduced",
            "dd-grant_reduced-granted_amount": "300000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    application.case.refresh_from_db()
    (consultation,) = application.case.consultations
    assert consultation["status"] == "open"
    assert application.case.draft["applicant_message"] == reason
    consulted = application.events.get(kind="consulted")
    assert consulted.applicant_message == ""
    assert consulted.visible_to_applicant is False

    # Text the caseworker did write for a 合議 is still refused, not dropped.
    decide(
        application,
        p["zaisei_kacho"],
        kind="consult",
        opinion="agree",
        internal_comment="異議ありません。",
    )
    task = claim(application, p["kakaricho"])
    refused = client.post(
        reverse("workflow:task_decide", args=[application.public_id, task.pk]),
        {
            "decision": "consult",
            "consult_to": slot,
            "internal_comment": "もう一度確認したい。",
            "applicant_message": "申請者の方へ: 少々お待ちください。",
        },
    )
    assert refused.status_code == 400
    assert "申請者へのメッセージは送れません" in refused.content.decode()


def test_a_resubmission_after_amendment_keeps_the_application_date_on_the_notice(
    grants, submit, org, signing, django_capture_on_commit_callbacks
):
    """QA walk: 「…付けで申請のあった」 is the day of the application, not the
    day its 補正 came back; each revision keeps its own time."""
    import datetime as dt

    from django.utils import timezone

    from procedures.services import application_resubmit

    p = org["people"]
    application = submit(500_000)
    applied = timezone.make_aware(dt.datetime(2026, 11, 2, 10, 0))
    Application.objects.filter(pk=application.pk).update(submitted_at=applied)
    application.revisions.filter(number=1).update(submitted_at=applied)
    decide(
        application, p["tanto"], decision="amend", applicant_message="直してください。"
    )
    application.refresh_from_db()
    application_resubmit(application=application)
    application.refresh_from_db()
    assert application.submitted_at == applied
    first, second = application.revisions.order_by("number")
    assert first.submitted_at == applied
    assert second.submitted_at.date() == timezone.now().date()
    assert second.submitted_at > applied

    _to_final(application, p)
    with django_capture_on_commit_callbacks(execute=True):
        decide(
            application,
            p["kacho"],
            decision="grant",
            decision_data={"granted_amount": 500_000},
        )
    text = notice_text(application)
    assert "令和8年11月2日付けで" in text


def test_the_resident_reads_the_decided_values_on_their_page(
    client, grants, submit, org, django_capture_on_commit_callbacks
):
    """QA walk: the decided values (交付決定額, 許可番号, 条件) were only in the
    PDF; a resident whose notice comes by post saw none of them."""
    p = org["people"]
    application = submit(500_000)
    _to_final(application, p)
    with django_capture_on_commit_callbacks(execute=True):
        decide(
            application,
            p["kacho"],
            decision="grant_reduced",
            decision_data={
                "granted_amount": 300_000,
                "conditions": "実績を報告すること。",
            },
            applicant_message="対象外の経費を除きました。",
            internal_comment="課内の事情。",
        )
    application.refresh_from_db()
    login_as(client, application.applicant)
    page = client.get(application.get_absolute_url()).content.decode()
    box = page[page.index("決定の内容") :]
    assert "減額交付決定" in box
    assert "交付決定額（円）" in box
    assert "300,000円" in box
    assert "実績を報告すること。" in box
    assert "課内の事情。" not in page


def test_an_open_application_shows_no_decision(client, grants, submit, org):
    application = submit(500_000)
    login_as(client, application.applicant)
    page = client.get(application.get_absolute_url()).content.decode()
    assert "決定の内容" not in page


def test_a_level_with_a_draft_sends_back_as_the_browser_posts_it(
    client, grants, submit, org
):
    """QA walk: the draft's outcome stays chosen in its hidden select, with
    its decided values: a 差戻し must not be refused for carrying them."""
    p = org["people"]
    application = submit(500_000)
    decide(
        application,
        p["tanto"],
        outcome="grant",
        decision_data={"granted_amount": 500_000},
    )
    task = claim(application, p["kakaricho"])
    login_as(client, p["kakaricho"])
    response = client.post(
        reverse("workflow:task_decide", args=[application.public_id, task.pk]),
        {
            "decision": "send_back",
            "target_level": "0",
            "internal_comment": "見積書を確認してください。",
            "draft_outcome": "grant",
            "dd-grant-granted_amount": "500000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    application.case.refresh_from_db()
    assert application.case.level == 0
    assert application.case.draft["decision_data"] == {"granted_amount": 500_000}


def test_a_correction_request_is_not_sent_with_the_drafts_reason(
    client, grants, submit, org
):
    """QA walk: asking for 補正 at a level with a draft, the message field
    still held the decision's reason, which would have reached the resident
    as what to correct."""
    p = org["people"]
    application = submit(500_000)
    decide(
        application,
        p["tanto"],
        outcome="grant_reduced",
        decision_data={"granted_amount": 300_000},
        applicant_message="対象外の経費を除きました。",
    )
    task = claim(application, p["kakaricho"])
    login_as(client, p["kakaricho"])
    url = reverse("workflow:task_decide", args=[application.public_id, task.pk])
    posted = {
        "decision": "amend",
        "draft_outcome": "grant_reduced",
        "dd-grant_reduced-granted_amount": "300000",
        "applicant_message": "対象外の経費を除きました。",
    }
    refused = client.post(url, posted)
    assert refused.status_code == 400
    assert "起案した決定の文面のままです" in refused.content.decode()
    application.refresh_from_db()
    assert application.status != Application.Status.AMENDMENT_REQUESTED
    response = client.post(
        url, {**posted, "applicant_message": "見積書を添付してください。"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    application.refresh_from_db()
    assert application.status == Application.Status.AMENDMENT_REQUESTED


def test_the_messages_help_names_this_procedures_outcomes_not_a_permits(
    client, grants, submit, org
):
    p = org["people"]
    application = submit(500_000)
    url = reverse("workflow:case_detail", args=[application.public_id])
    claim(application, p["tanto"])
    login_as(client, p["tanto"])
    drafting = client.get(url).content.decode()
    _to_final(application, p)
    claim(application, p["kacho"])
    login_as(client, p["kacho"])
    final = client.get(url).content.decode()

    for page in (drafting, final):
        assert "「減額交付決定」・「不交付決定」では理由を必ず書いてください" in page
        assert "不許可" not in page
        assert "許可では任意" not in page


def test_a_drafted_date_shows_in_wareki_at_the_next_level_and_posts_back(
    client, version, submit, org
):
    """QA walk N11: the drafted 有効期限 came back as 2031-12-05 in its input."""
    definition = {
        "version": 1,
        "pages": [
            {
                "key": "decision",
                "title": {"ja": "決定内容"},
                "fields": [
                    {
                        "key": "valid_until",
                        "type": "date",
                        "label": {"ja": "許可の有効期限"},
                        "required": True,
                    }
                ],
            }
        ],
    }
    form = form_create(code="kyoka", title="許可", definition=definition, actor=None)
    published = form_version_publish(version=form.versions.get(), actor=None)
    import_outcomes(
        version,
        {
            "outcomes": [
                {
                    "code": "grant",
                    "kind": "favourable",
                    "label": "許可",
                    "notice_title": "許可証",
                    "reason_required": False,
                    "decision_form": published,
                },
                {
                    "code": "refuse",
                    "kind": "unfavourable",
                    "label": "不許可",
                    "notice_title": "不許可通知書",
                },
            ]
        },
    )
    p = org["people"]
    application = submit(500_000)
    decide(
        application,
        p["tanto"],
        outcome="grant",
        decision_data={"valid_until": "2031-12-05"},
    )
    task = claim(application, p["kakaricho"])
    login_as(client, p["kakaricho"])
    page = client.get(
        reverse("workflow:case_detail", args=[application.public_id])
    ).content.decode()
    at = page.index('name="dd-grant-valid_until"')
    tag = page[page.rindex("<input", 0, at) : page.index(">", at)]
    assert 'value="令和13年12月5日"' in tag

    response = client.post(
        reverse("workflow:task_decide", args=[application.public_id, task.pk]),
        {
            "decision": "approve",
            "draft_outcome": "grant",
            "dd-grant-valid_until": "令和13年12月5日",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    application.case.refresh_from_db()
    assert application.case.level == 2
    assert application.case.draft["decision_data"] == {"valid_until": "2031-12-05"}
    assert [h["action"] for h in application.case.draft_history] == ["drafted"]

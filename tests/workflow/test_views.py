import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from core.japanese import format_wareki
from procedures.models import Attachment
from tests.second_factor import verified_login

from .helpers import claim, decide, open_task


def _login(client, user):
    verified_login(client, user)
    return client


def test_inbox_lists_the_queue_of_my_level_with_waiting_time_and_due_date(
    client, submit, org
):
    application = submit()
    response = _login(client, org["people"]["tanto"]).get(reverse("workflow:inbox"))
    assert response.status_code == 200
    body = response.content.decode()
    assert application.receipt_number in body
    assert "1時間未満" in body
    assert format_wareki(application.due_date) in body


def test_inbox_does_not_show_other_levels_tasks(client, submit, org):
    application = submit()
    response = _login(client, org["people"]["kacho"]).get(reverse("workflow:inbox"))
    assert application.receipt_number not in response.content.decode()


def test_deputy_sees_the_absent_holders_queue(client, submit, org, absence):
    p = org["people"]
    absence("tanto", "zaisei_tanto")
    application = submit()
    response = _login(client, p["zaisei_tanto"]).get(reverse("workflow:inbox"))
    assert application.receipt_number in response.content.decode()


def test_my_tasks_tab_shows_claimed_tasks(client, submit, org):
    application = submit()
    claim(application, org["people"]["tanto"])
    c = _login(client, org["people"]["tanto"])
    assert (
        application.receipt_number
        not in c.get(reverse("workflow:inbox")).content.decode()
    )
    mine = c.get(reverse("workflow:inbox") + "?tab=mine").content.decode()
    assert application.receipt_number in mine


def test_inbox_search_by_receipt_number_and_name(client, submit, org):
    first = submit(name="山田 太郎")
    second = submit()
    second.applicant_name = "𠮷田 花子"
    second.save(update_fields=["applicant_name"])
    c = _login(client, org["people"]["tanto"])
    body = c.get(
        reverse("workflow:inbox"), {"q": first.receipt_number}
    ).content.decode()
    assert first.receipt_number in body
    assert second.receipt_number not in body
    body = c.get(reverse("workflow:inbox"), {"q": "𠮷田"}).content.decode()
    assert second.receipt_number in body
    assert first.receipt_number not in body


def test_inbox_overdue_filter_and_flag(client, submit, org):
    import datetime as dt

    late = submit()
    submit()
    from workflow.models import CaseTask

    CaseTask.objects.filter(application=late).update(due_date=dt.date(2020, 1, 1))
    body = (
        _login(client, org["people"]["tanto"])
        .get(reverse("workflow:inbox"), {"overdue": "1"})
        .content.decode()
    )
    assert late.receipt_number in body
    assert body.count("期限超過</strong>") == 1


def test_inbox_pages_with_a_cursor_without_repeating_rows(client, submit, org):
    from organisation.selectors import user_slot_grants
    from workflow.selectors import inbox_page

    made = [submit().receipt_number for _ in range(5)]
    user = org["people"]["tanto"]
    grants = user_slot_grants(user)
    seen, cursor = [], ""
    while True:
        page = inbox_page(user=user, grants=grants, cursor=cursor, page_size=2)
        seen += [task.application.receipt_number for task in page.tasks]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == made
    newest = inbox_page(user=user, grants=grants, sort="newest", page_size=2)
    assert [t.application.receipt_number for t in newest.tasks] == made[::-1][:2]


@pytest.mark.parametrize(
    "after",
    [
        "garbage|x",
        "2026-13-45T00:00:00+09:00|1",
        "2026-02-30T10:00:00+09:00|1",
        "2026-02-01T10:00:00+09:00|²",
        "2026-02-01T10:00:00+09:00|99999999999999999999999",
    ],
)
def test_inbox_reads_an_impossible_cursor_as_the_first_page(client, submit, org, after):
    made = submit().receipt_number
    response = _login(client, org["people"]["tanto"]).get(
        reverse("workflow:inbox"), {"after": after, "sort": "nonsense"}
    )
    assert response.status_code == 200
    assert made in response.content.decode()


@pytest.mark.parametrize("count", [2, 12])
def test_inbox_query_count_does_not_grow_with_tasks(
    client, submit, org, count, django_assert_max_num_queries
):
    for _ in range(count):
        submit()
    c = _login(client, org["people"]["tanto"])
    with django_assert_max_num_queries(10):
        assert c.get(reverse("workflow:inbox")).status_code == 200


@pytest.mark.parametrize("rounds", [1, 4])
def test_case_page_query_count_does_not_grow_with_tasks(
    client, submit, org, rounds, django_assert_max_num_queries
):
    p = org["people"]
    application = submit(50_000_000)
    for _ in range(rounds):
        decide(application, p["tanto"])
        decide(
            application,
            p["kakaricho"],
            decision="send_back",
            target_level=0,
            internal_comment="再",
        )
    claim(application, p["tanto"])
    c = _login(client, p["tanto"])
    url = reverse("workflow:case_detail", args=[application.public_id])
    with django_assert_max_num_queries(16):
        response = c.get(url)
    assert response.status_code == 200
    assert "判断を記録する" in response.content.decode()


def test_case_page_shows_chain_timeline_and_answers(client, submit, org):
    application = submit(20_000_000)
    decide(application, org["people"]["tanto"], internal_comment="書類確認済み")
    body = (
        _login(client, org["people"]["kakaricho"])
        .get(reverse("workflow:case_detail", args=[application.public_id]))
        .content.decode()
    )
    for text in (
        "知事",
        "財政課 課長",
        "書類確認済み",
        "佐藤 花子",
        "20,000,000円",
        "このタスクを担当する",
    ):
        assert text in body


def test_case_page_shows_the_earlier_opinion_of_a_repeated_consultation(
    client, submit, org
):
    p = org["people"]
    application = submit(20_000_000)
    for who in ("tanto", "kakaricho", "kacho", "bucho"):
        decide(application, p[who])
    decide(
        application,
        p["zaisei_kacho"],
        kind="consult",
        internal_comment="予算措置済み。",
    )
    decide(
        application,
        p["chiji"],
        decision="send_back",
        target_level=3,
        internal_comment="再検討",
    )
    body = (
        _login(client, p["bucho"])
        .get(reverse("workflow:case_detail", args=[application.public_id]))
        .content.decode()
    )
    assert "前回の意見: 予算措置済み。（伊藤 直樹）" in body


def test_case_of_another_section_is_404(client, submit, org):
    application = submit(500_000)  # chain ends at 課長: 部長 and 知事 not on it
    for who in ("zaisei_tanto", "chiji"):
        response = _login(client, org["people"][who]).get(
            reverse("workflow:case_detail", args=[application.public_id])
        )
        assert response.status_code == 404
    response = client.post(
        reverse(
            "workflow:task_claim",
            args=[application.public_id, open_task(application).pk],
        )
    )
    assert response.status_code == 404


def test_residents_cannot_enter_the_staff_pages(client, submit):
    from tests.factories import ResidentFactory

    application = submit()
    _login(client, ResidentFactory())
    assert client.get(reverse("workflow:inbox")).status_code == 403
    assert (
        client.get(
            reverse("workflow:case_detail", args=[application.public_id])
        ).status_code
        == 403
    )


def test_claim_and_decide_through_the_pages(client, submit, org):
    application = submit()
    c = _login(client, org["people"]["tanto"])
    task = open_task(application)
    c.post(reverse("workflow:task_claim", args=[application.public_id, task.pk]))
    response = c.post(
        reverse("workflow:task_decide", args=[application.public_id, task.pk]),
        {"decision": "approve", "internal_comment": "問題なし"},
    )
    assert response.status_code == 302
    assert open_task(application).step_label == "係長"


def test_decision_form_errors_are_shown_next_to_the_field(client, submit, org):
    application = submit()
    c = _login(client, org["people"]["tanto"])
    task = claim(application, org["people"]["tanto"])
    response = c.post(
        reverse("workflow:task_decide", args=[application.public_id, task.pk]),
        {"decision": "amend", "applicant_message": ""},
    )
    assert response.status_code == 400
    assert "直してほしい内容を「申請者へのメッセージ」に入力してください。" in (
        response.content.decode()
    )


def test_second_claim_gets_a_clear_message(client, submit, org):
    application = submit()
    task = claim(application, org["people"]["tanto"])
    c = _login(client, org["people"]["tanto2"])
    response = c.post(
        reverse("workflow:task_claim", args=[application.public_id, task.pk]),
        follow=True,
    )
    assert "すでにほかの職員が担当しているか" in response.content.decode()


def test_attachment_download_is_an_attachment_with_nosniff(client, submit, org):
    application = submit()
    attachment = Attachment(
        application=application,
        field_key="doc",
        original_name="見積書.pdf",
        content_type="application/pdf",
        size=4,
        sha256="0" * 64,
    )
    attachment.file.save("x", ContentFile(b"%PDF"), save=False)
    attachment.save()
    c = _login(client, org["people"]["tanto"])
    url = reverse(
        "workflow:attachment_download", args=[application.public_id, attachment.pk]
    )
    response = c.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert (
        "filename*=utf-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8.pdf"
        in response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"%PDF"
    assert response["Cache-Control"] == "private, no-store"
    outsider = _login(client, org["people"]["zaisei_tanto"]).get(url)
    assert outsider.status_code == 404
    # A file gone from the storage is a 404, not a server error.
    attachment.file.storage.delete(attachment.file.name)
    assert _login(client, org["people"]["tanto"]).get(url).status_code == 404


def test_pull_back_button_and_action(client, submit, org):
    application = submit()
    decide(application, org["people"]["tanto"])
    c = _login(client, org["people"]["tanto"])
    url = reverse("workflow:case_detail", args=[application.public_id])
    assert "引き戻す" in c.get(url).content.decode()
    c.post(
        reverse("workflow:case_pull_back", args=[application.public_id]),
        {"comment": "誤り"},
    )
    assert open_task(application).owner == org["people"]["tanto"]


def test_route_simulator_asks_the_questions_the_rules_read_and_shows_deciders(
    client, version, org, absence
):
    from tests.factories import AdministratorFactory

    absence("bucho", "kacho")
    c = _login(client, AdministratorFactory())
    url = reverse("workflow_manage:route_simulate", args=[version.pk])
    form = c.get(url).content.decode()
    # The 専決 rules read the amount only: one labelled input, not JSON.
    assert "補助金の申請額（円）" in form
    assert "事業計画書" not in form
    response = c.post(url, {"amount": "5000000"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "部長" in body
    assert "渡邉 健" in body
    assert "髙橋 美咲 が代決" in body
    assert "知事" not in body.split("この回答で適用される順路")[1]
    bad = c.post(url, {"amount": "たくさん"})
    assert bad.status_code == 400
    assert "入力内容に問題があります" in bad.content.decode()


def test_route_editor_lists_the_questions_and_rejects_an_unknown_rule_key(
    client, version, org
):
    from tests.factories import AdministratorFactory

    version.status = "draft"
    version.save(update_fields=["status"])
    c = _login(client, AdministratorFactory())
    url = reverse("workflow_manage:route_edit", args=[version.pk])
    page = c.get(url).content.decode()
    # The questions rules may name, from the published form's own definition.
    assert "<code>amount</code></td><td>補助金の申請額（円）" in page
    response = c.post(
        url,
        {
            "action": "save",
            "levels-count": "1",
            "level-0-position": org["positions"]["kacho"].pk,
            "rules-count": "1",
            "rule-0-label": "誤り",
            "rule-0-mode": "json",
            "rule-0-json": '{"<=": [{"var": "nosuchfield"}, 1]}',
            "rule-0-position": org["positions"]["kacho"].pk,
        },
    )
    assert response.status_code == 400
    assert "nosuchfield" in response.content.decode()


def test_inbox_lists_post_reviews_for_the_absent_holder(
    client, submit, org, absence, django_assert_max_num_queries
):
    p = org["people"]
    absence("kacho", "bucho")
    application = submit(500_000)
    for who in ("tanto", "kakaricho", "bucho"):  # the 部長 decides for the 課長
        decide(application, p[who])
    c = _login(client, p["kacho"])
    with django_assert_max_num_queries(10):
        body = c.get(reverse("workflow:inbox")).content.decode()
    assert "後閲が必要な案件" in body
    assert application.receipt_number in body
    assert "渡邉 健 さんが代決しました" in body


@pytest.mark.parametrize("value", ["²", "99999999999999999999999", "-1", "abc"])
def test_inbox_ignores_an_impossible_procedure_filter(client, submit, org, value):
    application = submit()
    response = _login(client, org["people"]["tanto"]).get(
        reverse("workflow:inbox"), {"procedure": value}
    )
    assert response.status_code == 200
    assert application.receipt_number in response.content.decode()


def _decision_labels(body: str) -> list[str]:
    return re.findall(
        r'<label class="form-check-label" for="id_decision_\d+">([^<]+)<', body
    )


def test_decision_form_offers_only_what_this_level_can_decide(client, submit, org):
    p = org["people"]
    application = submit(500_000)
    claim(application, p["tanto"])
    url = reverse("workflow:case_detail", args=[application.public_id])
    first = _decision_labels(_login(client, p["tanto"]).get(url).content.decode())
    assert first == [
        "承認する（係長へ回す）",
        "申請者に補正を求める",
        "ほかの課に意見を聞く（合議）",
    ]
    decide(application, p["tanto"])
    decide(application, p["kakaricho"])
    claim(application, p["kacho"])
    final = _decision_labels(_login(client, p["kacho"]).get(url).content.decode())
    # The final level decides on the version's outcomes (the permit defaults).
    assert final == [
        "「許可」と決定する（最終決裁）",
        "前の段階へ差し戻す（差戻し）",
        "申請者に補正を求める",
        "ほかの課に意見を聞く（合議）",
        "「不許可」と決定する（最終決裁）",
    ]

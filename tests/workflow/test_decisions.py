import pytest

from documents.models import IssuedDocument
from procedures.models import Application, ApplicationEvent
from procedures.services import application_resubmit, application_withdraw
from workflow import services
from workflow.models import CaseTask, PostReview

from .helpers import claim, decide, open_task, steps

Kind = ApplicationEvent.Kind


def _kinds(application):
    return list(application.events.values_list("kind", flat=True))


def test_approvals_climb_the_chain_to_the_final_level_and_issue_the_notice(
    submit, org, signing, django_capture_on_commit_callbacks
):
    p = org["people"]
    application = submit(500_000)
    decide(application, p["tanto"])
    decide(application, p["kakaricho"])
    with django_capture_on_commit_callbacks(execute=True):
        decide(application, p["kacho"], internal_comment="適当と認める。")
    application.case.refresh_from_db()
    assert application.case.status == "DONE"
    assert not CaseTask.objects.filter(
        process=application.case, status__in=["NEW", "ASSIGNED"]
    ).exists()
    assert _kinds(application).count(Kind.APPROVED) == 2
    assert Kind.DECIDED_APPROVE in _kinds(application)
    record = services.case_approval_record(application.case)
    assert [(r["position"], r["name"], r["mark"]) for r in record] == [
        ("担当", "佐藤 花子", ""),
        ("係長", "鈴木 一郎", ""),
        ("課長", "髙橋 美咲", "専決"),
    ]
    # After commit the notice was rendered, signed and stored: one document,
    # printing the approvals as the chain recorded them.
    document = IssuedDocument.objects.get(application=application)
    assert document.status == IssuedDocument.Status.ISSUED
    assert document.approved is True
    assert document.snapshot["approvals"] == record
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    assert Kind.DOCUMENT_ISSUED in _kinds(application)


def test_first_claim_puts_the_application_under_review(submit, org):
    application = submit()
    claim(application, org["people"]["tanto"])
    application.refresh_from_db()
    assert application.status == Application.Status.UNDER_REVIEW
    assert Kind.CLAIMED in _kinds(application)


def test_a_caseworker_of_another_level_cannot_claim(submit, org):
    application = submit()
    with pytest.raises(services.WorkflowError):
        claim(application, org["people"]["kacho"])


def test_release_puts_the_task_back_in_the_queue(submit, org):
    application = submit()
    task = claim(application, org["people"]["tanto"])
    services.task_release(
        task_id=task.pk, case_id=task.process_id, user=org["people"]["tanto"]
    )
    task.refresh_from_db()
    assert task.status == "NEW"
    assert task.owner is None
    claim(application, org["people"]["tanto2"])


def test_consultation_runs_in_parallel_before_the_governor(submit, org):
    p = org["people"]
    application = submit(20_000_000)
    for who in ("tanto", "kakaricho", "kacho", "bucho"):
        decide(application, p[who])
    # Before the 知事's review: a consultation task for 財政課 課長, no review yet.
    assert not CaseTask.objects.filter(
        process=application.case, kind="review", status="NEW"
    )
    decide(
        application,
        p["zaisei_kacho"],
        kind="consult",
        internal_comment="予算措置済み。",
    )
    decide(application, p["chiji"])
    application.refresh_from_db()
    assert application.status == Application.Status.ISSUING
    assert Kind.OPINION in _kinds(application)


def _to_the_governor_with_opinion(application, p) -> None:
    for who in ("tanto", "kakaricho", "kacho", "bucho"):
        decide(application, p[who])
    decide(
        application,
        p["zaisei_kacho"],
        kind="consult",
        internal_comment="予算措置済み。",
    )


def test_a_send_back_below_a_consultation_holds_it_again(submit, org):
    # 再合議: the 財政課's opinion was given on what the 課長 may now change.
    p = org["people"]
    application = submit(20_000_000)
    _to_the_governor_with_opinion(application, p)
    decide(
        application,
        p["chiji"],
        decision="send_back",
        target_level=2,
        internal_comment="再検討",
    )
    decide(application, p["kacho"])
    decide(application, p["bucho"])
    assert not CaseTask.objects.filter(
        process=application.case, kind="review", status="NEW"
    )
    application.case.refresh_from_db()
    (item,) = application.case.consultations
    assert item["status"] == "open"
    assert item["earlier"] == [{"opinion": "予算措置済み。", "by": "伊藤 直樹"}]
    decide(
        application, p["zaisei_kacho"], kind="consult", internal_comment="改めて了承。"
    )
    decide(application, p["chiji"])
    application.refresh_from_db()
    assert application.status == Application.Status.ISSUING
    assert _kinds(application).count(Kind.OPINION) == 2


def test_an_ad_hoc_consultation_is_not_repeated_after_a_send_back(submit, org):
    # The 係長 asked 財政課 on their own; after a send-back they may ask again.
    p, sections, positions = org["people"], org["sections"], org["positions"]
    application = submit(500_000)
    decide(application, p["tanto"])
    decide(
        application,
        p["kakaricho"],
        decision="consult",
        internal_comment="財政課の意見を聞きたい。",
        consult_slot=f"workflow.slot_s{sections['zaisei'].pk}_p{positions['tanto'].pk}",
        consult_label="財政課 担当",
    )
    decide(
        application, p["zaisei_tanto"], kind="consult", internal_comment="問題なし。"
    )
    decide(application, p["kakaricho"])
    decide(
        application,
        p["kacho"],
        decision="send_back",
        target_level=0,
        internal_comment="確認",
    )
    decide(application, p["tanto"])
    assert open_task(application).step_label == "係長"
    application.case.refresh_from_db()
    assert application.case.consultations[0]["status"] == "done"


def test_a_pull_back_below_a_consultation_holds_it_again(submit, org):
    p = org["people"]
    application = submit(20_000_000)
    _to_the_governor_with_opinion(application, p)
    services.case_pull_back(
        case_id=application.case.pk, user=p["bucho"], comment="修正する"
    )
    application.case.refresh_from_db()
    assert application.case.consultations[0]["status"] == "pending"
    task = open_task(application)
    services.task_decide(
        task_id=task.pk, case_id=task.process_id, user=p["bucho"], decision="approve"
    )
    decide(application, p["zaisei_kacho"], kind="consult", internal_comment="了承。")
    decide(application, p["chiji"])
    application.refresh_from_db()
    assert application.status == Application.Status.ISSUING


def test_ad_hoc_consultation_with_two_sections_returns_to_the_same_level(submit, org):
    p, sections, positions = org["people"], org["sections"], org["positions"]
    application = submit(500_000)
    task = claim(application, p["tanto"])
    services.task_decide(
        task_id=task.pk,
        case_id=task.process_id,
        user=p["tanto"],
        decision="consult",
        internal_comment="財政課の意見を聞きたい。",
        consult_slot=f"workflow.slot_s{sections['zaisei'].pk}_p{positions['tanto'].pk}",
        consult_label="財政課 担当",
    )
    decide(
        application, p["zaisei_tanto"], kind="consult", internal_comment="問題なし。"
    )
    review = open_task(application)
    assert review.step_label == "担当"
    assert Kind.CONSULTED in _kinds(application)


def test_deputy_decides_for_the_absent_holder_who_then_post_reviews(
    submit, org, absence
):
    p = org["people"]
    absence("kacho", "bucho")
    application = submit(500_000)
    decide(application, p["tanto"])
    decide(application, p["kakaricho"])
    task = decide(application, p["bucho"])  # in the 課長's place
    assert task.on_behalf_of == p["kacho"]
    event = application.events.get(kind=Kind.DECIDED_APPROVE)
    assert (event.actor, event.on_behalf_of) == (p["bucho"], p["kacho"])
    review = PostReview.objects.get(holder=p["kacho"])
    application.case.refresh_from_db()
    assert services.case_approval_record(application.case)[-1]["mark"] == "代決"
    services.post_review_complete(
        post_review_id=review.pk, user=p["kacho"], comment="確認"
    )
    review.refresh_from_db()
    assert review.reviewed_at is not None
    assert Kind.POST_REVIEWED in _kinds(application)


def test_post_review_of_someone_else_is_refused(submit, org, absence):
    p = org["people"]
    absence("kacho", "bucho")
    application = submit(500_000)
    decide(application, p["tanto"])
    decide(application, p["kakaricho"])
    decide(application, p["bucho"])
    review = PostReview.objects.get()
    with pytest.raises(services.WorkflowError):
        services.post_review_complete(post_review_id=review.pk, user=p["tanto"])


def test_send_back_within_the_office_loops_and_climbs_again(submit, org):
    p = org["people"]
    application = submit(500_000)
    decide(application, p["tanto"])
    decide(application, p["kakaricho"])
    decide(
        application,
        p["kacho"],
        decision="send_back",
        target_level=0,
        internal_comment="根拠を補足",
    )
    assert open_task(application).step_label == "担当"
    decide(application, p["tanto"])
    decide(
        application,
        p["kakaricho"],
        decision="send_back",
        target_level=0,
        internal_comment="再確認",
    )
    decide(application, p["tanto"])
    decide(application, p["kakaricho"])
    decide(application, p["kacho"])
    application.refresh_from_db()
    assert application.status == Application.Status.ISSUING
    assert _kinds(application).count(Kind.SENT_BACK) == 2
    # The approval record keeps only the last pass through each level.
    application.case.refresh_from_db()
    assert len(services.case_approval_record(application.case)) == 3


def test_send_back_needs_an_earlier_level_and_a_reason(submit, org):
    application = submit()
    with pytest.raises(services.WorkflowError):
        decide(
            application, org["people"]["tanto"], decision="send_back", target_level=0
        )


def test_rejection_needs_a_reason_and_the_final_level(submit, org):
    p = org["people"]
    application = submit(500_000)
    with pytest.raises(services.WorkflowError):
        decide(application, p["tanto"], decision="reject", applicant_message="不要")
    decide(application, p["tanto"])
    decide(application, p["kakaricho"])
    task = claim(application, p["kacho"])
    with pytest.raises(services.WorkflowError):
        services.task_decide(
            task_id=task.pk, case_id=task.process_id, user=p["kacho"], decision="reject"
        )
    services.task_decide(
        task_id=task.pk,
        case_id=task.process_id,
        user=p["kacho"],
        decision="reject",
        applicant_message="要件を満たさない。",
        internal_comment="過去の交付実績も確認済み。",
    )
    application.refresh_from_db()
    assert application.status == Application.Status.ISSUING
    # The notice of refusal is numbered in the decision's transaction and
    # states the reason (行政手続法第8条); it is rendered after commit.
    document = IssuedDocument.objects.get(application=application)
    assert document.approved is False
    assert document.status == IssuedDocument.Status.PENDING
    assert document.snapshot["reason"] == "要件を満たさない。"
    assert document.snapshot["approvals"][-1]["action"] == "reject"
    event = application.events.get(kind=Kind.DECIDED_REJECT)
    assert event.applicant_message == "要件を満たさない。"
    assert event.internal_comment == "過去の交付実績も確認済み。"
    assert "過去の交付実績" not in str(document.snapshot)
    assert event.visible_to_applicant


def test_approver_pulls_back_before_the_next_level_acts(submit, org):
    p = org["people"]
    application = submit(500_000)
    decide(application, p["tanto"])
    task = services.case_pull_back(
        case_id=application.case.pk, user=p["tanto"], comment="添付漏れ"
    )
    assert task.step_label == "担当"
    task.refresh_from_db()
    assert (task.status, task.owner) == ("ASSIGNED", p["tanto"])
    assert Kind.PULLED_BACK in _kinds(application)
    assert (
        CaseTask.objects.filter(
            process=application.case, status__in=["NEW", "ASSIGNED"]
        ).count()
        == 1
    )


def test_pull_back_is_refused_once_the_next_level_decided(submit, org):
    p = org["people"]
    application = submit(5_000_000)
    decide(application, p["tanto"])
    decide(application, p["kakaricho"])
    with pytest.raises(services.WorkflowError):
        services.case_pull_back(case_id=application.case.pk, user=p["tanto"])
    with pytest.raises(services.WorkflowError):  # not the approver
        services.case_pull_back(case_id=application.case.pk, user=p["tanto2"])


def test_amendment_recomputes_the_chain_on_resubmission(submit, org):
    p = org["people"]
    application = submit(500_000)
    assert steps(application)[-1] == "課長"
    decide(
        application,
        p["tanto"],
        decision="amend",
        applicant_message="金額の根拠を添付してください。",
    )
    application.refresh_from_db()
    assert application.status == Application.Status.AMENDMENT_REQUESTED
    application.answers = {**application.answers, "amount": 5_000_000}
    application.save(update_fields=["answers"])
    application_resubmit(application=application)
    assert steps(application)[-1] == "部長"
    assert open_task(application).step_label == "担当"


def test_the_case_page_shows_what_the_amendment_changed(client, submit, org):
    """QA walk: after a 補正 the caseworker had to compare the whole
    application by eye to find the corrected answer."""
    from django.urls import reverse

    from tests.second_factor import login_as

    p = org["people"]
    application = submit(500_000)
    decide(application, p["tanto"], decision="amend", applicant_message="金額を直して")
    application.refresh_from_db()
    application.answers = {**application.answers, "amount": 450_000}
    application.save(update_fields=["answers"])
    application_resubmit(application=application)
    login_as(client, p["tanto"])
    page = client.get(
        reverse("workflow:case_detail", args=[application.public_id])
    ).content.decode()
    assert "補正で変わった回答" in page
    changed = page[page.index("補正で変わった回答") : page.index("申請内容</h2>")]
    assert "補助金の申請額（円）" in changed
    assert "<del>500,000円</del>" in changed
    assert "<ins>450,000円</ins>" in changed
    assert "氏名" not in changed  # unchanged answers are not listed


def test_the_case_page_has_no_amendment_section_before_a_resubmission(
    client, submit, org
):
    from django.urls import reverse

    from tests.second_factor import login_as

    application = submit(500_000)
    login_as(client, org["people"]["tanto"])
    page = client.get(
        reverse("workflow:case_detail", args=[application.public_id])
    ).content.decode()
    assert "補正で変わった回答" not in page


def test_withdrawal_cancels_the_open_tasks(submit, org):
    application = submit()
    claim(application, org["people"]["tanto"])
    application_withdraw(application=application, reason="不要になった")
    application.case.refresh_from_db()
    assert application.case.status == "CANCELED"
    assert not CaseTask.objects.filter(
        process=application.case, status__in=["NEW", "ASSIGNED"]
    ).exists()


def test_a_decision_on_a_finished_task_is_refused(submit, org):
    p = org["people"]
    application = submit()
    task = decide(application, p["tanto"])
    with pytest.raises(services.WorkflowError):
        services.task_decide(
            task_id=task.pk,
            case_id=task.process_id,
            user=p["tanto"],
            decision="approve",
        )


def test_staff_actions_are_audited(submit, org):
    from core.models import AuditEvent

    application = submit()
    decide(application, org["people"]["tanto"])
    assert list(
        AuditEvent.objects.filter(
            target_type="procedures.application", target_id=str(application.pk)
        ).values_list("action", flat=True)
    ) == ["workflow.task_claim", "workflow.task_decide"]


def _amend_and_resubmit(application, asker):
    decide(application, asker, decision="amend", applicant_message="金額を直して")
    application.refresh_from_db()
    application.answers = {**application.answers, "amount": 450_000}
    application.save(update_fields=["answers"])
    application_resubmit(application=application)


def test_the_resubmitted_case_returns_to_the_caseworker_who_asked(submit, org):
    """QA walk N7: the task came back unassigned; the 担当 had to claim it again."""
    p = org["people"]
    application = submit(500_000)

    _amend_and_resubmit(application, p["tanto"])

    task = open_task(application)
    assert task.level == 0
    assert task.status == "ASSIGNED"
    assert task.owner == p["tanto"]
    assigned = application.events.get(kind=Kind.ASSIGNED)
    assert assigned.data["to"] == "佐藤 花子"
    assert not assigned.visible_to_applicant
    # It is theirs to decide at once, as a claimed task.
    decide(application, p["tanto"])
    assert open_task(application).level == 1


def test_the_resubmitted_case_is_queued_when_the_asker_left_the_post(submit, org):
    import datetime as dt

    from django.utils import timezone

    from organisation.models import Assignment

    p = org["people"]
    application = submit(500_000)
    decide(application, p["tanto"], decision="amend", applicant_message="直して")
    Assignment.objects.filter(user=p["tanto"]).update(
        end_date=timezone.localdate() - dt.timedelta(days=1)
    )
    application.refresh_from_db()
    application_resubmit(application=application)

    task = open_task(application)
    assert task.status == "NEW"
    assert task.owner is None
    assert not application.events.filter(kind=Kind.ASSIGNED).exists()
    # A colleague of the post claims it from the queue as before.
    decide(application, p["tanto2"])
    assert open_task(application).level == 1


def test_an_amendment_asked_above_the_first_level_returns_queued(submit, org):
    """The 係長 who asked does not hold the 担当 post the case returns to."""
    p = org["people"]
    application = submit(500_000)
    decide(application, p["tanto"])

    _amend_and_resubmit(application, p["kakaricho"])

    task = open_task(application)
    assert task.level == 0
    assert task.status == "NEW"
    assert task.owner is None

"""Issue 15: deadline reminders, escalation, 補正期限 and 延長."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.japanese import format_wareki
from core.models import OutboxMessage
from procedures import services as procedure_services
from procedures.models import Application
from tests.second_factor import login_as
from workflow.deadlines import reminders_send, working_days_after
from workflow.models import CaseTask, Reminder

from .helpers import claim, decide, open_task

pytestmark = pytest.mark.django_db

# Golden Week 2026: 昭和の日 is Wednesday 29 April.
DUE = dt.date(2026, 4, 28)  # a Tuesday


def _mails(**filters) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(**filters).order_by("pk"))


def _due(application: Application, day: dt.date) -> None:
    Application.objects.filter(pk=application.pk).update(due_date=day)


def test_working_days_skip_the_holiday():
    assert working_days_after(DUE, dt.date(2026, 4, 30)) == 1
    assert working_days_after(DUE, dt.date(2026, 5, 1)) == 2
    # 3 to 6 May are holidays, 2 and 3 are a weekend.
    assert working_days_after(DUE, dt.date(2026, 5, 7)) == 3


def test_the_day_before_the_period_ends_the_level_is_reminded_once(submit, org):
    p = org["people"]
    application = submit(500_000)
    _due(application, DUE)
    assert reminders_send(today=DUE - dt.timedelta(days=2))["due_soon"] == 0
    counts = reminders_send(today=DUE - dt.timedelta(days=1))
    assert counts["due_soon"] == 1
    mails = _mails(subject__contains="処理期限が近づいています")
    # Both holders of 担当 (the current level); nobody else.
    assert sorted(m.recipient for m in mails) == sorted(
        [p["tanto"].email, p["tanto2"].email]
    )
    body = mails[0].payload["body"]
    assert application.receipt_number in body
    assert "福祉施設整備助成金" in body
    assert reverse("workflow:case_detail", args=[application.public_id]) in body
    # Never the applicant's personal data.
    assert application.applicant_name not in body
    assert reminders_send(today=DUE - dt.timedelta(days=1))["due_soon"] == 0
    assert reminders_send(today=DUE)["due_soon"] == 0
    assert len(_mails(subject__contains="処理期限が近づいています")) == 2


def test_overdue_reminder_reaches_the_deputy_of_an_absent_holder(submit, org, absence):
    p = org["people"]
    application = submit(500_000)
    decide(application, p["tanto"])
    decide(application, p["kakaricho"])  # now at 課長
    absence("kacho", "kakaricho")
    today = timezone.localdate()
    _due(application, today - dt.timedelta(days=1))
    assert reminders_send(today=today)["overdue"] == 1
    recipients = {m.recipient for m in _mails(subject__contains="処理期限を過ぎました")}
    assert recipients == {p["kacho"].email, p["kakaricho"].email}
    assert reminders_send(today=today)["overdue"] == 0


def test_escalation_after_n_working_days_across_a_holiday(submit, org, version):
    p = org["people"]
    version.escalation_working_days = 2
    version.save(update_fields=["escalation_working_days"])
    application = submit(500_000)  # at 担当: the level above is 係長
    _due(application, DUE)
    # 30 April is two calendar days after but one working day (29th is a holiday).
    assert reminders_send(today=dt.date(2026, 4, 30))["escalation"] == 0
    assert reminders_send(today=dt.date(2026, 5, 1))["escalation"] == 1
    escalations = _mails(subject__contains="上位の職へのお知らせ")
    assert [m.recipient for m in escalations] == [p["kakaricho"].email]
    assert "2 開庁日" in escalations[0].payload["body"]
    assert reminders_send(today=dt.date(2026, 5, 7))["escalation"] == 0


def test_no_processing_reminders_for_closed_or_amended_cases(submit, org):
    p = org["people"]
    withdrawn = submit(500_000)
    procedure_services.application_withdraw(application=withdrawn, reason="不要")
    amended = submit(500_000)
    decide(amended, p["tanto"], decision="amend", applicant_message="添付を")
    for application in (withdrawn, amended):
        _due(application, DUE)
    counts = reminders_send(today=dt.date(2026, 5, 7))
    assert counts["overdue"] == counts["escalation"] == 0


def test_extension_starts_a_new_round_of_reminders(client, submit, org):
    p = org["people"]
    application = submit(500_000)
    today = timezone.localdate()
    _due(application, today - dt.timedelta(days=1))
    assert reminders_send(today=today)["overdue"] == 1
    claim(application, p["tanto"])
    login_as(client, p["tanto"])
    new_due = today + dt.timedelta(days=20)
    response = client.post(
        reverse("workflow:case_extend", args=[application.public_id]),
        {
            "due_date": new_due.isoformat(),
            "reason": "現地調査の日程調整に時間を要するため",
        },
    )
    assert response.status_code == 302
    assert reminders_send(today=new_due + dt.timedelta(days=1))["overdue"] == 1
    assert Reminder.objects.filter(application=application, kind="overdue").count() == 2


def test_extension_is_recorded_shown_to_staff_and_told_to_the_resident(
    client, submit, org
):
    p = org["people"]
    application = submit(500_000)
    claim(application, p["tanto"])
    old_due = application.due_date
    new_due = old_due + dt.timedelta(days=30)
    reason = "関係機関への照会に時間を要するため"
    login_as(client, p["tanto"])
    url = reverse("workflow:case_extend", args=[application.public_id])
    response = client.post(url, {"due_date": new_due.isoformat(), "reason": reason})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.due_date == new_due
    assert application.case.due_date == new_due
    assert open_task(application).due_date == new_due  # the inbox sorts on it
    staff_page = client.get(
        reverse("workflow:case_detail", args=[application.public_id])
    )
    body = staff_page.content.decode()
    assert "処理期間の延長" in body
    assert reason in body
    mail = _mails(recipient=application.applicant.email, subject__contains="予定日")
    assert len(mail) == 1
    assert reason in mail[0].payload["body"]
    assert format_wareki(new_due) in mail[0].payload["body"]
    login_as(client, application.applicant)
    resident = client.get(application.get_absolute_url()).content.decode()
    assert format_wareki(new_due) in resident
    assert reason in resident
    assert "処理期間の延長" in resident


def test_extension_refuses_an_earlier_date_a_missing_reason_and_other_people(
    client, submit, org
):
    p = org["people"]
    application = submit(500_000)
    url = reverse("workflow:case_extend", args=[application.public_id])
    login_as(client, p["tanto"])  # holds the current level, not claimed
    earlier = (application.due_date - dt.timedelta(days=1)).isoformat()
    response = client.post(url, {"due_date": earlier, "reason": "理由"})
    assert response.status_code == 400
    assert "いまの処理期限より後の日" in response.content.decode()
    response = client.post(url, {"due_date": "2026-02-30", "reason": ""})
    assert response.status_code == 400
    assert "延長の理由を書いてください" in response.content.decode()
    login_as(client, p["kacho"])  # on the chain, but the case is not at 課長
    later = (application.due_date + dt.timedelta(days=5)).isoformat()
    response = client.post(url, {"due_date": later, "reason": "理由"}, follow=True)
    assert "延長する権限がありません" in response.content.decode()
    application.refresh_from_db()
    assert application.events.filter(kind="extended").count() == 0


def test_amendment_deadline_default_edit_reminder_and_expiry(
    client, submit, org, version
):
    p = org["people"]
    version.amendment_days = 10
    version.save(update_fields=["amendment_days"])
    application = submit(500_000)
    decide(application, p["tanto"], decision="amend", applicant_message="見積書を")
    application.refresh_from_db()
    assert application.amendment_due_date >= timezone.localdate() + dt.timedelta(10)
    first_mail = _mails(recipient=application.applicant.email, subject__contains="修正")
    assert (
        format_wareki(application.amendment_due_date) in first_mail[-1].payload["body"]
    )

    # The caseworker sets another deadline on the send-back form.
    other = submit(500_000)
    task = claim(other, p["tanto"])
    login_as(client, p["tanto"])
    chosen = timezone.localdate() + dt.timedelta(days=5)
    response = client.post(
        reverse("workflow:task_decide", args=[other.public_id, task.pk]),
        {
            "decision": "amend",
            "applicant_message": "図面を添付してください",
            "amendment_due_date": chosen.isoformat(),
        },
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.amendment_due_date == chosen

    # The resident is reminded before it, once.
    counts = reminders_send(today=chosen - dt.timedelta(days=2))
    assert counts["amendment_soon"] == 1
    reminder = _mails(
        subject__contains="期限が近づいています", recipient=other.applicant.email
    )
    assert len(reminder) == 1
    assert reminders_send(today=chosen)["amendment_soon"] == 0

    # After it, staff see 「補正期限切れ」; nothing is decided on its own.
    Application.objects.filter(pk=other.pk).update(
        amendment_due_date=timezone.localdate() - dt.timedelta(days=1)
    )
    page = client.get(reverse("workflow:case_detail", args=[other.public_id]))
    assert "補正期限切れ" in page.content.decode()
    found = client.get(reverse("workflow:case_search"), {"status": "amendment_overdue"})
    body = found.content.decode()
    assert other.receipt_number in body
    assert application.receipt_number not in body
    other.refresh_from_db()
    assert other.status == "amendment_requested"
    # The resident's page shows the deadline; resubmitting clears it.
    procedure_services.application_resubmit(application=other)
    other.refresh_from_db()
    assert other.amendment_due_date is None


def test_send_back_form_refuses_a_past_amendment_deadline(client, submit, org):
    p = org["people"]
    application = submit(500_000)
    task = claim(application, p["tanto"])
    login_as(client, p["tanto"])
    response = client.post(
        reverse("workflow:task_decide", args=[application.public_id, task.pk]),
        {
            "decision": "amend",
            "applicant_message": "図面を",
            "amendment_due_date": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400
    assert "補正期限は明日以降" in response.content.decode()
    assert CaseTask.objects.get(pk=task.pk).status == "ASSIGNED"


def test_send_reminders_command(submit, org, capsys):
    application = submit(500_000)
    _due(application, DUE)
    call_command("send_reminders", date="2026-04-29")
    assert "overdue=1" in capsys.readouterr().out
    call_command("send_reminders", date="2026-04-29")
    assert "overdue=0" in capsys.readouterr().out


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_send_each_reminder_once(submit, org, version):
    import threading

    from django.db import connection

    version.escalation_working_days = 1
    version.save(update_fields=["escalation_working_days"])
    applications = [submit(500_000) for _ in range(4)]
    for application in applications:
        _due(application, DUE)
    today = dt.date(2026, 5, 7)
    barrier = threading.Barrier(2)
    results: list = []

    def scheduler():
        try:
            barrier.wait()
            results.append(reminders_send(today=today))
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2
    # Between them, each reminder once: 4 overdue and 4 escalations.
    assert sum(r["overdue"] for r in results) == 4
    assert sum(r["escalation"] for r in results) == 4
    assert Reminder.objects.count() == 8
    # 担当 ×2 per overdue case, 係長 per escalation: never twice.
    assert (
        OutboxMessage.objects.filter(subject__contains="処理期限を過ぎました").count()
        == 8
    )
    assert OutboxMessage.objects.filter(subject__contains="上位の職").count() == 4

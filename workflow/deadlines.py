"""Deadlines of cases: reminders, escalation, 補正期限 and 延長 (issue 15).

The timers are one scan, ``reminders_send``, run by the background
worker's periodic schedule (``CELERY_BEAT_SCHEDULE``, which ``run_worker``
also runs) and by ``manage.py send_reminders`` for cron. Each reminder is
claimed by inserting its ``Reminder`` row (unique per application, kind and
deadline) in the transaction that writes its mail to the outbox: of two
schedulers running at once, the second waits on the unique index and skips;
the mail leaves after the commit. The platform never decides anything on a
deadline: a 補正 past its deadline is shown as 「補正期限切れ」 to staff, who
decide what follows.

- 処理期限の前日: on the last working day before the 標準処理期間 ends, the
  holders of the current level (and deputies standing in for them).
- 期限超過: once the period has passed, the same people.
- 上位への通知: after the version's ``escalation_working_days`` office days
  overdue (holidays skipped, ``core.japanese.is_office_holiday``), the
  holders of the next level up.
- 補正期限の前: ``AMENDMENT_REMINDER_DAYS`` before the 補正期限, the resident.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from accounts.services import send_templated_mail
from core.japanese import is_office_holiday
from organisation.selectors import SlotGrant, user_slot_grants
from procedures.models import Application
from procedures.services import ApplicationError, application_extend_due_date
from workflow.models import OPEN_STATUSES, CaseTask, Reminder
from workflow.notifications import level_people
from workflow.services import WorkflowError, _audit, _lock

logger = logging.getLogger(__name__)

Kind = Reminder.Kind
Status = Application.Status
# Processing time runs only while the office holds the case (行政手続法第6条).
IN_REVIEW = (Status.SUBMITTED, Status.UNDER_REVIEW)


def working_days_after(start: dt.date, end: dt.date) -> int:
    """Office days in (start, end]: how long a deadline has been passed."""
    days = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if not is_office_holiday(day):
            days += 1
    return days


def previous_working_day(day: dt.date) -> dt.date:
    day -= dt.timedelta(days=1)
    while is_office_holiday(day):
        day -= dt.timedelta(days=1)
    return day


def _not_sent(kind: str, deadline_field: str) -> Exists:
    return Exists(
        Reminder.objects.filter(
            application=OuterRef("pk"), kind=kind, deadline=OuterRef(deadline_field)
        )
    )


def _in_review() -> QuerySet[Application]:
    return Application.objects.filter(
        status__in=IN_REVIEW, due_date__isnull=False, case__status="NEW"
    )


def reminders_due(*, today: dt.date) -> list[tuple[int, str, dt.date]]:
    """(application id, kind, deadline) of every reminder due ``today`` not yet sent.

    Each query reads a narrow range of an index (open cases by due date,
    amendments by their deadline) less what was already sent.
    """
    due: list[tuple[int, str, dt.date]] = []
    soon = (
        _in_review()
        .filter(due_date__gte=today, due_date__lte=today + dt.timedelta(days=10))
        .exclude(_not_sent(Kind.DUE_SOON, "due_date"))
        .values_list("pk", "due_date")
    )
    due += [
        (pk, Kind.DUE_SOON, deadline)
        for pk, deadline in soon
        if previous_working_day(deadline) <= today
    ]
    overdue = (
        _in_review()
        .filter(due_date__lt=today)
        .exclude(_not_sent(Kind.OVERDUE, "due_date"))
        .values_list("pk", "due_date")
    )
    due += [(pk, Kind.OVERDUE, deadline) for pk, deadline in overdue]
    escalate = (
        _in_review()
        .filter(due_date__lt=today)
        .exclude(_not_sent(Kind.ESCALATION, "due_date"))
        .values_list("pk", "due_date", "procedure_version__escalation_working_days")
    )
    due += [
        (pk, Kind.ESCALATION, deadline)
        for pk, deadline, after in escalate
        if working_days_after(deadline, today) >= max(after, 1)
    ]
    ahead = dt.timedelta(days=settings.AMENDMENT_REMINDER_DAYS)
    amendments = (
        Application.objects.filter(
            status=Status.AMENDMENT_REQUESTED,
            amendment_due_date__gte=today,
            amendment_due_date__lte=today + ahead,
        )
        .exclude(_not_sent(Kind.AMENDMENT_SOON, "amendment_due_date"))
        .values_list("pk", "amendment_due_date")
    )
    due += [(pk, Kind.AMENDMENT_SOON, deadline) for pk, deadline in amendments]
    return due


def reminders_send(*, today: dt.date | None = None) -> dict[str, int]:
    """Send every reminder due ``today`` once; counts by kind (the periodic job)."""
    today = today or timezone.localdate()
    counts = {kind: 0 for kind in Kind.values}
    for application_id, kind, deadline in reminders_due(today=today):
        try:
            if reminder_send(
                application_id=application_id, kind=kind, deadline=deadline, today=today
            ):
                counts[kind] += 1
        except Exception:
            # One broken case (no holder, a template error) must not stop
            # the others; it is tried again at the next run.
            logger.exception("reminder %s of %s failed", kind, application_id)
    return counts


def _still_due(application: Application, kind: str, deadline: dt.date) -> bool:
    if kind == Kind.AMENDMENT_SOON:
        return (
            application.status == Status.AMENDMENT_REQUESTED
            and application.amendment_due_date == deadline
        )
    return (
        application.status in IN_REVIEW
        and application.due_date == deadline
        and application.case.status == "NEW"
    )


def reminder_send(
    *, application_id: int, kind: str, deadline: dt.date, today: dt.date
) -> bool:
    """Claim one reminder and write its mail to the outbox; False when taken.

    The claim is the ``Reminder`` row: a second scheduler inserting the
    same key waits for the first to commit, then fails on the unique index
    and skips. The mail is in the same transaction, so it leaves (after the
    commit) exactly when the claim holds.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    application_id=application_id, kind=kind, deadline=deadline
                )
        except IntegrityError:
            return False
        application = Application.objects.select_related(
            "case", "procedure_version", "applicant"
        ).get(pk=application_id)
        if not _still_due(application, kind, deadline):
            # Decided, withdrawn or moved since the scan: nothing to say.
            transaction.set_rollback(True)
            return False
        if kind == Kind.AMENDMENT_SOON:
            recipients = [application.applicant] if application.applicant else []
            for user in recipients:
                send_templated_mail(
                    user=user,
                    template="procedures/email/amendment_reminder",
                    context={"application": application},
                )
        else:
            recipients = _staff_reminder(application, kind, today)
        reminder.recipients = [user.email for user in recipients]
        reminder.save(update_fields=["recipients"])
    return True


def _staff_reminder(application: Application, kind: str, today: dt.date) -> list[Any]:
    case = application.case
    level = case.level + 1 if kind == Kind.ESCALATION else case.level
    if level >= len(case.chain):
        # Escalation at the top of the chain: nobody above it on this route.
        return []
    step = case.chain[level]
    recipients = level_people(step["slot"], today)
    current = case.chain[case.level] if case.level < len(case.chain) else step
    context = {
        "application": application,
        "kind": kind,
        "step": current["position"],
        "section": current.get("section", ""),
        "deadline": application.due_date,
        "overdue_days": working_days_after(application.due_date, today),
        "case_url": settings.SITE_URL
        + reverse("workflow:case_detail", args=[application.public_id]),
    }
    for user in recipients:
        send_templated_mail(
            user=user, template="workflow/email/deadline", context=context
        )
    return recipients


# --- 延長 ------------------------------------------------------------------


def may_extend(
    case: Any,
    user: Any,
    grants: Iterable[SlotGrant],
    tasks: Iterable[CaseTask] | None = None,
) -> bool:
    """Whoever holds the case now may extend it: its claimed task, or its level's post.

    ``tasks`` (the case's tasks, when the page has them) saves a query.
    """
    if case.status != "NEW" or not case.application.is_open:
        return False
    if tasks is None:
        tasks = CaseTask.objects.filter(process=case, owner=user)
    if any(task.is_open and task.owner_id == user.pk for task in tasks):
        return True
    step = case.current_step
    return bool(step and step["slot"] in {grant.slot for grant in grants})


@transaction.atomic
def case_extend(
    *,
    case_id: int,
    user: Any,
    due_date: dt.date,
    reason: str,
    grants: list[SlotGrant] | None = None,
    request: HttpRequest | None = None,
) -> Application:
    """延長: move the case's due date later, telling the applicant why.

    The new date goes on the application, the case and its open tasks (the
    inbox sorts on them), and on both timelines; the resident is mailed the
    new expected date and the reason.
    """
    application, case = _lock(case_id)
    grants = user_slot_grants(user) if grants is None else grants
    if not may_extend(case, user, grants):
        raise WorkflowError(
            gettext("この案件の処理期間を延長する権限がありません。"),
            code="forbidden",
        )
    previous = application.due_date
    try:
        application_extend_due_date(
            application=application, actor=user, due_date=due_date, reason=reason
        )
    except ApplicationError as exc:
        raise WorkflowError(exc.message, code=exc.code) from exc
    case.due_date = due_date
    case.save(update_fields=["due_date"])
    CaseTask.objects.filter(process=case, status__in=OPEN_STATUSES).update(
        due_date=due_date
    )
    _audit(
        "case_extend",
        user,
        application,
        request,
        previous=previous.isoformat() if previous else None,
        due_date=due_date.isoformat(),
    )
    return application

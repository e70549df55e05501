"""Telling staff of new tasks: e-mail now or in a daily digest, and chat (issue 15).

A task for a post (a review level or a 合議) is announced after the commit
that created it (``task_created``, the flow's ``onCreate`` callback, queues
``workflow.tasks.notify_task``; the periodic poll catches any the queue
lost). ``task_notify`` claims the task's ``TaskNotification`` row, so the
job and the poll announce it once, and skips a task someone already took
(a pull-back hands its new task straight back). Each holder of the post,
and the deputy of an absent holder, is told as they chose
(``NotificationSetting``; a daily digest by default at
``STAFF_DIGEST_TIME`` on working days), and the section's chat channels
(``SectionWebhook``) through the outbox, delivered by the worker with
retries: a failing webhook never touches the decision that made the task.
Messages hold the receipt number, procedure, level and a link, never the
applicant's personal data.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.services import render_templated_mail, send_templated_mail
from core.background import enqueue
from core.japanese import is_office_holiday
from core.outbox import outbox_mail, outbox_webhook
from organisation.selectors import SLOT_PREFIX, slot_holders
from workflow.models import (
    HUMAN,
    CaseTask,
    DigestItem,
    NotificationSetting,
    SectionWebhook,
    TaskNotification,
)
from workflow.tasks import notify_task
from workflow.webhooks import chat_message

Email = NotificationSetting.Email


def level_people(slot: str, day: dt.date) -> list[Any]:
    """The holders of ``slot`` on ``day`` and the deputies of those absent."""
    people: dict[int, Any] = {}
    for holder in slot_holders(slot, day):
        for user in (holder["user"], holder["deputy"]):
            if user is not None and user.is_active and user.email:
                people.setdefault(user.pk, user)
    return list(people.values())


def task_created(task: CaseTask) -> None:
    """A human task was created: announce it once the transaction commits."""
    task_id = task.pk
    transaction.on_commit(lambda: enqueue(notify_task, task_id))


def _case_url(task: CaseTask) -> str:
    return settings.SITE_URL + reverse(
        "workflow:case_detail", args=[task.application.public_id]
    )


def _section_id(task: CaseTask) -> int:
    """The section whose channel hears of the task: the post's own section,
    or, for a department or prefecture post, the procedure's section."""
    unit = task.owner_permission.removeprefix(SLOT_PREFIX).partition("_p")[0]
    if unit.startswith("s") and unit[1:].isdigit():
        return int(unit[1:])
    return task.application.procedure_version.section_id


def _chat_text(task: CaseTask) -> tuple[str, str]:
    application = task.application
    title = gettext("新しいタスク: 受付番号 %(number)s") % {
        "number": application.receipt_number
    }
    text = gettext("%(procedure)s（%(kind)s: %(step)s）") % {
        "procedure": application.procedure_version.title_text,
        "kind": task.get_kind_display(),
        "step": task.step_label,
    }
    return title, text


def _webhook(hook: SectionWebhook, task: CaseTask) -> dict[str, Any]:
    """The ``outbox_webhook`` arguments announcing ``task`` on ``hook``'s channel."""
    with translation.override(settings.LANGUAGE_CODE):
        title, text = _chat_text(task)
        open_label = gettext("案件を開く")
    return chat_message(
        hook, title=title, text=text, link=_case_url(task), link_label=open_label
    )


def task_notify(*, task_id: int, today: dt.date | None = None) -> bool:
    """Announce one new task once; False when already done or no longer queued.

    Everything is read and rendered first; the writes (the claim, digest
    items, outbox rows) are one short transaction, so the job holds no
    lock while it renders.
    """
    if TaskNotification.objects.filter(task_id=task_id).exists():
        return False
    task = (
        CaseTask.objects.select_related("application__procedure_version__section")
        .filter(pk=task_id)
        .first()
    )
    if task is None or task.status != "NEW" or task.owner_id is not None:
        return False  # taken already (a pull-back hands it straight back)
    people = level_people(task.owner_permission, today or timezone.localdate())
    modes = dict(
        NotificationSetting.objects.filter(user__in=people).values_list(
            "user_id", "email"
        )
    )
    context = {
        "task": task,
        "application": task.application,
        "case_url": _case_url(task),
    }
    mails = []
    digest = []
    for user in people:
        mode = modes.get(user.pk, Email.DIGEST)
        if mode == Email.IMMEDIATE:
            mails.append(
                render_templated_mail(
                    user=user, template="workflow/email/task_new", context=context
                )
            )
        elif mode == Email.DIGEST:
            digest.append(user)
    hooks = list(
        SectionWebhook.objects.filter(
            section_id=_section_id(task), active=True
        ).select_related("section")
    )
    chats = [_webhook(hook, task) for hook in hooks]
    with transaction.atomic():
        try:
            with transaction.atomic():
                TaskNotification.objects.create(
                    task_id=task_id,
                    recipients={
                        "immediate": [mail["to"] for mail in mails],
                        "digest": [user.email for user in digest],
                        "chat": [str(hook) for hook in hooks],
                    },
                )
        except IntegrityError:
            return False
        DigestItem.objects.bulk_create(
            [DigestItem(user=user, task=task) for user in digest],
            ignore_conflicts=True,
        )
        for mail in mails:
            outbox_mail(**mail)
        for chat in chats:
            outbox_webhook(**chat)
    return True


def task_notifications_due(*, since: dt.timedelta = dt.timedelta(days=1)) -> int:
    """The poll: announce new tasks whose queued job was lost."""
    waiting = (
        CaseTask.objects.filter(
            flow_task_type=HUMAN,
            status="NEW",
            kind__in=["review", "consult"],
            created__gte=timezone.now() - since,
        )
        .exclude(Exists(TaskNotification.objects.filter(task=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )
    return sum(task_notify(task_id=task_id) for task_id in list(waiting[:500]))


def _digest_cutoff(now: dt.datetime) -> dt.datetime | None:
    """Today's digest time, once it has come on a working day; else None."""
    local = timezone.localtime(now)
    if is_office_holiday(local.date()):
        return None
    hour, _, minute = settings.STAFF_DIGEST_TIME.partition(":")
    cutoff = local.replace(
        hour=int(hour), minute=int(minute or 0), second=0, microsecond=0
    )
    return cutoff if local >= cutoff else None


def digests_send(*, now: dt.datetime | None = None) -> int:
    """Each person's digest of the tasks that arrived before today's digest time.

    Run every few minutes; it acts once the digest time has come on a
    working day, and each item goes in exactly one digest (its row is
    locked and marked in the transaction that writes the mail).
    """
    now = now or timezone.now()
    cutoff = _digest_cutoff(now)
    if cutoff is None:
        return 0
    users = (
        DigestItem.objects.filter(sent_at__isnull=True, created_at__lt=cutoff)
        .values_list("user_id", flat=True)
        .distinct()
    )
    return sum(digest_send(user_id=user_id, cutoff=cutoff) for user_id in list(users))


def digest_send(*, user_id: int, cutoff: dt.datetime) -> bool:
    """One person's digest: their waiting items, grouped by procedure."""
    with transaction.atomic():
        items = list(
            DigestItem.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(user_id=user_id, sent_at__isnull=True, created_at__lt=cutoff)
            .select_related("user", "task__application__procedure_version")
            .order_by("created_at", "pk")
        )
        if not items:
            return False
        DigestItem.objects.filter(pk__in=[item.pk for item in items]).update(
            sent_at=timezone.now()
        )
        # Tasks taken or finished since they arrived are not news any more.
        waiting = [item.task for item in items if item.task.status == "NEW"]
        if not waiting:
            return False
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for task in waiting:
            groups[task.application.procedure_version.title_text].append(
                {
                    "receipt_number": task.application.receipt_number,
                    "kind": task.get_kind_display(),
                    "step": task.step_label,
                    "due_date": task.due_date,
                    "url": _case_url(task),
                }
            )
        user = items[0].user
        send_templated_mail(
            user=user,
            template="workflow/email/task_digest",
            context={
                "groups": sorted(groups.items()),
                "count": len(waiting),
                "inbox_url": settings.SITE_URL + reverse("workflow:inbox"),
            },
        )
    return True


@transaction.atomic
def notification_setting_update(*, user: Any, email: str) -> NotificationSetting:
    """A member of staff chooses how to hear of new tasks."""
    setting, _created = NotificationSetting.objects.update_or_create(
        user=user, defaults={"email": email}
    )
    return setting

"""Background jobs of the workflow: deadline reminders (issue 15)."""

from __future__ import annotations

from core.background import background_task


@background_task
def send_reminders() -> dict[str, int]:
    """Periodic: the reminders due today, each sent once (workflow.deadlines)."""
    from workflow.deadlines import reminders_send

    return reminders_send()


@background_task
def notify_task(task_id: int) -> bool:
    """Announce one new task to its post's holders and section (once)."""
    from workflow.notifications import task_notify

    return task_notify(task_id=task_id)


@background_task
def notify_staff() -> dict[str, int]:
    """Periodic: announce tasks whose job was lost, and send the daily digests."""
    from workflow.notifications import digests_send, task_notifications_due

    return {"tasks": task_notifications_due(), "digests": digests_send()}

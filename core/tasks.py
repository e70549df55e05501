"""Background jobs of the core app: delivering the outbox, and its retention."""

from __future__ import annotations

from core.background import background_task


@background_task
def deliver_message(message_id: int) -> str:
    """Send one outbox message (queued after the commit that wrote it)."""
    from core.outbox import outbox_deliver

    return outbox_deliver(message_id=message_id)


@background_task
def deliver_due_messages() -> dict[str, int]:
    """Periodic: send what is pending, due for a retry, or left by a dead worker."""
    from core.outbox import outbox_deliver_due

    return outbox_deliver_due()


@background_task
def purge_sent_messages() -> dict[str, int]:
    """Periodic: delete sent mail older than OUTBOX_KEEP_DAYS (personal data)."""
    from core.outbox import outbox_purge_sent

    return {"deleted": outbox_purge_sent()}

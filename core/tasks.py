"""Background jobs of the core app: delivering the outbox."""

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

"""The outbox: messages (e-mail, chat webhooks) written with their change,
delivered by a worker.

``outbox_mail`` runs inside the caller's transaction and only writes a row;
after commit the message is queued (``core.background``) and
``outbox_deliver`` sends it: claimed by a conditional UPDATE, so of two
workers exactly one sends it; a failure is recorded with a back-off and
retried by the periodic poll (``outbox_deliver_due``) until
``OUTBOX_MAX_ATTEMPTS``, then left for an administrator (/manage/outbox/).
A request never waits for the mail server and never fails because of it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core.models import OutboxMessage

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status
# A worker that claimed a message and died leaves it "working"; SMTP gives up
# after EMAIL_TIMEOUT, so a claim older than this belongs to nobody.
CLAIM_LEASE = dt.timedelta(minutes=5)


def _enqueue(message_id: int, *, run_after: dt.datetime | None = None) -> None:
    from core.background import enqueue
    from core.tasks import deliver_message

    enqueue(deliver_message, message_id, run_after=run_after)


def outbox_mail(
    *, to: str, subject: str, body: str, from_email: str = "", about: Any = None
) -> OutboxMessage:
    """Record an e-mail to send once the current transaction commits.

    ``about`` is the record the mail reports on (an application): its
    disposal erases the mail too (``outbox_erase_for``).
    """
    message = OutboxMessage.objects.create(
        kind=OutboxMessage.Kind.EMAIL,
        recipient=to,
        subject=subject[:255],
        payload={"body": body, "from_email": from_email},
        about_type=about._meta.label_lower if about is not None else "",
        about_id=str(about.pk) if about is not None else "",
    )
    transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def _webhook_message(
    *,
    url: str,
    body: dict[str, Any],
    label: str,
    form: bool,
    auth: str,
    about: Any,
    **fields: Any,
) -> OutboxMessage:
    return OutboxMessage.objects.create(
        kind=OutboxMessage.Kind.WEBHOOK,
        recipient=label[:254],
        subject=str(body.get("text") or body.get("summary") or body.get("body", ""))[
            :255
        ],
        payload={"url": url, "body": body, "form": form, "auth": auth},
        about_type=about._meta.label_lower if about is not None else "",
        about_id=str(about.pk) if about is not None else "",
        **fields,
    )


def outbox_webhook(
    *,
    url: str,
    body: dict[str, Any],
    label: str,
    form: bool = False,
    auth: str = "",
    about: Any = None,
) -> OutboxMessage:
    """Record a POST to a chat's incoming webhook, sent once this transaction commits.

    ``body`` goes as JSON (Slack, Teams) or, with ``form``, form-encoded
    (Chatwork's API). ``auth`` names a credential read from the settings at
    sending time ("chatwork": ``CHATWORK_API_TOKEN``), so no token is stored
    in the row. ``label`` is what administrators see as the recipient: the
    URL itself is a secret and stays in the payload. ``about`` is the
    channel's own record, whose page lists its deliveries.
    """
    message = _webhook_message(
        url=url, body=body, label=label, form=form, auth=auth, about=about
    )
    transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def outbox_webhook_now(
    *,
    url: str,
    body: dict[str, Any],
    label: str,
    form: bool = False,
    auth: str = "",
    about: Any = None,
) -> OutboxMessage:
    """POST once, now, and record the result: a test message, never retried.

    Called outside any transaction: the row shows "sending" while the
    request waits (at most ``WEBHOOK_TIMEOUT_SECONDS``) and no lock is held.
    """
    now = timezone.now()
    message = _webhook_message(
        url=url,
        body=body,
        label=label,
        form=form,
        auth=auth,
        about=about,
        status=Status.WORKING,
        attempts=1,
        claimed_at=now,
    )
    try:
        message.response_status = _post_webhook(message.payload)
    except Exception as error:
        message.response_status = _http_status(error)
        message.status = Status.ABANDONED
        message.last_error = _error_text(error, message)
    else:
        message.status = Status.SENT
        message.sent_at = timezone.now()
    message.save(update_fields=["status", "response_status", "last_error", "sent_at"])
    return message


def outbox_webhook_readdress(*, about: Any, url: str | None) -> int:
    """Send the undelivered webhook messages about ``about`` to ``url``, or,
    with None, give them up (the channel was deleted); how many.

    A channel's address changes when it was wrong or leaked: its messages
    still waiting must not keep going to the old one.
    """
    waiting = OutboxMessage.objects.filter(
        kind=OutboxMessage.Kind.WEBHOOK,
        about_type=about._meta.label_lower,
        about_id=str(about.pk),
    ).exclude(status=Status.SENT)
    if url is None:
        return waiting.update(
            status=Status.ABANDONED, next_attempt_at=None, claimed_at=None
        )
    changed = 0
    for message in waiting.select_for_update():
        message.payload = {**message.payload, "url": url}
        message.save(update_fields=["payload"])
        changed += 1
    return changed


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A webhook answers where it is: a redirect is a failure, never followed
    (it could point the POST's successor at an address nobody checked)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _post_webhook(payload: dict[str, Any]) -> int:
    """POST the payload; the HTTP status (a 4xx/5xx answer raises HTTPError)."""
    headers = {"User-Agent": "e-shinsei-outbox"}
    if payload.get("form"):
        data = urllib.parse.urlencode(payload["body"]).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    else:
        data = json.dumps(payload["body"], ensure_ascii=False).encode()
        headers["Content-Type"] = "application/json; charset=utf-8"
    if payload.get("auth") == "chatwork":
        if not settings.CHATWORK_API_TOKEN:
            raise RuntimeError("CHATWORK_API_TOKEN is not set")
        headers["X-ChatWorkToken"] = settings.CHATWORK_API_TOKEN
    request = urllib.request.Request(
        payload["url"], data=data, headers=headers, method="POST"
    )
    # The opener raises HTTPError on a 4xx/5xx or redirect: a failure to retry.
    opener = urllib.request.build_opener(_NoRedirect)
    with opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
        response.read(65536)
        return response.status


def _http_status(error: Exception) -> int | None:
    """The HTTP status a webhook answered with, when it answered at all."""
    code = getattr(error, "code", None)  # urllib's HTTPError
    return code if isinstance(code, int) else None


def _error_text(error: Exception, message: OutboxMessage) -> str:
    """The error as recorded and logged; a webhook's URL (a secret) left out."""
    text = f"{type(error).__name__}: {error}"
    url = message.payload.get("url") if message.kind == "webhook" else None
    if url:
        text = text.replace(url, "[URL]")
    return text[:2000]


def _backoff(attempts: int) -> dt.timedelta:
    seconds = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.OUTBOX_RETRY_MAX_SECONDS))


def _claimable(now: dt.datetime) -> Q:
    return (
        Q(status=Status.PENDING)
        | Q(status=Status.FAILED, next_attempt_at__lte=now)
        | Q(status=Status.FAILED, next_attempt_at__isnull=True)
        | Q(status=Status.WORKING, claimed_at__lt=now - CLAIM_LEASE)
    )


def _send(message: OutboxMessage) -> int | None:
    """Send one message; a webhook's HTTP status."""
    if message.kind == OutboxMessage.Kind.WEBHOOK:
        return _post_webhook(message.payload)
    if message.kind != OutboxMessage.Kind.EMAIL:  # pragma: no cover
        raise ValueError(f"unknown kind {message.kind}")
    email = EmailMessage(
        subject=message.subject,
        body=message.payload.get("body", ""),
        from_email=message.payload.get("from_email") or settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers={"Message-ID": f"<outbox-{message.pk}@{_mail_domain()}>"},
        connection=get_connection(fail_silently=False),
    )
    email.send()
    return None


def _mail_domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"


def outbox_deliver(*, message_id: int) -> str:
    """Send one message if it is due and nobody else holds it; the new status."""
    now = timezone.now()
    # A conditional UPDATE in its own statement: of two workers (threads,
    # processes, Celery and the poll) exactly one changes the row.
    claimed = OutboxMessage.objects.filter(_claimable(now), pk=message_id).update(
        status=Status.WORKING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return "skipped"
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        response_status = _send(message)
    except Exception as error:
        error_text = _error_text(error, message)
        logger.warning("outbox message %s failed: %s", message_id, error_text)
        give_up = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
        retry_at = None if give_up else timezone.now() + _backoff(message.attempts)
        OutboxMessage.objects.filter(pk=message_id, claimed_at=now).update(
            status=Status.ABANDONED if give_up else Status.FAILED,
            last_error=error_text,
            next_attempt_at=retry_at,
            response_status=_http_status(error),
        )
        if retry_at is not None:
            _enqueue(message_id, run_after=retry_at)
        return Status.ABANDONED if give_up else Status.FAILED
    OutboxMessage.objects.filter(pk=message_id).update(
        status=Status.SENT,
        sent_at=timezone.now(),
        last_error="",
        next_attempt_at=None,
        response_status=response_status,
    )
    return Status.SENT


def outbox_deliver_due(*, limit: int = 200) -> dict[str, int]:
    """Deliver every message that is due (the periodic poll and the cron command)."""
    ids = list(
        OutboxMessage.objects.filter(_claimable(timezone.now()))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    counts: dict[str, int] = {"sent": 0, "failed": 0, "abandoned": 0, "skipped": 0}
    for message_id in ids:
        status = outbox_deliver(message_id=message_id)
        counts[status] = counts.get(status, 0) + 1
    return counts


def outbox_retry(*, message: OutboxMessage, actor: Any, request: Any = None) -> bool:
    """An administrator asks for a failed message to be sent again now (audited).

    Returns whether it was waiting (failed or abandoned); the attempt count
    starts again, so an abandoned message gets its automatic retries back.
    """
    from core.audit import audit_record

    with transaction.atomic():
        due = OutboxMessage.objects.filter(
            pk=message.pk, status__in=[Status.FAILED, Status.ABANDONED]
        ).update(status=Status.FAILED, next_attempt_at=timezone.now(), attempts=0)
        if due:
            audit_record(
                action="outbox_retry",
                actor=actor,
                target=message,
                data={"recipient": message.recipient},
                request=request,
            )
            transaction.on_commit(lambda: _enqueue(message.pk))
    return bool(due)


# --- Retention: mail bodies hold personal data ------------------------------------

ERASED_NOTE = "erased: retention"


def outbox_purge_sent(*, now: dt.datetime | None = None) -> int:
    """Delete messages sent more than ``OUTBOX_KEEP_DAYS`` ago; how many.

    A sent mail is the resident's now; our copy of its body (names,
    addresses, what was decided) is kept only as long as a delivery question
    may come up. Unsent ones stay for administrators (/manage/outbox/).
    """
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.OUTBOX_KEEP_DAYS)
    deleted, _ = OutboxMessage.objects.filter(
        status=Status.SENT, sent_at__lt=cutoff
    ).delete()
    return deleted


def outbox_erase_for(target: Any) -> int:
    """Erase every message about ``target`` (records disposal); how many.

    Recipient, subject and body go; a message not sent yet is given up, as
    there is nothing left to send. The row stays (when, status) so that the
    outbox's history does not change shape.
    """
    messages = OutboxMessage.objects.filter(
        about_type=target._meta.label_lower, about_id=str(target.pk)
    )
    messages.exclude(status=Status.SENT).update(
        status=Status.ABANDONED, next_attempt_at=None, claimed_at=None
    )
    return messages.update(recipient="", subject="", payload={}, last_error=ERASED_NOTE)

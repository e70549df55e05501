"""Services for the staff audit log."""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from core.clients import client_address
from core.models import AuditEvent

# The head of the chain, logged after every commit: logs leave the database
# server, so a tail cut off the table (which the chain alone cannot reveal)
# shows against the last head in the logs (`manage.py audit_verify`).
anchor_logger = logging.getLogger("core.audit.anchor")

# Any constant works; it only has to be the same for every writer.
_AUDIT_LOCK_KEY = 0x6175646974  # "audit"
# Plain SQL: it runs inside every staff action (no query compilation).
_TAIL_SQL = f"SELECT hash FROM {AuditEvent._meta.db_table} ORDER BY id DESC LIMIT 1"


# The key id used when AUDIT_HMAC_KEYS is not set (development, or a site
# that has not configured one yet: `check --deploy` warns).
DERIVED_KEY_ID = "secret-key"

APPEND_ONLY_TRIGGER = "core_auditevent_append_only"


def audit_keys() -> dict[str, bytes]:
    """Every key the chain may have been signed with, by id."""
    keys = {
        key_id: secret.encode()
        for key_id, secret in settings.AUDIT_HMAC_KEYS.items()
        if key_id and secret
    }
    if keys:
        return keys
    derived = hashlib.sha256(b"core.audit:" + settings.SECRET_KEY.encode())
    return {DERIVED_KEY_ID: derived.digest()}


def audit_signing_key() -> tuple[str, bytes]:
    """The id and key that sign new events."""
    keys = audit_keys()
    key_id = settings.AUDIT_HMAC_KEY_ID if settings.AUDIT_HMAC_KEYS else DERIVED_KEY_ID
    if key_id not in keys:
        raise ImproperlyConfigured(
            f"AUDIT_HMAC_KEY_ID {key_id!r} is not one of the ids in AUDIT_HMAC_KEYS"
        )
    return key_id, keys[key_id]


def _client_ip(request: HttpRequest | None) -> str | None:
    return None if request is None else client_address(request)


def audit_event(
    *,
    action: str,
    actor: Any = None,
    target: Any = None,
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """One event, not yet chained nor saved: give it to ``audit_append``."""
    return AuditEvent(
        created_at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
        ip_address=_client_ip(request),
    )


@transaction.atomic(savepoint=False)
def audit_append(events: list[AuditEvent]) -> list[AuditEvent]:
    """Append events to the hash chain, in order, with one insert.

    Appends are serialised: without a lock, concurrent writers read the same
    tail and fork the chain. PostgreSQL gets a transaction-level advisory lock;
    SQLite already serialises writers (IMMEDIATE transactions). An action
    that records several events (a claim and a decision from the queue)
    takes the lock and reads the tail once for all of them.

    No savepoint of its own: an action whose audit record fails must not
    commit, so a failure here spoils the caller's whole transaction.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_AUDIT_LOCK_KEY])
        # Read after the lock, by a statement of its own: in READ COMMITTED
        # each statement sees what committed before it began.
        cursor.execute(_TAIL_SQL)
        row = cursor.fetchone()
    tail = row[0] if row else ""
    key_id, key = audit_signing_key()
    for event in events:
        event.prev_hash = tail
        event.key_id = key_id
        event.hash = tail = event.compute_hash(key)
    if len(events) == 1:
        events[0].save(force_insert=True)
    else:
        AuditEvent.objects.bulk_create(events)
    head = events[-1]
    transaction.on_commit(
        lambda: anchor_logger.info("audit head %s:%s", head.pk, head.hash)
    )
    return events


def audit_record(
    *,
    action: str,
    actor: Any = None,
    target: Any = None,
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one event to the hash chain (see ``audit_append``)."""
    event = audit_event(
        action=action, actor=actor, target=target, data=data, request=request
    )
    return audit_append([event])[0]


def audit_verify_chain() -> int | None:
    """Return the id of the first event whose hash does not match, or None.

    An event signed with a key id that is not configured does not match:
    without its key nobody can tell it from a forgery.
    """
    keys = audit_keys()
    prev = ""
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        key = keys.get(event.key_id)
        if (
            key is None
            or event.prev_hash != prev
            or not hmac.compare_digest(event.compute_hash(key), event.hash)
        ):
            return event.id
        prev = event.hash
    return None


def audit_head() -> tuple[int, str] | None:
    """The last event of the chain as ``(id, hash)``, the value to keep elsewhere."""
    return AuditEvent.objects.order_by("-id").values_list("id", "hash").first()


def audit_has_head(event_id: int, event_hash: str) -> bool:
    """Whether a head recorded earlier is still in the chain, unchanged."""
    return AuditEvent.objects.filter(pk=event_id, hash=event_hash).exists()


def audit_protect_table(*, using: str = "default") -> None:
    """Make the audit table append-only on PostgreSQL, whatever role writes.

    A trigger refuses UPDATE and DELETE even for the table's owner; the
    documented grants (docs/audit.md) keep TRUNCATE and the trigger itself out
    of the application role's reach. SQLite is left alone: it is the
    development database, and Django's flush empties it with DELETE.
    """
    conn = transaction.get_connection(using)
    if conn.vendor != "postgresql":
        return
    table = AuditEvent._meta.db_table
    with conn.cursor() as cursor:
        cursor.execute(
            f"""
            CREATE OR REPLACE FUNCTION {APPEND_ONLY_TRIGGER}() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END
            $$
            """
        )
        cursor.execute(
            f"CREATE OR REPLACE TRIGGER {APPEND_ONLY_TRIGGER} "
            f"BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {APPEND_ONLY_TRIGGER}()"
        )

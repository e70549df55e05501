"""State changes of the API itself: tokens and idempotent requests.

Everything else the API does goes through the other apps' services, exactly
as their pages do.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from api.models import ApiToken, IdempotencyRecord

TOKEN_PREFIX = "esh_"
# Last-used times are written at most this often per token (one UPDATE per
# request would make every API call a write).
TOUCH_INTERVAL_SECONDS = 60
# How long a new token may live, in days; the person picks one. There is no
# "never": a token forgotten in some system must stop acting for them.
TOKEN_VALIDITY_DAYS = (30, 90, 365)
TOKEN_DEFAULT_DAYS = 90


def hash_token(raw: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def token_validity_days_for(user: Any) -> tuple[int, ...]:
    """The validities (days) ``user`` may choose: the page and the API offer these."""
    if user.is_staff:
        # Staff tokens reach residents' case files: at most
        # API_STAFF_TOKEN_MAX_DAYS (90 by default).
        limit = settings.API_STAFF_TOKEN_MAX_DAYS
        return tuple(d for d in TOKEN_VALIDITY_DAYS if d <= limit) or (limit,)
    return TOKEN_VALIDITY_DAYS


@transaction.atomic
def api_token_create(
    *, user: Any, name: str, days: int = TOKEN_DEFAULT_DAYS, request: Any = None
) -> tuple[ApiToken, str]:
    """A new token for ``user`` valid ``days`` days; the secret is returned once.

    The form and the serializer offer only ``token_validity_days_for(user)``;
    anything else reaching here is a programming error, hence ValueError.
    """
    if days not in token_validity_days_for(user):
        raise ValueError(f"validity of {days} days not allowed for this user")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        key_hash=hash_token(raw),
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    from core.audit import audit_record

    # Residents' tokens too: a token acts for its owner like a password.
    audit_record(
        action="api.token_create",
        actor=user,
        target=token,
        data={
            "name": token.name,
            "days": days,
            "expires_at": token.expires_at.isoformat(),
        },
        request=request,
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, user: Any, request: Any = None) -> ApiToken:
    """Revoke one of ``user``'s tokens (idempotent); it stops working at once."""
    if token.user_id != user.pk:
        raise PermissionError("not the owner")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        from core.audit import audit_record

        audit_record(
            action="api.token_revoke",
            actor=user,
            target=token,
            data={"name": token.name, "owner": user.email},
            request=request,
        )
    return token


@transaction.atomic
def api_token_revoke_by_administrator(
    *, token: ApiToken, actor: Any, request: Any = None
) -> ApiToken:
    """An administrator revokes someone's token (idempotent; audited)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        from core.audit import audit_record

        audit_record(
            action="api.token_revoke",
            actor=actor,
            target=token,
            data={"name": token.name, "owner": token.user.email},
            request=request,
        )
    return token


def api_token_touch(*, token: ApiToken) -> None:
    """Record that the token was used (at most once a minute)."""
    now = timezone.now()
    last = token.last_used_at
    if last is None or (now - last).total_seconds() >= TOUCH_INTERVAL_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


class IdempotencyMismatch(Exception):
    """The key was used before for a different request."""


class IdempotencyInProgress(Exception):
    """The first request with this key has not finished yet."""


def request_fingerprint(*, scope: str, body: Any) -> str:
    """A digest of what a request asks for, to compare retries with the original."""
    canonical = json.dumps(
        {"scope": scope, "body": body}, sort_keys=True, ensure_ascii=False, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def idempotent_call(
    *,
    user: Any,
    key: str,
    fingerprint: str,
    run: Callable[[], tuple[int, Any]],
) -> tuple[int, Any, bool]:
    """Run ``run`` once per (user, key); later calls replay its answer.

    Returns (status, JSON body, replayed). The key row is inserted before the
    work, in the same transaction: a concurrent retry waits on the unique
    index and then finds the finished answer; a failure rolls the key back
    with everything else, so the client may retry with the same key.
    """
    existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user, key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if existing is None:
                raise IdempotencyInProgress from None
        else:
            status, body = run()
            record.status_code = status
            record.response = body
            record.save(update_fields=["status_code", "response"])
            return status, body, False
    if existing.fingerprint != fingerprint:
        raise IdempotencyMismatch
    if not existing.status_code:
        raise IdempotencyInProgress
    return existing.status_code, existing.response, True

"""Reads of the API's own records."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from api.models import ApiToken
from api.services import TOKEN_PREFIX, hash_token


def api_token_by_secret(raw: str) -> ApiToken | None:
    """The unrevoked token whose secret is ``raw``, with its user, or None.

    Expired tokens are returned too: authentication refuses them with their
    own message, in the same single query.
    """
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    return (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )


def api_tokens_of(*, user: Any) -> QuerySet[ApiToken]:
    """``user``'s tokens, newest first (revoked and expired ones too, marked)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def api_token_of(*, user: Any, pk: int) -> ApiToken:
    """One of ``user``'s tokens; anyone else's is a 404."""
    token = ApiToken.objects.filter(user=user, pk=pk).first()
    if token is None:
        raise Http404
    return token


def staff_tokens_active() -> QuerySet[ApiToken]:
    """Staff members' tokens that still work, soonest to expire first."""
    return (
        ApiToken.objects.select_related("user")
        .filter(
            user__is_staff=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .order_by("expires_at", "id")
    )

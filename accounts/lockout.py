"""Login lockout through django-axes, so that it cannot be turned against officials.

Failures are counted per account *and* client address, in the default cache
(Redis when ``REDIS_URL`` is set, shared by every process), and lock only
that combination for a cool-off period: an attacker guessing the governor's
password from one address does not keep the governor out from another.
Behind the proxy the README prescribes, the client address is the one the
proxy appended to ``X-Forwarded-For``; without ``DJANGO_BEHIND_PROXY`` the
header is ignored (anyone could write it).

Administrators see the current lockouts under /manage/ and may lift them
early; the cache keeps a small index of them (axes' cache handler cannot
list its counts).
"""

from __future__ import annotations

import datetime
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cache, get_client_cache_keys, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from core.clients import client_address

INDEX_KEY = "lockouts:index"


def client_ip(request: HttpRequest) -> str | None:
    """axes' client address (``AXES_CLIENT_IP_CALLABLE``): ``core.clients``'."""
    return client_address(request)


def client_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The e-mail as accounts are found by it (case and spaces do not matter)."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(raw).strip().lower()


class LockoutBackend(AxesStandaloneBackend):
    """Refuses locked-out (account, address) pairs before any password check.

    ``authenticate()`` without a request (the test client's ``login``, a shell)
    has no address to count against and is let through to the next backend
    instead of failing.
    """

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any):
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def lockout_response(
    request: HttpRequest, response: HttpResponse, credentials: Any = None
) -> HttpResponse:
    """The login page as the form rendered it (with its message), answered 429."""
    response.status_code = 429
    return response


@receiver(user_locked_out)
def _index_lockout(
    sender: Any, request: Any, username: str, ip_address: str, **kwargs: Any
) -> None:
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else None
    until = timezone.now() + cool_off if cool_off else None
    index = cache.get(INDEX_KEY, {})
    index[f"{username}|{ip_address}"] = until.isoformat() if until else ""
    cache.set(INDEX_KEY, index, seconds)


def lockouts_current() -> list[dict[str, Any]]:
    """Locked (account, address) pairs still cooling off, soonest to end first."""
    now = timezone.now()
    rows = []
    for key, until in cache.get(INDEX_KEY, {}).items():
        username, _, address = key.partition("|")
        ends = datetime.datetime.fromisoformat(until) if until else None
        if ends is not None and ends <= now:
            continue
        if _failures(username, address) < settings.AXES_FAILURE_LIMIT:
            continue  # lifted already (reset, or a successful login)
        rows.append({"username": username, "address": address, "until": ends})
    return sorted(rows, key=lambda row: row["until"] or now)


def _failures(username: str, address: str) -> int:
    # An unsaved AccessAttempt is how axes' own cache handler names the keys
    # of one (account, address) pair outside a request.
    keys = get_client_cache_keys(AccessAttempt(username=username, ip_address=address))
    return max((get_cache().get(key, 0) for key in keys), default=0)


def lockout_clear(*, username: str, actor: Any) -> int:
    """Lift every lockout of ``username`` now; returns how many pairs were lifted."""
    from axes.utils import reset

    from core.audit import audit_record

    index = cache.get(INDEX_KEY, {})
    pairs = [key for key in index if key.partition("|")[0] == username]
    for key in pairs:
        reset(ip=key.partition("|")[2], username=username)
        index.pop(key, None)
    cache.set(INDEX_KEY, index, None if not index else 24 * 3600)
    audit_record(
        action="staff.lockout_clear",
        actor=actor,
        data={"username": username, "addresses": len(pairs)},
    )
    return len(pairs)

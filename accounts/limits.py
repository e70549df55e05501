"""Limits on mails that anyone may ask for: sign-up and password-reset mails.

Each request is counted per client address and per e-mail address in the
default cache (Redis when ``REDIS_URL`` is set) for an hour. The e-mail count
does not depend on whether an account exists, so hitting it tells nothing
about the address.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from accounts.lockout import client_ip

WINDOW_SECONDS = 3600


def _count(key: str) -> int:
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        return 1


def mail_request_allowed(request: HttpRequest, *, kind: str, email: str) -> bool:
    """Count this request for a ``kind`` mail; False past either hourly limit."""
    email = email.strip().lower()
    per_address = _count(f"mail-limit:{kind}:ip:{client_ip(request)}")
    per_email = _count(f"mail-limit:{kind}:email:{email}")
    return (
        per_address <= settings.ACCOUNT_MAILS_PER_ADDRESS_HOURLY
        and per_email <= settings.ACCOUNT_MAILS_PER_EMAIL_HOURLY
    )

"""Who needs a second factor, whether they have one, and checking a code.

Staff and administrators always need one. A resident needs one once they
have turned it on: the login marks the session (``SESSION_KEY``) so that
residents' pages cost no device query on every request.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

SESSION_KEY = "second_factor_required"
# The authenticator-app device; recovery codes are a StaticDevice of this name.
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery"


def account_needs_second_factor(user: Any) -> bool:
    """Staff always; a resident once they have a confirmed device."""
    return bool(user.is_staff or user.is_superuser or has_second_factor(user))


def second_factor_required(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_staff or user.is_superuser or request.session.get(SESSION_KEY))


def has_second_factor(user: Any) -> bool:
    """The account has a confirmed authenticator (recovery codes alone are not one)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


# --- Fresh authentication and staff session limits -----------------------------

VERIFIED_AT_KEY = "second_factor_verified_at"
PROVIDER_MFA_KEY = "second_factor_by_provider"
# RFC 8176 authentication method references that mean "more than a password".
MFA_AMR_VALUES = frozenset({"mfa", "otp", "hwk", "swk", "sc", "fpt", "face"})
LOGIN_AT_KEY = "staff_login_at"
SEEN_AT_KEY = "staff_seen_at"


def mark_fresh(request: HttpRequest) -> None:
    """The second factor was given just now (sign-in or a re-verification)."""
    request.session[VERIFIED_AT_KEY] = time.time()


def is_fresh(request: HttpRequest) -> bool:
    """The second factor was given within ``STAFF_REAUTH_MINUTES``."""
    at = request.session.get(VERIFIED_AT_KEY)
    return at is not None and time.time() - at <= settings.STAFF_REAUTH_MINUTES * 60


def code_refused(*, user: Any, purpose: str, request: HttpRequest | None) -> None:
    """A wrong code goes to the audit log: many of them mean someone holds the
    password and is guessing the second factor."""
    from core.audit import audit_record

    audit_record(
        action="account.second_factor_failed",
        actor=user,
        target=user,
        data={"purpose": purpose},
        request=request,
    )


def code_matches(
    *, user: Any, code: str, purpose: str, request: HttpRequest | None
) -> bool:
    """Check a code from the person's authenticator (or a recovery code) now;
    a wrong one is recorded."""
    code = "".join((code or "").split()).lower()
    if code and match_token(user, code) is not None:
        return True
    code_refused(user=user, purpose=purpose, request=request)
    return False


def reverify(request: HttpRequest, code: str, *, purpose: str = "decision") -> bool:
    """Check a code again before an act that needs a recent one (決裁)."""
    if not code_matches(user=request.user, code=code, purpose=purpose, request=request):
        return False
    mark_fresh(request)
    return True


def staff_session_expired(request: HttpRequest) -> bool:
    """Idle longer than ``STAFF_SESSION_IDLE_MINUTES`` or signed in longer than
    ``STAFF_SESSION_MAX_HOURS``; notes this request as activity otherwise."""
    now = time.time()
    session = request.session
    login_at = session.setdefault(LOGIN_AT_KEY, now)
    seen_at = session.get(SEEN_AT_KEY, now)
    if (
        now - seen_at > settings.STAFF_SESSION_IDLE_MINUTES * 60
        or now - login_at > settings.STAFF_SESSION_MAX_HOURS * 3600
    ):
        return True
    # Written at most once a minute: a session save on every request is a
    # database write on every page.
    if SEEN_AT_KEY not in session or now - seen_at >= 60:
        session[SEEN_AT_KEY] = now
    return False


def provider_asserted_mfa(claims: dict[str, Any]) -> bool:
    """The ID token says the provider checked more than a password (RFC 8176
    ``amr``), or names an ``acr`` the prefecture accepts."""
    amr = claims.get("amr")
    methods = {str(value) for value in amr} if isinstance(amr, list) else set()
    return bool(
        methods & MFA_AMR_VALUES
        or (claims.get("acr") and claims.get("acr") in settings.OIDC_MFA_ACR_VALUES)
    )


def verified_by_provider(request: HttpRequest) -> bool:
    """Signed in through a provider that asserted a second factor (if allowed)."""
    return bool(settings.OIDC_PROVIDER_MFA and request.session.get(PROVIDER_MFA_KEY))

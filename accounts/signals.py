"""Staff sign-ins and sign-outs, every failed login and every lockout go to
the audit log; every sign-in notes whether the account needs its second
factor (read by the middleware)."""

import time
from typing import Any

from axes.helpers import get_cool_off
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.dispatch import receiver

from accounts.lockout import client_username
from accounts.models import User
from accounts.second_factor import (
    LOGIN_AT_KEY,
    PROVIDER_MFA_KEY,
    SEEN_AT_KEY,
    SESSION_KEY,
    account_needs_second_factor,
)
from core.audit import audit_record


@receiver(user_logged_in)
def _audit_staff_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user.is_staff:
        audit_record(action="staff.login", actor=user, target=user, request=request)


@receiver(user_logged_out)
def _audit_staff_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None and user.is_staff:
        audit_record(action="staff.logout", actor=user, target=user, request=request)


@receiver(user_logged_in)
def _note_second_factor(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = account_needs_second_factor(user)
        request.session[LOGIN_AT_KEY] = request.session[SEEN_AT_KEY] = time.time()
        if getattr(user, "backend", "") != "accounts.oidc.ResidentOIDCBackend":
            request.session.pop(PROVIDER_MFA_KEY, None)


def _login_area(request: Any) -> str:
    path = getattr(request, "path", "") or ""
    if path.startswith("/staff/"):
        return "caseworker"
    if path.startswith("/manage/"):
        return "administrator"
    if path.startswith("/api/"):
        return "api"
    return "resident"


@receiver(user_login_failed)
def _audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    """Every failed login (residents' and staff's), with the name typed.

    Django passes the credentials with the password masked; only the name is
    kept. A name that belongs to no account is recorded as typed: the page
    the person sees is the same either way, only administrators see which.
    """
    if request is None:
        return  # authenticate() without a request: a shell, not a sign-in
    username = client_username(request, credentials)[:254]
    account = User.objects.filter(email__iexact=username).first() if username else None
    failures = getattr(request, "axes_failures_since_start", 0) or 0
    audit_record(
        action="account.login_failed",
        target=account,
        data={
            "username": username,
            "area": _login_area(request),
            "known_account": account is not None,
            # axes counts before this runs (its receivers connect first);
            # past the limit the lockout refused it without checking the
            # password.
            "failures": failures,
            "while_locked": failures > settings.AXES_FAILURE_LIMIT,
        },
        request=request,
    )


@receiver(user_locked_out)
def _audit_locked_out(
    sender: Any, request: Any, username: str, ip_address: str, **kwargs: Any
) -> None:
    """The failure that reaches the limit locks the (account, address) pair.

    axes signals again on every attempt during the lock; those are failed
    logins ("while_locked"), not new lockouts.
    """
    failures = getattr(request, "axes_failures_since_start", None)
    if failures != settings.AXES_FAILURE_LIMIT:
        return
    cool_off = get_cool_off(request)
    audit_record(
        action="account.locked_out",
        target=User.objects.filter(email__iexact=username).first()
        if username
        else None,
        data={
            "username": username or "",
            "address": ip_address or "",
            "failures": failures,
            "cool_off_minutes": round(cool_off.total_seconds() / 60)
            if cool_off
            else None,
        },
        request=request,
    )

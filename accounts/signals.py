"""Staff sign-ins and sign-outs go to the audit log; every sign-in notes
whether the account needs its second factor (read by the middleware)."""

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

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

"""Staff sign-ins and sign-outs go to the audit log."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from core.audit import audit_record


@receiver(user_logged_in)
def _audit_staff_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user.is_staff:
        audit_record(action="staff.login", actor=user, target=user, request=request)


@receiver(user_logged_out)
def _audit_staff_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None and user.is_staff:
        audit_record(action="staff.logout", actor=user, target=user, request=request)

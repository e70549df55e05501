"""Who needs a second factor, and whether they have one (reads only).

Staff and administrators always need one. A resident needs one once they
have turned it on: the login marks the session (``SESSION_KEY``) so that
residents' pages cost no device query on every request.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
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

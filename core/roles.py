"""Who may enter which area.

Residents, caseworkers and procedure administrators share one user model;
the staff areas are opened by ordinary Django permissions so that groups
(and the Django admin) manage them.
"""

from __future__ import annotations

from typing import Any

CASEWORKER_PERMISSION = "accounts.access_caseworker_area"
ADMINISTRATOR_PERMISSION = "accounts.access_admin_area"
# 所属管理者: staff who keep the organisation (departments, sections, posts,
# the personnel moves of 1 April, absences) without procedure rights.
ORGANISATION_PERMISSION = "accounts.manage_organisation"


def is_caseworker(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm(CASEWORKER_PERMISSION)
    )


def is_administrator(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm(ADMINISTRATOR_PERMISSION)
    )


def is_resident(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and not user.is_staff)


def is_organisation_administrator(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm(ORGANISATION_PERMISSION)
    )


def can_enter_manage_area(user: Any) -> bool:
    """The /manage/ sign-in admits procedure and organisation administrators."""
    return is_administrator(user) or is_organisation_administrator(user)

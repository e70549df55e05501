"""Virtual permissions for the posts a user holds today (and stands in for).

viewflow's queue and claim logic understand permission strings only. This
backend gives each user one ``workflow.slot_…`` permission per post held
today, plus the posts of every holder who is absent with them as deputy
(代決), so tasks queued for a post reach the right people on the right day.
"""

from __future__ import annotations

from typing import Any

from organisation.selectors import SLOT_PREFIX, user_slot_grants


class OrganisationPermissionBackend:
    """Grants slot permissions from dated assignments and absences; never authenticates."""

    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or not user_obj.is_staff:
            return set()
        if not hasattr(user_obj, "_workflow_slot_cache"):
            user_obj._workflow_slot_cache = {
                grant.slot for grant in user_slot_grants(user_obj)
            }
        return user_obj._workflow_slot_cache

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if not perm.startswith(SLOT_PREFIX):
            return False
        return perm in self.get_all_permissions(user_obj)

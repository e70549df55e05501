"""Who holds which post on a given day, and who stands in for whom (代決).

A *slot* names one post that work is queued for: a position in a section
(担当 of 福祉政策課), in a department (部長 of 健康福祉部) or prefecture-wide
(知事), following the position's scope. Slots are written as permission
strings (``workflow.slot_s12_p3``) so that viewflow's queue and claim logic,
which only understand permissions, work unchanged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from organisation.models import Absence, Assignment, Position, Section

SLOT_PREFIX = "workflow.slot_"


def slot_key(*, position: Position, section: Section) -> str:
    """The slot of ``position`` as held from ``section`` (scope decides the unit)."""
    if position.scope == "prefecture":
        return f"{SLOT_PREFIX}x_p{position.pk}"
    if position.scope == "department":
        return f"{SLOT_PREFIX}d{section.department_id}_p{position.pk}"
    return f"{SLOT_PREFIX}s{section.pk}_p{position.pk}"


@dataclass(frozen=True)
class SlotGrant:
    """One slot a user may act in today; ``on_behalf_of`` is set for a deputy."""

    slot: str
    on_behalf_of_id: int | None = None


def user_slot_grants(user: Any, date: dt.date | None = None) -> list[SlotGrant]:
    """The slots ``user`` holds on ``date``, then those held for absent holders.

    Two queries: the user's assignments, and the assignments of every holder
    who is absent that day with ``user`` as deputy.
    """
    date = date or timezone.localdate()
    own = [
        SlotGrant(slot_key(position=a.position, section=a.section))
        for a in Assignment.objects.active_on(date)
        .filter(user=user)
        .select_related("position", "section")
    ]
    held = {grant.slot for grant in own}
    deputised = []
    for a in (
        Assignment.objects.active_on(date)
        .filter(
            user__absences__deputy=user,
            user__absences__start_date__lte=date,
            user__absences__end_date__gte=date,
        )
        .select_related("position", "section")
        .order_by("user_id", "pk")
    ):
        slot = slot_key(position=a.position, section=a.section)
        if slot not in held:
            held.add(slot)
            deputised.append(SlotGrant(slot, on_behalf_of_id=a.user_id))
    return own + deputised


def slot_holders(slot: str, date: dt.date | None = None) -> list[dict[str, Any]]:
    """Who would act in ``slot`` on ``date``: each holder, and their deputy if absent."""
    date = date or timezone.localdate()
    body = slot.removeprefix(SLOT_PREFIX)
    unit, _, position_part = body.partition("_p")
    assignments = Assignment.objects.active_on(date).filter(
        position_id=int(position_part)
    )
    if unit.startswith("s"):
        assignments = assignments.filter(section_id=int(unit[1:]))
    elif unit.startswith("d"):
        assignments = assignments.filter(section__department_id=int(unit[1:]))
    assignments = assignments.select_related("user").order_by("user__full_name")
    absences = {
        absence.holder_id: absence
        for absence in Absence.objects.active_on(date)
        .filter(holder__in=[a.user_id for a in assignments])
        .select_related("deputy")
    }
    return [
        {
            "user": a.user,
            "absent": a.user_id in absences,
            "deputy": absences[a.user_id].deputy if a.user_id in absences else None,
        }
        for a in assignments
    ]


def user_by_id(pk: int | None) -> Any:
    """The user with ``pk`` or None (for on-behalf-of lookups)."""
    if pk is None:
        return None
    return get_user_model().objects.filter(pk=pk).first()

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

from django.db import connection
from django.utils import timezone

from organisation.models import Absence, Assignment, Position, Section

SLOT_PREFIX = "workflow.slot_"


def slot_for(
    *, scope: str, position_id: int, section_id: int, department_id: int
) -> str:
    """The slot of a post given as plain ids (for reads that skip the models)."""
    if scope == "prefecture":
        return f"{SLOT_PREFIX}x_p{position_id}"
    if scope == "department":
        return f"{SLOT_PREFIX}d{department_id}_p{position_id}"
    return f"{SLOT_PREFIX}s{section_id}_p{position_id}"


def slot_key(*, position: Position, section: Section) -> str:
    """The slot of ``position`` as held from ``section`` (scope decides the unit)."""
    return slot_for(
        scope=position.scope,
        position_id=position.pk,
        section_id=section.pk,
        department_id=section.department_id,
    )


# Assignments active on the day held by the user or by someone the user
# stands in for (代決); the order puts each holder's own rows together. The
# dates mean what ``Assignment.objects.active_on`` and
# ``Absence.objects.active_on`` mean (tests/workflow/test_grants.py).
_GRANTS_SQL = f"""
SELECT a.user_id, p.scope, a.position_id, a.section_id, s.department_id
  FROM {Assignment._meta.db_table} a
  JOIN {Position._meta.db_table} p ON p.id = a.position_id
  JOIN {Section._meta.db_table} s ON s.id = a.section_id
 WHERE a.start_date <= %s
   AND (a.end_date IS NULL OR a.end_date >= %s)
   AND (a.user_id = %s OR a.user_id IN (
        SELECT b.holder_id FROM {Absence._meta.db_table} b
         WHERE b.deputy_id = %s AND b.start_date <= %s AND b.end_date >= %s))
 ORDER BY a.user_id, a.id
"""


@dataclass(frozen=True)
class SlotGrant:
    """One slot a user may act in today; ``on_behalf_of`` is set for a deputy."""

    slot: str
    on_behalf_of_id: int | None = None


def user_slot_grants(user: Any, date: dt.date | None = None) -> list[SlotGrant]:
    """The slots ``user`` holds on ``date``, then those held for absent holders.

    It runs on every caseworker request and action, so it is one statement
    of hand-written SQL: the same filters through the ORM (``active_on``
    and a sub-query for the absences) cost ~2 ms of query compilation per
    call, four times the database's own time (bench/README.md).
    """
    day = connection.ops.adapt_datefield_value(date or timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute(_GRANTS_SQL, [day, day, user.pk, user.pk, day, day])
        rows = cursor.fetchall()
    own: list[SlotGrant] = []
    deputised: list[tuple[str, int]] = []
    for user_id, scope, position_id, section_id, department_id in rows:
        slot = slot_for(
            scope=scope,
            position_id=position_id,
            section_id=section_id,
            department_id=department_id,
        )
        if user_id == user.pk:
            own.append(SlotGrant(slot))
        else:
            deputised.append((slot, user_id))
    held = {grant.slot for grant in own}
    for slot, holder_id in deputised:
        # A post the deputy holds themselves is acted in as themselves.
        if slot not in held:
            held.add(slot)
            own.append(SlotGrant(slot, on_behalf_of_id=holder_id))
    return own


def slot_assignments(slot: str) -> Any:
    """Every assignment, past, present or future, to the post ``slot`` names."""
    body = slot.removeprefix(SLOT_PREFIX)
    unit, _, position_part = body.partition("_p")
    assignments = Assignment.objects.filter(position_id=int(position_part))
    if unit.startswith("s"):
        assignments = assignments.filter(section_id=int(unit[1:]))
    elif unit.startswith("d"):
        assignments = assignments.filter(section__department_id=int(unit[1:]))
    return assignments


def slot_holders(slot: str, date: dt.date | None = None) -> list[dict[str, Any]]:
    """Who would act in ``slot`` on ``date``: each holder, and their deputy if absent."""
    date = date or timezone.localdate()
    assignments = (
        slot_assignments(slot)
        .active_on(date)
        .select_related("user")
        .order_by("user__full_name")
    )
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

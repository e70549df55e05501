"""Who holds which post on a given day (``user_slot_grants``), at the day's edges.

The query is hand-written SQL (organisation/selectors.py); these pin the same
dates ``Assignment.objects.active_on`` and ``Absence.objects.active_on`` mean,
on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import pytest

from organisation.models import Absence
from organisation.selectors import SlotGrant, slot_key, user_slot_grants
from tests.factories import AssignmentFactory, PositionFactory, StaffFactory

pytestmark = pytest.mark.django_db

MOVE = dt.date(2027, 4, 1)  # a personnel move entered in advance
DAY = dt.timedelta(days=1)


def _slots(user, date):
    return [grant.slot for grant in user_slot_grants(user, date)]


def test_a_move_takes_effect_on_its_day_and_the_old_post_ends_the_day_before():
    old = AssignmentFactory(start_date=dt.date(2020, 4, 1), end_date=MOVE - DAY)
    new = AssignmentFactory(user=old.user, start_date=MOVE)
    old_slot = slot_key(position=old.position, section=old.section)
    new_slot = slot_key(position=new.position, section=new.section)

    assert _slots(old.user, MOVE - DAY) == [old_slot]
    assert _slots(old.user, MOVE) == [new_slot]
    assert _slots(old.user, dt.date(2020, 3, 31)) == []


def test_a_deputy_acts_for_the_holder_only_while_the_absence_lasts():
    holder = AssignmentFactory(
        start_date=dt.date(2020, 4, 1),
        position=PositionFactory(name="課長", level=40),
    )
    deputy = StaffFactory()
    Absence.objects.create(
        holder=holder.user, deputy=deputy, start_date=MOVE, end_date=MOVE + DAY
    )
    slot = slot_key(position=holder.position, section=holder.section)
    deputised = [SlotGrant(slot, on_behalf_of_id=holder.user.pk)]

    assert user_slot_grants(deputy, MOVE - DAY) == []
    assert user_slot_grants(deputy, MOVE) == deputised
    assert user_slot_grants(deputy, MOVE + DAY) == deputised
    assert user_slot_grants(deputy, MOVE + 2 * DAY) == []
    # The holder keeps the post while away (they may still act themselves).
    assert _slots(holder.user, MOVE) == [slot]


def test_a_deputy_who_holds_the_post_too_acts_as_themselves():
    holder = AssignmentFactory(start_date=dt.date(2020, 4, 1))
    colleague = AssignmentFactory(
        section=holder.section, position=holder.position, start_date=holder.start_date
    )
    Absence.objects.create(
        holder=holder.user, deputy=colleague.user, start_date=MOVE, end_date=MOVE
    )
    slot = slot_key(position=holder.position, section=holder.section)

    assert user_slot_grants(colleague.user, MOVE) == [SlotGrant(slot)]

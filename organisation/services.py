"""State changes of the organisation, each one audited.

所属管理者 keep departments, sections, positions, the dated assignments of
the personnel moves (人事異動, entered in advance for 1 April) and the
absences that name a deputy (代決). The approval routes read these rows on
the day (``organisation.selectors``), so a change here changes who acts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Model

from accounts.models import User
from accounts.services import staff_account_create, staff_invitation_send
from core.audit import audit_record
from organisation.csv_import import CsvRowsInvalid, Plan, organisation_csv_plan
from organisation.models import Absence, Assignment, Department, Position, Section


def _changes(instance: Model, values: dict[str, Any]) -> dict[str, Any]:
    """What the save changes, by field, as JSON-ready text for the audit trail."""
    changed = {}
    for field, value in values.items():
        before = getattr(instance, field, None)
        if before != value:
            changed[field] = [
                None if before is None else str(before),
                None if value is None else str(value),
            ]
    return changed


def _save(
    instance: Model,
    values: dict[str, Any],
    *,
    action: str,
    actor: Any,
    request: Any,
) -> Any:
    created = instance.pk is None
    changes = _changes(instance, values)
    for field, value in values.items():
        setattr(instance, field, value)
    instance.full_clean()
    instance.save()
    audit_record(
        action=f"{action}.{'create' if created else 'update'}",
        actor=actor,
        target=instance,
        data={"changes": changes},
        request=request,
    )
    return instance


@transaction.atomic
def department_save(
    *,
    department: Department | None = None,
    code: str,
    name: str,
    name_en: str = "",
    actor: Any,
    request: Any = None,
) -> Department:
    """Create a department (部局), or change the one given."""
    return _save(
        department or Department(),
        {"code": code, "name": name, "name_en": name_en},
        action="organisation.department",
        actor=actor,
        request=request,
    )


@transaction.atomic
def section_save(
    *,
    section: Section | None = None,
    department: Department,
    code: str,
    name: str,
    name_en: str = "",
    contact: str = "",
    contact_en: str = "",
    actor: Any,
    request: Any = None,
) -> Section:
    """Create a section (課室) with the contact residents see, or change one."""
    return _save(
        section or Section(),
        {
            "department": department,
            "code": code,
            "name": name,
            "name_en": name_en,
            "contact": contact,
            "contact_en": contact_en,
        },
        action="organisation.section",
        actor=actor,
        request=request,
    )


@transaction.atomic
def position_save(
    *,
    position: Position | None = None,
    code: str,
    name: str,
    name_en: str = "",
    level: int,
    scope: str,
    actor: Any,
    request: Any = None,
) -> Position:
    """Create a position (職位) with its level and scope, or change one."""
    return _save(
        position or Position(),
        {
            "code": code,
            "name": name,
            "name_en": name_en,
            "level": level,
            "scope": scope,
        },
        action="organisation.position",
        actor=actor,
        request=request,
    )


@transaction.atomic
def assignment_save(
    *,
    assignment: Assignment | None = None,
    user: User,
    section: Section,
    position: Position,
    start_date: dt.date,
    end_date: dt.date | None = None,
    actor: Any,
    request: Any = None,
) -> Assignment:
    """Record that ``user`` holds ``position`` in ``section`` between the dates.

    A start in the future is a move entered in advance: the grants read the
    dates, so it takes effect on its first day without anyone acting then.
    """
    return _save(
        assignment or Assignment(),
        {
            "user": user,
            "section": section,
            "position": position,
            "start_date": start_date,
            "end_date": end_date,
        },
        action="organisation.assignment",
        actor=actor,
        request=request,
    )


@transaction.atomic
def assignment_end(
    *, assignment: Assignment, end_date: dt.date, actor: Any, request: Any = None
) -> Assignment:
    """End an assignment on ``end_date`` (its last day in the post)."""
    return _save(
        assignment,
        {"end_date": end_date},
        action="organisation.assignment",
        actor=actor,
        request=request,
    )


@transaction.atomic
def absence_save(
    *,
    absence: Absence | None = None,
    holder: User,
    deputy: User,
    start_date: dt.date,
    end_date: dt.date,
    reason: str = "",
    actor: Any,
    request: Any = None,
) -> Absence:
    """Record an absence and the deputy who decides meanwhile (代決)."""
    return _save(
        absence or Absence(),
        {
            "holder": holder,
            "deputy": deputy,
            "start_date": start_date,
            "end_date": end_date,
            "reason": reason,
        },
        action="organisation.absence",
        actor=actor,
        request=request,
    )


@transaction.atomic
def absence_delete(*, absence: Absence, actor: Any, request: Any = None) -> None:
    """Withdraw an absence (the holder is back, or it was entered by mistake)."""
    audit_record(
        action="organisation.absence.delete",
        actor=actor,
        target=absence,
        data={
            "holder": absence.holder_id,
            "deputy": absence.deputy_id,
            "start_date": absence.start_date.isoformat(),
            "end_date": absence.end_date.isoformat(),
        },
        request=request,
    )
    absence.delete()


@transaction.atomic
def staff_create(
    *, email: str, full_name: str, actor: Any, request: Any = None
) -> User:
    """Create a staff account that its holder activates by setting a password."""
    user = staff_account_create(email=email, full_name=full_name)
    audit_record(
        action="organisation.staff.create",
        actor=actor,
        target=user,
        data={"email": user.email},
        request=request,
    )
    return user


@transaction.atomic
def staff_invitation_resend(*, user: User, actor: Any, request: Any = None) -> None:
    """Mail the password-setting link again (the first one expires)."""
    staff_invitation_send(user=user)
    audit_record(
        action="organisation.staff.invite",
        actor=actor,
        target=user,
        data={"email": user.email},
        request=request,
    )


@transaction.atomic
def organisation_csv_apply(*, raw: bytes, actor: Any, request: Any = None) -> Plan:
    """Apply the spring personnel CSV in one transaction, or nothing at all.

    The plan is read again inside the transaction, because the organisation
    may have changed since the administrator saw the preview; any row with
    an error raises :class:`CsvRowsInvalid` and nothing is written.
    """
    plan = organisation_csv_plan(raw=raw)
    if plan.errors:
        raise CsvRowsInvalid(plan)
    departments = {d.code: d for d in Department.objects.all()}
    for item in plan.departments:
        departments[item["code"]] = department_save(
            code=item["code"], name=item["name"], actor=actor, request=request
        )
    sections = {s.code: s for s in Section.objects.all()}
    for item in plan.sections:
        sections[item["code"]] = section_save(
            department=departments[item["department"]],
            code=item["code"],
            name=item["name"],
            actor=actor,
            request=request,
        )
    emails = {item["email"] for item in plan.added}
    users = {u.email.lower(): u for u in User.objects.filter(email__in=emails)}
    for item in plan.staff:
        users[item["email"]] = staff_create(
            email=item["email"],
            full_name=item["full_name"],
            actor=actor,
            request=request,
        )
    # Ends first: a member of staff is never shown in two posts by mistake
    # while the move is written.
    for item in plan.ended:
        assignment_end(
            assignment=item["assignment"],
            end_date=item["end_date"],
            actor=actor,
            request=request,
        )
    for item in plan.added:
        assignment_save(
            user=users[item["email"]],
            section=sections[item["section_code"]],
            position=item["position"],
            start_date=item["start_date"],
            end_date=item["end_date"],
            actor=actor,
            request=request,
        )
    audit_record(
        action="organisation.csv_import",
        actor=actor,
        data={
            "departments": len(plan.departments),
            "sections": len(plan.sections),
            "staff": len(plan.staff),
            "added": len(plan.added),
            "ended": len(plan.ended),
        },
        request=request,
    )
    return plan

"""Reads for the caseworker inbox and the case page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from organisation.models import Assignment
from organisation.selectors import SlotGrant, slot_for
from procedures.models import Application, Outcome
from procedures.outcomes import decision_data_display, version_outcomes
from workflow.models import HUMAN, CaseTask, PostReview

PAGE_SIZE = 25
SORTS = {
    # name: (ordering fields, keyset field)
    "oldest": (("created", "id"), "created"),
    "newest": (("-created", "-id"), "created"),
    "due": (("due_date", "id"), "due_date"),
}


# What an inbox row shows (page and API): a narrow read of three wide rows.
INBOX_FIELDS = (
    "created",
    "due_date",
    "status",
    "kind",
    "data",
    "owner__full_name",
    "owner__email",
    "application__public_id",
    "application__receipt_number",
    "application__applicant_name",
    "application__procedure_version__title",
    "application__procedure_version__title_en",
)


@dataclass
class InboxPage:
    """One page of tasks and the cursor of the next (None on the last page)."""

    tasks: list[CaseTask]
    next_cursor: str | None


def _parse_cursor(cursor: str, field: str) -> tuple[Any, int] | None:
    value, _, pk = (cursor or "").rpartition("|")
    # A cursor comes from the address bar: anything else than one we wrote
    # (an impossible date, "²", a number past bigint) reads as "first page".
    if not value or not (pk.isascii() and pk.isdigit() and len(pk) <= 18):
        return None
    try:
        parsed = parse_datetime(value) if field == "created" else parse_date(value)
    except ValueError:
        return None
    return (parsed, int(pk)) if parsed else None


def _cursor(task: CaseTask, field: str) -> str:
    value = getattr(task, field)
    return f"{value.isoformat() if value else ''}|{task.pk}"


def inbox_page(
    *,
    user: Any,
    grants: list[SlotGrant],
    tab: str = "queue",
    procedure_id: int | None = None,
    kind: str = "",
    overdue: bool = False,
    q: str = "",
    sort: str = "oldest",
    cursor: str = "",
    page_size: int = PAGE_SIZE,
) -> InboxPage:
    """Open human tasks for ``user``: claimed by them, or queued for their posts.

    Keyset pagination on (sort key, id): each page is one indexed range scan
    (casetask_queue_idx / casetask_mine_idx), never a COUNT of every row.
    """
    tasks: QuerySet[CaseTask] = CaseTask.objects.filter(flow_task_type=HUMAN)
    if tab == "mine":
        tasks = tasks.filter(owner=user, status__in=["ASSIGNED", "STARTED"])
    else:
        tasks = tasks.filter(
            status="NEW", owner_permission__in=[grant.slot for grant in grants]
        )
    if procedure_id:
        tasks = tasks.filter(procedure_id=procedure_id)
    if kind in ("review", "consult"):
        tasks = tasks.filter(kind=kind)
    if overdue:
        tasks = tasks.filter(due_date__lt=timezone.localdate())
    q = q.strip()
    if q:
        tasks = tasks.filter(
            Q(application__receipt_number__istartswith=q)
            | Q(application__applicant_name__icontains=q)
        )
    ordering, field = SORTS.get(sort, SORTS["oldest"])
    after = _parse_cursor(cursor, field)
    if after is not None:
        value, pk = after
        if ordering[0].startswith("-"):
            tasks = tasks.filter(
                Q(**{f"{field}__lt": value}) | Q(**{field: value, "pk__lt": pk})
            )
        else:
            tasks = tasks.filter(
                Q(**{f"{field}__gt": value}) | Q(**{field: value, "pk__gt": pk})
            )
    rows = list(
        tasks.select_related("application__procedure_version", "owner")
        .only(*INBOX_FIELDS)
        .order_by(*ordering)[: page_size + 1]
    )
    next_cursor = _cursor(rows[page_size - 1], field) if len(rows) > page_size else None
    return InboxPage(tasks=rows[:page_size], next_cursor=next_cursor)


def open_post_reviews(*, user: Any, limit: int = 50) -> list[PostReview]:
    """後閲 waiting for ``user`` as the holder, oldest first."""
    return list(
        PostReview.objects.filter(holder=user, reviewed_at__isnull=True)
        .select_related("application", "deputy")
        .only(
            "created_at",
            "reviewed_at",
            "comment",
            "application__public_id",
            "application__receipt_number",
            "deputy__full_name",
            "deputy__email",
        )
        .order_by("created_at", "id")[:limit]
    )


def case_for_staff(
    *, user: Any, public_id: Any, grants: list[SlotGrant]
) -> Application:
    """The application of a case ``user`` works on, or 404.

    Visible to whoever holds (or stands in for) a post on its chain or its
    consultations, and to anyone who has had one of its tasks or post-reviews.
    """
    application = (
        Application.objects.select_related(
            "case", "procedure_version__procedure", "procedure_version__form_version"
        )
        .filter(public_id=public_id, case__isnull=False)
        .first()
    )
    if application is None:
        raise Http404
    case = application.case
    slots = {grant.slot for grant in grants}
    if slots & set(case.slots):
        return application
    involved = (
        CaseTask.objects.filter(process=case)
        .filter(Q(owner=user) | Q(acted_by=user))
        .exists()
        or PostReview.objects.filter(application=application, holder=user).exists()
    )
    if not involved:
        raise Http404
    return application


def case_tasks(application: Application) -> list[CaseTask]:
    """The human tasks of a case, oldest first, with the people on them."""
    return list(
        CaseTask.objects.filter(process=application.case, flow_task_type=HUMAN)
        .select_related("owner", "acted_by", "on_behalf_of")
        .order_by("created", "id")
    )


@dataclass(frozen=True)
class CaseActions:
    """What ``user`` may do on a case now (page and API alike)."""

    my_task: CaseTask | None
    claimable: CaseTask | None
    can_pull_back: bool
    post_review: PostReview | None


def case_actions(
    *,
    application: Application,
    tasks: list[CaseTask],
    user: Any,
    grants: list[SlotGrant],
) -> CaseActions:
    case = application.case
    slots = {grant.slot for grant in grants}
    previous = case.chain[case.level - 1].get("done") if case.level > 0 else None
    return CaseActions(
        my_task=next((t for t in tasks if t.is_open and t.owner_id == user.pk), None),
        claimable=next(
            (t for t in tasks if t.status == "NEW" and t.owner_permission in slots),
            None,
        ),
        # 引戻し: mirrors services.case_pull_back's own check.
        can_pull_back=(
            case.status == "NEW"
            and (previous or {}).get("user_id") == user.pk
            and any(
                t.kind == "review"
                and t.level == case.level
                and t.status in ("NEW", "ASSIGNED")
                for t in tasks
            )
        ),
        post_review=PostReview.objects.filter(
            application=application, holder=user, reviewed_at__isnull=True
        ).first(),
    )


def decidable_outcomes(case: Any, task: CaseTask | None) -> list[Outcome]:
    """The outcomes ``task`` may decide on: a review at the final level only."""
    if (
        task is None
        or task.kind != "review"
        or case.status != "NEW"
        or task.level != case.level
        or not case.is_final_level
    ):
        return []
    return version_outcomes(case.application.procedure_version)


def draftable_outcomes(case: Any, task: CaseTask | None) -> list[Outcome]:
    """The outcomes a review below the final level may draft (起案) or amend (回議)."""
    if (
        task is None
        or task.kind != "review"
        or case.status != "NEW"
        or task.level != case.level
        or case.is_final_level
    ):
        return []
    return version_outcomes(case.application.procedure_version)


def draft_outcome(case: Any) -> Outcome | None:
    """The outcome the case's draft names, if it has a draft."""
    code = (case.draft or {}).get("outcome")
    if not code:
        return None
    return next(
        (
            outcome
            for outcome in version_outcomes(case.application.procedure_version)
            if outcome.code == code
        ),
        None,
    )


def draft_history(case: Any) -> list[dict[str, Any]]:
    """起案と修正の履歴 as caseworkers read it: who and when (local time),
    and each change named by its label with its values as the forms show
    them (選択肢の名前, 和暦, 1,000), not keys, codes and ISO strings."""
    from django.utils.translation import gettext

    outcomes = version_outcomes(case.application.procedure_version)

    def shown(key: str, value: Any) -> tuple[str, str]:
        for outcome in outcomes:
            if outcome.decision_form is None:
                continue
            if value in (None, "", []):
                info = outcome.decision_form.runtime.field(key)
                if info is not None:
                    return str(info.label), "—"
                continue
            for item in decision_data_display(outcome=outcome, data={key: value}):
                if item["key"] == key:
                    return str(item["label"]), _shown_value(item)
        return key, "—" if value in (None, "", []) else str(value)

    entries = []
    for entry in case.draft_history or []:
        changes = []
        for name, change in (entry.get("changes") or {}).items():
            before, after = change.get("from"), change.get("to")
            if name == "outcome":
                label = gettext("決定")
                before, after = before or "—", after or "—"
            elif name == "applicant_message":
                label = gettext("申請者へのメッセージ")
                before, after = before or "—", after or "—"
            elif name.startswith("decision_data."):
                key = name.removeprefix("decision_data.")
                label, before = shown(key, before)
                after = shown(key, after)[1]
            else:
                label = name
            changes.append({"label": label, "from": before, "to": after})
        at = parse_datetime(entry.get("at") or "")
        entries.append(
            {
                **entry,
                "at": timezone.localtime(at) if at else None,
                "changes": changes,
            }
        )
    return entries


def _shown_value(item: dict[str, Any]) -> str:
    rows = item.get("rows") or []
    if rows:
        return " / ".join(
            "、".join(f"{cell['label']}: {cell['value'] or '—'}" for cell in row)
            for row in rows
        )
    return str(item.get("value") or "—")


def amendment_changes(application: Application) -> dict[str, Any] | None:
    """What the latest 補正 changed, question by question, as the forms show
    the answers: the caseworker checks the corrections without comparing
    the whole application by eye. None before any resubmission."""
    if (application.revision or 0) < 2:
        return None  # never resubmitted: no query
    latest = list(application.revisions.order_by("-number")[:2])
    if len(latest) < 2:
        return None
    after, before = latest
    runtime = application.procedure_version.form_version.runtime

    def shown(answers: dict[str, Any]) -> dict[str, tuple[str, str]]:
        result = {}
        for section in runtime.display(answers):
            for item in section["items"]:
                if item["files"]:
                    value = "、".join(str(ref.get("name", "")) for ref in item["files"])
                elif item.get("rows"):
                    value = "\n".join(
                        f"{number}. "
                        + " / ".join(
                            f"{cell['label']}: {cell['value'] or '—'}" for cell in row
                        )
                        for number, row in enumerate(item["rows"], start=1)
                    )
                else:
                    value = str(item["value"] or "")
                result[item["key"]] = (str(item["label"]), value)
        return result

    old, new = shown(before.answers or {}), shown(after.answers or {})
    changes = []
    for key in [*new, *(key for key in old if key not in new)]:
        label, was = old.get(key, ("", ""))
        label_now, now = new.get(key, (label, ""))
        if was != now:
            changes.append(
                {"label": label_now or label, "from": was or "—", "to": now or "—"}
            )
    return {
        "number": after.number,
        "submitted_at": after.submitted_at,
        "previous_at": before.submitted_at,
        "changes": changes,
    }


def waited(task: CaseTask, now: dt.datetime | None = None) -> dt.timedelta:
    """How long a task has been waiting."""
    return (now or timezone.now()) - task.created


def consult_choices(case: Any) -> list[tuple[str, str]]:
    """Posts a review may consult (合議): each section post held today, off the chain.

    One row per post, however many people hold it: every case page asks,
    and a prefecture has thousands of assignments but far fewer posts.
    """
    own = {step["slot"] for step in case.chain}
    posts = (
        Assignment.objects.active_on(timezone.localdate())
        .filter(position__scope="section")
        .order_by("section__code", "position__level", "section_id", "position_id")
        .values_list(
            "section_id",
            "section__department_id",
            "section__name",
            "position_id",
            "position__name",
        )
        .distinct()
    )
    choices = {}
    for section_id, department_id, section_name, position_id, position_name in posts:
        slot = slot_for(
            scope="section",
            position_id=position_id,
            section_id=section_id,
            department_id=department_id,
        )
        if slot not in own:
            choices[slot] = f"{section_name} {position_name}"
    return list(choices.items())

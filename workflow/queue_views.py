"""Bulk actions on the queue (issue 15): claim several, approve several simple
ones, assign to a colleague."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.second_factor import is_fresh, reverify, second_factor_required
from core.decorators import caseworker_required
from organisation.selectors import user_slot_grants
from workflow import queue, search
from workflow.models import CaseTask


def _ids(values: list[str]) -> list[int]:
    # Only ids we could have written: ASCII digits within a bigint.
    return [int(v) for v in values if v.isascii() and v.isdigit() and len(v) < 19]


def _report(request: HttpRequest, result: queue.BulkResult, done_message: str) -> None:
    if result.done:
        messages.success(request, done_message % {"count": len(result.done)})
    for number, reason in result.refused:
        messages.error(request, f"{number}: {reason}")
    _report_unavailable(request, result)


def _report_unavailable(request: HttpRequest, result: queue.BulkResult) -> None:
    # Tasks outside the user's posts (or gone) are refused in one neutral
    # message: neither their receipt numbers nor how many of each.
    if result.unavailable:
        messages.error(request, queue.unavailable_message())
    elif not result.done and not result.refused:
        messages.error(request, _("タスクを選んでください。"))


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@caseworker_required
@require_POST
def inbox_claim(request: HttpRequest) -> HttpResponse:
    result = queue.tasks_claim(
        task_ids=_ids(request.POST.getlist("task")),
        user=request.user,
        grants=user_slot_grants(request.user),
        request=request,
    )
    _report(
        request,
        result,
        ngettext(
            "%(count)s 件のタスクを担当しました。",
            "%(count)s 件のタスクを担当しました。",
            len(result.done),
        ),
    )
    return _back(request, "workflow:inbox")


@caseworker_required
@require_POST
def inbox_approve(request: HttpRequest) -> HttpResponse:
    """Approve the selected tasks that need nothing more, one transaction each.

    A batch holding a final-level task (決裁) needs the second factor again,
    as the case page does: one code for the whole batch.
    """
    task_ids = _ids(request.POST.getlist("task"))
    final_allowed = not second_factor_required(request) or is_fresh(request)
    if not final_allowed and queue.batch_has_final(task_ids=task_ids):
        code = request.POST.get("otp_code", "")
        if not code.strip():
            messages.error(
                request,
                _(
                    "最終決裁を含むため、認証アプリの確認コードを入力してください。"
                    "承認はしていません。"
                ),
            )
            return _back(request, "workflow:inbox")
        if not reverify(request, code):
            messages.error(
                request, _("確認コードが正しくありません。承認はしていません。")
            )
            return _back(request, "workflow:inbox")
        final_allowed = True
    result = queue.tasks_approve(
        task_ids=task_ids,
        user=request.user,
        final_allowed=final_allowed,
        grants=user_slot_grants(request.user),
        request=request,
    )
    if result.done:
        messages.success(
            request,
            ngettext(
                "%(count)s 件のタスクを承認しました（%(numbers)s）。",
                "%(count)s 件のタスクを承認しました（%(numbers)s）。",
                len(result.done),
            )
            % {"count": len(result.done), "numbers": "、".join(result.done_numbers)},
        )
    for number, reason in result.refused:
        messages.error(
            request,
            _("%(number)s は承認していません: %(reason)s")
            % {"number": number, "reason": reason},
        )
    _report_unavailable(request, result)
    return _back(request, "workflow:inbox")


@caseworker_required
@require_POST
def search_assign(request: HttpRequest) -> HttpResponse:
    grants = user_slot_grants(request.user)
    candidates = {user.pk: user for user in queue.assign_candidates(grants=grants)}
    assignee = candidates.get(next(iter(_ids([request.POST.get("assignee", "")])), 0))
    if assignee is None:
        messages.error(request, _("割り当てる職員を選んでください。"))
        return _back(request, "workflow:case_search")
    posted = set(request.POST.getlist("case"))
    # Only cases the user may see: the search's own visibility rule.
    cases = search.visible_cases(user=request.user, grants=grants).filter(
        application__public_id__in=[value for value in posted if len(value) == 36]
    )
    # Read the ids first: the visibility clause names the case table, so
    # the query cannot be nested as a sub-query.
    case_ids = list(cases.values_list("pk", flat=True))
    task_ids = list(
        CaseTask.objects.filter(
            process_id__in=case_ids, status="NEW", kind="review"
        ).values_list("pk", flat=True)
    )
    result = queue.tasks_assign(
        task_ids=task_ids,
        user=request.user,
        assignee=assignee,
        grants=grants,
        request=request,
    )
    # A case posted that the user may not open is refused as unavailable.
    result.unavailable += len(posted) - len(case_ids)
    _report(
        request,
        result,
        ngettext(
            "%(count)s 件のタスクを割り当てました。",
            "%(count)s 件のタスクを割り当てました。",
            len(result.done),
        ),
    )
    return _back(request, "workflow:case_search")

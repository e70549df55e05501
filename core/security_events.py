"""Security events: the audit log's entries an information-security review asks for.

Every event is an ``AuditEvent`` (keyed chain, append-only); this module only
names which actions count as security events and reads them. Action names
follow the audit log's ``<area>.<verb>`` scheme (docs/audit.md):
``account.*`` for any account's sign-in (residents' too), ``staff.*`` for
staff accounts, and the area's own prefix for changes of what the site does
(routes, notice templates, procedures, the Django admin).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import AuditEvent

# action -> label, in the order the kind filter offers them.
SECURITY_EVENTS = {
    "account.login_failed": _("ログインの失敗"),
    "account.locked_out": _("ログインの一時停止"),
    "staff.lockout_clear": _("ログイン停止の解除"),
    "staff.login": _("職員のログイン"),
    "staff.logout": _("職員のログアウト"),
    "account.second_factor_failed": _("確認コードの誤り"),
    "staff.second_factor_enrol": _("2段階認証の設定"),
    "staff.second_factor_reset": _("2段階認証のリセット"),
    "account.second_factor_enrol": _("2段階認証の設定（住民）"),
    "account.second_factor_disable": _("2段階認証をやめた（住民）"),
    "api.token_create": _("APIトークンの作成"),
    "api.token_revoke": _("APIトークンの失効"),
    "documents.template_edit": _("文書テンプレートの編集"),
    "workflow.route_edit": _("決裁ルートの編集"),
    # Where news of cases leaves the platform (issue 15): a section's chat
    # channel added, changed, disabled, deleted or tested.
    "workflow.webhook.": _("チャット通知の設定"),
    "procedure.publish": _("手続の公開"),
    "procedure.import": _("手続パッケージの読込み"),
    "admin.change": _("システム管理画面での変更"),
    # A kind ending in "." is every action under it: organisation and role
    # changes made on the administrators' own pages are audited as
    # "organisation.<verb>" (the Django admin's as admin.change).
    "organisation.": _("組織・役割の変更"),
}

PAGE_SIZE = 50


@dataclass(frozen=True)
class EventFilter:
    """What the administrator asked for; empty values do not filter."""

    kind: str = ""
    person: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _kinds(kinds: list[str]) -> Q:
    kinds = kinds or list(SECURITY_EVENTS)
    match = Q(action__in=[kind for kind in kinds if not kind.endswith(".")])
    for prefix in (kind for kind in kinds if kind.endswith(".")):
        match |= Q(action__startswith=prefix)
    return match


def event_label(action: str) -> str:
    """The kind's name as the page shows it (an action, or its longest prefix)."""
    if action in SECURITY_EVENTS:
        return str(SECURITY_EVENTS[action])
    prefixes = [
        kind
        for kind in SECURITY_EVENTS
        if kind.endswith(".") and action.startswith(kind)
    ]
    return str(SECURITY_EVENTS[max(prefixes, key=len)]) if prefixes else action


def security_events(filters: EventFilter) -> QuerySet[AuditEvent]:
    """Security events matching ``filters``, newest first, with the actor.

    The person matches the account that acted and the account name typed at
    a failed login (which may belong to no account at all).
    """
    events = AuditEvent.objects.filter(_kinds([filters.kind] if filters.kind else []))
    if filters.person:
        events = events.filter(
            Q(actor__email__icontains=filters.person)
            | Q(data__username__icontains=filters.person)
        )
    if filters.since:
        events = events.filter(created_at__gte=_day_start(filters.since))
    if filters.until:
        # The whole of the last day counts.
        events = events.filter(
            created_at__lt=_day_start(filters.until + dt.timedelta(days=1))
        )
    return events.select_related("actor").order_by("-id")


def security_events_page(
    filters: EventFilter, *, before: int | None = None, size: int = PAGE_SIZE
) -> tuple[list[AuditEvent], int | None]:
    """One page of events older than the event ``before`` (keyset paging: a
    page stays the same however many events arrive meanwhile) and the id to
    ask for the next page with, if there is one."""
    events = security_events(filters)
    if before is not None:
        events = events.filter(id__lt=before)
    rows = list(events[: size + 1])
    if len(rows) > size:
        return rows[:size], rows[size - 1].pk
    return rows, None


def event_person(event: AuditEvent) -> str:
    """Who the event is about: the acting account, or the name typed at a login."""
    if event.actor is not None:
        return event.actor.email
    return str(event.data.get("username", ""))


def event_summary(event: AuditEvent) -> str:
    """The event's details in one line (never a password: none is recorded)."""
    skip = {"username"} if event.actor is None else set()
    return ", ".join(
        f"{key}: {value}"
        for key, value in sorted(event.data.items())
        if key not in skip
    )

import csv
import logging
import sys
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views import defaults
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_POST

from core import roles
from core.decorators import (
    administrator_required,
    caseworker_required,
    manage_area_required,
)
from core.models import OutboxMessage
from core.outages import RETRY_AFTER_SECONDS, is_outage
from core.outbox import outbox_retry as outbox_retry_service
from core.security_events import (
    SECURITY_EVENTS,
    EventFilter,
    event_label,
    event_person,
    event_summary,
    security_events_page,
)
from core.security_events import security_events as security_events_matching

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> FileResponse:
    # Browsers, feed readers and bookmarks ask for /favicon.ico whatever the
    # page says; the file is the collected static one (WhiteNoise serves the
    # hashed copy that the pages link to).
    try:
        icon = staticfiles_storage.open("favicon.ico")
    except FileNotFoundError:
        # Development (DEBUG, nothing collected): the finders read static/.
        path = finders.find("favicon.ico")
        if path is None:
            raise Http404 from None
        icon = open(path, "rb")  # noqa: SIM115 (FileResponse closes it)
    return FileResponse(icon, content_type="image/x-icon")


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_storage() -> str:
    # A HEAD on a key that need not exist: proves the storage answers.
    default_storage.exists("healthz/probe")
    return "ok"


def _check_cache() -> str:
    # Redis when REDIS_URL is set: login and API rate limits count there.
    cache.set("healthz:probe", "ok", timeout=10)
    if cache.get("healthz:probe") != "ok":
        raise CacheNotStoring
    return "ok"


class CacheNotStoring(Exception):
    pass


class StaticFilesMissing(Exception):
    pass


def _check_static() -> str:
    # Every page links this stylesheet: without its manifest entry (no
    # collectstatic since the deploy) every page answers 500.
    name = "css/site.css"
    if isinstance(staticfiles_storage, ManifestFilesMixin):
        try:
            found = staticfiles_storage.exists(staticfiles_storage.stored_name(name))
        except ValueError as exc:  # "Missing staticfiles manifest entry"
            raise StaticFilesMissing from exc
    else:  # development: served from the source folders
        found = finders.find(name) is not None
    if not found:
        raise StaticFilesMissing
    return "ok"


_CHECKS = (
    ("database", _check_database),
    ("storage", _check_storage),
    ("cache", _check_cache),
    ("static", _check_static),
)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Report whether the database, file storage, cache and static files answer.

    "error" when the database is down (nothing works), "degraded" when
    another dependency is (some requests fail: uploads, logins); both answer
    503 so that a load balancer or monitor notices.
    """
    checks = {}
    for name, check in _CHECKS:
        try:
            checks[name] = check()
        except Exception as exc:  # any failure is the answer, never a 500
            checks[name] = f"error: {type(exc).__name__}"
    if checks["database"] != "ok":
        state = "error"
    elif any(value != "ok" for value in checks.values()):
        state = "degraded"
    else:
        state = "ok"
    return JsonResponse(
        {"status": state, "checks": checks}, status=200 if state == "ok" else 503
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: a dependency's outage is a 503 "try again later".

    Django calls it for every uncaught exception, in a view or in a
    middleware, while the exception is being handled.
    """
    if not is_outage(sys.exception()):
        return defaults.server_error(request)
    try:
        response = render(request, "core/unavailable.html", status=503)
    except Exception:  # the page itself needs what is down: the plain one
        logger.exception("the 503 page could not be rendered")
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@caseworker_required
def staff_home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/staff_home.html")


@manage_area_required
def manage_home(request: HttpRequest) -> HttpResponse:
    # 所属管理者 without procedure rights have only the organisation screens.
    if not roles.is_administrator(request.user):
        return redirect("organisation:home")
    return render(request, "core/manage_home.html")


# Undelivered messages first: what an administrator may have to act on.
_OUTBOX_WAITING = [
    OutboxMessage.Status.ABANDONED,
    OutboxMessage.Status.FAILED,
    OutboxMessage.Status.WORKING,
    OutboxMessage.Status.PENDING,
]
OUTBOX_PAGE_SIZE = 200


@administrator_required
def outbox_list(request: HttpRequest) -> HttpResponse:
    """Messages not delivered yet (failed, waiting, being sent), oldest first."""
    waiting = OutboxMessage.objects.filter(status__in=_OUTBOX_WAITING).order_by(
        "created_at"
    )
    return render(
        request,
        "core/outbox_list.html",
        {
            "messages_waiting": waiting.defer("payload")[:OUTBOX_PAGE_SIZE],
            "waiting_count": waiting.count(),
            # Chat deliveries, sent ones too (issue 15): webhooks fail
            # differently from mail, and sections ask whether theirs arrived.
            "recent_webhooks": OutboxMessage.objects.filter(
                kind=OutboxMessage.Kind.WEBHOOK
            )
            .defer("payload")
            .order_by("-created_at")[:50],
        },
    )


@administrator_required
@require_POST
def outbox_retry(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(OutboxMessage, pk=pk)
    if outbox_retry_service(message=message, actor=request.user, request=request):
        messages.success(request, _("メッセージをもう一度送信します。"))
    else:
        messages.error(request, _("再送が必要なメッセージではありません。"))
    return redirect("core:outbox")


# --- Security events -----------------------------------------------------------


class SecurityEventFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_l("種類"), required=False)
    person = forms.CharField(
        label=_l("アカウント（メールアドレスの一部）"), required=False, max_length=254
    )
    since = forms.DateField(
        label=_l("開始日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=_l("終了日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _l("すべて")), *SECURITY_EVENTS.items()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("終了日は開始日より後の日にしてください。"))
        return data

    def filters(self) -> EventFilter:
        data = self.cleaned_data
        return EventFilter(
            kind=data.get("kind") or "",
            person=(data.get("person") or "").strip(),
            since=data.get("since"),
            until=data.get("until"),
        )


@administrator_required
@require_GET
def security_events(request: HttpRequest) -> HttpResponse:
    """Failed logins, lockouts, second-factor and token changes, and edits of
    routes, templates and procedures, newest first (administrators only)."""
    form = SecurityEventFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(
            request,
            "core/security_events.html",
            {"form": form, "events": [], "labels": SECURITY_EVENTS},
            status=400,
        )
    filters = form.filters() if form.is_bound else EventFilter()
    if request.GET.get("format") == "csv":
        return _security_events_csv(filters)
    before = request.GET.get("before", "")
    # An id, or nothing (the newest page): a hand-made value is not an error.
    valid = before.isascii() and before.isdigit() and len(before) <= 18
    events, next_before = security_events_page(
        filters, before=int(before) if valid else None
    )
    query = request.GET.copy()
    query.pop("before", None)
    query.pop("format", None)
    return render(
        request,
        "core/security_events.html",
        {
            "form": form,
            "events": [
                {
                    "event": event,
                    "label": event_label(event.action),
                    "person": event_person(event),
                    "summary": event_summary(event),
                }
                for event in events
            ],
            "query": query.urlencode(),
            "next_before": next_before,
            "first_page": not before,
        },
    )


def _security_events_csv(filters: EventFilter) -> StreamingHttpResponse:
    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())

    def rows():
        yield "\ufeff"  # BOM: Excel opens UTF-8 Japanese correctly
        yield writer.writerow(
            [
                _("日時"),
                _("種類"),
                _("操作"),
                _("アカウント"),
                _("IPアドレス"),
                _("対象"),
                _("内容"),
            ]
        )
        for event in security_events_matching(filters).iterator(chunk_size=500):
            yield writer.writerow(
                [
                    timezone.localtime(event.created_at).isoformat(timespec="seconds"),
                    event_label(event.action),
                    event.action,
                    event_person(event),
                    event.ip_address or "",
                    f"{event.target_type}:{event.target_id}"
                    if event.target_type
                    else "",
                    event_summary(event),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="security-events.csv"'
    return response

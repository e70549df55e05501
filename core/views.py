from django.contrib import messages
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.storage import default_storage
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_POST

from core.decorators import administrator_required, caseworker_required
from core.models import OutboxMessage
from core.outbox import outbox_retry as outbox_retry_service


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


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Report whether the database and the file storage answer."""
    checks = {}
    for name, check in (("database", _check_database), ("storage", _check_storage)):
        try:
            checks[name] = check()
        except Exception as exc:  # any failure is the answer, never a 500
            checks[name] = f"error: {type(exc).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks},
        status=200 if healthy else 503,
    )


@caseworker_required
def staff_home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/staff_home.html")


@administrator_required
def manage_home(request: HttpRequest) -> HttpResponse:
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

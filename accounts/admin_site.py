"""Django admin for superusers only, behind the staff sign-in and second factor.

The admin's own login form would be a second door without the login limits;
it sends people to the administrators' sign-in instead, which counts failed
attempts, and the second-factor middleware verifies the session before any
admin page opens. Every change made through it goes to the audit log
(``admin.change``), in the transaction of the change.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import admin
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from core.audit import audit_record

_ADMIN_ACTIONS = {ADDITION: "add", CHANGE: "change", DELETION: "delete"}


class StaffAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_staff
            and user.is_superuser
            and user.is_verified()
        )

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if request.user.is_authenticated:
            # Signed in but not a superuser (a caseworker): no admin at all.
            raise PermissionDenied
        return redirect_to_login(
            request.GET.get("next") or reverse("admin:index"), "manage_auth:login"
        )

    def admin_view(self, view, cacheable=False):
        """Every admin view; a POST's changes are audited from the admin's own
        log (LogEntry), which names each object added, changed or deleted,
        bulk deletions included (those send no save signal)."""
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def audited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method != "POST":
                return inner(request, *args, **kwargs)
            with transaction.atomic():
                mark = LogEntry.objects.aggregate(last=Max("pk"))["last"] or 0
                response = inner(request, *args, **kwargs)
                for entry in LogEntry.objects.filter(
                    pk__gt=mark, user_id=request.user.pk
                ).select_related("content_type"):
                    audit_record(
                        action="admin.change",
                        actor=request.user,
                        data={
                            "operation": _ADMIN_ACTIONS.get(entry.action_flag, ""),
                            "model": f"{entry.content_type.app_label}."
                            f"{entry.content_type.model}"
                            if entry.content_type
                            else "",
                            "object_id": entry.object_id or "",
                            "object": entry.object_repr,
                            "message": str(entry.get_change_message()),
                        },
                        request=request,
                    )
            return response

        return audited

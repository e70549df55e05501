"""Django admin for superusers only, behind the staff sign-in and second factor.

The admin's own login form would be a second door without the login limits;
it sends people to the administrators' sign-in instead, which counts failed
attempts, and the second-factor middleware verifies the session before any
admin page opens.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse


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

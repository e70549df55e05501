"""Guards for the staff areas."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from core import roles

View = Callable[..., HttpResponse]


def _area_required(
    check: Callable[[Any], bool], login_url: str
) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), login_url)
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


caseworker_required = _area_required(roles.is_caseworker, "staff_auth:login")
administrator_required = _area_required(roles.is_administrator, "manage_auth:login")
organisation_administrator_required = _area_required(
    roles.is_organisation_administrator, "manage_auth:login"
)
manage_area_required = _area_required(roles.can_enter_manage_area, "manage_auth:login")

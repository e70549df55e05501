"""The second factor, enforced on every request of an account that needs one.

Staff and administrator accounts always need one; a resident needs one once
they have turned it on. Until the session is verified (django-otp's
``OTPMiddleware`` answers ``request.user.is_verified()``), such an account
reaches nothing but the pages that let it verify, enrol or sign out: pages
redirect to the verification (or, without a device yet, the enrolment)
page; the API answers 403 with ``second_factor_required``. Requests carrying
an API token are anonymous here and are checked by the token authentication.

Staff sessions also end after ``STAFF_SESSION_IDLE_MINUTES`` without a
request and ``STAFF_SESSION_MAX_HOURS`` after sign-in, whatever the activity.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from accounts.second_factor import (
    has_second_factor,
    second_factor_required,
    staff_session_expired,
    verified_by_provider,
)

# Views an account still waiting for its second factor may open (by view name).
OPEN_VIEWS = frozenset(
    {
        "accounts:otp_verify",
        "accounts:otp_setup",
        "accounts:logout",
        "staff_auth:logout",
        "manage_auth:logout",
        "otp_webauthn:credential-authentication-begin",
        "otp_webauthn:credential-authentication-complete",
        "otp_webauthn:js-i18n-catalog",
        "set_language",
        "healthz",
    }
)


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if "admin" in match.namespaces and not settings.DJANGO_ADMIN_ENABLED:
            raise Http404
        user = request.user
        if (
            user.is_authenticated
            and (user.is_staff or user.is_superuser)
            and staff_session_expired(request)
        ):
            # The request goes on as anonymous: pages send to the login.
            logout(request)
            messages.info(
                request,
                _(
                    "一定の時間がたったため、ログアウトしました。もう一度ログインしてください。"
                ),
            )
            return None
        if (
            not user.is_authenticated
            or user.is_verified()
            or verified_by_provider(request)
        ):
            return None
        if not second_factor_required(request) or match.view_name in OPEN_VIEWS:
            return None
        if "v1" in match.namespaces:
            return JsonResponse(
                {
                    "error": {
                        "code": "second_factor_required",
                        "message": _(
                            "2段階認証が済んでいません。画面からログインし直してください。"
                        ),
                        "fields": {},
                    }
                },
                status=403,
            )
        target = (
            "accounts:otp_verify" if has_second_factor(user) else "accounts:otp_setup"
        )
        return redirect_to_login(request.get_full_path(), target)

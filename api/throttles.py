"""Rate limits on submitting and on login-like endpoints.

Counted in the default cache (Redis when REDIS_URL is set, so every worker
shares the count). Rates come from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``
and are read per request, so a changed setting applies without a restart.
"""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class _ScopedThrottle(SimpleRateThrottle):
    scope = ""

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view) -> str:
        user = request.user
        ident = (
            f"u{user.pk}" if user and user.is_authenticated else self.get_ident(request)
        )
        return self.cache_format % {"scope": self.scope, "ident": ident}


class SubmitThrottle(_ScopedThrottle):
    """Creating and submitting applications, per account."""

    scope = "api_submit"


class TokenCreateThrottle(_ScopedThrottle):
    """Making API tokens, per account (a stolen session minting tokens)."""

    scope = "api_token_create"


class VerifyThrottle(_ScopedThrottle):
    """Uploading a PDF to verify, per address (public, no login)."""

    scope = "api_verify"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import get_language

from core import roles


def platform(request: HttpRequest) -> dict[str, Any]:
    # No user when a middleware before authentication refused the request
    # (a bad Host header answered 400): the error page must still render.
    user = getattr(request, "user", None) or AnonymousUser()
    return {
        # The English name on English pages; documents keep the Japanese one.
        "PREFECTURE_NAME": settings.PREFECTURE_NAME_EN
        if (get_language() or "ja").startswith("en") and settings.PREFECTURE_NAME_EN
        else settings.PREFECTURE_NAME,
        "user_is_caseworker": roles.is_caseworker(user),
        "user_is_administrator": roles.is_administrator(user),
        "user_is_resident": roles.is_resident(user),
    }

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from core import roles


def platform(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "PREFECTURE_NAME": settings.PREFECTURE_NAME,
        "user_is_caseworker": roles.is_caseworker(user),
        "user_is_administrator": roles.is_administrator(user),
        "user_is_resident": roles.is_resident(user),
    }

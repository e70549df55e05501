"""Characters no text column can hold, refused where requests come in.

PostgreSQL refuses U+0000 in text and JSON ("A string literal cannot contain
NUL"), and a lone surrogate (U+D800–U+DFFF, which JSON's ``\\ud800`` escape
produces) cannot be encoded as UTF-8 by any driver: either one reaching a
query was a 500. Nobody types them; they come from broken clients, fuzzers and
attackers. SQLite stores NUL, so only PostgreSQL showed the fault.

They are refused in one place per channel instead of view by view: this
middleware for the path, the query string and form bodies of Django views;
``api.parsers.JSONParser`` for JSON bodies (the API's query strings and form
fields go through DRF fields, which refuse both already); the ``token``
converter keeps such a path from matching a URL at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def has_unstorable(value: Any) -> bool:
    """True if ``value`` (a string, or lists/dicts of them, keys included)
    holds a NUL or a lone surrogate."""
    if isinstance(value, str):
        return _UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(has_unstorable(k) or has_unstorable(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_unstorable(item) for item in value)
    return False


def unstorable_message() -> str:
    return _(
        "使用できない文字（NUL文字または対になっていないサロゲート）が含まれています。"
    )


class TokenConverter:
    """A URL-safe token (``secrets.token_urlsafe``), as QR codes carry it."""

    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def _multivalue_has_unstorable(data) -> bool:
    return any(
        has_unstorable(key) or has_unstorable(values) for key, values in data.lists()
    )


class RefuseUnstorableCharactersMiddleware:
    """404 for such a character in the path, 400 in the query or a form body.

    Runs as ``process_view`` (after CSRF has read the form body anyway), so
    that the path check covers every resolved view, ``<path:>`` ones too.
    DRF views are left to the API, which answers in its own error shape.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if has_unstorable(request.path_info):
            raise Http404
        # DRF views (``APIView.as_view`` sets ``cls``) answer in the API's
        # own error shape: its JSON parser and its fields refuse these.
        if hasattr(getattr(view_func, "cls", None), "parser_classes"):
            return None
        if _multivalue_has_unstorable(request.GET):
            raise BadRequest(unstorable_message())
        if request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ) and _multivalue_has_unstorable(request.POST):
            raise BadRequest(unstorable_message())
        return None

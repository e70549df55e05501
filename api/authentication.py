"""Token authentication: ``Authorization: Bearer esh_…``."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from accounts.second_factor import has_second_factor
from api.selectors import api_token_by_secret
from api.services import api_token_touch

KEYWORDS = (b"bearer", b"token")


class ApiTokenAuthentication(BaseAuthentication):
    """A token made in the UI acts as its owner, with the owner's permissions."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("認証トークンの形式が正しくありません。"))
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise AuthenticationFailed(
                _("認証トークンの形式が正しくありません。")
            ) from exc
        token = api_token_by_secret(raw)
        if token is None or not token.user.is_active:
            raise AuthenticationFailed(
                _("認証トークンが正しくないか、無効にされています。")
            )
        # Said apart from "wrong or revoked": the system's operator can tell
        # that a new token is all it needs (code ``token_expired``).
        if token.is_expired:
            raise AuthenticationFailed(
                _(
                    "認証トークンの有効期限が切れています。"
                    "新しいトークンを作成してください。"
                ),
                code="token_expired",
            )
        # A staff token acts on residents' case files: it works only while its
        # owner has a second factor (a token outliving a reset device does not).
        if token.user.is_staff and not has_second_factor(token.user):
            raise AuthenticationFailed(
                _(
                    "2段階認証を設定していない職員のトークンは使えません。"
                    "画面からログインして2段階認証を設定してください。"
                ),
                code="second_factor_required",
            )
        api_token_touch(token=token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'

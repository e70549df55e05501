"""Sign-in through an external OpenID Connect provider (optional).

Enabled when ``OIDC_RP_CLIENT_ID`` is set. Residents only: a staff account is
never created or entered through an external provider.

The module is also the URL conf mounted at ``oidc/``: the routes always exist
and answer 404 while ``OIDC_RP_CLIENT_ID`` is unset, so settings alone switch
the provider on, at start-up or (in tests) at run time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from mozilla_django_oidc import views as oidc_views
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts.models import ExternalIdentity, User
from accounts.second_factor import (
    PROVIDER_MFA_KEY,
    mark_fresh,
    provider_asserted_mfa,
)

logger = logging.getLogger(__name__)


class ResidentOIDCBackend(OIDCAuthenticationBackend):
    """Find residents by the provider's subject; create them on first sign-in."""

    @property
    def issuer(self) -> str:
        return settings.OIDC_OP_ISSUER

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The ID token's claims, once it is shown to be for us, from our provider.

        The library checks the signature and the nonce only. OpenID Connect
        Core 3.1.3.7 also requires the issuer, our client id in the audience
        and an expiry in the future; an expired token must be a refusal, not
        PyJWT's ExpiredSignatureError (a 500).
        """
        try:
            payload = super().verify_token(token, **kwargs)
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"ID token refused: {error}") from error
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if payload.get("iss") != self.issuer:
            raise SuspiciousOperation("ID token from another issuer")
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token for another client")
        if not isinstance(payload.get("exp"), int | float):
            raise SuspiciousOperation("ID token without an expiry")
        request = getattr(self, "request", None)
        if request is not None and provider_asserted_mfa(payload):
            # Kept through login() (the session is cycled, not flushed); a
            # password sign-in later clears it (accounts.signals).
            request.session[PROVIDER_MFA_KEY] = True
            mark_fresh(request)
        return payload

    def retrieve_matching_jwk(self, token: str) -> jwt.PyJWK:
        """The provider's key that signed ``token``.

        OpenID Connect Core 10.1 lets a provider whose JWK set holds a single
        key leave ``kid`` out of the ID token's header (oidc-provider-mock on
        current authlib does); the library then fails with a KeyError, a 500
        for the resident. Such a token is checked against that only key; a
        token that names its key goes through the library's lookup.
        """
        header = jwt.get_unverified_header(token)
        if "kid" in header:
            return super().retrieve_matching_jwk(token)
        response = requests.get(
            self.OIDC_OP_JWKS_ENDPOINT,
            verify=self.get_settings("OIDC_VERIFY_SSL", True),
            timeout=self.get_settings("OIDC_TIMEOUT", None),
            proxies=self.get_settings("OIDC_PROXY", None),
        )
        response.raise_for_status()
        keys = [
            key
            for key in response.json().get("keys", [])
            if key.get("use", "sig") == "sig"
            and key.get("alg", header.get("alg")) == header.get("alg")
        ]
        if len(keys) != 1:
            raise SuspiciousOperation("The ID token names no key among several.")
        return jwt.PyJWK(keys[0])

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get("sub") and claims.get("email"))

    def filter_users_by_claims(self, claims: dict[str, Any]):
        linked = User.objects.filter(
            external_identities__issuer=self.issuer,
            external_identities__subject=claims.get("sub"),
            is_staff=False,
        )
        if linked.exists():
            return linked
        # Link an existing resident account only when the provider vouches
        # for the address; otherwise a new account is created.
        if claims.get("email_verified") is True:
            return User.objects.filter(email__iexact=claims["email"], is_staff=False)
        return User.objects.none()

    @transaction.atomic
    def create_user(self, claims: dict[str, Any]) -> User:
        email = claims["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            # The address belongs to someone else here and the provider did not
            # verify it: refuse rather than guess.
            return None  # type: ignore[return-value]
        user = User.objects.create_user(
            email=email,
            password=None,
            full_name=claims.get("name", ""),
            email_verified_at=timezone.now() if claims.get("email_verified") else None,
        )
        ExternalIdentity.objects.create(
            user=user, issuer=self.issuer, subject=claims["sub"]
        )
        return user

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        ExternalIdentity.objects.get_or_create(
            user=user, issuer=self.issuer, subject=claims["sub"]
        )
        if not user.full_name and claims.get("name"):
            user.full_name = claims["name"]
            user.save(update_fields=["full_name"])
        return user


class ResidentOIDCCallbackView(oidc_views.OIDCAuthenticationCallbackView):
    """The provider sends the resident back here.

    A refusal at the provider (``error=access_denied``) or a sign-in our
    backend declines (an address that belongs to another or a staff account)
    returns the resident to our login page with a message; the library's own
    answer is a silent redirect to ``/``.
    """

    def get(self, request: HttpRequest) -> HttpResponse:
        # The provider answering the code exchange or the key or user-info
        # request with an error, or not at all, is a failed sign-in, not a 500.
        try:
            return super().get(request)
        except requests.RequestException:
            logger.warning("OpenID provider call failed during sign-in", exc_info=True)
            return self.login_failure()

    def login_failure(self) -> HttpResponse:
        messages.error(
            self.request,
            gettext(
                "%(provider)sでログインできませんでした。"
                "すでにアカウントをお持ちの方は、"
                "メールアドレスとパスワードでログインしてください。"
            )
            % {"provider": settings.OIDC_PROVIDER_NAME},
        )
        return redirect(settings.LOGIN_URL)


def _only_when_enabled(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """404 while OIDC is not configured (the library's views would 500)."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not getattr(settings, "OIDC_RP_CLIENT_ID", ""):
            raise Http404
        return view(request, *args, **kwargs)

    return guarded


urlpatterns = [
    path(
        "callback/",
        _only_when_enabled(ResidentOIDCCallbackView.as_view()),
        name="oidc_authentication_callback",
    ),
    path(
        "authenticate/",
        _only_when_enabled(oidc_views.OIDCAuthenticationRequestView.as_view()),
        name="oidc_authentication_init",
    ),
    path(
        "logout/",
        _only_when_enabled(oidc_views.OIDCLogoutView.as_view()),
        name="oidc_logout",
    ),
]

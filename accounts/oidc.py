"""Sign-in through an external OpenID Connect provider (optional).

Enabled when ``OIDC_RP_CLIENT_ID`` is set. Residents only: a staff account is
never created or entered through an external provider.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts.models import ExternalIdentity, User


class ResidentOIDCBackend(OIDCAuthenticationBackend):
    """Find residents by the provider's subject; create them on first sign-in."""

    @property
    def issuer(self) -> str:
        return settings.OIDC_OP_ISSUER

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

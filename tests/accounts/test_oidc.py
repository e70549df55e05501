"""Sign-in through an external OpenID Connect provider: the claim handling.

These unit tests give the backend's claim handling the claims a provider would
return, one rule at a time. The whole sign-in, against a real OpenID Provider
started on loopback (redirects, code exchange, signed ID token, userinfo), is
in test_oidc_provider.py.
"""

import pytest

from accounts.models import ExternalIdentity, User
from accounts.oidc import ResidentOIDCBackend
from tests.factories import ResidentFactory, StaffFactory

pytestmark = pytest.mark.django_db

ISSUER = "https://id.example.jp"


@pytest.fixture
def backend(settings):
    settings.OIDC_OP_ISSUER = ISSUER
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{ISSUER}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{ISSUER}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{ISSUER}/jwks"
    settings.OIDC_RP_CLIENT_ID = "eshinsei"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    return ResidentOIDCBackend()


def _sign_in(backend, claims):
    users = backend.filter_users_by_claims(claims)
    if users.exists():
        return backend.update_user(users.get(), claims)
    return backend.create_user(claims)


def test_first_sign_in_creates_a_resident_linked_by_subject(backend):
    user = _sign_in(
        backend,
        {
            "sub": "abc",
            "email": "Taro@Example.jp",
            "email_verified": True,
            "name": "山田 太郎",
        },
    )

    assert user.email == "taro@example.jp"
    assert not user.is_staff
    assert not user.has_usable_password()
    assert ExternalIdentity.objects.get(user=user).subject == "abc"


def test_the_same_subject_finds_the_same_account_after_an_address_change(backend):
    first = _sign_in(backend, {"sub": "abc", "email": "a@example.jp"})
    again = _sign_in(backend, {"sub": "abc", "email": "new@example.jp"})

    assert again == first


def test_an_unverified_address_never_takes_over_an_existing_account(backend):
    owner = ResidentFactory(email="owner@example.jp")

    result = _sign_in(backend, {"sub": "attacker", "email": "owner@example.jp"})

    assert result is None
    assert not ExternalIdentity.objects.filter(user=owner).exists()


def test_a_verified_address_links_the_existing_resident(backend):
    owner = ResidentFactory(email="owner@example.jp")

    result = _sign_in(
        backend, {"sub": "xyz", "email": "owner@example.jp", "email_verified": True}
    )

    assert result == owner
    assert ExternalIdentity.objects.get(user=owner).subject == "xyz"


def test_staff_accounts_are_never_entered_through_the_provider(backend):
    StaffFactory(email="staff@example.jp")

    result = _sign_in(
        backend, {"sub": "s", "email": "staff@example.jp", "email_verified": True}
    )

    assert result is None
    assert User.objects.filter(email="staff@example.jp").get().is_staff

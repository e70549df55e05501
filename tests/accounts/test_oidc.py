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


@pytest.fixture
def signed(settings):
    """ID tokens signed by a key the backend is told to trust."""
    import time

    import jwt
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings.OIDC_RP_IDP_SIGN_KEY = (
        key.public_key()
        .public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
        .decode()
    )

    def token(**claims):
        now = int(time.time())
        body = {
            "iss": ISSUER,
            "aud": "eshinsei",
            "sub": "s-1",
            "nonce": "n",
            "iat": now,
            "exp": now + 300,
            **claims,
        }
        return jwt.encode(
            {k: v for k, v in body.items() if v is not None}, key, "RS256"
        )

    return token


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "another-client"},
        {"aud": ["another-client", "third"]},
        {"iss": "https://evil.example"},
        {"exp": None},
        {"exp": 1_000_000_000},  # long expired: PyJWT's error becomes a refusal
    ],
)
def test_an_id_token_not_for_us_is_refused(backend, signed, claims):
    from django.core.exceptions import SuspiciousOperation

    backend = ResidentOIDCBackend()  # reads the signing key set by `signed`
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(signed(**claims), nonce="n")


def test_an_id_token_for_us_is_accepted(backend, signed):
    backend = ResidentOIDCBackend()
    assert (
        backend.verify_token(signed(aud=["eshinsei", "x"]), nonce="n")["sub"] == "s-1"
    )

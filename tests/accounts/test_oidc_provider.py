"""Sign-in through a real OpenID Provider on loopback, as a browser would.

The provider is oidc-provider-mock: a real OpenID Provider (authlib on Flask)
with discovery, the authorization code flow, RS256-signed ID tokens, JWKS and
userinfo, started for this module on 127.0.0.1 in a thread. It is told to
require client registration and a nonce, so our RP registers with it like with
any provider and reads every endpoint from its discovery document.

Django's test client is the resident's browser on our side and ``requests`` is
that browser at the provider, which shows its authorization form: the test
types the subject there and sets the subject's claims through the provider's
API (the form has no field for them). Our own code does the rest over real
HTTP: it exchanges the code at the token endpoint, checks the ID token's
signature against the JWKS and the nonce, and reads userinfo. One test drives
Debian's Chromium through the same round trip against a live server.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import oidc_provider_mock
import pytest
import requests
import werkzeug.serving
from django.contrib.auth import get_user
from django.test import Client
from django.urls import reverse

from accounts.models import ExternalIdentity, User
from tests.factories import ResidentFactory, StaffFactory

pytestmark = [
    pytest.mark.django_db,
    # The provider calls authlib's older ID-token API, which warns on each token.
    pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning"),
]

PROVIDER_NAME = "外部ID"
REFUSED = f"{PROVIDER_NAME}でログインできませんでした。"
TIMEOUT = 10  # seconds; every request to the provider is on loopback


@dataclass
class Provider:
    """The running provider, seen through its discovery document and its API."""

    url: str
    discovery: dict[str, Any]

    @property
    def issuer(self) -> str:
        return self.discovery["issuer"]

    def register_client(self, redirect_uri: str) -> tuple[str, str]:
        """Dynamic client registration (RFC 7591), as the provider requires."""
        response = requests.post(
            self.discovery["registration_endpoint"],
            json={
                "redirect_uris": [redirect_uri],
                # mozilla-django-oidc posts the secret in the form body.
                "token_endpoint_auth_method": "client_secret_post",
            },
            timeout=TIMEOUT,
        )
        response.raise_for_status()
        client = response.json()
        return client["client_id"], client["client_secret"]

    def set_claims(self, sub: str, **claims: Any) -> None:
        """What the provider will say about ``sub`` when the resident picks it."""
        response = requests.put(f"{self.url}/users/{sub}", json=claims, timeout=TIMEOUT)
        response.raise_for_status()


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    """oidc-provider-mock on a free loopback port, shut down after the module."""
    app = oidc_provider_mock.app(require_client_registration=True, require_nonce=True)
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        discovery = requests.get(
            f"{url}/.well-known/openid-configuration", timeout=TIMEOUT
        )
        discovery.raise_for_status()
        yield Provider(url=url, discovery=discovery.json())
    finally:
        server.shutdown()
        thread.join(TIMEOUT)
        server.server_close()


def configure_rp(settings, provider: Provider, redirect_uri: str) -> None:
    """Switch our OIDC sign-in on for one test, as the environment would."""
    client_id, client_secret = provider.register_client(redirect_uri)
    settings.OIDC_RP_CLIENT_ID = client_id
    settings.OIDC_RP_CLIENT_SECRET = client_secret
    settings.OIDC_OP_ISSUER = provider.issuer
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = provider.discovery[
        "authorization_endpoint"
    ]
    settings.OIDC_OP_TOKEN_ENDPOINT = provider.discovery["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = provider.discovery["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = provider.discovery["jwks_uri"]
    assert "RS256" in provider.discovery["id_token_signing_alg_values_supported"]
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_RP_SCOPES = "openid email profile"
    settings.OIDC_PROVIDER_NAME = PROVIDER_NAME
    settings.OIDC_TIMEOUT = TIMEOUT
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "accounts.oidc.ResidentOIDCBackend",
    ]


@pytest.fixture
def oidc(settings, provider: Provider) -> Provider:
    """The provider, with our RP registered for the test client's host."""
    configure_rp(settings, provider, "http://testserver/oidc/callback/")
    return provider


# --- The resident's browser ------------------------------------------------


def press_provider_button(client: Client) -> str:
    """Our login page's provider button; returns where it sends the browser."""
    page = client.get(reverse("accounts:login")).content.decode()
    button = re.search(
        rf'<a [^>]*href="([^"]+)"[^>]*>{PROVIDER_NAME}でログイン</a>', page
    )
    assert button, "the login page shows no provider button"
    response = client.get(button[1])
    assert response.status_code == 302
    return response["Location"]


def at_provider(authorization_url: str, form: dict[str, str]) -> str:
    """Open the provider's authorization form and submit it; returns the redirect."""
    with requests.Session() as browser:
        page = browser.get(authorization_url, timeout=TIMEOUT)
        assert page.status_code == 200, page.text
        assert 'name="sub"' in page.text
        answer = browser.post(
            authorization_url, data=form, allow_redirects=False, timeout=TIMEOUT
        )
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def back_at_us(client: Client, callback_url: str, **kwargs: Any):
    parts = urlsplit(callback_url)
    assert (parts.scheme, parts.netloc) == ("http", "testserver")
    return client.get(f"{parts.path}?{parts.query}", **kwargs)


def sign_in(client: Client, sub: str, **kwargs: Any):
    """The whole round trip: our button, the provider's form, our callback."""
    authorization_url = press_provider_button(client)
    callback_url = at_provider(authorization_url, {"sub": sub})
    return back_at_us(client, callback_url, **kwargs)


def signed_in_user(client: Client) -> User | None:
    user = get_user(client)
    return user if user.is_authenticated else None


def assert_sent_back_to_login_with_message(response) -> None:
    assert response.redirect_chain[-1][0] == reverse("accounts:login")
    assert response.status_code == 200
    assert REFUSED in response.content.decode()


# --- Cases --------------------------------------------------------------------


def test_the_button_sends_the_browser_to_the_provider_with_state_and_nonce(
    client, oidc, settings
):
    authorization_url = press_provider_button(client)

    parts = urlsplit(authorization_url)
    query = parse_qs(parts.query)
    assert urlunsplit((*parts[:3], "", "")) == oidc.discovery["authorization_endpoint"]
    assert query["client_id"] == [settings.OIDC_RP_CLIENT_ID]
    assert query["redirect_uri"] == ["http://testserver/oidc/callback/"]
    assert query["scope"] == ["openid email profile"]
    assert query["state"][0] in client.session["oidc_states"]
    assert query["nonce"][0]


def test_first_sign_in_creates_a_resident_with_the_providers_profile(client, oidc):
    oidc.set_claims(
        "tanaka-001",
        email="Hanako.Tanaka@Example.jp",
        email_verified=True,
        name="田中 花子",
    )

    response = sign_in(client, "tanaka-001", follow=True)

    assert response.redirect_chain[-1][0] == "/"
    assert "田中 花子" in response.content.decode()
    user = signed_in_user(client)
    assert user is not None
    assert user.email == "hanako.tanaka@example.jp"
    assert user.full_name == "田中 花子"
    assert user.email_verified_at is not None
    assert not user.is_staff
    assert not user.has_usable_password()
    identity = ExternalIdentity.objects.get(user=user)
    assert (identity.issuer, identity.subject) == (oidc.issuer, "tanaka-001")


def test_second_sign_in_with_the_same_subject_finds_the_same_account(client, oidc):
    oidc.set_claims("sato-002", email="sato@example.jp", name="佐藤 一郎")
    sign_in(client, "sato-002")
    first = signed_in_user(client)
    client.post(reverse("accounts:logout"))
    assert signed_in_user(client) is None
    # The resident changed their address and name at the provider meanwhile.
    oidc.set_claims("sato-002", email="ichiro@example.jp", name="佐藤 壱郎")

    sign_in(client, "sato-002")

    assert first is not None
    assert signed_in_user(client) == first
    assert User.objects.count() == 1
    assert ExternalIdentity.objects.filter(user=first).count() == 1
    first.refresh_from_db()
    assert first.full_name == "佐藤 一郎"  # a name already given is kept


def test_a_verified_email_links_the_existing_resident(client, oidc):
    owner = ResidentFactory(email="suzuki@example.jp", full_name="")
    oidc.set_claims(
        "suzuki-003", email="Suzuki@example.jp", email_verified=True, name="鈴木 次郎"
    )

    sign_in(client, "suzuki-003")

    assert signed_in_user(client) == owner
    identity = ExternalIdentity.objects.get(user=owner)
    assert (identity.issuer, identity.subject) == (oidc.issuer, "suzuki-003")
    owner.refresh_from_db()
    assert owner.full_name == "鈴木 次郎"
    assert owner.has_usable_password()  # the password sign-in still works
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("account_factory", "email_verified"),
    [
        # The provider does not vouch for the address: no take-over.
        pytest.param(ResidentFactory, False, id="unverified-email-of-a-resident"),
        # Staff accounts are never entered through the provider, verified or not.
        pytest.param(StaffFactory, True, id="verified-email-of-a-staff-account"),
    ],
)
def test_an_existing_account_is_not_taken_over(
    client, oidc, account_factory, email_verified
):
    account = account_factory(email="owner@example.jp")
    oidc.set_claims(
        "other-004", email="owner@example.jp", email_verified=email_verified
    )

    response = sign_in(client, "other-004", follow=True)

    assert_sent_back_to_login_with_message(response)
    assert signed_in_user(client) is None
    assert not ExternalIdentity.objects.exists()
    assert list(User.objects.all()) == [account]
    assert User.objects.get().is_staff == account.is_staff


def test_the_provider_refusing_brings_the_resident_back_to_login(client, oidc):
    authorization_url = press_provider_button(client)

    # The resident presses the provider's "Deny" button.
    callback_url = at_provider(authorization_url, {"action": "deny"})
    assert parse_qs(urlsplit(callback_url).query)["error"] == ["access_denied"]
    response = back_at_us(client, callback_url, follow=True)

    assert_sent_back_to_login_with_message(response)
    assert signed_in_user(client) is None
    assert not User.objects.exists()


def test_a_tampered_state_is_refused_before_the_code_is_spent(client, oidc):
    oidc.set_claims("yamada-006", email="yamada@example.jp", email_verified=True)
    authorization_url = press_provider_button(client)
    callback_url = at_provider(authorization_url, {"sub": "yamada-006"})
    parts = urlsplit(callback_url)
    query = parse_qs(parts.query)
    tampered = {"code": query["code"][0], "state": query["state"][0][::-1] + "x"}

    response = client.get(f"{parts.path}?{urlencode(tampered)}")

    assert response.status_code == 400
    assert signed_in_user(client) is None
    assert not User.objects.exists()
    # The code was never taken to the provider: the genuine answer still works.
    back_at_us(client, callback_url)
    assert signed_in_user(client) is not None


def test_the_oidc_urls_are_absent_while_no_client_id_is_set(client, settings):
    settings.OIDC_RP_CLIENT_ID = ""

    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=a&state=b").status_code == 404
    page = client.get(reverse("accounts:login")).content.decode()
    assert f"{PROVIDER_NAME}でログイン" not in page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_resident_signs_in_through_the_provider_in_chromium(
    live_server, page, settings, provider
):
    configure_rp(settings, provider, f"{live_server.url}/oidc/callback/")
    provider.set_claims(
        "kimura-007", email="kimura@example.jp", email_verified=True, name="木村 三郎"
    )

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name=f"{PROVIDER_NAME}でログイン").click()
    page.wait_for_url(f"{provider.url}/oauth2/authorize?*")
    page.get_by_placeholder("sub").fill("kimura-007")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{live_server.url}/")

    assert page.get_by_role("button", name="ログアウト").is_visible()
    assert "木村 三郎" in page.content()
    identity = ExternalIdentity.objects.get(subject="kimura-007")
    assert identity.issuer == provider.issuer
    assert identity.user.email == "kimura@example.jp"


def test_an_id_token_from_another_issuer_is_refused(client, oidc, settings):
    oidc.set_claims("kato-009", email="kato@example.jp", email_verified=True)
    authorization_url = press_provider_button(client)
    callback_url = at_provider(authorization_url, {"sub": "kato-009"})
    # Our site believes in another issuer: this provider's token is not for it.
    settings.OIDC_OP_ISSUER = "https://id.example.jp"

    response = back_at_us(client, callback_url)

    assert response.status_code == 400
    assert signed_in_user(client) is None
    assert not ExternalIdentity.objects.exists()


def test_the_provider_refusing_the_code_exchange_is_a_failed_sign_in(
    client, oidc, settings
):
    oidc.set_claims("kato-010", email="kato@example.jp", email_verified=True)
    authorization_url = press_provider_button(client)
    callback_url = at_provider(authorization_url, {"sub": "kato-010"})
    # The provider no longer knows our credentials (rotated secret): its
    # token endpoint answers 400 invalid_client.
    settings.OIDC_RP_CLIENT_ID = "unknown-client"

    response = back_at_us(client, callback_url, follow=True)

    assert_sent_back_to_login_with_message(response)
    assert signed_in_user(client) is None


# --- A provider's multi-factor sign-in as the second factor (issue 16) ---------


def _resident_with_second_factor(oidc, sub: str, **claims: Any) -> User:
    from tests.second_factor import give_second_factor

    oidc.set_claims(sub, email=f"{sub}@example.jp", email_verified=True, **claims)
    user = ResidentFactory(email=f"{sub}@example.jp")
    give_second_factor(user)
    return user


@pytest.mark.parametrize(
    ("allowed", "claims", "asked"),
    [
        (True, {"amr": ["pwd", "mfa"]}, False),
        (True, {"amr": ["hwk"]}, False),
        (True, {"amr": ["pwd"]}, True),
        (True, {}, True),
        (False, {"amr": ["pwd", "mfa"]}, True),
    ],
)
def test_a_provider_asserted_second_factor_counts_only_when_allowed(
    client, oidc, settings, allowed, claims, asked
):
    settings.OIDC_PROVIDER_MFA = allowed
    _resident_with_second_factor(oidc, "suzuki-004", **claims)

    sign_in(client, "suzuki-004")
    profile = client.get("/accounts/profile/")

    if asked:
        assert profile["Location"].startswith("/accounts/2fa/verify/")
    else:
        assert profile.status_code == 200


def test_a_configured_acr_counts_and_a_password_sign_in_asks_for_the_code(
    client, oidc, settings
):
    from tests.factories import PASSWORD

    settings.OIDC_PROVIDER_MFA = True
    settings.OIDC_MFA_ACR_VALUES = ["urn:pref:loa:3"]
    user = _resident_with_second_factor(oidc, "kato-005", acr="urn:pref:loa:3")
    user.set_password(PASSWORD)
    user.save()
    sign_in(client, "kato-005")
    assert client.get("/accounts/profile/").status_code == 200
    client.post(reverse("accounts:logout"))

    client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )

    assert client.get("/accounts/profile/")["Location"].startswith(
        "/accounts/2fa/verify/"
    )

"""Signing staff in with their second factor, as the tests need it.

Staff accounts reach nothing until their session is verified by django-otp.
``verified_login`` gives the account a confirmed authenticator (with a known
secret) and marks the test client's session verified with it, as the
verification page does; ``browser_login`` signs in through the real pages,
typing the current code from that authenticator.
"""

from __future__ import annotations

import time
from typing import Any

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.second_factor import SESSION_KEY, TOTP_NAME, VERIFIED_AT_KEY
from tests.factories import PASSWORD

# The RFC 6238 test secret ("12345678901234567890"), as django-otp stores it.
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"


def give_second_factor(user: Any, key: str = TEST_TOTP_KEY) -> TOTPDevice:
    """The account's confirmed authenticator (created with ``key`` if missing)."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name=TOTP_NAME, defaults={"key": key, "confirmed": True}
    )
    return device


def current_code(device: TOTPDevice) -> str:
    """A code the device accepts now: the app's current one, or the next step's
    when the current one was already used (a code is accepted only once)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    step = max(totp.t(), device.last_t + 1)
    assert step <= totp.t() + device.tolerance, "no unused code left in this window"
    totp.time = device.t0 + step * device.step
    return f"{totp.token():0{device.digits}d}"


def password_login(client: Any, url: str, user: Any, password: str = PASSWORD) -> Any:
    """The first step only: the login form posted, redirects followed."""
    return client.post(url, {"username": user.email, "password": password}, follow=True)


def verified_login(client: Any, user: Any) -> Any:
    """Log ``user`` in on the Django test client with a verified second factor."""
    client.force_login(user)
    device = give_second_factor(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SESSION_KEY] = True
    session[VERIFIED_AT_KEY] = time.time()  # as the verification page does
    session.save()
    return client


def browser_login(page: Any, base: str, path: str, email: str, password: str) -> None:
    """Sign in through the login page and, for staff, the second-factor page
    (the account keeps its authenticator, or gets the test one)."""
    from accounts.models import User

    user = User.objects.get(email__iexact=email)
    device = give_second_factor(user) if user.is_staff else None
    page.goto(base + path)
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログインする").click()
    page.wait_for_load_state()
    if device is not None:
        page.get_by_label("確認コード").fill(current_code(device))
        page.get_by_role("button", name="確認する").click()
        page.wait_for_load_state()


def login_as(client: Any, user: Any) -> Any:
    """Log in as the tests of other features need: staff with a verified second
    factor (they reach nothing without it), residents as they are."""
    if user.is_staff:
        return verified_login(client, user)
    client.force_login(user)
    return client

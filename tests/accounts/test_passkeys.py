"""Issue 16: passkeys and security keys as a second factor, in Debian's
Chromium with its virtual authenticator (the DevTools WebAuthn domain stands
in for a phone or a USB key, which cannot be attached here)."""

import pytest

from tests.factories import PASSWORD, StaffFactory
from tests.second_factor import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def webauthn_site(live_server, settings):
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    return live_server.url


def test_a_caseworker_registers_a_passkey_and_signs_in_with_it(webauthn_site, page):
    base = webauthn_site
    staff = StaffFactory(email="kacho@example.jp")
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    browser_login(page, base, "/staff/login/", staff.email, PASSWORD)
    page.goto(base + "/accounts/2fa/passkeys/")
    assert page.get_by_text("登録されたパスキーはありません。").is_visible()
    page.get_by_role("button", name="パスキーを登録する").click()
    page.wait_for_selector("#passkey-register-status-message:not(:empty)")
    page.reload()
    assert page.get_by_test_id("passkeys").locator("li").count() == 1
    from core.models import AuditEvent

    assert AuditEvent.objects.filter(
        action="staff.second_factor_enrol", actor=staff, data__device="passkey"
    ).exists()
    page.get_by_role("button", name="ログアウト").click()

    page.goto(base + "/staff/login/")
    page.get_by_label("メールアドレス").fill(staff.email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログインする").click()
    page.wait_for_url("**/accounts/2fa/verify/**")
    assert page.goto(base + "/staff/").url.startswith(base + "/accounts/2fa/verify/")
    page.get_by_role("button", name="パスキーで確認する").click()
    page.wait_for_url(base + "/staff/")

    assert page.get_by_role("heading", level=1).inner_text() == "審査事務"

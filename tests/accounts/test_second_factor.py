"""Issue 16: a second factor for every staff account, optional for residents."""

import base64
import re
import time

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from rest_framework.test import APIClient

from api.services import api_token_create
from core.models import AuditEvent
from tests.factories import (
    AdministratorFactory,
    ResidentFactory,
    StaffFactory,
)
from tests.second_factor import current_code, give_second_factor, verified_login
from tests.second_factor import password_login as _login

pytestmark = pytest.mark.django_db


def _code_for_secret(page: str) -> str:
    """What the person's authenticator app shows after scanning the page."""
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', page)[1]
    key = base64.b32decode(secret.replace(" ", ""))
    return f"{TOTP(key).token():06d}"


def test_a_caseworker_without_a_device_is_made_to_enrol_and_reaches_nothing(client):
    staff = StaffFactory()

    response = _login(client, "/staff/login/", staff)

    assert response.redirect_chain[-1][0] == "/accounts/2fa/?next=/staff/"
    page = response.content.decode()
    assert "2段階認証の設定" in page
    assert 'src="data:image/svg+xml' in page  # the QR code for the app
    for path in ("/staff/", "/manage/", "/staff/inbox/", "/api/tokens/"):
        assert client.get(path)["Location"].startswith("/accounts/2fa/"), path
    api = client.get("/api/v1/staff/tasks/")
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "second_factor_required"


def test_enrolment_with_the_apps_code_opens_the_area_and_shows_recovery_codes(
    client,
):
    staff = StaffFactory()
    page = _login(client, "/staff/login/", staff).content.decode()

    wrong = client.post("/accounts/2fa/", {"code": "000000", "next": "/staff/"})
    assert wrong.status_code == 400
    assert "確認コードが正しくありません" in wrong.content.decode()
    assert client.get("/staff/").status_code == 302
    time.sleep(1.1)  # a wrong code holds the device for a second (then 2, 4 …)

    done = client.post(
        "/accounts/2fa/", {"code": _code_for_secret(page), "next": "/staff/"}
    )

    codes = re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())
    assert len(codes) == 10
    assert "no-store" in done["Cache-Control"]
    assert client.get("/staff/").status_code == 200
    assert AuditEvent.objects.filter(
        action="staff.second_factor_enrol", actor=staff
    ).exists()


def test_every_staff_login_asks_for_the_code_again(client):
    staff = StaffFactory()
    device = give_second_factor(staff)

    response = _login(client, "/staff/login/", staff)

    assert response.redirect_chain[-1][0] == "/accounts/2fa/verify/?next=/staff/"
    wrong = client.post("/accounts/2fa/verify/", {"code": "123 456"})
    assert wrong.status_code == 400
    assert client.get("/staff/").status_code == 302
    time.sleep(1.1)  # a wrong code holds the device for a second (then 2, 4 …)
    right = client.post(
        "/accounts/2fa/verify/", {"code": current_code(device), "next": "/staff/"}
    )
    assert right["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_a_used_code_does_not_open_a_second_session(client):
    staff = StaffFactory()
    device = give_second_factor(staff)
    code = current_code(device)
    _login(client, "/staff/login/", staff)
    assert client.post("/accounts/2fa/verify/", {"code": code}).status_code == 302

    other = client.__class__()
    _login(other, "/staff/login/", staff)
    replay = other.post("/accounts/2fa/verify/", {"code": code})

    assert replay.status_code == 400
    assert other.get("/staff/").status_code == 302


def test_a_recovery_code_signs_in_once(client):
    staff = StaffFactory()
    verified_login(client, staff)
    codes = re.findall(
        r"<li>([a-z2-7]{8})</li>",
        client.post("/accounts/2fa/recovery-codes/").content.decode(),
    )
    client.post("/staff/logout/")

    _login(client, "/staff/login/", staff)
    used = client.post("/accounts/2fa/verify/", {"code": codes[0].upper()}, follow=True)
    assert used.redirect_chain[-1][0] == "/staff/"
    assert "回復コードを使いました（残り9個）" in used.content.decode()
    client.post("/staff/logout/")
    _login(client, "/staff/login/", staff)
    again = client.post("/accounts/2fa/verify/", {"code": codes[0]})

    assert again.status_code == 400
    assert StaticToken.objects.filter(device__user=staff).count() == 9


def test_a_password_alone_cannot_replace_the_authenticator(client):
    staff = StaffFactory()
    give_second_factor(staff)
    _login(client, "/staff/login/", staff)

    response = client.get("/accounts/2fa/")

    assert response["Location"].startswith("/accounts/2fa/verify/")


def test_staff_tokens_work_only_while_the_account_has_a_second_factor():
    staff = StaffFactory()
    device = give_second_factor(staff)
    _token, raw = api_token_create(user=staff, name="連携")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/staff/tasks/").status_code == 200

    device.delete()
    refused = api.get("/api/v1/staff/tasks/")

    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "second_factor_required"


def test_a_staff_token_needs_a_verified_session(client):
    staff = StaffFactory()
    give_second_factor(staff)
    _login(client, "/staff/login/", staff)

    refused = client.post(
        "/api/v1/tokens/",
        {"name": "x", "validity_days": 30},
        content_type="application/json",
    )
    page = client.post("/api/tokens/", {"name": "x", "validity_days": 30})

    assert refused.status_code == 403
    assert page.status_code == 302
    assert not staff.api_tokens.exists()


def test_a_resident_may_turn_the_second_factor_on_and_is_asked_at_login(client):
    resident = ResidentFactory()
    client.force_login(resident)
    page = client.get("/accounts/2fa/").content.decode()
    assert (
        client.post("/accounts/2fa/", {"code": _code_for_secret(page)}).status_code
        == 200
    )
    assert (
        "2段階認証を使っています" in client.get("/accounts/profile/").content.decode()
    )
    client.post("/accounts/logout/")
    assert AuditEvent.objects.filter(
        action="account.second_factor_enrol", actor=resident
    ).exists()

    response = _login(client, "/accounts/login/", resident)

    assert response.redirect_chain[-1][0].startswith("/accounts/2fa/verify/")
    assert client.get("/accounts/profile/").status_code == 302


def test_a_resident_without_a_second_factor_signs_in_with_the_password(client):
    resident = ResidentFactory()

    response = _login(client, "/accounts/login/", resident)

    assert response.redirect_chain[-1][0] == "/"
    assert client.get("/accounts/profile/").status_code == 200


def test_a_resident_may_turn_it_off_but_staff_may_not(client):
    resident = ResidentFactory()
    verified_login(client, resident)
    client.post("/accounts/2fa/disable/")
    client.post("/accounts/logout/")
    assert _login(client, "/accounts/login/", resident).redirect_chain[-1][0] == "/"
    assert AuditEvent.objects.filter(
        action="account.second_factor_disable", actor=resident
    ).exists()

    staff = AdministratorFactory()
    verified_login(client, staff)
    assert client.post("/accounts/2fa/disable/").status_code == 403
    assert get_user_model().objects.get(pk=staff.pk).totpdevice_set.exists()

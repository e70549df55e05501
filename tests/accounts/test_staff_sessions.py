"""Issue 16: staff sessions end when idle or too old; a new API token needs
the second factor again."""

import time

import pytest

from accounts.second_factor import LOGIN_AT_KEY, SEEN_AT_KEY, VERIFIED_AT_KEY
from tests.factories import ResidentFactory, StaffFactory
from tests.second_factor import current_code, give_second_factor, verified_login

pytestmark = pytest.mark.django_db


def _age(client, **seconds_ago: float) -> None:
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = time.time() - ago
    session.save()


def test_a_staff_session_ends_after_30_idle_minutes(client):
    verified_login(client, StaffFactory())
    _age(client, **{SEEN_AT_KEY: 29 * 60})
    assert client.get("/staff/").status_code == 200

    _age(client, **{SEEN_AT_KEY: 31 * 60})
    response = client.get("/staff/", follow=True)

    assert response.redirect_chain[-1][0] == "/staff/login/?next=/staff/"
    assert "一定の時間がたったため、ログアウトしました。" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_staff_session_ends_12_hours_after_sign_in_even_when_busy(client):
    verified_login(client, StaffFactory())
    _age(client, **{LOGIN_AT_KEY: 12 * 3600 + 1, SEEN_AT_KEY: 10})

    assert client.get("/staff/")["Location"] == "/staff/login/?next=/staff/"


def test_the_limits_are_settings_and_residents_are_not_held_to_them(client, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 5
    verified_login(client, StaffFactory())
    _age(client, **{SEEN_AT_KEY: 6 * 60})
    assert client.get("/staff/").status_code == 302

    client.force_login(ResidentFactory())
    _age(client, **{SEEN_AT_KEY: 6 * 3600, LOGIN_AT_KEY: 24 * 3600})
    assert client.get("/accounts/profile/").status_code == 200


def test_a_new_token_needs_the_code_again_after_ten_minutes(client):
    staff = StaffFactory()
    verified_login(client, staff)
    _age(client, **{VERIFIED_AT_KEY: 11 * 60})

    page = client.post("/api/tokens/", {"name": "連携", "validity_days": 30})
    api = client.post(
        "/api/v1/tokens/",
        {"name": "連携", "validity_days": 30},
        content_type="application/json",
    )
    assert page["Location"] == "/accounts/2fa/verify/?fresh=1&next=%2Fapi%2Ftokens%2F"
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "reauthentication_required"
    assert not staff.api_tokens.exists()

    form = client.get(page["Location"])
    assert "もう一度確認コードを入力してください" in form.content.decode()
    again = client.post(
        "/accounts/2fa/verify/",
        {
            "code": current_code(give_second_factor(staff)),
            "fresh": "1",
            "next": "/api/tokens/",
        },
    )
    assert again["Location"] == "/api/tokens/"
    made = client.post("/api/tokens/", {"name": "連携", "validity_days": 30})

    assert made.status_code == 200
    assert staff.api_tokens.count() == 1

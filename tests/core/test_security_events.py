"""Issue 16: security events recorded and shown to administrators.

Failed logins (residents' and staff's, known account or not), lockouts,
wrong second-factor codes, API tokens and Django admin changes go to the
audit log; /manage/security-events/ lists them with filters, pages and CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.utils import timezone

from core.audit import audit_record
from core.models import AuditEvent
from tests.factories import (
    PASSWORD,
    AdministratorFactory,
    ResidentFactory,
    StaffFactory,
)
from tests.second_factor import give_second_factor, verified_login

pytestmark = pytest.mark.django_db

URL = "/manage/security-events/"
ATTACKER = "203.0.113.9"


@pytest.fixture(autouse=True)
def _fresh_counts():
    # axes counts failures in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


def _admin_client(client):
    return verified_login(client, AdministratorFactory())


def test_failed_logins_are_recorded_with_the_name_and_address(client, settings):
    settings.BEHIND_PROXY = True
    staff = StaffFactory(email="kakari@example.jp")

    known = client.post(
        "/staff/login/",
        {"username": staff.email, "password": "wrong-secret-1"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR=f"1.2.3.4, {ATTACKER}",
    )
    unknown = client.post(
        "/accounts/login/",
        {"username": "nobody@example.jp", "password": "wrong-secret-2"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR=ATTACKER,
    )

    events = list(AuditEvent.objects.filter(action="account.login_failed"))
    assert [event.data["username"] for event in events] == [
        "kakari@example.jp",
        "nobody@example.jp",
    ]
    assert {event.ip_address for event in events} == {ATTACKER}
    assert events[0].target_id == str(staff.pk)
    assert events[0].data["area"] == "caseworker"
    assert not events[1].data["known_account"]
    assert all("wrong-secret" not in str(event.data) for event in events)
    # The person trying sees no difference between the two.
    assert known.status_code == unknown.status_code == 200
    assert "メールアドレスまたはパスワードが正しくありません" in (
        known.content.decode()
    )

    page = _admin_client(client).get(URL).content.decode()
    assert "nobody@example.jp" in page
    assert "kakari@example.jp" in page
    assert ATTACKER in page
    assert "ログインの失敗" in page


def test_an_unknown_account_answers_like_a_wrong_password(client):
    resident = ResidentFactory(email="taro@example.jp")
    known = client.post(
        "/accounts/login/", {"username": resident.email, "password": "nope"}
    )
    unknown = client.post(
        "/accounts/login/", {"username": "hanako@example.jp", "password": "nope"}
    )

    def _without_token(response):
        text = response.content.decode()
        return (
            text.split('name="csrfmiddlewaretoken"')[0]
            .replace(resident.email, "X")
            .replace("hanako@example.jp", "X")
        )

    assert known.status_code == unknown.status_code
    assert _without_token(known) == _without_token(unknown)
    assert AuditEvent.objects.filter(action="account.login_failed").count() == 2


def test_a_lockout_is_recorded_once_when_the_limit_is_reached(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    staff = StaffFactory(email="locked@example.jp")
    for _ in range(5):
        client.post(
            "/staff/login/",
            {"username": staff.email, "password": "wrong"},
            REMOTE_ADDR=ATTACKER,
        )

    lockouts = list(AuditEvent.objects.filter(action="account.locked_out"))
    assert len(lockouts) == 1
    assert lockouts[0].data["username"] == "locked@example.jp"
    assert lockouts[0].data["address"] == ATTACKER
    assert lockouts[0].ip_address == ATTACKER
    refused = AuditEvent.objects.filter(
        action="account.login_failed", data__while_locked=True
    )
    assert refused.count() == 2

    administrator = AdministratorFactory()
    verified_login(client, administrator)
    client.post("/manage/lockouts/", {"username": staff.email})
    page = client.get(URL, {"kind": "account.locked_out"}).content.decode()
    assert "ログインの一時停止" in page
    assert "locked@example.jp" in page
    cleared = client.get(URL, {"kind": "staff.lockout_clear"}).content.decode()
    assert "ログイン停止の解除" in cleared
    assert administrator.email in cleared


def test_a_wrong_second_factor_code_is_recorded(client):
    staff = StaffFactory(email="otp@example.jp")
    give_second_factor(staff)
    client.post("/staff/login/", {"username": staff.email, "password": PASSWORD})

    client.post("/accounts/2fa/verify/", {"code": "000000"})

    event = AuditEvent.objects.get(action="account.second_factor_failed")
    assert event.actor == staff
    assert event.data == {"purpose": "login"}


def test_tokens_made_and_revoked_are_listed(client):
    resident = ResidentFactory(email="api-user@example.jp")
    client.force_login(resident)
    made = client.post("/api/v1/tokens/", {"name": "家計簿", "validity_days": 30})
    assert made.status_code == 201
    assert client.delete(f"/api/v1/tokens/{made.json()['id']}/").status_code == 204

    admin = _admin_client(client)
    page = admin.get(URL, {"person": "api-user"}).content.decode()
    assert "APIトークンの作成" in page
    assert "APIトークンの失効" in page
    assert "家計簿" in page


def test_a_change_in_the_django_admin_is_recorded(client, settings):
    settings.DJANGO_ADMIN_ENABLED = True
    superuser = AdministratorFactory(email="root@example.jp")
    superuser.is_superuser = True
    superuser.save(update_fields=["is_superuser"])
    verified_login(client, superuser)
    target = StaffFactory(email="moved@example.jp")
    from django.contrib.auth.models import Group

    group = Group.objects.create(name="審査担当")

    response = client.post(
        "/django-admin/auth/group/",
        {"action": "delete_selected", "_selected_action": [group.pk], "post": "yes"},
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin.change")
    assert event.actor == superuser
    assert event.data["operation"] == "delete"
    assert event.data["model"] == "auth.group"
    assert event.data["object"] == "審査担当"
    assert target.email not in str(event.data)
    page = client.get(URL, {"kind": "admin.change"}).content.decode()
    assert "システム管理画面での変更" in page
    assert "審査担当" in page


def test_only_administrators_see_the_security_events(client):
    verified_login(client, StaffFactory())
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"format": "csv"}).status_code == 403

    client.logout()
    assert client.get(URL).status_code == 302


def _event(action, *, username="", actor=None):
    return audit_record(action=action, actor=actor, data={"username": username})


def test_filters_pages_and_csv(
    client, settings, monkeypatch, django_assert_max_num_queries
):
    settings.LANGUAGE_CODE = "ja"
    old = timezone.make_aware(dt.datetime(2026, 4, 1, 9, 30))
    # The event written back then (the log is append-only: no later UPDATE).
    with monkeypatch.context() as patch:
        patch.setattr(timezone, "now", lambda: old)
        _event("account.login_failed", username="old@example.jp")
    for n in range(55):
        _event("account.login_failed", username=f"user{n}@example.jp")
    _event("case.approve", username="not-security@example.jp")
    admin = _admin_client(client)

    with django_assert_max_num_queries(8):
        first = admin.get(URL)
    body = first.content.decode()
    assert first.status_code == 200
    assert body.index("user54@example.jp") < body.index("user53@example.jp")
    assert "not-security@example.jp" not in body
    assert "old@example.jp" not in body  # on the next page
    assert "さらに古い記録" in body
    next_link = first.context["next_before"]
    second = admin.get(URL, {"before": next_link}).content.decode()
    assert "old@example.jp" in second
    assert "令和8年4月1日 09:30" in second
    assert "user54@example.jp" not in second
    for odd in ("abc", "²", "9" * 40):
        assert admin.get(URL, {"before": odd}).status_code == 200

    by_person = admin.get(URL, {"person": "user7@"}).content.decode()
    assert "user7@example.jp" in by_person
    assert "user8@example.jp" not in by_person

    by_date = admin.get(URL, {"since": "2026-04-01", "until": "2026-04-01"})
    assert "old@example.jp" in by_date.content.decode()
    assert "user1@example.jp" not in by_date.content.decode()

    _event("organisation.assignment_end", username="moved@example.jp")
    by_prefix = admin.get(URL, {"kind": "organisation."}).content.decode()
    assert "組織・役割の変更" in by_prefix
    assert "moved@example.jp" in by_prefix
    assert "user1@example.jp" not in by_prefix

    by_kind = admin.get(URL, {"kind": "api.token_create"}).content.decode()
    assert "user1@example.jp" not in by_kind
    assert "条件に合う記録はありません" in by_kind

    bad = admin.get(URL, {"since": "2026-05-01", "until": "2026-04-01"})
    assert bad.status_code == 400
    assert "終了日は開始日より後の日にしてください" in bad.content.decode()
    assert admin.get(URL, {"kind": "case.approve"}).status_code == 400

    download = admin.get(
        URL, {"kind": "account.login_failed", "person": "example", "format": "csv"}
    )
    assert download["Content-Type"].startswith("text/csv")
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "日時"
    assert len(rows) == 1 + 56  # login failures only
    assert rows[-1][3] == "old@example.jp"
    assert rows[-1][2] == "account.login_failed"

"""Issue 16: a lockout that cannot be turned against officials (django-axes).

Failed logins lock one account from one client address for a cool-off; the
same account from another address still signs in, and the counts are shared
by every process through Redis.
"""

import datetime
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from core.models import AuditEvent
from tests.factories import PASSWORD, AdministratorFactory, StaffFactory
from tests.second_factor import password_login, verified_login

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.5"
OFFICIAL = "198.51.100.7"
PROXY = "10.0.0.1"


@pytest.fixture(autouse=True)
def _three_failures(settings):
    settings.AXES_FAILURE_LIMIT = 3


def _try(client, user, password, **meta):
    return client.post(
        "/staff/login/",
        {"username": user.email, "password": password},
        **meta,
    )


def test_failures_lock_the_account_from_that_address_only(client):
    governor = StaffFactory(email="chiji@example.jp")
    for _ in range(3):
        _try(client, governor, "wrong", REMOTE_ADDR=ATTACKER)

    attacker = _try(client, governor, PASSWORD, REMOTE_ADDR=ATTACKER)
    official = _try(client, governor, PASSWORD, REMOTE_ADDR=OFFICIAL)

    assert attacker.status_code == 429
    assert "この端末からはしばらくログインできません" in attacker.content.decode()
    assert "15分ほど" in attacker.content.decode()
    assert official.status_code == 302  # on to the second factor


def test_the_address_comes_from_the_proxy_only_when_behind_one(client, settings):
    user = StaffFactory()
    # Not behind a proxy: a forged X-Forwarded-For does not give fresh counts.
    settings.BEHIND_PROXY = False
    for n in range(3):
        _try(
            client,
            user,
            "wrong",
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"1.1.1.{n}",
        )
    assert _try(client, user, PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 429

    # Behind the proxy every client arrives from the proxy's address; the
    # address the proxy appended tells them apart (earlier entries are forgeable).
    settings.BEHIND_PROXY = True
    other = StaffFactory()
    for _ in range(3):
        _try(
            client,
            other,
            "wrong",
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"{OFFICIAL}, {ATTACKER}",
        )
    locked = _try(
        client, other, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER
    )
    allowed = _try(
        client, other, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OFFICIAL
    )

    assert locked.status_code == 429
    assert allowed.status_code == 302


def test_the_lock_ends_after_the_cool_off(client, settings):
    settings.AXES_COOLOFF_TIME = datetime.timedelta(seconds=1)
    user = StaffFactory()
    for _ in range(3):
        _try(client, user, "wrong", REMOTE_ADDR=ATTACKER)
    assert _try(client, user, PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 429

    time.sleep(2)

    assert _try(client, user, PASSWORD, REMOTE_ADDR=ATTACKER).status_code == 302


def test_an_administrator_sees_and_lifts_a_lockout(client):
    official = StaffFactory(email="kacho@example.jp")
    for _ in range(3):
        _try(client.__class__(), official, "wrong", REMOTE_ADDR=ATTACKER)
    administrator = AdministratorFactory()
    verified_login(client, administrator)

    page = client.get("/manage/lockouts/").content.decode()
    assert "kacho@example.jp" in page
    assert ATTACKER in page
    lifted = client.post(
        "/manage/lockouts/", {"username": "kacho@example.jp"}, follow=True
    )

    assert "kacho@example.jp のログイン停止を解除しました。" in lifted.content.decode()
    assert "いま停止されているアカウントはありません。" in lifted.content.decode()
    assert (
        _try(client.__class__(), official, PASSWORD, REMOTE_ADDR=ATTACKER).status_code
        == 302
    )
    assert AuditEvent.objects.filter(
        action="staff.lockout_clear", actor=administrator
    ).exists()


def test_caseworkers_cannot_open_the_unlock_screen(client):
    verified_login(client, StaffFactory())

    assert client.get("/manage/lockouts/").status_code == 403
    assert (
        client.post("/manage/second-factor-reset/", {"email": "x"}).status_code == 403
    )


def test_the_django_admin_login_is_no_way_around_the_lockout(client, settings):
    settings.DJANGO_ADMIN_ENABLED = True
    user = StaffFactory()
    for _ in range(3):
        client.post(
            "/django-admin/login/",
            {"username": user.email, "password": "wrong"},
            REMOTE_ADDR=ATTACKER,
        )
    for _ in range(3):
        _try(client, user, "wrong", REMOTE_ADDR=ATTACKER)

    response = client.post(
        "/django-admin/login/",
        {"username": user.email, "password": PASSWORD},
        REMOTE_ADDR=ATTACKER,
    )

    assert "_auth_user_id" not in client.session
    assert response["Location"].startswith("/manage/login/")
    assert password_login(client, "/staff/login/", user).status_code == 200


# --- Two processes behind a proxy, counting in Redis ---------------------------

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_up(), reason="needs Redis on 127.0.0.1:6379")
def test_two_processes_behind_a_proxy_share_the_counts_in_redis(tmp_path):
    email = f"official-{uuid.uuid4().hex[:8]}@example.jp"
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": "lockout-test",
        # Debug only so that pages render without collectstatic's manifest.
        "DJANGO_DEBUG": "true",
        "DJANGO_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "DJANGO_BEHIND_PROXY": "true",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "LOGIN_FAILURE_LIMIT": "4",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run(
        [
            *manage,
            "shell",
            "-c",
            "from accounts.models import User; "
            f"User.objects.create_user(email='{email}', password='{PASSWORD}', "
            "is_staff=True, is_superuser=True)",
        ],
        env=env,
        check=True,
        cwd=ROOT,
    )
    ports = [_free_port(), _free_port()]
    servers = [
        subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port in ports:
            _wait_for(port)

        def attempt(port: int, password: str, client_address: str) -> int:
            session = requests.Session()
            base = f"http://127.0.0.1:{port}"
            page = session.get(base + "/staff/login/", timeout=10).text
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
            return session.post(
                base + "/staff/login/",
                data={
                    "username": email,
                    "password": password,
                    "csrfmiddlewaretoken": token,
                },
                headers={"X-Forwarded-For": client_address},
                allow_redirects=False,
                timeout=10,
            ).status_code

        # Four failures from the attacker's address, two on each process:
        # the fourth locks, though neither process alone saw four.
        failures = [attempt(port, "wrong", ATTACKER) for port in ports * 2]

        assert failures == [200, 200, 200, 429]

        assert attempt(ports[0], PASSWORD, ATTACKER) == 429
        assert attempt(ports[1], PASSWORD, ATTACKER) == 429
        assert attempt(ports[1], PASSWORD, OFFICIAL) == 302
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError(f"server on {port} did not start")


def test_an_administrator_resets_a_lost_second_factor(client):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    official = StaffFactory(email="bucho@example.jp")
    lost_phone = verified_login(client.__class__(), official)
    administrator = AdministratorFactory()
    verified_login(client, administrator)

    done = client.post(
        "/manage/second-factor-reset/", {"email": "Bucho@example.jp"}, follow=True
    )

    assert "bucho@example.jp の2段階認証をリセットしました。" in done.content.decode()
    assert not TOTPDevice.objects.filter(user=official).exists()
    # The session verified with the lost phone no longer opens anything.
    assert lost_phone.get("/staff/")["Location"].startswith("/accounts/2fa/")
    assert AuditEvent.objects.filter(
        action="staff.second_factor_reset", actor=administrator
    ).exists()
    unknown = client.post(
        "/manage/second-factor-reset/", {"email": "nobody@example.jp"}, follow=True
    )
    assert "nobody@example.jp という職員のアカウントはありません。" in (
        unknown.content.decode()
    )

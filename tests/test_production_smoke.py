"""Issue 16: the README's production steps give a working site.

From the checkout, in subprocesses and with DEBUG off, as an operator would:
``check --deploy`` (no issue, signing certificate included), ``migrate``,
``collectstatic``, ``compilemessages``, then gunicorn on loopback behind a
pretend TLS proxy (X-Forwarded-Proto). One page of each area, the API schema
and the static files they link must answer 200, and /healthz "ok".

The database is a scratch one (a folder for SQLite, a database of its own on
PostgreSQL), files go to the session's real SeaweedFS, the cache and the
Celery broker to a private redis-server. Slow (collectstatic compresses every
file): marked ``production`` so that ``-m "not production"`` skips it.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

from tests.certificates import production_like_pkcs12
from tests.redisserver import RedisServer

pytestmark = [pytest.mark.production, pytest.mark.s3]

BASE_DIR = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent
HOST = "e-shinsei.pref.example.jp"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def scratch_database() -> Iterator[str]:
    """An empty database for the deployed site: never the test database."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        yield ""  # SQLite in the scratch DJANGO_VAR_DIR
        return
    import psycopg

    name = (
        database.get("TEST", {}).get("NAME") or f"test_{database['NAME']}"
    ) + "_smoke"
    params = {
        "host": database["HOST"] or "127.0.0.1",
        "port": database["PORT"] or 5432,
        "user": database["USER"],
        "password": database["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    yield (
        f"postgres://{database['USER']}{password}@{params['host']}:{params['port']}"
        f"/{name}"
    )
    with psycopg.connect(**params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def production_env(tmp_path, s3_server, scratch_database) -> Iterator[dict]:
    if s3_server.process is None or s3_server.process.poll() is not None:
        s3_server.start()
    redis = RedisServer()
    redis.start()
    signer = tmp_path / "signer.p12"
    password = secrets.token_urlsafe(16)
    production_like_pkcs12(signer, password)
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}
    env = {key: value for key, value in os.environ.items() if key in keep}
    env.update(
        {
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
            "SITE_URL": f"https://{HOST}",
            "DJANGO_BEHIND_PROXY": "true",
            "DJANGO_VAR_DIR": str(tmp_path / "var"),
            "DATABASE_URL": scratch_database,
            "S3_BUCKET": s3_server.bucket,
            "S3_ENDPOINT_URL": s3_server.endpoint,
            "S3_REGION": "us-east-1",
            "S3_ACCESS_KEY_ID": s3_server.access_key,
            "S3_SECRET_ACCESS_KEY": s3_server.secret_key,
            "REDIS_URL": f"redis://127.0.0.1:{redis.port}/0",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis.port}/1",
            "DOCUMENT_SIGNING_PKCS12": str(signer),
            "DOCUMENT_SIGNING_PASSWORD": password,
            "AUDIT_HMAC_KEYS": f"smoke:{secrets.token_urlsafe(32)}",
        }
    )
    yield env
    redis.stop()


def _manage(env: dict, *args: str, timeout: float = 600) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, (
        f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout + result.stderr


class Site:
    """A served site, fetched as the TLS proxy in front of it would."""

    def __init__(self, port: int) -> None:
        self.port = port

    def get(self, path: str, host: str = HOST) -> tuple[int, str, dict]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            headers={"Host": host, "X-Forwarded-Proto": "https"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body = response.read().decode("utf-8", "replace")
                return response.status, body, dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace"), {}

    def wait(self, process: subprocess.Popen, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert process.poll() is None, "the server exited early"
            try:
                self.get("/healthz")
                return
            except OSError:
                time.sleep(0.3)
        raise AssertionError("the server did not answer in time")


@contextmanager
def _serve(command: list[str], env: dict, port: int) -> Iterator[Site]:
    process = subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    site = Site(port)
    try:
        site.wait(process)
        yield site
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def test_readme_production_steps_serve_every_area(production_env):
    env = production_env
    checked = _manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert "no issues" in checked
    _manage(env, "migrate", "--noinput")
    _manage(env, "collectstatic", "--noinput")
    _manage(env, "compilemessages", "--ignore=.venv", "-v", "0")
    # A procedure to show (a closed test site: the flag says so).
    _manage(env, "seed_demo", "--allow-demo-passwords-in-production")
    from demo.procedure import PROCEDURE_CODE

    port = _free_port()
    gunicorn = [
        str(BIN / "gunicorn"),
        "config.wsgi",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
    ]
    with _serve(gunicorn, env, port) as site:
        pages = {
            "/": "電子申請サービス",
            "/procedures/": "手続",
            f"/procedures/{PROCEDURE_CODE}/": "申請",
            "/accounts/login/": "ログイン",
            "/staff/login/": "ログイン",
            "/manage/login/": "ログイン",
            "/verify/": "発行文書の確認",
            "/api/schema/": "openapi",
            "/api/docs/": 'id="swagger-ui"',
        }
        for path, text in pages.items():
            status, body, _headers = site.get(path)
            assert status == 200, f"{path} answered {status}: {body[:500]}"
            assert text in body, f"{path} does not show {text!r}"

        # The hashed stylesheet and script every page links are served.
        _status, home, _headers = site.get("/")
        _status, api_docs, _headers = site.get("/api/docs/")
        linked = re.findall(r'(?:href|src)="(/static/[^"]+)"', home + api_docs)
        assert any(re.search(r"site\.[0-9a-f]{12}\.css$", url) for url in linked)
        for url in linked:
            status, _body, headers = site.get(url)
            assert status == 200, f"{url} answered {status}"
            assert "max-age=315360000" in headers.get("Cache-Control", "")

        status, body, _headers = site.get("/healthz")
        assert status == 200, body
        assert '"static": "ok"' in body
        assert '"cache": "ok"' in body
        assert '"storage": "ok"' in body

        # DEBUG is off: an unknown host is refused, not served.
        status, _body, _headers = site.get("/", host="evil.example")
        assert status == 400


def test_make_run_dev_server_serves_static_files(tmp_path):
    # `make run`: DEBUG on, runserver, no collectstatic.
    env = {
        key: value
        for key, value in os.environ.items()
        if key in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}
    }
    env.update({"DJANGO_DEBUG": "true", "DJANGO_VAR_DIR": str(tmp_path / "var")})
    port = _free_port()
    runserver = [
        sys.executable,
        "manage.py",
        "runserver",
        "--noreload",
        f"127.0.0.1:{port}",
    ]
    with _serve(runserver, env, port) as site:
        for url in (
            "/static/css/site.css",
            "/static/vendor/bootstrap/bootstrap.min.css",
            "/static/admin/css/base.css",
        ):
            status, body, _headers = site.get(url, host="127.0.0.1")
            assert status == 200, f"{url} answered {status}"
            assert body

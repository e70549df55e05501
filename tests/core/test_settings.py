"""Configuration comes from the environment only; production is safe by default."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "x" * 30 + "a-long-random-production-secret-key-0123456789",
    "DJANGO_ALLOWED_HOSTS": "e-shinsei.pref.example.jp",
    "DATABASE_URL": "postgres://eshinsei@127.0.0.1:5432/eshinsei",
    "S3_BUCKET": "eshinsei-documents",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1",
    "AUDIT_HMAC_KEYS": "2026:a-long-random-audit-key-0123456789abcdef",
}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_variables(tmp_path):
    from tests.certificates import production_like_pkcs12

    # Production signs with the prefecture's own key; a certificate that is
    # not the development one stands in for it (the check reads the file).
    production_like_pkcs12(tmp_path / "signing.p12", "p12-password")
    env = {
        **PRODUCTION_ENV,
        "DOCUMENT_SIGNING_PKCS12": str(tmp_path / "signing.p12"),
        "DOCUMENT_SIGNING_PASSWORD": "p12-password",
    }

    result = _run(["check", "--deploy", "--fail-level", "WARNING"], env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_the_audit_chain_has_no_key_of_its_own():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "AUDIT_HMAC_KEYS"}

    result = _run(["check", "--deploy"], env)

    assert "core.W001" in result.stdout + result.stderr


def test_secret_key_is_required_outside_development():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}

    result = _run(["check"], env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def _settings_in_subprocess(env: dict[str, str], expression: str) -> str:
    code = f"import django, os; django.setup(); from django.conf import settings; print({expression})"
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_debug_is_off_unless_asked():
    assert _settings_in_subprocess(PRODUCTION_ENV, "settings.DEBUG") == "False"


def test_postgres_gets_persistent_connections_and_lock_timeouts():
    options = _settings_in_subprocess(
        PRODUCTION_ENV,
        "settings.DATABASES['default']['CONN_MAX_AGE'], "
        "settings.DATABASES['default']['OPTIONS']['options']",
    )

    assert options == "600 -c lock_timeout=5000 -c statement_timeout=30000"


def test_sqlite_default_uses_wal_and_immediate_transactions(tmp_path):
    options = _settings_in_subprocess(
        {"DJANGO_DEBUG": "true", "DJANGO_VAR_DIR": str(tmp_path)},
        "settings.DATABASES['default']['OPTIONS']",
    )

    assert "'transaction_mode': 'IMMEDIATE'" in options
    assert "journal_mode=WAL" in options


def test_s3_has_bounded_timeouts_and_private_signed_urls():
    output = _settings_in_subprocess(
        PRODUCTION_ENV,
        "settings.STORAGES['default']['OPTIONS']['client_config'].connect_timeout, "
        "settings.STORAGES['default']['OPTIONS']['client_config'].read_timeout, "
        "settings.STORAGES['default']['OPTIONS']['querystring_auth']",
    )

    assert output == "2 5 True"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DJANGO_DEBUG": "true"}, "locmem DatabaseBackend"),
        (PRODUCTION_ENV, "redis DatabaseBackend"),
    ],
)
def test_cache_and_background_work_follow_the_environment(env, expected):
    # Without a broker, background work goes to the database queue (its
    # worker: `manage.py run_worker`), never into the request.
    output = _settings_in_subprocess(
        env,
        "settings.CACHES['default']['BACKEND'].split('.')[-1][:-5].lower(), "
        "settings.TASKS['default']['BACKEND'].split('.')[-1]",
    )

    assert output == expected

"""Issue 16: an outage of Redis is a 503 "try again later", never a raw 500.

A private redis-server (tests/redisserver.py) is started for each test and
stopped by it, while requests go through the real login form and the real
API throttles. S3 outages are in tests/procedures/test_outages.py.
"""

import pytest
from django.test import Client

from tests.factories import PASSWORD, ResidentFactory

pytestmark = pytest.mark.django_db

RETRY_JA = "しばらくしてからもう一度お試しください"
RETRY_EN = "Please try again in a little while"


@pytest.fixture
def browser():
    # Django's test client re-raises what the view raised; a browser sees the
    # page the 500 handler answers instead.
    return Client(raise_request_exception=False)


def test_login_with_redis_up_signs_in(browser, redis_cache):
    resident = ResidentFactory()

    response = browser.post(
        "/accounts/login/", {"username": resident.email, "password": PASSWORD}
    )

    assert response.status_code == 302


def test_login_with_redis_down_answers_503_in_japanese(browser, redis_cache):
    resident = ResidentFactory()
    redis_cache.stop()

    response = browser.post(
        "/accounts/login/", {"username": resident.email, "password": PASSWORD}
    )

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert RETRY_JA in page
    assert '<html lang="ja">' in page


def test_staff_login_with_redis_down_answers_503_in_english(browser, redis_cache):
    redis_cache.stop()

    response = browser.post(
        "/staff/login/",
        {"username": "tanto@example.jp", "password": "whatever-it-is"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 503
    page = response.content.decode()
    assert RETRY_EN in page
    assert RETRY_JA not in page


def test_throttled_api_call_with_redis_down_answers_503_json(redis_cache):
    redis_cache.stop()
    client = Client(raise_request_exception=False)

    japanese = client.post("/api/v1/verify/", {})
    english = client.post("/api/v1/verify/", {}, HTTP_ACCEPT_LANGUAGE="en")

    assert japanese.status_code == 503
    assert japanese["Retry-After"] == "30"
    assert japanese.json()["error"]["code"] == "unavailable"
    assert RETRY_JA in japanese.json()["error"]["message"]
    assert english.status_code == 503
    assert RETRY_EN in english.json()["error"]["message"]


def test_throttled_api_call_with_redis_up_is_answered(redis_cache):
    response = Client().post("/api/v1/verify/", {})

    assert response.status_code == 400  # no file: the real answer, not 503


def test_healthz_reports_redis_down_as_degraded(client, redis_cache):
    assert client.get("/healthz").json()["checks"]["cache"] == "ok"

    redis_cache.stop()
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["cache"] == "error: ConnectionError"
    assert response.json()["checks"]["database"] == "ok"


def test_a_bug_still_answers_500(browser, monkeypatch):
    from accounts.forms import RateLimitedLoginForm

    def broken(self):
        raise KeyError("a bug of ours")

    monkeypatch.setattr(RateLimitedLoginForm, "clean", broken)

    response = browser.post("/accounts/login/", {"username": "a@example.jp"})

    assert response.status_code == 500


def test_which_errors_count_as_an_outage():
    from botocore.exceptions import ClientError

    from core.outages import is_outage

    def s3_error(status: int) -> ClientError:
        return ClientError(
            {"Error": {"Code": "X"}, "ResponseMetadata": {"HTTPStatusCode": status}},
            "PutObject",
        )

    assert is_outage(s3_error(503))  # SlowDown: up, not serving
    assert not is_outage(s3_error(403))  # refused: a configuration error
    # The SMTP client's refusal comes after the application was saved.
    assert not is_outage(ConnectionRefusedError())


@pytest.fixture
def database_down():
    """Point the connection at a loopback port nobody listens on, as if
    PostgreSQL were stopped, and give the real server back afterwards (the
    shared test server itself cannot be stopped)."""
    import socket

    from django.db import connection

    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings_dict = connection.settings_dict
    saved = settings_dict["HOST"], settings_dict["PORT"]
    connection.close()
    settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", closed_port
    yield
    connection.close()
    settings_dict["HOST"], settings_dict["PORT"] = saved


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_database_down_answers_503_page_and_json(browser, database_down):
    page = browser.get("/procedures/")
    api = browser.get("/api/v1/procedures/", HTTP_ACCEPT_LANGUAGE="en")

    assert page.status_code == 503
    assert page["Retry-After"] == "30"
    assert RETRY_JA in page.content.decode()
    assert api.status_code == 503
    assert api.json()["error"]["code"] == "unavailable"
    assert RETRY_EN in api.json()["error"]["message"]


def test_which_database_errors_count_as_an_outage():
    import psycopg
    from django.db import utils

    from core.outages import is_outage

    def wrapped(error: Exception) -> Exception:  # as Django raises it
        try:
            raise utils.OperationalError(str(error)) from error
        except utils.OperationalError as exc:
            return exc

    assert is_outage(wrapped(psycopg.OperationalError("connection refused")))
    assert is_outage(wrapped(psycopg.errors.AdminShutdown()))
    assert is_outage(wrapped(psycopg.errors.TooManyConnections()))
    assert not is_outage(wrapped(psycopg.errors.DeadlockDetected()))
    assert not is_outage(wrapped(psycopg.errors.UndefinedTable()))

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_storage_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "storage": "ok"},
    }
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_reports_storage_failure_with_503(client, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.core.broken_storage.BrokenStorage"},
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "storage": "error: ConnectionError",
    }


@pytest.mark.s3
def test_healthz_reaches_real_s3_and_reports_it_down(client, s3_storage, s3_server):
    assert client.get("/healthz").json()["checks"]["storage"] == "ok"

    s3_server.stop()
    try:
        response = client.get("/healthz")
    finally:
        s3_server.start()

    assert response.status_code == 503
    assert response.json()["checks"]["storage"].startswith("error: ")

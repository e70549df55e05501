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
def test_healthz_reaches_real_s3_and_reports_it_unreachable(
    client, s3_storage, s3_server, settings
):
    assert client.get("/healthz").json()["checks"]["storage"] == "ok"

    unreachable = s3_server.storage_settings()
    unreachable["default"]["OPTIONS"]["endpoint_url"] = "http://127.0.0.1:9"
    settings.STORAGES = unreachable
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "error: EndpointConnectionError"

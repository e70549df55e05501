import pytest

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_storage_cache_and_static_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "storage": "ok", "cache": "ok", "static": "ok"},
    }
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_reports_storage_failure_with_503(client, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.core.broken_storage.BrokenStorage"},
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "checks": {
            "database": "ok",
            "storage": "error: ConnectionError",
            "cache": "ok",
            "static": "ok",
        },
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


def test_healthz_reports_static_files_not_collected(client, settings, tmp_path):
    # Production storage, and no collectstatic since the deploy: every page
    # would answer 500 "Missing staticfiles manifest entry".
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "core.staticfiles.ManifestStaticFilesStorage"},
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["static"] == "error: StaticFilesMissing"

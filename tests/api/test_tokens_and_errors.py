"""Tokens (made and revoked in the UI, stored as a hash) and the error shape."""

from __future__ import annotations

import hashlib

import pytest
from rest_framework.test import APIClient

from api.models import ApiToken
from api.services import api_token_create
from tests.api.conftest import api_client
from tests.factories import PASSWORD, ResidentFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(client, resident):
    assert client.login(username=resident.email, password=PASSWORD)
    return client


def _made_token(response) -> str:
    html = response.content.decode()
    start = html.index('value="esh_') + len('value="')
    return html[start : html.index('"', start)]


def test_resident_makes_a_token_on_the_page_and_uses_it(browser, resident):
    page = browser.get("/api/tokens/")
    assert page.status_code == 200
    assert "APIトークン" in page.content.decode()
    response = browser.post("/api/tokens/", {"name": "会計システム"})
    assert response.status_code == 200
    raw = _made_token(response)
    token = ApiToken.objects.get(user=resident)
    # Only the hash is stored; the secret is on that one page.
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ApiToken.objects.values_list())
    assert raw not in browser.get("/api/tokens/").content.decode()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/applications/").status_code == 200


def test_token_page_needs_a_name(browser):
    response = browser.post("/api/tokens/", {"name": ""})
    assert response.status_code == 400
    assert "トークンの名前を入力してください。" in response.content.decode()


def test_revoked_token_stops_working(browser, resident):
    raw = _made_token(browser.post("/api/tokens/", {"name": "連携"}))
    token = ApiToken.objects.get(user=resident)
    response = browser.post(f"/api/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.get("/api/v1/applications/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_someone_elses_token_cannot_be_revoked(browser, other_resident):
    token, _raw = api_token_create(user=other_resident, name="x")
    assert browser.post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    assert as_api(browser).delete(f"/api/v1/tokens/{token.pk}/").status_code == 404
    token.refresh_from_db()
    assert token.is_active


def as_api(django_client):
    """An API client sharing the browser's session cookie."""
    client = APIClient(enforce_csrf_checks=False)
    client.cookies = django_client.cookies
    return client


def test_token_creation_through_the_api_needs_the_browser_session(browser, as_resident):
    response = as_api(browser).post(
        "/api/v1/tokens/", {"name": "バッチ"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["token"].startswith("esh_")
    response = as_resident.post("/api/v1/tokens/", {"name": "増殖"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "session_required"


def test_token_list_shows_no_secrets(as_resident, resident):
    body = as_resident.get("/api/v1/tokens/").json()
    assert [t["name"] for t in body] == ["test"]
    assert "token" not in body[0]
    assert "key_hash" not in body[0]


def test_token_creation_is_throttled(browser, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_token_create": "2/hour"},
    }
    codes = [
        browser.post("/api/tokens/", {"name": f"t{i}"}).status_code for i in range(3)
    ]
    assert codes == [200, 200, 429]
    response = as_api(browser).post("/api/v1/tokens/", {"name": "t"}, format="json")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"


def test_staff_token_page_uses_the_staff_layout(client):
    staff = StaffFactory()
    assert client.login(username=staff.email, password=PASSWORD)
    assert 'class="area-staff"' in client.get("/api/tokens/").content.decode()


def test_staff_token_acts_with_the_staff_members_rights_only(db):
    clerk = api_client(StaffFactory(caseworker=False))
    assert clerk.get("/api/v1/staff/tasks/").status_code == 403


def test_inactive_accounts_token_is_refused(db):
    user = ResidentFactory()
    client = api_client(user)
    user.is_active = False
    user.save()
    assert client.get("/api/v1/applications/").status_code == 401


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer a b", "Bearer esh_nope", "Token esh_\u00e9"]
)
def test_malformed_tokens_are_401_not_500(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header.encode().decode("latin-1"))
    response = client.get("/api/v1/applications/")
    assert response.status_code == 401
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_errors_follow_accept_language(db):
    client = APIClient()
    ja = client.get("/api/v1/applications/").json()["error"]["message"]
    en = client.get("/api/v1/applications/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert ja != en["error"]["message"]
    assert en["error"]["message"] == "Authentication credentials were not provided."


def test_malformed_json_is_a_400(as_resident, db):
    response = as_resident.generic(
        "POST", "/api/v1/applications/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_schema_and_docs_are_served_from_our_origin(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/api/v1/applications/{public_id}/submit/" in schema.json()["paths"]
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower()
    assert "<style" not in docs
    assert "<script>" not in docs

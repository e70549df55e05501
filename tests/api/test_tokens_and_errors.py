"""Tokens (made and revoked in the UI, stored as a hash) and the error shape."""

from __future__ import annotations

import datetime
import hashlib
import re

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from api import services
from api.models import ApiToken
from api.services import api_token_create
from core.japanese import format_display_date
from core.models import AuditEvent
from tests.api.conftest import api_client
from tests.factories import PASSWORD, ResidentFactory, StaffFactory
from tests.second_factor import verified_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(client, resident):
    assert client.login(username=resident.email, password=PASSWORD)
    return client


def _bearer(raw: str) -> APIClient:
    """A client that sends the token ``raw`` (as a system would)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
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
    client = _bearer(raw)
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
    client = _bearer(raw)
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
    verified_login(client, staff)
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


# --- Expiry ---------------------------------------------------------------------

EXPIRED = "認証トークンの有効期限が切れています。新しいトークンを作成してください。"
BAD_VALIDITY = "有効期間（日数）は 30、90、365 のいずれかを選んでください。"


def _days(token: ApiToken, days: int) -> bool:
    """Expires ``days`` after it was made (the two timestamps are ms apart)."""
    validity = token.expires_at - token.created_at
    return abs(validity - datetime.timedelta(days=days)).total_seconds() < 5


def _local(moment: datetime.datetime) -> str:
    # The platform's date style: 和暦 with the local time (令和8年12月6日 14:03).
    return format_display_date(moment, time=True)


@pytest.mark.parametrize("days", [30, 90, 365])
def test_the_page_makes_a_token_for_the_chosen_validity(browser, resident, days):
    response = browser.post("/api/tokens/", {"name": "連携", "validity_days": days})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=resident)
    assert _days(token, days)
    html = response.content.decode()
    assert f"このトークンは {_local(token.expires_at)} まで使えます。" in html


@pytest.mark.parametrize("days", [30, 90, 365])
def test_the_api_makes_a_token_for_the_chosen_validity(browser, resident, days):
    response = as_api(browser).post(
        "/api/v1/tokens/", {"name": "バッチ", "validity_days": days}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    token = ApiToken.objects.get(user=resident)
    assert _days(token, days)
    assert datetime.datetime.fromisoformat(body["expires_at"]) == token.expires_at
    assert body["expired"] is False
    assert "validity_days" not in body


def test_validity_is_90_days_unless_chosen(browser, resident):
    page = browser.get("/api/tokens/").content.decode()
    # The page offers the three, 90 already checked; no "never".
    offered = re.findall(r'name="validity_days" value="(\d+)"[^>]*?(checked)?>', page)
    assert offered == [("30", ""), ("90", "checked"), ("365", "")]
    browser.post("/api/tokens/", {"name": "画面"})
    as_api(browser).post("/api/v1/tokens/", {"name": "API"}, format="json")
    tokens = ApiToken.objects.filter(user=resident)
    assert tokens.count() == 2
    assert all(_days(token, 90) for token in tokens)
    assert _days(api_token_create(user=resident, name="service")[0], 90)


@pytest.mark.parametrize("value", ["60", "0", "-1", "never", "3650"])
def test_the_page_refuses_other_validities(browser, resident, value):
    response = browser.post("/api/tokens/", {"name": "連携", "validity_days": value})
    assert response.status_code == 400
    assert BAD_VALIDITY in response.content.decode()
    assert not ApiToken.objects.filter(user=resident).exists()


@pytest.mark.parametrize("value", [60, 0, None, "never", 90.5, True])
def test_the_api_refuses_other_validities_with_a_field_error(browser, resident, value):
    response = as_api(browser).post(
        "/api/v1/tokens/", {"name": "バッチ", "validity_days": value}, format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {"validity_days": [BAD_VALIDITY]}
    assert not ApiToken.objects.filter(user=resident).exists()


def test_the_service_refuses_a_validity_not_on_offer(resident):
    with pytest.raises(ValueError, match="not allowed"):
        api_token_create(user=resident, name="x", days=10_000)


def _expire(token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )


def test_an_expired_token_is_refused_with_its_own_message(resident):
    token, raw = api_token_create(user=resident, name="古い連携", days=30)
    client = _bearer(raw)
    assert client.get("/api/v1/applications/").status_code == 200
    _expire(token)
    response = client.get("/api/v1/applications/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == {
        "error": {"code": "token_expired", "message": EXPIRED, "fields": {}}
    }
    # Refusing does not count as a use (the earlier use is forgotten first:
    # uses are recorded at most once a minute).
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=None)
    assert client.get("/api/v1/applications/").status_code == 401
    token.refresh_from_db()
    assert token.last_used_at is None


def test_a_revoked_and_expired_token_is_refused_as_revoked(resident):
    token, raw = api_token_create(user=resident, name="x")
    services.api_token_revoke(token=token, user=resident)
    _expire(token)
    client = _bearer(raw)
    response = client.get("/api/v1/applications/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_the_list_page_shows_expiry_and_expired_tokens(browser, resident):
    live, _raw = api_token_create(user=resident, name="使用中", days=365)
    old, _raw = api_token_create(user=resident, name="古い", days=30)
    _expire(old)
    old.refresh_from_db()
    html = browser.get("/api/tokens/").content.decode()
    assert "有効期限" in html
    assert _local(live.expires_at) in html
    assert _local(old.expires_at) in html
    live_row, old_row = (
        html[html.index(f"<td>{name}</td>") :].split("</tr>")[0]
        for name in ("使用中", "古い")
    )
    assert "期限切れ" in old_row
    assert "を無効にする" not in old_row  # nothing left to revoke
    assert "期限切れ" not in live_row
    assert "「使用中」を無効にする" in live_row


def test_the_api_lists_expiry(resident):
    live, raw = api_token_create(user=resident, name="使用中", days=365)
    old, _raw = api_token_create(user=resident, name="古い", days=30)
    gone, _raw = api_token_create(user=resident, name="無効")
    services.api_token_revoke(token=gone, user=resident)
    _expire(old)
    body = {t["name"]: t for t in _bearer(raw).get("/api/v1/tokens/").json()}
    assert {
        name: (t["expired"], t["revoked_at"] is not None) for name, t in body.items()
    } == {
        "使用中": (False, False),
        "古い": (True, False),
        "無効": (False, True),
    }
    live_expiry = datetime.datetime.fromisoformat(body["使用中"]["expires_at"])
    assert live_expiry == live.expires_at
    assert datetime.datetime.fromisoformat(body["古い"]["expires_at"]) < timezone.now()


@pytest.fixture
def staff_browser(client):
    staff = StaffFactory()
    verified_login(client, staff)
    return client, staff


def test_staff_token_expiry_is_audited(staff_browser):
    client, staff = staff_browser
    response = client.post("/api/tokens/", {"name": "職員連携", "validity_days": 90})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=staff)
    assert _days(token, 90)
    event = AuditEvent.objects.get(action="api.token_create")
    assert event.target_id == str(token.pk)
    assert event.data == {
        "name": "職員連携",
        "days": 90,
        "expires_at": token.expires_at.isoformat(),
    }


STAFF_BAD_VALIDITY = "有効期間（日数）は 30、90 のいずれかを選んでください。"


def test_staff_tokens_live_at_most_90_days_by_default(
    staff_browser, resident, settings
):
    client, staff = staff_browser
    assert _days(api_token_create(user=resident, name="住民", days=365)[0], 365)
    with pytest.raises(ValueError, match="not allowed"):
        api_token_create(user=staff, name="職員", days=365)
    page = client.get("/api/tokens/").content.decode()
    offered = re.findall(r'name="validity_days" value="(\d+)"', page)
    assert offered == ["30", "90"]
    response = client.post("/api/tokens/", {"name": "職員", "validity_days": 365})
    assert response.status_code == 400
    assert STAFF_BAD_VALIDITY in response.content.decode()
    response = as_api(client).post(
        "/api/v1/tokens/", {"name": "職員", "validity_days": 365}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"validity_days": [STAFF_BAD_VALIDITY]}
    assert not ApiToken.objects.filter(user=staff).exists()
    # The cap is a setting: a prefecture may allow a year.
    settings.API_STAFF_TOKEN_MAX_DAYS = 365
    assert _days(api_token_create(user=staff, name="職員", days=365)[0], 365)

"""Issue 16: administrators list the staff's API tokens and revoke them."""

import pytest
from rest_framework.test import APIClient

from api.models import ApiToken
from api.services import api_token_create
from core.models import AuditEvent
from tests.factories import AdministratorFactory, ResidentFactory, StaffFactory
from tests.second_factor import give_second_factor, verified_login

pytestmark = pytest.mark.django_db


def _token(user, name):
    if user.is_staff:
        give_second_factor(user)
    token, raw = api_token_create(user=user, name=name)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return token, api


def test_an_administrator_sees_staff_tokens_and_revokes_one(
    client, django_assert_max_num_queries
):
    clerk = StaffFactory(email="tanto@example.jp")
    token, api = _token(clerk, "集計バッチ")
    _token(ResidentFactory(email="taro@example.jp"), "家計簿アプリ")
    administrator = AdministratorFactory()
    verified_login(client, administrator)

    with django_assert_max_num_queries(12):
        page = client.get("/manage/tokens/").content.decode()
    assert "tanto@example.jp" in page
    assert "集計バッチ" in page
    assert "taro@example.jp" not in page  # residents' own business
    assert api.get("/api/v1/staff/tasks/").status_code == 200

    done = client.post("/manage/tokens/", {"token": token.pk}, follow=True)

    assert "tanto@example.jp のトークン「集計バッチ」を無効にしました。" in (
        done.content.decode()
    )
    assert "使えるトークンはありません。" in done.content.decode()
    assert api.get("/api/v1/staff/tasks/").status_code == 401
    assert AuditEvent.objects.filter(
        action="api.token_revoke", actor=administrator
    ).exists()


def test_caseworkers_cannot_list_or_revoke_tokens(client):
    token, _api = _token(StaffFactory(), "x")
    verified_login(client, StaffFactory())

    assert client.get("/manage/tokens/").status_code == 403
    assert client.post("/manage/tokens/", {"token": token.pk}).status_code == 403
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


@pytest.mark.parametrize("value", ["", "abc", "99999999999"])
def test_a_bad_token_id_is_a_404(client, value):
    verified_login(client, AdministratorFactory())

    assert client.post("/manage/tokens/", {"token": value}).status_code == 404

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_unknown_host_is_refused_with_400_not_500():
    # Refused by CommonMiddleware before the user is known: viewflow's 400
    # page (its own layout and static files) used to answer 500 instead.
    response = Client(raise_request_exception=False).get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert "リクエストの内容に誤りがあります" in response.content.decode()

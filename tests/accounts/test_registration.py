import re

import pytest
from django.core import mail

from accounts.models import User

pytestmark = pytest.mark.django_db

FORM = {
    "email": "Hanako@Example.jp",
    "full_name": "山田 花子",
    "password1": "a-long-passphrase-2026",
    "password2": "a-long-passphrase-2026",
    "preferred_language": "ja",
}


def _verification_link() -> str:
    return re.search(r"http\S+/accounts/verify/\S+/", mail.outbox[-1].body).group(0)


def test_registration_sends_a_verification_mail_and_activates_on_click(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/register/", FORM)

    assert response.status_code == 200
    assert "確認メールを送りました" in response.content.decode()
    user = User.objects.get(email="hanako@example.jp")
    assert not user.is_active
    assert mail.outbox[-1].subject == "【電子申請】メールアドレスの確認"
    assert "山田 花子 様" in mail.outbox[-1].body

    link = _verification_link()
    response = client.get(link[link.index("/accounts/") :], follow=True)

    user.refresh_from_db()
    assert user.is_active
    assert user.email_verified_at is not None
    assert "メールアドレスを確認しました" in response.content.decode()
    assert client.login(username="hanako@example.jp", password=FORM["password1"])


def test_verification_mail_is_in_the_residents_language(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/register/", {**FORM, "preferred_language": "en"})

    assert (
        mail.outbox[-1].subject == "[e-Application] Please confirm your e-mail address"
    )


def test_registration_errors_are_shown_next_to_the_fields_and_keep_input(client):
    response = client.post(
        "/accounts/register/", {**FORM, "password2": "different-passphrase"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "確認用のパスワードが一致しません。" in page
    assert 'href="#id_password2"' in page  # the error summary links to the field
    assert 'value="山田 花子"' in page
    assert not User.objects.exists()


def test_a_tampered_verification_link_is_refused_clearly(client):
    response = client.get("/accounts/verify/not-a-token/")

    assert response.status_code == 400
    assert "リンクが正しくありません" in response.content.decode()


def test_registering_an_existing_address_says_so(client):
    User.objects.create_user(email="hanako@example.jp", password="x")

    response = client.post("/accounts/register/", FORM)

    assert "このメールアドレスは登録済みです" in response.content.decode()

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


def test_registering_an_existing_address_answers_as_for_a_new_one(
    client, django_capture_on_commit_callbacks
):
    """Issue 16: the page must not tell which addresses have accounts."""
    owner = User.objects.create_user(email="hanako@example.jp", password="x")

    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/accounts/register/", FORM)
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post(
            "/accounts/register/", {**FORM, "email": "someone-else@example.jp"}
        )

    def page(response, email):
        # The page less the address typed and the per-response CSRF token.
        html = response.content.decode().replace(email, "EMAIL")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    assert known.status_code == unknown.status_code == 200
    assert page(known, "hanako@example.jp") == page(unknown, "someone-else@example.jp")
    assert "登録済み" not in known.content.decode()
    owner.refresh_from_db()
    assert owner.check_password("x")  # the account is untouched
    assert User.objects.filter(email__iexact="hanako@example.jp").count() == 1
    to_owner = next(m for m in mail.outbox if m.to == ["hanako@example.jp"])
    assert to_owner.subject == "【電子申請】このメールアドレスは登録済みです"
    assert "/accounts/login/" in to_owner.body


def test_sign_ups_are_limited_per_address_and_per_email(client, settings):
    settings.ACCOUNT_MAILS_PER_EMAIL_HOURLY = 2
    settings.ACCOUNT_MAILS_PER_ADDRESS_HOURLY = 3
    for _ in range(2):
        assert client.post("/accounts/register/", FORM).status_code == 200
    same_email = client.post("/accounts/register/", FORM, REMOTE_ADDR="10.1.1.1")
    assert same_email.status_code == 429
    assert "短い時間に多くの申込みがありました" in same_email.content.decode()

    other = client.post("/accounts/register/", {**FORM, "email": "b@example.jp"})
    same_address = client.post("/accounts/register/", {**FORM, "email": "c@example.jp"})

    assert other.status_code == 200
    assert same_address.status_code == 429
    assert not User.objects.filter(email="c@example.jp").exists()


def test_reset_mails_are_limited_and_say_the_same_for_unknown_addresses(
    client, settings, django_capture_on_commit_callbacks
):
    settings.ACCOUNT_MAILS_PER_EMAIL_HOURLY = 2
    User.objects.create_user(email="taro@example.jp", password="x", is_active=True)

    # Reset mails go through the outbox, delivered after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/accounts/password/reset/", {"email": "taro@example.jp"})
        unknown = client.post(
            "/accounts/password/reset/", {"email": "nobody@example.jp"}
        )
        assert known.status_code == unknown.status_code == 302
        assert known["Location"] == unknown["Location"]
        client.post("/accounts/password/reset/", {"email": "taro@example.jp"})
    sent = len(mail.outbox)

    with django_capture_on_commit_callbacks(execute=True):
        limited = client.post("/accounts/password/reset/", {"email": "taro@example.jp"})

    assert limited.status_code == 429
    assert "短い時間に多くの申込みがありました" in limited.content.decode()
    assert len(mail.outbox) == sent == 2

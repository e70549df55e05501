import pytest
from django.core import mail

from core.models import AuditEvent
from tests.factories import (
    AdministratorFactory,
    ResidentFactory,
    StaffFactory,
)
from tests.second_factor import current_code, give_second_factor
from tests.second_factor import password_login as _login

pytestmark = pytest.mark.django_db


def test_resident_logs_in_and_sees_their_profile(client):
    resident = ResidentFactory(full_name="山田 太郎")

    response = _login(client, "/accounts/login/", resident)

    assert response.redirect_chain[-1][0] == "/"
    assert "山田 太郎" in response.content.decode()


def test_staff_accounts_cannot_use_the_resident_login(client):
    staff = StaffFactory()

    response = _login(client, "/accounts/login/", staff)

    assert (
        "このアカウントではこの画面にログインできません。" in response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def _login_with_code(client, url, user):
    """The password, then the code from the authenticator app."""
    device = give_second_factor(user)
    response = _login(client, url, user)
    return client.post(
        response.redirect_chain[-1][0], {"code": current_code(device)}, follow=True
    )


def test_caseworker_login_opens_the_caseworker_area_and_is_audited(client):
    staff = StaffFactory()

    response = _login_with_code(client, "/staff/login/", staff)

    assert response.redirect_chain[-1][0] == "/staff/"
    assert "審査事務" in response.content.decode()
    assert AuditEvent.objects.filter(action="staff.login", actor=staff).exists()


def test_residents_cannot_enter_the_staff_areas(client):
    client.force_login(ResidentFactory())

    assert client.get("/staff/").status_code == 403
    assert client.get("/manage/").status_code == 403


def test_anonymous_visitors_are_sent_to_the_areas_login(client):
    assert client.get("/staff/")["Location"] == "/staff/login/?next=/staff/"
    assert client.get("/manage/")["Location"] == "/manage/login/?next=/manage/"


def test_caseworker_without_admin_permission_cannot_use_the_admin_login(client):
    response = _login(client, "/manage/login/", StaffFactory())

    assert (
        "このアカウントではこの画面にログインできません。" in response.content.decode()
    )


def test_administrator_logs_in_to_the_admin_area(client):
    response = _login_with_code(client, "/manage/login/", AdministratorFactory())

    assert response.redirect_chain[-1][0] == "/manage/"
    assert "手続管理" in response.content.decode()


def test_logout_is_a_post_and_ends_the_session(client):
    client.force_login(ResidentFactory())

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_mails_a_link_that_sets_a_new_password(
    client, django_capture_on_commit_callbacks
):
    resident = ResidentFactory()
    # The mail goes through the outbox: sent after the request commits.
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": resident.email})
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/reset/" in line)
    path = link[link.index("/accounts/") :]

    form_page = client.get(path, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {
            "new_password1": "brand-new-passphrase",
            "new_password2": "brand-new-passphrase",
        },
        follow=True,
    )

    assert "パスワードを変更しました" in response.content.decode()
    assert client.login(username=resident.email, password="brand-new-passphrase")


def test_profile_is_saved_and_validated(client):
    resident = ResidentFactory()
    client.force_login(resident)

    bad = client.post(
        "/accounts/profile/",
        {
            "full_name": "山田 太郎",
            "full_name_kana": "やまだ",
            "preferred_language": "ja",
        },
    )
    good = client.post(
        "/accounts/profile/",
        {
            "full_name": "山田 太郎",
            "full_name_kana": "ヤマダ タロウ",
            "postal_code": "100-0001",
            "address": "架空市中央1-2-3",
            "phone": "090-1234-5678",
            "birth_date": "1985-04-12",
            "preferred_language": "ja",
        },
    )

    assert "全角カタカナで入力してください。" in bad.content.decode()
    assert good.status_code == 302
    resident.refresh_from_db()
    assert resident.full_name_kana == "ヤマダ タロウ"
    assert resident.profile_prefill["postal_code"] == "100-0001"

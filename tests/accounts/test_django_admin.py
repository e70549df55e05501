"""Issue 16: Django admin for superusers only, behind the staff sign-in."""

import pytest

from tests.factories import PASSWORD, AdministratorFactory, StaffFactory
from tests.second_factor import give_second_factor, verified_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_on(settings):
    settings.DJANGO_ADMIN_ENABLED = True


def _superuser():
    user = AdministratorFactory()
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user


def test_a_caseworker_cannot_open_the_django_admin(client, admin_on):
    verified_login(client, StaffFactory())

    assert client.get("/django-admin/", follow=True).status_code == 403
    assert client.get("/django-admin/accounts/user/", follow=True).status_code == 403


def test_the_admins_own_login_form_is_not_a_way_in(client, admin_on):
    superuser = _superuser()

    form = client.get("/django-admin/login/?next=/django-admin/")
    posted = client.post(
        "/django-admin/login/", {"username": superuser.email, "password": PASSWORD}
    )

    assert form["Location"] == "/manage/login/?next=/django-admin/"
    assert posted.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_superuser_needs_the_second_factor_before_the_admin(client, admin_on):
    superuser = _superuser()
    give_second_factor(superuser)
    client.post(
        "/manage/login/",
        {"username": superuser.email, "password": PASSWORD, "next": "/django-admin/"},
    )

    before = client.get("/django-admin/")
    verified_login(client, superuser)
    after = client.get("/django-admin/")

    assert before["Location"] == "/accounts/2fa/verify/?next=/django-admin/"
    assert after.status_code == 200


def test_the_django_admin_is_off_unless_enabled(client, settings):
    settings.DJANGO_ADMIN_ENABLED = False
    verified_login(client, _superuser())

    assert client.get("/django-admin/").status_code == 404
    assert client.get("/django-admin/login/").status_code == 404

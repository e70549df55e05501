"""Factories shared across the apps' tests."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth.models import Permission

from accounts.models import User
from organisation.models import Assignment, Department, Position, Section

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.jp")
    full_name = factory.Sequence(lambda n: f"県民 {n}郎")
    full_name_kana = "ケンミン タロウ"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)
    email_verified_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC))

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


class ResidentFactory(UserFactory):
    is_staff = False


def _grant(user: User, perm: str) -> None:
    app_label, codename = perm.split(".")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )


class StaffFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def caseworker(self, create, extracted, **kwargs):
        if create and extracted is not False:
            _grant(self, "accounts.access_caseworker_area")


class AdministratorFactory(StaffFactory):
    @factory.post_generation
    def administrator(self, create, extracted, **kwargs):
        if create:
            _grant(self, "accounts.access_admin_area")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.Sequence(lambda n: f"第{n}部")


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section
        django_get_or_create = ["code"]

    department = factory.SubFactory(DepartmentFactory)
    code = factory.Sequence(lambda n: f"section-{n}")
    name = factory.Sequence(lambda n: f"第{n}課")


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"position-{n}")
    name = "担当"
    level = 10


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    user = factory.SubFactory(StaffFactory)
    section = factory.SubFactory(SectionFactory)
    position = factory.SubFactory(PositionFactory)
    start_date = dt.date(2026, 4, 1)


class OrganisationAdministratorFactory(StaffFactory):
    """所属管理者: the organisation screens only (pass ``caseworker=False``)."""

    @factory.post_generation
    def organisation(self, create, extracted, **kwargs):
        if create:
            _grant(self, "accounts.manage_organisation")

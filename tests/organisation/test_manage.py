"""The organisation screens (/manage/organisation/) for 所属管理者 (issue 12)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from core.models import AuditEvent
from organisation.models import Absence, Assignment, Department, Position, Section
from organisation.selectors import slot_key, user_slot_grants
from tests.factories import (
    AdministratorFactory,
    AssignmentFactory,
    DepartmentFactory,
    PositionFactory,
    SectionFactory,
    StaffFactory,
)
from tests.second_factor import login_as

pytestmark = pytest.mark.django_db


def test_section_created_with_contact_and_audited(org_client):
    department = DepartmentFactory(code="kankyo", name="環境部")
    response = org_client.post(
        reverse("organisation:section_create"),
        {
            "department": department.pk,
            "code": "kankyo-seisaku",
            "name": "環境政策課",
            "name_en": "Environmental Policy Division",
            "contact": "環境政策課 電話 000-000-0001",
            "contact_en": "Environmental Policy Division, tel. 000-000-0001",
        },
    )
    assert response.status_code == 302
    section = Section.objects.get(code="kankyo-seisaku")
    assert section.department == department
    assert section.contact_en.startswith("Environmental")
    assert AuditEvent.objects.filter(action="organisation.section.create").exists()
    page = org_client.get(reverse("organisation:section_list"))
    assert "環境政策課" in page.content.decode()


def test_a_section_changed_on_its_screen_audits_what_it_was_and_what_it_is(
    org_client,
):
    section = SectionFactory(code="zaisei", name="財政課")
    response = org_client.post(
        reverse("organisation:section_edit", args=[section.pk]),
        {"department": section.department.pk, "code": "zaisei", "name": "財政企画課"},
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="organisation.section.update")
    assert event.data["changes"]["name"] == ["財政課", "財政企画課"]


def test_section_with_taken_code_is_refused_next_to_the_field(org_client):
    section = SectionFactory(code="zaisei", name="財政課")
    response = org_client.post(
        reverse("organisation:section_create"),
        {"department": section.department.pk, "code": "zaisei", "name": "別の課"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "error-summary" in body
    assert 'id="error_1_id_code"' in body or "invalid-feedback" in body
    assert Section.objects.filter(code="zaisei").count() == 1


def test_position_created_with_level_and_scope(org_client):
    response = org_client.post(
        reverse("organisation:position_create"),
        {
            "code": "jicho",
            "name": "次長",
            "name_en": "Deputy Director-General",
            "level": 45,
            "scope": "department",
        },
    )
    assert response.status_code == 302
    position = Position.objects.get(code="jicho")
    assert (position.level, position.scope) == (45, "department")


def test_future_assignment_is_scheduled_and_takes_effect_on_its_date(org_client):
    section = SectionFactory(code="fukushi", name="福祉政策課")
    position = PositionFactory(code="kacho", name="課長", level=40)
    staff = StaffFactory(full_name="異動 先子")
    start = dt.date.today() + dt.timedelta(days=30)
    response = org_client.post(
        reverse("organisation:assignment_create"),
        {
            "user": staff.pk,
            "section": section.pk,
            "position": position.pk,
            "start_date": start.isoformat(),
            "end_date": "",
        },
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get(user=staff)
    assert assignment.start_date == start
    slot = slot_key(position=position, section=section)
    # The workflow's grants: nothing before the day, the post from the day.
    before = user_slot_grants(staff, start - dt.timedelta(days=1))
    on_day = user_slot_grants(staff, start)
    assert slot not in {grant.slot for grant in before}
    assert slot in {grant.slot for grant in on_day}
    page = org_client.get(reverse("organisation:assignment_list") + "?show=scheduled")
    assert "異動 先子" in page.content.decode()
    assert "予定" in page.content.decode()
    current = org_client.get(reverse("organisation:assignment_list"))
    assert "異動 先子" not in current.content.decode()


def test_assignment_end_before_start_is_refused(org_client):
    assignment = AssignmentFactory(start_date=dt.date(2026, 4, 1))
    response = org_client.post(
        reverse("organisation:assignment_end", args=[assignment.pk]),
        {"end_date": "2026-03-01"},
    )
    assert response.status_code == 200
    assert "終了日は開始日以降" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.end_date is None


def test_absence_with_deputy_grants_the_post_to_the_deputy(org_client):
    holder_assignment = AssignmentFactory(start_date=dt.date(2020, 4, 1))
    holder = holder_assignment.user
    deputy = StaffFactory(full_name="代決 者")
    today = dt.date.today()
    response = org_client.post(
        reverse("organisation:absence_create"),
        {
            "holder": holder.pk,
            "deputy": deputy.pk,
            "start_date": today.isoformat(),
            "end_date": (today + dt.timedelta(days=3)).isoformat(),
            "reason": "出張",
        },
    )
    assert response.status_code == 302
    assert Absence.objects.filter(holder=holder, deputy=deputy).exists()
    grants = user_slot_grants(deputy, today)
    slot = slot_key(
        position=holder_assignment.position, section=holder_assignment.section
    )
    assert [(g.slot, g.on_behalf_of_id) for g in grants] == [(slot, holder.pk)]


def test_absence_deputy_must_differ_from_holder(org_client):
    holder = StaffFactory()
    response = org_client.post(
        reverse("organisation:absence_create"),
        {
            "holder": holder.pk,
            "deputy": holder.pk,
            "start_date": "2026-05-01",
            "end_date": "2026-05-02",
        },
    )
    assert response.status_code == 200
    assert "代決者には不在の職員以外" in response.content.decode()
    assert not Absence.objects.exists()


def test_staff_account_created_without_password_and_invited(org_client):
    from core.models import OutboxMessage

    response = org_client.post(
        reverse("organisation:staff_create"),
        {"email": "Shinjin@Example.jp", "full_name": "新人 職員"},
    )
    assert response.status_code == 302
    from accounts.models import User

    user = User.objects.get(email="shinjin@example.jp")
    assert user.is_staff
    assert not user.has_usable_password()
    assert user.has_perm("accounts.access_caseworker_area")
    message = OutboxMessage.objects.latest("pk")
    assert "/accounts/password/reset/" in str(message.payload)


def test_category_created_by_organisation_administrator(org_client):
    from procedures.models import Category

    response = org_client.post(
        reverse("procedures_categories:create"),
        {"code": "kankyo", "name": "環境", "name_en": "Environment", "order": 3},
    )
    assert response.status_code == 302
    assert Category.objects.get(code="kankyo").order == 3


PAGES = [
    "organisation:home",
    "organisation:department_list",
    "organisation:section_list",
    "organisation:position_list",
    "organisation:assignment_list",
    "organisation:absence_list",
    "organisation:staff_list",
    "organisation:csv_import",
    "organisation:section_create",
    "organisation:assignment_create",
    "procedures_categories:list",
]


@pytest.mark.parametrize("name", PAGES)
def test_caseworker_and_procedure_administrator_get_403(client, name):
    login_as(client, StaffFactory())
    assert client.get(reverse(name)).status_code == 403
    login_as(client, AdministratorFactory())
    assert client.get(reverse(name)).status_code == 403


def test_organisation_administrator_sees_only_organisation_screens(org_client):
    home = org_client.get(reverse("core:manage_home"))
    assert home.status_code == 302
    assert home["Location"] == reverse("organisation:home")
    for name in ("procedures_manage:list", "forms_builder:form_list"):
        assert org_client.get(reverse(name)).status_code == 403
    body = org_client.get(reverse("organisation:home")).content.decode()
    assert reverse("procedures_manage:list") not in body
    assert reverse("organisation:section_list") in body


def test_organisation_administrator_signs_in_at_manage(client, org_admin):
    from tests.factories import PASSWORD

    response = client.post(
        reverse("manage_auth:login"),
        {"username": org_admin.email, "password": PASSWORD},
    )
    assert response.status_code == 302


def test_list_pages_keep_to_a_query_budget(org_client, django_assert_max_num_queries):
    for index in range(30):
        AssignmentFactory(
            section=SectionFactory(code=f"s{index % 5}"),
            start_date=dt.date(2020, 4, 1),
        )
        Absence.objects.create(
            holder=StaffFactory(),
            deputy=StaffFactory(),
            start_date=dt.date.today(),
            end_date=dt.date.today(),
        )
    assert Department.objects.count() >= 1
    for name in [*PAGES[:7], "procedures_categories:list"]:
        with django_assert_max_num_queries(12):
            assert org_client.get(reverse(name)).status_code == 200


def test_invited_member_of_staff_sets_a_password_and_signs_in(client, org_admin):
    from core.models import OutboxMessage

    admin = client
    login_as(admin, org_admin)
    admin.post(
        reverse("organisation:staff_create"),
        {"email": "invited@example.jp", "full_name": "招待 太郎"},
    )
    admin.logout()
    mail = OutboxMessage.objects.get(recipient="invited@example.jp")
    body = "\n".join(str(value) for value in mail.payload.values())
    path = re.search(r"http://[^/]+(/accounts/password/reset/\S+/)", body).group(1)
    # Django's confirm view swaps the token for a session marker first.
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    new_password = "a-long-new-password-2027"
    done = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    signed_in = client.post(
        reverse("staff_auth:login"),
        {"username": "invited@example.jp", "password": new_password},
    )
    assert signed_in.status_code == 302


def test_same_post_twice_for_overlapping_dates_is_refused(org_client):
    assignment = AssignmentFactory(start_date=dt.date(2026, 4, 1))
    response = org_client.post(
        reverse("organisation:assignment_create"),
        {
            "user": assignment.user.pk,
            "section": assignment.section.pk,
            "position": assignment.position.pk,
            "start_date": "2027-04-01",
        },
    )
    assert response.status_code == 200
    assert "同じ課室・職位の配置がすでにあります" in response.content.decode()
    assert Assignment.objects.count() == 1

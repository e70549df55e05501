"""Issue 13: the KPI dashboard for administrators and section managers."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisation.models import Assignment
from stats.services import rollup_days
from tests.factories import AdministratorFactory, SectionFactory
from tests.second_factor import verified_login
from tests.stats.conftest import Kind, at, write_history

DAY = dt.date(2026, 5, 12)
QUERY = {"start": "2026-04", "end": "2026-06"}


def decided_cases(version, count, *, day=DAY, outcome="approved", staff=None):
    for _n in range(count):
        write_history(
            version,
            [
                (Kind.CREATED, at(day - dt.timedelta(days=3))),
                (Kind.SUBMITTED, at(day - dt.timedelta(days=3))),
                (Kind.CLAIMED, at(day - dt.timedelta(days=2))),
                (
                    Kind.DECIDED_APPROVE
                    if outcome == "approved"
                    else Kind.DECIDED_REJECT,
                    at(day),
                ),
            ],
            status=outcome,
            staff=staff,
        )


@pytest.fixture
def admin_client(client):
    return verified_login(client, AdministratorFactory())


@pytest.mark.django_db
def test_dashboard_shows_the_month_figures_with_tables_and_csv(
    admin_client, procedures, org
):
    decided_cases(procedures[0], 3, staff=org["people"]["tanto"])
    decided_cases(procedures[0], 2, outcome="rejected", staff=org["people"]["tanto"])
    rollup_days(days=[DAY - dt.timedelta(days=3), DAY - dt.timedelta(days=2), DAY])

    page = admin_client.get("/manage/kpi/", QUERY)
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html
    assert 'id="table-decided"' in html
    # The chart's table holds the month's figures by outcome.
    assert "許可・交付済み" in html
    assert "不許可" in html

    response = admin_client.get("/manage/kpi/", {**QUERY, "csv": "decided"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["年月", "許可・交付済み", "不許可"]
    assert rows[2] == ["2026-05", "3", "2"]
    days = admin_client.get("/manage/kpi/", {**QUERY, "csv": "days"})
    may = next(
        r
        for r in csv.reader(io.StringIO(days.content.decode("utf-8-sig")))
        if r[0] == "2026-05"
    )
    assert may[1] == "3"  # median of 3 calendar days


@pytest.mark.django_db
def test_a_figure_drills_down_to_its_cases(admin_client, procedures, org):
    decided_cases(procedures[0], 2)
    decided_cases(procedures[1], 1)
    rollup_days(days=[DAY])
    page = admin_client.get(
        "/manage/kpi/cases/",
        {
            "figure": "decided",
            "month": "2026-05",
            "procedure": procedures[1].procedure_id,
        },
    )
    assert page.status_code == 200
    assert page.content.decode().count("/staff/cases/") == 1
    bad = admin_client.get("/manage/kpi/cases/", {"figure": "decided", "month": "May"})
    assert bad.status_code == 400
    assert "年月が正しくありません" in bad.content.decode()


@pytest.mark.django_db
def test_a_bad_period_is_told_next_to_the_field(admin_client, procedures):
    page = admin_client.get("/manage/kpi/", {"start": "2026-13", "end": "2026-05"})
    assert page.status_code == 400
    assert "2026-04 の形で" in page.content.decode()


@pytest.mark.django_db
def test_the_dashboard_query_budget_does_not_grow_with_applications(
    admin_client, procedures
):
    def queries():
        with CaptureQueriesContext(connection) as context:
            assert admin_client.get("/manage/kpi/", QUERY).status_code == 200
        return len(context.captured_queries)

    decided_cases(procedures[0], 2)
    rollup_days(days=[DAY - dt.timedelta(days=3), DAY])
    few = queries()
    for offset in range(0, 40, 3):
        decided_cases(procedures[offset % 2], 5, day=DAY + dt.timedelta(days=offset))
    rollup_days(days=[DAY + dt.timedelta(days=n) for n in range(-3, 41)])
    assert queries() == few


@pytest.mark.django_db
def test_a_section_manager_sees_only_their_sections_figures(client, procedures, org):
    other = SectionFactory()
    version = procedures[1]
    version.section = other
    version.save()
    decided_cases(procedures[0], 2)
    decided_cases(version, 7)
    rollup_days(days=[DAY])
    verified_login(client, org["people"]["kacho"])
    response = client.get("/staff/kpi/", {**QUERY, "csv": "decided"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[2] == ["2026-05", "2"]
    # A 担当 holds no manager's post: no figures.
    verified_login(client, org["people"]["tanto"])
    assert client.get("/staff/kpi/").status_code == 403
    assert Assignment.objects.filter(user=org["people"]["kacho"]).exists()


@pytest.mark.django_db
def test_a_caseworker_registers_a_paper_application(client, procedures, org):
    verified_login(client, org["people"]["tanto"])
    response = client.post(
        "/staff/paper-applications/new/",
        {
            "procedure": procedures[0].procedure_id,
            "received_on": "2026-05-07",
            "decided_on": "2026-05-01",
            "outcome": "approved",
        },
    )
    assert response.status_code == 400
    assert "決定日は受付日より後の日付にしてください。" in response.content.decode()
    response = client.post(
        "/staff/paper-applications/new/",
        {"procedure": procedures[0].procedure_id, "received_on": "2026-05-07"},
    )
    assert response.status_code == 302
    from stats.models import PaperApplication

    assert PaperApplication.objects.get().received_on == dt.date(2026, 5, 7)

"""The KPI dashboard and the open data page in Chromium: a chart's data table
reads the figures, and axe-core finds nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from stats.services import rollup_days
from tests.factories import PASSWORD, AdministratorFactory
from tests.second_factor import browser_login
from tests.stats.test_dashboard import DAY, decided_cases
from tests.workflow.test_accessibility import _check, _in_english

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_charts_have_data_tables_and_no_axe_violations(
    live_server, page, procedures, org
):
    decided_cases(procedures[0], 3, staff=org["people"]["tanto"])
    decided_cases(procedures[0], 1, outcome="rejected")
    rollup_days(days=[DAY - dt.timedelta(days=3), DAY])
    admin = AdministratorFactory(email="kpi-admin@example.jp")
    base = live_server.url
    query = "/manage/kpi/?start=2026-04&end=2026-06"
    browser_login(page, base, query, admin.email, PASSWORD)

    table = page.locator("#table-decided")
    may = table.get_by_role("row", name="2026-05")
    assert may.get_by_role("cell").all_inner_texts() == ["3", "1"]
    assert table.locator("caption").inner_text() == "決定した申請（結果別）の数値"
    found: list[str] = []
    for url in (base + query, base + "/manage/kpi/targets/", base + "/opendata/"):
        _check(page, url, found)
    _in_english(page, base)
    _check(page, base + query, found)
    assert not found, "\n".join(found)

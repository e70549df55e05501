"""Issue 13: targets (KGIs) set by an administrator, against the actual values."""

from __future__ import annotations

import pytest

from stats.models import KgiTarget
from stats.services import rollup_days
from tests.factories import AdministratorFactory
from tests.second_factor import verified_login
from tests.stats.test_dashboard import DAY, decided_cases


@pytest.mark.django_db
def test_a_target_is_shown_against_the_actual_value_with_its_history(
    client, procedures
):
    verified_login(client, AdministratorFactory())
    procedure = procedures[0].procedure
    decided_cases(procedures[0], 4)
    rollup_days(days=[DAY])
    form = {
        "procedure": procedure.pk,
        "measure": "within_share",
        "target": "80",
        "due_on": "2027-03-31",
    }
    assert client.post("/manage/kpi/targets/", form).status_code == 302
    assert (
        client.post("/manage/kpi/targets/", {**form, "target": "90"}).status_code == 302
    )
    refused = client.post("/manage/kpi/targets/", {**form, "target": "120"})
    assert refused.status_code == 400
    assert "0から100まで" in refused.content.decode()

    # The fiscal year of the due date runs from 2026-04-01 to today.
    page = client.get("/manage/kpi/targets/").content.decode()
    current = page.split('id="table-kgi"')[1].split("</table>")[0]
    assert "90.0" in current
    assert "80.0" not in current
    assert "100" in current  # all four decided within the period
    history = page.split('id="table-kgi-history"')[1]
    assert "80.0" in history
    assert "90.0" in history
    assert KgiTarget.objects.count() == 2

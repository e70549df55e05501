"""Cross-field checks (issue 12) through the API: refused with the check's
message under its field when the answers are sent and at submission."""

from __future__ import annotations

import pytest

from procedures.models import Procedure
from tests.api.conftest import published_procedure
from tests.forms_builder.test_checks import HALF, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def grant_procedure(org) -> Procedure:
    return published_procedure(org, grant(), title="補助金")


def test_the_api_refuses_answers_that_fail_a_check(as_resident, grant_procedure):
    response = as_resident.post(
        "/api/v1/applications/",
        {
            "procedure": grant_procedure.code,
            "answers": {"eligible": 1_000_000, "requested": 600_000},
        },
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["fields"] == {"requested": [HALF]}

    response = as_resident.post(
        "/api/v1/applications/",
        {
            "procedure": grant_procedure.code,
            "answers": {"eligible": 1_000_000, "requested": 500_000},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    application = response.json()["id"]
    # Lowering the costs afterwards: the submission checks the whole form.
    response = as_resident.patch(
        f"/api/v1/applications/{application}/",
        {"answers": {"eligible": 900_000}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    response = as_resident.post(f"/api/v1/applications/{application}/submit/")
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["fields"] == {"requested": [HALF]}

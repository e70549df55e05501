"""schemathesis against the served OpenAPI schema, on a live server.

Every operation is called with generated requests, as a resident and as a
caseworker (each with a token): no answer may be a server error, and every
answer must match the schema (status, content type, body). Bounded by
MAX_EXAMPLES per operation and user so that it runs inside `make test`.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.services import api_token_create
from tests.api.conftest import ANSWERS
from tests.factories import ResidentFactory
from tests.second_factor import give_second_factor

MAX_EXAMPLES = 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def people(transactional_db, org, version, settings):
    """A resident with a draft and a caseworker of the procedure's section."""
    from procedures import services

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            "api_submit": "10000/minute",
            "api_token_create": "10000/minute",
            "api_verify": "10000/minute",
        },
    }
    resident = ResidentFactory()
    draft = services.application_start(procedure=version.procedure, applicant=resident)
    services.application_save_answers(application=draft, answers=ANSWERS)
    caseworker = org["people"]["tanto"]
    give_second_factor(caseworker)  # staff tokens work only with one
    return {"resident": resident, "caseworker": caseworker}


@pytest.mark.parametrize("who", ["resident", "caseworker"])
def test_api_conforms_to_its_schema(live_server, people, who):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")
    _token, raw = api_token_create(user=people[who], name="schemathesis")
    headers = {"Authorization": f"Bearer {raw}"}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20

    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            response = case.call(headers=headers, timeout=30)
            case.validate_response(response, checks=CHECKS, headers=headers)

        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report
            failures.append(f"{operation.label}: {exc}"[:3000])
    assert not failures, "\n\n".join(failures)

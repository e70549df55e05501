"""schemathesis against the served OpenAPI schema, on a live server.

Every operation is called with generated requests, as a resident and as a
caseworker (each with a token): no answer may be a server error, and every
answer must match the schema (status, content type, body). Bounded by
MAX_EXAMPLES per operation and user so that it runs inside `make test`.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

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


def _sample_path(path: str, parameters: list[dict], broken: str) -> list[str]:
    """``path`` with valid samples, then once per text parameter ``broken``."""
    samples = {}
    text = []
    for parameter in parameters:
        if parameter.get("in") != "path":
            continue
        schema = parameter.get("schema", {})
        if schema.get("type") == "integer":
            samples[parameter["name"]] = "1"
        elif schema.get("format") == "uuid":
            samples[parameter["name"]] = "00000000-0000-4000-8000-000000000000"
        else:
            samples[parameter["name"]] = "sample"
            text.append(parameter["name"])
    paths = [path.format(**samples)]
    paths += [path.format(**{**samples, name: broken}) for name in text]
    return paths


@pytest.mark.parametrize("who", ["anyone", "resident", "caseworker"])
def test_nul_and_lone_surrogates_are_never_a_server_error(people, version, who):
    """Issue 11 item 11: NUL in the path or query, a lone surrogate or NUL in a
    JSON body, for every operation of the schema; run on PostgreSQL too."""
    from rest_framework.test import APIClient

    client = APIClient(raise_request_exception=False)
    if who != "anyone":
        _token, raw = api_token_create(user=people[who], name="fuzz")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    schema = client.get("/api/schema/?format=json").json()
    failures = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            parameters = operation.get("parameters", [])
            query = {
                p["name"]: "a\x00"
                for p in parameters
                if p.get("in") == "query"
                and p.get("schema", {}).get("type") != "integer"
            } or {"q": "a\x00"}
            body_schema = (
                operation.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema", {})
            )
            if "$ref" in body_schema:
                name = body_schema["$ref"].rsplit("/", 1)[-1]
                body_schema = schema["components"]["schemas"][name]
            fields = list(body_schema.get("properties", {})) or ["name"]
            for url in _sample_path(path, parameters, "sam%00ple"):
                attempts = [
                    client.generic(method.upper(), url + "?" + urlencode(query))
                ]
                if method in ("post", "put", "patch"):
                    for bad in ("\ud800", "a\x00"):
                        # Every field of the body, a key, and answers of a
                        # real procedure (refused otherwise before the answers
                        # reach the database).
                        for body in (
                            {field: bad for field in fields} | {bad: bad},
                            {
                                "procedure": version.procedure.code,
                                "answers": {**ANSWERS, "name": bad},
                            },
                        ):
                            attempts.append(
                                client.generic(
                                    method.upper(),
                                    url,
                                    json.dumps(body),
                                    content_type="application/json",
                                )
                            )
                for response in attempts:
                    if response.status_code >= 500:
                        failures.append(
                            f"{method.upper()} {url}: {response.status_code}"
                        )
    assert not failures, failures

"""Fixtures for the API tests: the workflow's organisation (担当 → 係長 → 課長 …
with the demo 専決 rules), a published procedure with the procedures tests'
form (an applicant page and a required PDF attachment), and API clients that
authenticate with tokens made by the API's own service.

Shared pieces are imported from the other apps' test fixtures, not copied.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.services import api_token_create
from procedures.models import Procedure, ProcedureVersion
from tests.documents.conftest import _signing  # noqa: F401 (autouse: dev certificate)
from tests.factories import ResidentFactory, StaffFactory
from tests.procedures.conftest import PDF_BYTES, make_form_version
from tests.second_factor import current_code, give_second_factor
from tests.workflow.conftest import absence, org  # noqa: F401 (fixtures)
from workflow.demo import seed_demo_route

_codes = itertools.count(1)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_throttles_and_engine():
    # Throttle counts live in the cache, which outlives a test.
    from procedures.engine import get_case_engine

    cache.clear()
    get_case_engine.cache_clear()
    yield
    cache.clear()


@pytest.fixture
def version(org) -> ProcedureVersion:  # noqa: F811
    """A published procedure of 福祉政策課 with the demo route (課長 decides ≤ 100万円)."""
    n = next(_codes)
    procedure = Procedure.objects.create(
        code=f"api-josei-{n}", receipt_prefix=f"AJ{n}", status="published"
    )
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        status="published",
        title="福祉施設整備助成金",
        title_en="Welfare facility grant",
        summary="福祉施設の整備にかかる費用の一部を助成します。",
        section=org["sections"]["fukushi"],
        processing_days=30,
        form_version=make_form_version(),
    )
    procedure.current_version = version
    procedure.save(update_fields=["current_version"])
    seed_demo_route(version)
    return version


def published_procedure(
    organisation: dict, definition: dict, *, title: str
) -> Procedure:
    """A published procedure of 福祉政策課 asking ``definition``, demo route."""
    n = next(_codes)
    procedure = Procedure.objects.create(
        code=f"api-form-{n}", receipt_prefix=f"AF{n}", status="published"
    )
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        status="published",
        title=title,
        section=organisation["sections"]["fukushi"],
        processing_days=30,
        form_version=make_form_version(definition),
    )
    procedure.current_version = version
    procedure.save(update_fields=["current_version"])
    seed_demo_route(version)
    return procedure


@pytest.fixture
def procedure(version) -> Procedure:
    return version.procedure


def api_client(user: Any | None = None) -> APIClient:
    """A client that sends ``Authorization: Bearer <token>`` for ``user``."""
    client = APIClient()
    if user is not None:
        if user.is_staff:
            give_second_factor(user)  # staff tokens work only with one
        _token, raw = api_token_create(user=user, name="test")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        client.api_user = user
    return client


def otp(client: APIClient) -> str:
    """A code from the authenticator of the client's token owner (決裁 asks)."""
    return current_code(give_second_factor(client.api_user))


@pytest.fixture
def resident(db):
    return ResidentFactory(full_name="山田 太郎", email="taro@example.jp")


@pytest.fixture
def other_resident(db):
    return ResidentFactory(full_name="鈴木 花子", email="hanako@example.jp")


@pytest.fixture
def as_resident(resident) -> APIClient:
    return api_client(resident)


@pytest.fixture
def as_other(other_resident) -> APIClient:
    return api_client(other_resident)


@pytest.fixture
def staff(org) -> dict[str, APIClient]:  # noqa: F811
    """API clients for each person of the workflow's organisation, by key."""
    return {key: api_client(user) for key, user in org["people"].items()}


@pytest.fixture
def outsider(db) -> APIClient:
    """A caseworker of another section: sees no case of 福祉政策課."""
    return api_client(StaffFactory(full_name="外部 職員"))


ANSWERS = {"name": "山田 太郎", "amount": 500_000}


def pdf_file(name: str = "見積書.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def start(client: APIClient, procedure: Procedure, answers: dict | None = None) -> dict:
    response = client.post(
        "/api/v1/applications/",
        {"procedure": procedure.code, "answers": answers or ANSWERS},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def upload(client: APIClient, application_id: str, field: str = "estimate") -> Any:
    return client.post(
        f"/api/v1/applications/{application_id}/attachments/",
        {"field": field, "file": pdf_file()},
        format="multipart",
    )


def submitted(
    client: APIClient, procedure: Procedure, *, consent: bool = True, **answers: Any
) -> dict:
    """A complete application, submitted through the API (with consent to
    electronic delivery unless ``consent`` is False)."""
    data = start(client, procedure, {**ANSWERS, **answers})
    assert upload(client, data["id"]).status_code == 201
    response = client.post(
        f"/api/v1/applications/{data['id']}/submit/",
        {"delivery_consent": consent},
        format="json",
    )
    assert response.status_code == 200, response.json()
    return response.json()


def open_task(client: APIClient, case_id: str) -> dict:
    case = client.get(f"/api/v1/staff/cases/{case_id}/").json()
    return case


def claim_and_decide(
    client: APIClient, case_id: str, decision: str = "approve", **extra: Any
) -> Any:
    case = client.get(f"/api/v1/staff/cases/{case_id}/")
    assert case.status_code == 200, case.json()
    task_id = case.json()["claimable_task"]
    assert task_id, case.json()
    claimed = client.post(f"/api/v1/staff/cases/{case_id}/tasks/{task_id}/claim/")
    assert claimed.status_code == 200, claimed.json()
    chain = case.json()["chain"]
    final = bool(chain) and chain[-1]["current"]
    if (
        final
        and decision not in ("send_back", "amend", "consult", "opinion")
        and "otp_code" not in extra
        and hasattr(client, "api_user")
    ):
        extra["otp_code"] = otp(client)  # 決裁 asks for the second factor again
    return client.post(
        f"/api/v1/staff/cases/{case_id}/tasks/{task_id}/decide/",
        {"decision": decision, **extra},
        format="json",
    )

"""Fixtures for the procedures tests: an office with a one-level route, a
published procedure whose form has an applicant page and an attachment page,
and residents who sign in through the test client."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from forms_builder.models import Form, FormVersion
from organisation.models import Assignment, Department, Position, Section
from procedures.models import Category, Procedure, ProcedureVersion
from tests.factories import (
    PASSWORD,
    AdministratorFactory,
    ResidentFactory,
    StaffFactory,
)
from tests.second_factor import verified_login

DEFINITION = {
    "version": 1,
    "pages": [
        {
            "key": "applicant",
            "title": {"ja": "申請者", "en": "Applicant"},
            "fields": [
                {
                    "key": "name",
                    "type": "text",
                    "label": {"ja": "氏名", "en": "Name"},
                    "required": True,
                    "prefill": "full_name",
                },
                {
                    "key": "amount",
                    "type": "amount",
                    "label": {"ja": "申請額", "en": "Amount"},
                    "required": True,
                },
            ],
        },
        {
            "key": "documents",
            "title": {"ja": "添付書類", "en": "Documents"},
            "fields": [
                {
                    "key": "estimate",
                    "type": "file",
                    "label": {"ja": "見積書", "en": "Estimate"},
                    "required": True,
                    "accept": ["application/pdf", "image/png"],
                }
            ],
        },
    ],
}

# The smallest file libmagic reads as a PDF.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name: str = "見積書.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


class RecordingCaseEngine:
    """Stands in for workflow.engine.ViewflowCaseEngine in service-level tests
    (the workflow has its own tests); records what procedures asked of it."""

    calls: list[tuple[str, int]] = []

    def start(self, application: Any) -> None:
        self.calls.append(("start", application.pk))

    def resubmit(self, application: Any) -> None:
        self.calls.append(("resubmit", application.pk))

    def withdraw(self, application: Any) -> None:
        self.calls.append(("withdraw", application.pk))


@pytest.fixture
def recording_engine(settings):
    from procedures.engine import get_case_engine

    settings.PROCEDURES_CASE_ENGINE = "tests.procedures.conftest.RecordingCaseEngine"
    get_case_engine.cache_clear()
    RecordingCaseEngine.calls = []
    yield RecordingCaseEngine
    get_case_engine.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_case_engine():
    from procedures.engine import get_case_engine

    get_case_engine.cache_clear()
    yield
    get_case_engine.cache_clear()


_codes = itertools.count(1)


@pytest.fixture
def office(db) -> dict[str, Any]:
    """福祉政策課 with one 担当 who reviews and decides."""
    department = Department.objects.create(code="kenko-fukushi", name="健康福祉部")
    section = Section.objects.create(
        department=department,
        code="fukushi-seisaku",
        name="福祉政策課",
        contact="電話 000-000-0000",
    )
    position = Position.objects.create(code="tanto", name="担当", level=10)
    clerk = StaffFactory(full_name="佐藤 花子")
    Assignment.objects.create(
        user=clerk, section=section, position=position, start_date=dt.date(2020, 4, 1)
    )
    return {
        "department": department,
        "section": section,
        "position": position,
        "clerk": clerk,
    }


def make_form_version(definition: dict[str, Any] | None = None) -> FormVersion:
    n = next(_codes)
    form = Form.objects.create(code=f"josei-form-{n}", title="助成金の申請")
    return FormVersion.objects.create(
        form=form,
        number=1,
        definition=copy.deepcopy(definition or DEFINITION),
        status=FormVersion.Status.PUBLISHED,
        published_at=dt.datetime(2026, 4, 1, tzinfo=dt.UTC),
    )


def give_route(version: ProcedureVersion, position: Position) -> None:
    """A one-level approval route (the workflow's own model: a real case runs)."""
    from workflow.models import Route, RouteLevel

    route, _created = Route.objects.get_or_create(procedure_version=version)
    RouteLevel.objects.create(route=route, order=0, position=position)


def make_procedure(
    office: dict[str, Any],
    *,
    title: str = "福祉施設整備助成金",
    category: Category | None = None,
    status: str = Procedure.Status.PUBLISHED,
    summary: str = "福祉施設の整備にかかる費用の一部を助成します。",
    keywords: str = "",
) -> Procedure:
    n = next(_codes)
    procedure = Procedure.objects.create(
        code=f"josei-{n}", receipt_prefix=f"J{n}", status=status, category=category
    )
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        status=ProcedureVersion.Status.PUBLISHED,
        title=title,
        summary=summary,
        keywords=keywords,
        eligibility="県内で福祉施設を運営する法人",
        required_documents="見積書（PDF）",
        fee_yen=0,
        section=office["section"],
        processing_days=30,
        form_version=make_form_version(),
    )
    procedure.current_version = version
    procedure.save(update_fields=["current_version"])
    give_route(version, office["position"])
    return procedure


@pytest.fixture
def procedure(office) -> Procedure:
    return make_procedure(office)


@pytest.fixture
def resident(db):
    return ResidentFactory(full_name="山田 太郎", email="taro@example.jp")


@pytest.fixture
def other_resident(db):
    return ResidentFactory(full_name="鈴木 花子", email="hanako@example.jp")


@pytest.fixture
def administrator(db):
    return AdministratorFactory()


def login(client: Any, user: Any) -> Any:
    """Sign in with the password; staff also with their second factor."""
    if user.is_staff:
        return verified_login(client, user)
    assert client.login(username=user.email, password=PASSWORD)
    return client


@pytest.fixture
def resident_client(client, resident):
    return login(client, resident)


def fill_and_submit(
    client: Any, procedure: Procedure, *, amount: str = "500000", consent: bool = True
) -> Any:
    """Walk the whole form through HTTP and submit; returns the application.

    ``consent`` is the confirm page's electronic-delivery box, checked there
    by default as a browser posts it.
    """
    from procedures.models import Application

    response = client.post(f"/procedures/{procedure.code}/start/")
    assert response.status_code == 302, response
    application = Application.objects.order_by("-id").first()
    base = f"/my/{application.public_id}"
    response = client.post(
        f"{base}/page/0/", {"name": "山田 太郎", "amount": amount, "action": "next"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(
        f"{base}/page/1/", {"estimate": pdf_upload(), "action": "next"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(
        f"{base}/confirm/", {"delivery_consent": "on"} if consent else {}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    application.refresh_from_db()
    return application


def office_decides(application: Any, clerk: Any, decision: str, **kwargs: Any) -> None:
    """The clerk claims the open review task and decides, through the workflow."""
    from workflow import services as workflow_services
    from workflow.models import CaseTask

    task = CaseTask.objects.get(
        process=application.case, kind="review", status__in=["NEW", "ASSIGNED"]
    )
    workflow_services.task_claim(task_id=task.pk, case_id=task.process_id, user=clerk)
    workflow_services.task_decide(
        task_id=task.pk,
        case_id=task.process_id,
        user=clerk,
        decision=decision,
        **kwargs,
    )

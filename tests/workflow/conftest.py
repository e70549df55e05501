"""Fixtures for the workflow tests: an organisation, a procedure with the demo
route, and a helper that submits applications through procedures' services."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from forms_builder.models import Form, FormVersion
from organisation.models import Absence, Assignment, Department, Position, Section
from procedures.models import Procedure, ProcedureVersion
from tests.factories import StaffFactory
from workflow.demo import seed_demo_route

SCHEMA = {
    "sections": [
        {
            "key": "main",
            "title": "申請内容",
            "fields": [
                {"key": "name", "type": "text", "label": "氏名", "required": True},
                {"key": "amount", "type": "number", "label": "金額", "required": True},
            ],
        }
    ]
}


class _FallbackRuntime:
    """Stands in for forms_builder.runtime.FormRuntime until it lands (same API)."""

    def __init__(self, definition: dict[str, Any]) -> None:
        self.definition = definition

    def prefill(self, user: Any) -> dict[str, Any]:
        return {}

    def clean(self, answers: dict[str, Any]) -> dict[str, Any]:
        return dict(answers)

    def validate(self, answers: dict[str, Any]) -> dict[str, list[str]]:
        return {}

    def field_keys(self) -> list[str]:
        return ["name", "amount"]

    def display(self, answers: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {
                "title": "申請内容",
                "items": [
                    {"key": k, "label": k, "value": v, "files": []}
                    for k, v in answers.items()
                ],
            }
        ]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _form_runtime(monkeypatch):
    # The form itself (validation, display) is forms_builder's and tested
    # there, and is being built in parallel; the workflow tests replace it by
    # a pass-through with the same interface so they test routing only.
    monkeypatch.setattr(
        FormVersion,
        "runtime",
        property(lambda self: _FallbackRuntime(self.definition)),
        raising=False,
    )


@pytest.fixture
def org(db) -> dict[str, Any]:
    """福祉政策課 with 担当/係長/課長, its 部長, the 知事, and 財政課 課長."""
    welfare = Department.objects.create(code="kenko-fukushi", name="健康福祉部")
    general = Department.objects.create(code="somu", name="総務部")
    office = Department.objects.create(code="chiji-kokyoku", name="知事公室")
    sections = {
        "fukushi": Section.objects.create(
            department=welfare, code="fukushi-seisaku", name="福祉政策課"
        ),
        "zaisei": Section.objects.create(
            department=general, code="zaisei", name="財政課"
        ),
        "hisho": Section.objects.create(department=office, code="hisho", name="秘書課"),
    }
    positions = {
        code: Position.objects.create(code=code, name=name, level=level, scope=scope)
        for code, name, level, scope in [
            ("tanto", "担当", 10, "section"),
            ("kakaricho", "係長", 20, "section"),
            ("kacho", "課長", 40, "section"),
            ("bucho", "部長", 50, "department"),
            ("chiji", "知事", 70, "prefecture"),
        ]
    }
    start = dt.date(2020, 4, 1)
    people = {}
    for key, name, section, position in [
        ("tanto", "佐藤 花子", "fukushi", "tanto"),
        ("tanto2", "小林 次郎", "fukushi", "tanto"),
        ("kakaricho", "鈴木 一郎", "fukushi", "kakaricho"),
        ("kacho", "髙橋 美咲", "fukushi", "kacho"),
        ("bucho", "渡邉 健", "fukushi", "bucho"),
        ("chiji", "山﨑 誠", "hisho", "chiji"),
        ("zaisei_kacho", "伊藤 直樹", "zaisei", "kacho"),
        ("zaisei_tanto", "中村 三郎", "zaisei", "tanto"),
    ]:
        user = StaffFactory(full_name=name, email=f"{key}@example.jp")
        Assignment.objects.create(
            user=user,
            section=sections[section],
            position=positions[position],
            start_date=start,
        )
        people[key] = user
    return {"sections": sections, "positions": positions, "people": people}


_codes = itertools.count()


@pytest.fixture
def version(org) -> ProcedureVersion:
    """A published procedure of 福祉政策課 with the demo route."""
    n = next(_codes)
    form = Form.objects.create(code=f"josei-{n}", title="助成金")
    form_version = FormVersion.objects.create(
        form=form,
        number=1,
        definition=SCHEMA,
        status="published",
        published_at=dt.datetime(2026, 4, 1, tzinfo=dt.UTC),
    )
    procedure = Procedure.objects.create(
        code=f"josei-{n}", receipt_prefix=f"J{n}", status="published"
    )
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        status="published",
        title="福祉施設整備助成金",
        section=org["sections"]["fukushi"],
        processing_days=30,
        form_version=form_version,
    )
    procedure.current_version = version
    procedure.save()
    seed_demo_route(version)
    return version


@pytest.fixture
def submit(version):
    """Submit an application with ``amount`` through procedures' services."""
    from procedures import services as procedure_services
    from tests.factories import ResidentFactory

    def _submit(amount: int = 500_000, **extra: Any):
        applicant = ResidentFactory()
        application = procedure_services.application_start(
            procedure=version.procedure, applicant=applicant
        )
        application.answers = {"name": "山田 太郎", "amount": amount, **extra}
        application.save(update_fields=["answers"])
        return procedure_services.application_submit(application=application)

    return _submit


@pytest.fixture
def absence(org):
    """The 課長 is away today; the 係長 decides in her place (代決)."""

    def _absence(holder: str = "kacho", deputy: str = "kakaricho") -> Absence:
        today = dt.date.today()
        return Absence.objects.create(
            holder=org["people"][holder],
            deputy=org["people"][deputy],
            start_date=today - dt.timedelta(days=1),
            end_date=today + dt.timedelta(days=1),
        )

    return _absence


@pytest.fixture(autouse=True)
def document_requests(monkeypatch) -> list[dict[str, Any]]:
    """The notices the workflow asks documents for, recorded instead of rendered.

    documents renders, signs and stores after commit and is tested on its
    own; here what matters is that the final decision asks for exactly one
    notice with the right approval record, inside the decision transaction.
    """
    calls: list[dict[str, Any]] = []

    def _record(*, application, approved, approval_record):
        calls.append(
            {
                "application": application,
                "approved": approved,
                "record": approval_record,
            }
        )

    monkeypatch.setattr("workflow.services.document_request", _record)
    return calls

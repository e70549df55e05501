"""Fixtures for the workflow tests: an organisation, a procedure with the demo
route on a real published form, and a helper that submits applications through
procedures' services.

Everything here is the real component: forms_builder's runtime validates and
displays the answers, documents' ``document_request`` numbers the notice.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from forms_builder.services import form_create, form_version_publish
from organisation.models import Absence, Assignment, Department, Position, Section
from procedures.models import Procedure, ProcedureVersion
from tests.factories import StaffFactory
from workflow.demo import seed_demo_route

DEFINITION = {
    "version": 1,
    "pages": [
        {
            "key": "main",
            "title": {"ja": "申請内容"},
            "fields": [
                {"key": "name", "type": "text", "label": {"ja": "氏名"}},
                {
                    "key": "amount",
                    "type": "amount",
                    "label": {"ja": "補助金の申請額（円）"},
                    "required": True,
                },
                {
                    "key": "plan",
                    "type": "file",
                    "label": {"ja": "事業計画書"},
                    "accept": ["application/pdf"],
                    "max_files": 3,
                },
            ],
        }
    ],
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


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


def published_version(
    org: dict[str, Any],
    *,
    code: str,
    prefix: str,
    title: str,
    definition: dict[str, Any],
) -> ProcedureVersion:
    """A published procedure of 福祉政策課 on a published form of ``definition``."""
    form = form_create(code=code, title=title, definition=definition, actor=None)
    form_version = form_version_publish(version=form.versions.get(), actor=None)
    procedure = Procedure.objects.create(
        code=code, receipt_prefix=prefix, status="published"
    )
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        status="published",
        title=title,
        section=org["sections"]["fukushi"],
        processing_days=30,
        form_version=form_version,
    )
    procedure.current_version = version
    procedure.save()
    return version


@pytest.fixture
def version(org) -> ProcedureVersion:
    """A published procedure of 福祉政策課 on a published form, with the demo route."""
    n = next(_codes)
    version = published_version(
        org,
        code=f"josei-{n}",
        prefix=f"J{n}",
        title="福祉施設整備助成金",
        definition=DEFINITION,
    )
    seed_demo_route(version)
    return version


@pytest.fixture
def submit(version):
    """Submit an application with ``amount`` through procedures' services.

    With ``plan=True`` the resident attaches a PDF to the 事業計画書 question,
    through the same service the form pages use.
    """
    from procedures import services as procedure_services
    from tests.factories import ResidentFactory

    def _submit(amount: int = 500_000, *, plan: bool = False, **extra: Any):
        application = procedure_services.application_start(
            procedure=version.procedure, applicant=ResidentFactory()
        )
        files = {}
        if plan:
            upload = SimpleUploadedFile("事業計画書.pdf", PDF, "application/pdf")
            files["plan"] = [upload]
        application = procedure_services.application_save_answers(
            application=application,
            answers={"name": "山田 太郎", "amount": amount, **extra},
            new_files=files,
        )
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


@pytest.fixture
def signing(settings, tmp_path_factory):
    """documents' development signer, kept outside var/, for tests that issue."""
    from documents import signing as documents_signing

    settings.DOCUMENT_SIGNING_PKCS12 = ""
    settings.VAR_DIR = str(tmp_path_factory.getbasetemp() / "workflow-var")
    documents_signing.reset_signer()
    yield
    documents_signing.reset_signer()

"""Fixtures for the documents tests: a decided application and its notice."""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from forms_builder.models import Form, FormVersion
from organisation.models import Department, Section
from procedures.models import Application, Procedure, ProcedureVersion
from tests.factories import ResidentFactory

DEFINITION = {
    "version": 1,
    "pages": [
        {
            "key": "main",
            "title": {"ja": "申請内容"},
            "fields": [
                {"key": "business", "type": "text", "label": {"ja": "事業の種類"}},
                {"key": "site", "type": "text", "label": {"ja": "事業所の所在地"}},
            ],
        }
    ],
}

APPROVAL_RECORD = [
    {
        "level": 0,
        "position": "担当",
        "name": "佐藤 花子",
        "section": "福祉政策課",
        "action": "approve",
        "decided_at": "2026-11-19T10:00:00+09:00",
        "mark": "",
        "on_behalf_of": None,
    },
    {
        "level": 1,
        "position": "課長",
        "name": "髙橋 美咲",
        "section": "福祉政策課",
        "action": "approve",
        "decided_at": "2026-11-24T15:00:00+09:00",
        "mark": "専決",
        "on_behalf_of": None,
    },
]


class _FallbackRuntime:
    """Stands in for forms_builder.runtime.FormRuntime until it lands (same API)."""

    def __init__(self, definition: dict[str, Any]) -> None:
        self.definition = definition

    def display(self, answers: dict[str, Any]) -> list[dict[str, Any]]:
        labels = {"business": "事業の種類", "site": "事業所の所在地"}
        return [
            {
                "title": "申請内容",
                "items": [
                    {"key": k, "label": labels.get(k, k), "value": v, "files": []}
                    for k, v in answers.items()
                ],
            }
        ]


@pytest.fixture(autouse=True)
def _form_runtime(monkeypatch):
    try:
        import forms_builder.runtime  # noqa: F401
    except ImportError:
        # forms_builder's runtime is built in parallel; until it exists the
        # form's display is replaced by one with the same interface.
        monkeypatch.setattr(
            FormVersion,
            "runtime",
            property(lambda self: _FallbackRuntime(self.definition)),
            raising=False,
        )


@pytest.fixture(autouse=True)
def _signing(settings, tmp_path_factory):
    # One development certificate for the whole session, outside var/.
    from documents import signing

    settings.DOCUMENT_SIGNING_PKCS12 = ""
    settings.VAR_DIR = str(tmp_path_factory.getbasetemp() / "documents-var")
    settings.SITE_URL = "https://e-shinsei.example.jp"
    settings.DOCUMENT_ISSUER = "架空県知事　齋藤 徳太郎"
    signing.reset_signer()
    yield
    signing.reset_signer()


_codes = itertools.count()


@pytest.fixture
def department(db) -> Department:
    return Department.objects.get_or_create(
        code="kenko-fukushi", defaults={"name": "健康福祉部"}
    )[0]


@pytest.fixture
def version(department) -> ProcedureVersion:
    n = next(_codes)
    section = Section.objects.create(
        department=department, code=f"fukushi-{n}", name="福祉政策課"
    )
    form = Form.objects.create(code=f"kyoka-{n}", title="許可申請")
    form_version = FormVersion.objects.create(
        form=form,
        number=1,
        definition=DEFINITION,
        status="published",
        published_at=dt.datetime(2026, 4, 1, tzinfo=dt.UTC),
    )
    procedure = Procedure.objects.create(
        code=f"kyoka-{n}", receipt_prefix=f"KY{n}", status="published"
    )
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        status="published",
        title="産業廃棄物収集運搬業許可申請",
        section=section,
        processing_days=30,
        form_version=form_version,
    )
    procedure.current_version = version
    procedure.save()
    return version


def make_application(version: ProcedureVersion, **kwargs: Any) -> Application:
    applicant = kwargs.pop("applicant", None) or ResidentFactory(
        full_name=kwargs.pop("name", "髙橋 𠮷郎"),
        postal_code="000-0000",
        address="架空県見本市中央一丁目2番3号",
    )
    n = next(_codes)
    fields = {
        "status": Application.Status.ISSUING,
        "receipt_number": f"KY-R8-{n:05d}",
        "applicant_name": applicant.full_name,
        "answers": {
            "business": "産業廃棄物収集運搬業",
            "site": "架空県見本市港町5-6-7",
        },
        "submitted_at": dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC),
        # Agreed to electronic delivery when applying (デジタル手続法第7条).
        "delivery_consent_at": dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC),
        "decided_at": timezone.make_aware(dt.datetime(2026, 11, 26, 10, 0)),
        **kwargs,
    }
    return Application.objects.create(
        procedure_version=version, applicant=applicant, **fields
    )


@pytest.fixture
def application(version) -> Application:
    return make_application(version)


@pytest.fixture
def issued(application):
    """A requested and issued (rendered, signed, stored) permit."""
    from documents.services import document_issue, document_request

    document = document_request(
        application=application, approved=True, approval_record=APPROVAL_RECORD
    )
    return document_issue(document=document)


def stored_bytes(document) -> bytes:
    from documents.services import document_open

    with document_open(document) as stored:
        return stored.read()


def pdftotext(data: bytes, tmp_path: Path, *, layout: bool = True) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", *(["-layout"] if layout else []), str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout

"""What a notice prints, read back from the issued PDF (found in the QA walk
of a procedure unlike the demo grant: a business licence with a table of
vehicles, a 合議 and a partial outcome)."""

from __future__ import annotations

import re

import pytest

from documents.services import template_for_version
from procedures import services as procedure_services
from tests.factories import ResidentFactory
from workflow.demo import seed_demo_route

from .conftest import published_version
from .helpers import approve_to_the_end, notice_text

VEHICLES_DEFINITION = {
    "version": 1,
    "pages": [
        {
            "key": "main",
            "title": {"ja": "申請内容"},
            "fields": [
                {
                    "key": "amount",
                    "type": "amount",
                    "label": {"ja": "手数料（円）"},
                    "required": True,
                },
                {
                    "key": "vehicles",
                    "type": "repeat",
                    "label": {"ja": "運搬車両"},
                    "min_rows": 1,
                    "max_rows": 30,
                    "fields": [
                        {
                            "key": "reg_number",
                            "type": "text",
                            "label": {"ja": "自動車登録番号"},
                            "required": True,
                        },
                        {
                            "key": "capacity",
                            "type": "integer",
                            "label": {"ja": "最大積載量（kg）"},
                        },
                    ],
                },
            ],
        }
    ],
}


@pytest.fixture
def licence(org):
    version = published_version(
        org,
        code="sanpai",
        prefix="SP",
        title="産業廃棄物収集運搬業許可申請",
        definition=VEHICLES_DEFINITION,
    )
    seed_demo_route(version)
    template = template_for_version(version)
    template.shown_fields = ["vehicles"]
    template.save()
    return version


def test_a_repeating_group_prints_its_rows_not_their_count(
    licence, org, signing, django_capture_on_commit_callbacks
):
    application = procedure_services.application_start(
        procedure=licence.procedure, applicant=ResidentFactory()
    )
    application = procedure_services.application_save_answers(
        application=application,
        answers={
            "amount": 81_000,
            "vehicles": [
                {"reg_number": "見本 100 あ 12-34", "capacity": 3750},
                {"reg_number": "見本 400 い 56-78", "capacity": 8600},
                {"reg_number": "見本 800 え 34-56", "capacity": 1500},
            ],
        },
    )
    application = procedure_services.application_submit(application=application)
    with django_capture_on_commit_callbacks(execute=True):
        approve_to_the_end(application, org["people"])
    text = notice_text(application)
    assert "3 件" not in text
    assert "3件" not in text
    for number, plate, load in [
        ("1", "見本 100 あ 12-34", "3,750"),
        ("2", "見本 400 い 56-78", "8,600"),
        ("3", "見本 800 え 34-56", "1,500"),
    ]:
        assert plate in text
        assert load in text
        line = next(line for line in text.splitlines() if plate in line)
        assert re.search(rf"{number}\s+自動車登録番号：{plate}", line), line

"""What the resident's e-mails say along a whole case (issue 11, item 3).

Every mail named no procedure (「」の申請…): the templates read the title
inside ``blocktranslate`` by a dotted name, which Django renders empty.
"""

from __future__ import annotations

import pytest
from django.core import mail

from procedures import services as procedure_services
from tests.factories import ResidentFactory

from .helpers import decide

pytestmark = pytest.mark.django_db


def _bodies() -> list[str]:
    return [message.body for message in mail.outbox]


@pytest.mark.parametrize(
    ("language", "title"),
    [("ja", "「福祉施設整備助成金」"), ("en", "“Welfare facility grant”")],
)
def test_every_resident_mail_names_the_procedure_in_the_residents_language(
    org, version, signing, django_capture_on_commit_callbacks, language, title
):
    version.title_en = "Welfare facility grant"
    version.save(update_fields=["title_en"])
    p = org["people"]
    resident = ResidentFactory(preferred_language=language)
    application = procedure_services.application_start(
        procedure=version.procedure, applicant=resident
    )
    application = procedure_services.application_save_answers(
        application=application, answers={"name": "山田 太郎", "amount": 500_000}
    )
    with django_capture_on_commit_callbacks(execute=True):
        procedure_services.application_submit(application=application)
    with django_capture_on_commit_callbacks(execute=True):
        decide(
            application,
            p["tanto"],
            decision="amend",
            applicant_message="見積書を添付してください。",
        )
    application.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        procedure_services.application_resubmit(application=application)
    decide(application, p["tanto"])
    decide(application, p["kakaricho"])
    with django_capture_on_commit_callbacks(execute=True):
        decide(application, p["kacho"])

    # submitted, amendment requested, decided, notice ready
    assert len(mail.outbox) == 4
    for body in _bodies():
        assert "「」" not in body
        assert "“”" not in body
        assert title in body, body

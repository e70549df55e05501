"""Drive a case as caseworkers would, through the services."""

from __future__ import annotations

import subprocess
from typing import Any

from workflow import services
from workflow.models import CaseTask


def open_task(application: Any, kind: str = "review") -> CaseTask:
    return CaseTask.objects.get(
        process=application.case, kind=kind, status__in=["NEW", "ASSIGNED"]
    )


def claim(application: Any, user: Any, kind: str = "review") -> CaseTask:
    task = open_task(application, kind)
    return services.task_claim(task_id=task.pk, case_id=task.process_id, user=user)


def decide(
    application: Any, user: Any, decision: str = "approve", **kwargs: Any
) -> CaseTask:
    task = claim(application, user, kwargs.pop("kind", "review"))
    return services.task_decide(
        task_id=task.pk, case_id=task.process_id, user=user, decision=decision, **kwargs
    )


def approve_to_the_end(application: Any, people: dict[str, Any], **final: Any) -> None:
    """担当 → 係長 → 課長 approve; the 課長 is final for amounts under 専決."""
    decide(application, people["tanto"])
    decide(application, people["kakaricho"])
    decide(application, people["kacho"], **final)


def steps(application: Any) -> list[str]:
    application.case.refresh_from_db()
    return [step["position"] for step in application.case.chain]


def notice_text(application: Any) -> str:
    """The issued notice of ``application`` as pdftotext reads it (layout kept)."""
    from documents.models import IssuedDocument

    document = IssuedDocument.objects.get(application=application)
    assert document.status == IssuedDocument.Status.ISSUED, document.last_error
    with document.file.open("rb") as stored:
        pdf = stored.read()
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()


def disclosure_at_final() -> Any:
    """The demo's 公文書開示請求 by its resident, approved by 担当 and 係長:
    the 課長 decides it (seed_demo must not have run)."""
    from django.core.management import call_command

    from accounts.models import User
    from procedures import services as procedure_services
    from procedures.models import Procedure

    call_command("seed_demo", allow_demo_passwords_in_production=True)
    procedure = Procedure.objects.get(code="kobunsho-kaiji-seikyu")
    resident = User.objects.get(email="resident@example.jp")
    application = procedure_services.application_start(
        procedure=procedure, applicant=resident
    )
    application = procedure_services.application_save_answers(
        application=application,
        answers={
            "as_business": False,
            "requester_name": {"name": "開示 請子", "kana": "カイジ セイコ"},
            "postal_code": "100-0001",
            "address": "架空県架空市中央1-2-3",
            "phone": "000-000-0000",
            "documents": "令和7年度 地域福祉活動支援補助金の審査調書",
            "receive_method": "copy_post",
        },
        new_files={},
    )
    application = procedure_services.application_submit(application=application)
    decide(application, User.objects.get(email="tanto@example.jp"))
    decide(application, User.objects.get(email="kakaricho@example.jp"))
    return application

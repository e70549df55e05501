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

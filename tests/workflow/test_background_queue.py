"""The embedded setup's background queue (issue 16): the final decision's
request no longer renders and signs the notice; the database worker
(``manage.py run_worker``) does, after the commit, and retries on its own;
a document whose worker was killed is taken back from the retry button.

The tests here switch from the immediate backend the suite uses to the
real database backend of django-tasks.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.models import AuditEvent
from documents.models import IssuedDocument
from tests.second_factor import login_as

from .helpers import approve_to_the_end, claim, decide

ROOT = Path(__file__).resolve().parents[2]
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
Status = IssuedDocument.Status


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_QUEUE


# Real commits: the worker, run here, closes connections between jobs as it
# does in production, which a test wrapped in one transaction cannot survive.
@pytest.mark.django_db(transaction=True)
def test_the_final_decision_leaves_the_notice_to_the_database_worker(
    client, submit, org, signing, database_queue, monkeypatch
):
    p = org["people"]
    application = submit(500_000)
    decide(application, p["tanto"])
    decide(application, p["kakaricho"])
    task = claim(application, p["kacho"])
    login_as(client, p["kacho"])
    rendered: list[str] = []
    import documents.rendering

    real_render = documents.rendering.render_pdf
    monkeypatch.setattr(
        documents.rendering,
        "render_pdf",
        lambda snapshot, **kw: rendered.append("render") or real_render(snapshot, **kw),
    )

    response = client.post(
        reverse("workflow:task_decide", args=[application.public_id, task.pk]),
        {"decision": "approve", "comment": ""},
    )

    assert response.status_code == 302
    assert rendered == []  # nothing rendered or signed in the 決裁者's request
    document = IssuedDocument.objects.get(application=application)
    assert document.status == Status.PENDING
    assert DBTaskResult.objects.filter(
        task_path="documents.tasks.issue_document", status="READY"
    ).exists()

    call_command("run_worker", "--once")

    document.refresh_from_db()
    assert rendered == ["render"]
    assert document.status == Status.ISSUED, document.last_error
    application.refresh_from_db()
    assert application.status == "approved"


@pytest.mark.django_db(transaction=True)
def test_the_worker_retries_a_document_that_failed_during_an_outage(
    submit, org, signing, database_queue
):
    application = submit(500_000)
    approve_to_the_end(application, org["people"])  # its job never ran
    IssuedDocument.objects.filter(application=application).update(
        status=Status.FAILED,
        attempts=3,
        last_error="EndpointConnectionError: S3 unreachable",
        next_attempt_at=timezone.now() - timezone.timedelta(seconds=1),
    )
    DBTaskResult.objects.all().delete()  # the queued job is lost too

    call_command("run_worker", "--once")

    document = IssuedDocument.objects.get(application=application)
    assert document.status == Status.ISSUED, document.last_error
    assert document.attempts == 4


def _worker_env(tmp_path: Path) -> dict[str, str]:
    database = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": "test",
        # The test database, which this process already created.
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@"
            f"{database['HOST']}:{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "DJANGO_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "DOCUMENT_SIGNER": "tests.workflow.hanging_signer.HangingSigner",
        "DJANGO_VAR_DIR": str(tmp_path),
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_document_of_a_killed_worker_is_taken_back_from_the_retry_button(
    client, submit, org, signing, settings, tmp_path
):
    settings.TASKS = DATABASE_QUEUE
    p = org["people"]
    application = submit(500_000)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--interval", "0.2"],
        cwd=ROOT,
        env=_worker_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        approve_to_the_end(application, p)  # commits: the job goes to the queue
        document = IssuedDocument.objects.get(application=application)
        deadline = time.monotonic() + 60
        while document.status != Status.WORKING and time.monotonic() < deadline:
            assert worker.poll() is None, worker.stderr.read().decode()
            time.sleep(0.2)
            document.refresh_from_db()
        assert document.status == Status.WORKING
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # mid-issue, as the OOM killer would
        worker.wait(timeout=30)
    settings.DOCUMENT_CLAIM_GRACE_SECONDS = 1
    time.sleep(1.1)
    login_as(client, p["kacho"])
    case_url = reverse("workflow:case_detail", args=[application.public_id])

    page = client.get(case_url).content.decode()
    assert "作成が途中で止まっています" in page
    assert reverse("workflow:document_retry", args=[application.public_id]) in page

    settings.TASKS = IMMEDIATE  # the retried job runs here, after the commit
    response = client.post(
        reverse("workflow:document_retry", args=[application.public_id]),
        follow=True,
    )

    assert "文書の発行をもう一度試みます。" in response.content.decode()
    document.refresh_from_db()
    assert document.status == Status.ISSUED, document.last_error
    assert document.attempts == 2
    event = AuditEvent.objects.get(action="workflow.document_retry")
    assert event.actor == p["kacho"]
    assert event.data["was"] == "working"

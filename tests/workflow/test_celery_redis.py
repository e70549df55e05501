"""The deployment's background path for real: Celery on Redis, and the cache on Redis.

With ``CELERY_BROKER_URL`` set, the final approval's commit puts the issue of
the notice on a Redis queue and a Celery worker (started here, in a thread of
the test process, with Celery's own test harness) renders, signs and stores
it. Nothing is mocked: Redis is the server on 127.0.0.1:6379 (CI starts it),
each test uses its own database number and empties it.
"""

from __future__ import annotations

import time

import pytest
import redis

from config.celery import app
from documents.models import IssuedDocument

from .helpers import approve_to_the_end

REDIS = "redis://127.0.0.1:6379"
BROKER_DB, CACHE_DB = 14, 13


def _redis_up() -> bool:
    try:
        return redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(
    not _redis_up(), reason="needs Redis on 127.0.0.1:6379 (.ci/run starts it)"
)


@pytest.fixture
def celery_on_redis():
    """The project's Celery app pointed at a private Redis database, and a worker."""
    from celery.contrib.testing.worker import start_worker

    broker = f"{REDIS}/{BROKER_DB}"
    redis.Redis.from_url(broker).flushdb()
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=broker, task_always_eager=False)
    _forget_connections()
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING"
        ):
            yield
    finally:
        app.conf.update(saved)
        _forget_connections()
        redis.Redis.from_url(broker).flushdb()


def _forget_connections() -> None:
    # Celery builds its connection pool once, from the broker URL of that
    # moment (eager tasks earlier in the session build it for the default,
    # amqp://localhost). A new broker URL needs a new pool: what Celery
    # itself does after a fork.
    app._after_fork()


@pytest.mark.django_db(transaction=True)
def test_final_approval_issues_the_notice_through_a_celery_worker_on_redis(
    org, submit, signing, celery_on_redis, monkeypatch
):
    # This test is about the notice. New-task announcements would go to the
    # same worker thread and write while this thread decides: on SQLite's
    # shared in-memory test database that is "table is locked", not a race
    # the platform has (tests/workflow/test_notifications.py covers them).
    monkeypatch.setattr("workflow.flows.task_created", lambda task: None)
    p = org["people"]
    application = submit(500_000)
    approve_to_the_end(application, p)  # commits: the issue goes on the queue

    deadline = time.monotonic() + 60
    document = IssuedDocument.objects.get(application=application)
    while (
        document.status != IssuedDocument.Status.ISSUED and time.monotonic() < deadline
    ):
        time.sleep(0.2)
        document.refresh_from_db()

    assert document.status == IssuedDocument.Status.ISSUED, document.last_error
    assert document.attempts == 1
    with document.file.open("rb") as stored:
        assert stored.read(5) == b"%PDF-"
    application.refresh_from_db()
    assert application.status == "approved"


def test_with_redis_url_two_processes_share_one_count():
    """Throttles and login limits count in the default cache. With REDIS_URL
    the project's settings put it in Redis: a count made by one process is
    seen by the next (two real processes, the project's own settings)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    location = f"{REDIS}/{CACHE_DB}"
    redis.Redis.from_url(location).flushdb()
    env = {**os.environ, "REDIS_URL": location, "DJANGO_SECRET_KEY": "check"}
    script = (
        "import django; django.setup()\n"
        "from django.core.cache import cache\n"
        "cache.add('attempts', 0, 60)\n"
        "print(cache.incr('attempts'))\n"
    )

    counts = [
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=Path(__file__).resolve().parents[2],
            env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout.split()[-1]
        for _ in range(2)
    ]

    assert counts == ["1", "2"]
    redis.Redis.from_url(location).flushdb()


def test_beat_schedules_the_document_poller_by_its_registered_name(settings):
    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["issue-pending-documents"]
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 60
    # Mail due for a retry too (the outbox), by the name run_worker imports.
    assert settings.CELERY_BEAT_SCHEDULE["deliver-outbox"]["task"] in app.tasks

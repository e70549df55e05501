"""The one way background work is queued: a database queue, or Celery.

Callers define a job with ``@background_task`` and queue it with
``enqueue(job, *args)`` after their transaction commits; they never know
which queue runs it. Without a Celery broker the job goes to the queue of
Django's task framework (``django-tasks``; the ``TASKS`` setting): in the
embedded setup the database backend, worked by ``manage.py run_worker``,
which also runs the periodic polls of ``CELERY_BEAT_SCHEDULE``. With
``CELERY_BROKER_URL`` set the job goes to Celery, and ``celery beat`` runs
the same polls. Jobs take JSON-serialisable arguments (ids, never model
instances) and must be idempotent: either queue may run a job twice, and
the polls run it again for anything left behind.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any

from celery import current_app, shared_task
from django_tasks import task
from django_tasks.base import Task

logger = logging.getLogger(__name__)

_worker_process = threading.Event()


def mark_worker_process() -> None:
    """This process only works background jobs (``run_worker``, a Celery child).

    Workers may tune the process for long runs of the same job (the
    documents app freezes the garbage collector's survivors); web processes
    never do.
    """
    _worker_process.set()


def is_worker_process() -> bool:
    return _worker_process.is_set()


def background_task(func: Callable[..., Any]) -> Task:
    """Register ``func`` with both queues under its dotted path."""
    job = task(func)
    # Celery knows it by the same name, so a beat entry or a queued message
    # names the module attribute the database worker imports too.
    shared_task(name=job.module_path, acks_late=True)(func)
    return job


def celery_configured() -> bool:
    """Whether a Celery broker is configured (read at each call: tests switch it)."""
    return bool(current_app.conf.broker_url)


def enqueue(job: Task, *args: Any, run_after: dt.datetime | None = None) -> None:
    """Queue ``job(*args)``, at ``run_after`` when given; never raises.

    A queue that is down loses nothing: every job's work is also recorded
    in a row that the periodic polls pick up.
    """
    try:
        if celery_configured():
            current_app.send_task(job.module_path, args=list(args), eta=run_after)
            return
        if run_after is not None:
            if not job.get_backend().supports_defer:
                return  # the immediate backend (tests): the polls retry later
            job = job.using(run_after=run_after)
        job.enqueue(*args)
    except Exception:
        logger.exception("could not queue %s%r", job.module_path, args)

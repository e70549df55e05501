"""Work the database task queue and run the periodic polls (the embedded setup).

Without a Celery broker, ``core.background`` puts jobs in the database
queue of ``django-tasks``; this command works it (the library's worker, in
batches) and, every ``CELERY_BEAT_SCHEDULE`` interval, runs the polls that
``celery beat`` runs in the Celery setup: documents left pending or due
for a retry, mail due for a retry. Several may run; each document and
message is claimed by one worker. ``--once`` works what is queued, runs
every poll once and exits, for cron.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import Worker

from core.background import mark_worker_process


class Command(BaseCommand):
    help = "Run background jobs from the database queue and the periodic polls."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="seconds between looks at an empty queue (default 1)",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="work the queue, run every poll once, and exit (for cron)",
        )

    def handle(self, *args: Any, interval: float, once: bool, **options) -> None:
        mark_worker_process()
        self.verbosity = options["verbosity"]
        if self.verbosity < 2:
            # The library logs every look at the queue (once a second).
            logging.getLogger("django_tasks_db").setLevel(logging.WARNING)
        worker = Worker(
            queue_names=[DEFAULT_TASK_QUEUE_NAME],
            interval=0,
            batch=True,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        polls = [
            (entry["task"], float(entry["schedule"]))
            for entry in settings.CELERY_BEAT_SCHEDULE.values()
        ]
        last_run: dict[str, float] = {}
        if not once:
            # SIGTERM lets a running job finish; a second one stops at once.
            worker.configure_signals()
        while worker.running:
            worker.run()  # every job that is ready, then back here
            now = time.monotonic()
            for path, every in polls:
                if once or now - last_run.get(path, -every) >= every:
                    last_run[path] = now
                    self._poll(path)
            if once:
                return
            close_old_connections()
            time.sleep(interval)

    def _poll(self, path: str) -> None:
        try:
            result = import_string(path).call()
        except Exception as error:  # a poll that fails is tried at its next turn
            self.stderr.write(f"{path}: {type(error).__name__}: {error}")
            return
        if self.verbosity > 1 or (isinstance(result, dict) and any(result.values())):
            self.stdout.write(f"{path}: {result}")

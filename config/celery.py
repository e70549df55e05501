"""Celery application: background work when ``CELERY_BROKER_URL`` is set.

Without a broker, ``core.background`` queues jobs in the database instead
(``manage.py run_worker``); callers never know which.
"""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _mark_worker_process(**kwargs) -> None:
    from core.background import mark_worker_process

    mark_worker_process()

"""Celery application: background work when ``CELERY_BROKER_URL`` is set.

Without a broker, tasks run eagerly in-process (see settings), which keeps the
embedded development setup to one process.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

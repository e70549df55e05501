"""Send the deadline reminders due today (cron-friendly; safe to run twice).

The background worker runs the same scan on its schedule
(``CELERY_BEAT_SCHEDULE["send-reminders"]``); a crontab line such as
``*/15 7-19 * * 1-5 manage.py send_reminders`` does it without a worker.
Each reminder is claimed by a row before it is sent, so two runs at once
send it once. The mail goes through the outbox (``run_worker`` or
``manage.py run_worker --once`` delivers it).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date

from workflow.deadlines import reminders_send


class Command(BaseCommand):
    help = "Send the deadline reminders and escalations due today, once each."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--date", help="act as if today were this day (YYYY-MM-DD), for tests"
        )

    def handle(self, *args: Any, date: str | None = None, **options: Any) -> None:
        today = None
        if date:
            today = parse_date(date)
            if today is None:
                raise CommandError(f"not a date: {date}")
        counts = reminders_send(today=today)
        if options["verbosity"] >= 1:
            self.stdout.write(
                " ".join(f"{kind}={count}" for kind, count in counts.items())
            )

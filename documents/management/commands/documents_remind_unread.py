"""Remind applicants once of notices they have not downloaded (run daily from
cron or Celery beat; safe to run twice: each reminder is claimed first).

    manage.py documents_remind_unread
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from documents.services import documents_remind_unread


class Command(BaseCommand):
    help = "Remind of notices not downloaded DOCUMENT_UNREAD_REMINDER_DAYS after issue."

    def handle(self, *args, **options) -> None:
        sent = documents_remind_unread()
        self.stdout.write(f"reminded {sent} applicant(s)")

"""Remind residents of drafts left alone, then delete them (run daily from cron
or Celery beat; safe to run twice).

    manage.py drafts_purge
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from procedures.services import drafts_purge


class Command(BaseCommand):
    help = "Remind of, then delete, drafts untouched for DRAFT_RETENTION_DAYS."

    def handle(self, *args, **options) -> None:
        reminded, deleted = drafts_purge()
        self.stdout.write(f"reminded {reminded}, deleted {deleted} draft(s)")

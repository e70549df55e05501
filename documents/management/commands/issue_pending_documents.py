"""Issue documents left pending or failed (run from cron or Celery beat)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from documents.services import document_issue_pending


class Command(BaseCommand):
    help = "Render, sign and store every official document that is due."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--limit", type=int, default=100)

    def handle(self, *args, limit: int, **options) -> None:
        counts = document_issue_pending(limit=limit)
        self.stdout.write(
            f"issued {counts['issued']}, failed {counts['failed']}, "
            f"skipped {counts['skipped']}"
        )

"""List the records whose retention period has ended (run it monthly from cron
and mail its output to the administrators, who dispose of or transfer them
at /manage/records/).

    manage.py records_due            # exits 0; prints nothing when none is due
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from records.selectors import kept_until, records_due


class Command(BaseCommand):
    help = "List closed applications whose retention period has ended."

    def handle(self, *args, **options) -> None:
        due = list(records_due())
        if not due:
            return
        self.stdout.write(
            f"{len(due)} record(s) past their retention period; "
            "dispose of or transfer them at /manage/records/:"
        )
        for application in due:
            version = application.procedure_version
            until = kept_until(
                closed=timezone.localdate(application.closed_at),
                years=version.retention_years,
            )
            self.stdout.write(
                f"{application.receipt_number}\t{version.procedure.code}\t"
                f"closed {timezone.localdate(application.closed_at)}\t"
                f"kept until {until}"
            )

"""Check the staff audit log: every link of the hash chain, and a recorded head.

    manage.py audit_verify                     # prints the head to keep elsewhere
    manage.py audit_verify --head 1234:9f3c…   # that head must still be there

Exits with status 1 when the chain is broken or the recorded head is gone
(rows edited, deleted, or cut off the end). Run it from cron and keep its
output, or the "audit head" lines of the logs, outside the database.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from core.audit import audit_has_head, audit_head, audit_verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain (and a head recorded earlier)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--head",
            metavar="ID:HASH",
            help="a head printed by an earlier run or logged as 'audit head'",
        )

    def handle(self, *args, head: str | None = None, **options) -> None:
        expected = _parse_head(head) if head else None
        broken = audit_verify_chain()
        if broken is not None:
            self.stderr.write(f"BROKEN: audit event {broken} does not match the chain")
            raise SystemExit(1)
        if expected is not None and not audit_has_head(*expected):
            self.stderr.write(
                f"BROKEN: the recorded head {expected[0]}:{expected[1]} is no longer "
                "in the chain (events removed from the end or rewritten)"
            )
            raise SystemExit(1)
        current = audit_head()
        if current is None:
            self.stdout.write("OK: the audit log is empty")
            return
        self.stdout.write(f"OK: head {current[0]}:{current[1]}")


def _parse_head(value: str) -> tuple[int, str]:
    event_id, _, event_hash = value.partition(":")
    if not (event_id.isascii() and event_id.isdigit() and len(event_hash) == 64):
        raise CommandError("--head takes ID:HASH as printed by audit_verify")
    return int(event_id), event_hash

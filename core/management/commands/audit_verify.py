"""Check the staff audit log: every link of the keyed chain, and a recorded head.

    manage.py audit_verify                           # prints the head to keep elsewhere
    manage.py audit_verify --head 1234:9f3c…         # that head must still be there
    manage.py audit_verify --head-file /mnt/worm/audit-heads.log

With ``--head-file`` the command checks the last head recorded in the file
and, when everything holds, appends the current head to it: run it daily from
cron with the file on storage the database's administrators cannot rewrite
(another host, a WORM bucket, the shipped logs). Exits with status 1 when the
chain is broken or the recorded head is gone (rows edited, deleted, or cut
off the end).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.audit import audit_has_head, audit_head, audit_keys, audit_verify_chain
from core.models import AuditEvent


class Command(BaseCommand):
    help = "Verify the audit log's keyed chain (and a head recorded earlier)."

    def add_arguments(self, parser) -> None:
        source = parser.add_mutually_exclusive_group()
        source.add_argument(
            "--head",
            metavar="ID:HASH",
            help="a head printed by an earlier run or logged as 'audit head'",
        )
        source.add_argument(
            "--head-file",
            metavar="PATH",
            help="check the last head recorded in PATH, then append the new one",
        )

    def handle(
        self,
        *args,
        head: str | None = None,
        head_file: str | None = None,
        **options,
    ) -> None:
        if head_file:
            head = _last_head(Path(head_file))
        expected = _parse_head(head) if head else None
        broken = audit_verify_chain()
        if broken is not None:
            self.stderr.write(f"BROKEN: {_why(broken)}")
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
        if head_file:
            with Path(head_file).open("a", encoding="utf-8") as file:
                file.write(f"{timezone.now().isoformat()} {current[0]}:{current[1]}\n")
        self.stdout.write(f"OK: head {current[0]}:{current[1]}")


def _why(event_id: int) -> str:
    key_id = AuditEvent.objects.filter(pk=event_id).values_list("key_id", flat=True)
    key_id = key_id.first()
    if key_id is not None and key_id not in audit_keys():
        return (
            f"audit event {event_id} is signed with key id {key_id!r}, which "
            "AUDIT_HMAC_KEYS does not list"
        )
    return f"audit event {event_id} does not match the chain"


def _last_head(path: Path) -> str | None:
    """The head on the file's last line (``<time> ID:HASH``), None for a new file."""
    if not path.exists():
        return None
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line]
    return lines[-1].split()[-1] if lines else None


def _parse_head(value: str) -> tuple[int, str]:
    event_id, _, event_hash = value.partition(":")
    if not (event_id.isascii() and event_id.isdigit() and len(event_hash) == 64):
        raise CommandError("--head takes ID:HASH as printed by audit_verify")
    return int(event_id), event_hash

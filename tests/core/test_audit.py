import importlib
import threading
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from django.db import DatabaseError, connection, transaction

from core.audit import audit_record, audit_verify_chain
from core.models import AuditEvent
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@contextmanager
def tampering():
    """Someone with a superuser's rights: on PostgreSQL triggers (the
    append-only one among them) are switched off for the session first."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = origin")


def test_audit_events_form_an_unbroken_chain():
    staff = StaffFactory()
    for number in range(5):
        audit_record(
            action="case.approve", actor=staff, target=staff, data={"n": number}
        )

    assert audit_verify_chain() is None
    assert AuditEvent.objects.filter(actor=staff).count() == 5


def test_an_edited_event_is_found_at_its_place_in_the_chain():
    for number in range(4):
        audit_record(action="case.approve", data={"n": number})
    edited = AuditEvent.objects.order_by("id")[2]
    with tampering():
        AuditEvent.objects.filter(pk=edited.pk).update(data={"n": 99})

    assert audit_verify_chain() == edited.pk


def test_a_deleted_event_breaks_the_chain():
    for number in range(4):
        audit_record(action="case.approve", data={"n": number})
    ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
    with tampering():
        AuditEvent.objects.filter(pk=ids[1]).delete()

    assert audit_verify_chain() == ids[2]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain_on_postgresql():
    def writer() -> None:
        try:
            for number in range(25):
                with transaction.atomic():
                    audit_record(action="race", data={"n": number})
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert AuditEvent.objects.filter(action="race").count() == 150
    assert audit_verify_chain() is None


def _audit_verify(*args: str) -> tuple[int, str, str]:
    import io

    from django.core.management import call_command

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit_verify", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


def test_every_committed_event_logs_the_new_head(
    caplog, django_capture_on_commit_callbacks
):
    with (
        caplog.at_level("INFO", logger="core.audit.anchor"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        event = audit_record(action="case.approve")

    assert f"audit head {event.pk}:{event.hash}" in caplog.text


def test_audit_verify_prints_the_head_and_finds_a_cut_off_tail():
    for number in range(4):
        audit_record(action="case.approve", data={"n": number})
    code, out, _ = _audit_verify()
    assert code == 0
    head = out.split()[-1]
    event_id, event_hash = head.split(":")
    assert (int(event_id), event_hash) == AuditEvent.objects.values_list(
        "id", "hash"
    ).order_by("-id").first()

    # The last two events removed: the chain that is left is consistent …
    with tampering():
        AuditEvent.objects.filter(pk__gte=int(event_id) - 1).delete()
    assert audit_verify_chain() is None
    # … but the head kept outside the database is gone.
    code, _, err = _audit_verify("--head", head)
    assert code == 1
    assert "no longer in the chain" in err


def test_audit_verify_fails_on_an_edited_event_and_refuses_a_bad_head():
    from django.core.management.base import CommandError

    for number in range(3):
        audit_record(action="case.approve", data={"n": number})
    edited = AuditEvent.objects.order_by("id")[1]
    with tampering():
        AuditEvent.objects.filter(pk=edited.pk).update(action="case.reject")

    code, _, err = _audit_verify()
    assert code == 1
    assert f"audit event {edited.pk}" in err
    with pytest.raises(CommandError):
        _audit_verify("--head", "not-a-head")


def _rechain(key: bytes) -> None:
    """What an attacker does after editing rows: recompute every hash in order."""
    prev = ""
    for event in AuditEvent.objects.order_by("id"):
        event.prev_hash = prev
        event.hash = event.compute_hash(key)
        AuditEvent.objects.filter(pk=event.pk).update(
            prev_hash=event.prev_hash, hash=event.hash
        )
        prev = event.hash


def test_a_chain_recomputed_without_the_key_is_refused(settings):
    settings.AUDIT_HMAC_KEYS = {"2026": "the-real-key"}
    settings.AUDIT_HMAC_KEY_ID = "2026"
    for number in range(4):
        audit_record(action="case.approve", data={"n": number})
    first = AuditEvent.objects.order_by("id").first()

    with tampering():
        AuditEvent.objects.filter(pk=first.pk).update(action="case.reject")
        # The unkeyed hash the chain used before, and a guessed key: neither
        # reproduces the chain.
        _rechain(b"")
        assert audit_verify_chain() == first.pk
        _rechain(b"a-guessed-key")

    code, _, err = _audit_verify()
    assert code == 1
    assert f"audit event {first.pk} does not match" in err


def test_a_rotated_key_keeps_older_events_verifiable(settings):
    settings.AUDIT_HMAC_KEYS = {"2025": "old-key"}
    settings.AUDIT_HMAC_KEY_ID = "2025"
    audit_record(action="case.approve")
    settings.AUDIT_HMAC_KEYS = {"2026": "new-key", "2025": "old-key"}
    settings.AUDIT_HMAC_KEY_ID = "2026"
    audit_record(action="case.approve")

    assert list(AuditEvent.objects.values_list("key_id", flat=True)) == [
        "2025",
        "2026",
    ]
    assert audit_verify_chain() is None

    # The old key dropped from the settings: its events cannot be checked.
    settings.AUDIT_HMAC_KEYS = {"2026": "new-key"}
    code, _, err = _audit_verify()
    assert code == 1
    assert "key id '2025'" in err


def test_the_audit_key_settings_are_checked(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.AUDIT_HMAC_KEYS = {"2026": "new-key"}
    settings.AUDIT_HMAC_KEY_ID = "2025"
    with pytest.raises(SystemCheckError, match=r"core\.E001"):
        call_command("check")


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE core_auditevent SET action = 'x'",
        "DELETE FROM core_auditevent",
    ],
)
def test_postgresql_refuses_to_update_or_delete_audit_events(statement):
    audit_record(action="case.approve")

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)

    assert AuditEvent.objects.filter(action="case.approve").count() == 1


def test_head_file_records_heads_and_finds_a_cut_off_tail(tmp_path):
    heads = tmp_path / "audit-heads.log"
    for number in range(3):
        audit_record(action="case.approve", data={"n": number})

    assert _audit_verify("--head-file", str(heads))[0] == 0
    audit_record(action="case.approve", data={"n": 3})
    assert _audit_verify("--head-file", str(heads))[0] == 0
    lines = heads.read_text().splitlines()
    assert len(lines) == 2
    last_id = int(lines[-1].split()[-1].split(":")[0])
    assert last_id == AuditEvent.objects.order_by("-id").first().pk

    with tampering():
        AuditEvent.objects.filter(pk=last_id).delete()
    code, _, err = _audit_verify("--head-file", str(heads))
    assert code == 1
    assert "no longer in the chain" in err
    assert len(heads.read_text().splitlines()) == 2


# The unkeyed hash of the chain before migration core.0002.
_legacy_hash = importlib.import_module(
    "core.migrations.0002_audit_keyed_chain"
)._legacy_hash


def _unkeyed_events(count: int) -> list[AuditEvent]:
    prev, events = "", []
    for number in range(count):
        event = AuditEvent(action="case.approve", data={"n": number}, prev_hash=prev)
        event.hash = _legacy_hash(event)
        event.save()
        prev = event.hash
        events.append(event)
    return events


def test_the_migration_keys_an_unkeyed_chain_and_refuses_a_broken_one():
    from django.apps import apps

    migration = importlib.import_module("core.migrations.0002_audit_keyed_chain")
    # The schema editor's two attributes the migration uses (a real one cannot
    # open inside the test's transaction on SQLite).
    editor = SimpleNamespace(
        connection=connection, execute=lambda sql: connection.cursor().execute(sql)
    )
    events = _unkeyed_events(3)
    migration.rekey(apps, editor)
    assert audit_verify_chain() is None
    assert AuditEvent.objects.exclude(key_id="").count() == 3

    with tampering():
        AuditEvent.objects.all().delete()
    events = _unkeyed_events(3)
    AuditEvent.objects.filter(pk=events[1].pk).update(action="case.reject")
    with pytest.raises(RuntimeError, match=f"audit event {events[1].pk}"):
        migration.rekey(apps, editor)

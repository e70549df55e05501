import threading

import pytest
from django.db import connection, transaction

from core.audit import audit_record, audit_verify_chain
from core.models import AuditEvent
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


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
    AuditEvent.objects.filter(pk=edited.pk).update(data={"n": 99})

    assert audit_verify_chain() == edited.pk


def test_a_deleted_event_breaks_the_chain():
    for number in range(4):
        audit_record(action="case.approve", data={"n": number})
    ids = list(AuditEvent.objects.order_by("id").values_list("id", flat=True))
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
    AuditEvent.objects.filter(pk=edited.pk).update(action="case.reject")

    code, _, err = _audit_verify()
    assert code == 1
    assert f"audit event {edited.pk}" in err
    with pytest.raises(CommandError):
        _audit_verify("--head", "not-a-head")

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

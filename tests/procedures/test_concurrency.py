"""Two submissions racing on PostgreSQL: one application, one receipt number."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from procedures import services
from procedures.models import Application, ReceiptCounter
from tests.factories import ResidentFactory
from tests.procedures.conftest import make_procedure

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ANSWERS = {
    "name": "山田 太郎",
    "amount": 1000,
    "estimate": [
        {"id": 1, "name": "a.pdf", "size": 1, "content_type": "application/pdf"}
    ],
}


def _race(target, count: int) -> list:
    results: list = []
    barrier = threading.Barrier(count)

    def run(arg):
        try:
            barrier.wait()
            results.append(target(arg))
        except Exception as exc:  # the test reports whatever a racer hit
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_double_submit_under_a_race_gives_one_receipt(office, recording_engine):
    procedure = make_procedure(office)
    application = services.application_start(
        procedure=procedure, applicant=ResidentFactory()
    )
    application.answers = ANSWERS
    application.save()

    results = _race(lambda _n: services.application_submit(application=application), 4)

    assert all(isinstance(r, Application) for r in results), results
    assert len({r.receipt_number for r in results}) == 1
    assert ReceiptCounter.objects.get().last_number == 1
    assert [call for call, _pk in recording_engine.calls] == ["start"]


def test_simultaneous_submissions_never_share_a_number(office, recording_engine):
    procedure = make_procedure(office)
    drafts = []
    for _n in range(6):
        draft = services.application_start(
            procedure=procedure, applicant=ResidentFactory()
        )
        draft.answers = ANSWERS
        draft.save()
        drafts.append(draft)

    results = _race(lambda n: services.application_submit(application=drafts[n]), 6)

    numbers = sorted(r.receipt_number for r in results)
    assert len(set(numbers)) == 6, results
    assert numbers[-1].endswith("-00006")

"""The timeline's two texts (issue 11): the data migration that splits them, and
the rule that keeps a message to the applicant on lines they see.

Existing decision comments become internal; what was written for the
applicant (a 補正 request, the office's notices, their own reason for a
取下げ) stays theirs. The tests run without migrations, so the migration's
function runs here on rows as the schema change leaves them: every old
``message`` renamed to ``internal_comment``.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from procedures.models import ApplicationEvent
from procedures.selectors import application_timeline
from tests.procedures.conftest import fill_and_submit

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "procedures.migrations.0002_event_applicant_message_internal_comment"
)
Kind = ApplicationEvent.Kind


def test_old_decision_comments_become_internal_and_requests_stay_the_applicants(
    resident_client, procedure, office
):
    application = fill_and_submit(resident_client, procedure)
    old = {
        Kind.DECIDED_REJECT: ("内部メモ：前回も不備", True),
        Kind.DECIDED_APPROVE: ("課長の所感：問題なし", True),
        Kind.SENT_BACK: ("再計算を", False),
        Kind.AMENDMENT_REQUESTED: ("見積書を添付してください。", True),
        Kind.MESSAGE: ("書類を確認中です。", True),
        Kind.WITHDRAWN: ("別の制度を使います", True),
    }
    for kind, (text, visible) in old.items():
        ApplicationEvent.objects.create(
            application=application,
            kind=kind,
            internal_comment=text,
            visible_to_applicant=visible,
        )

    migration.split_messages(apps, None)

    texts = {
        event.kind: (event.applicant_message, event.internal_comment)
        for event in application.events.exclude(kind__in=["created", "submitted"])
    }
    assert texts == {
        Kind.DECIDED_REJECT: ("", "内部メモ：前回も不備"),
        Kind.DECIDED_APPROVE: ("", "課長の所感：問題なし"),
        Kind.SENT_BACK: ("", "再計算を"),
        Kind.AMENDMENT_REQUESTED: ("見積書を添付してください。", ""),
        Kind.MESSAGE: ("書類を確認中です。", ""),
        Kind.WITHDRAWN: ("別の制度を使います", ""),
    }
    shown = [entry.message for entry in application_timeline(application=application)]
    assert "内部メモ：前回も不備" not in shown
    assert "課長の所感：問題なし" not in shown
    page = resident_client.get(application.get_absolute_url()).content.decode()
    assert "前回も不備" not in page
    assert "書類を確認中です。" in page

    # Back again, nothing is lost: both texts end up in the one old field.
    migration.join_messages(apps, None)
    assert set(
        application.events.exclude(internal_comment="").values_list(
            "internal_comment", flat=True
        )
    ) == {text for text, _visible in old.values()}


def test_a_message_to_the_applicant_on_a_line_they_cannot_see_is_refused(
    resident_client, procedure
):
    from django.db import IntegrityError, transaction

    from procedures.services import application_event_add

    application = fill_and_submit(resident_client, procedure)
    with pytest.raises(IntegrityError), transaction.atomic():
        application_event_add(
            application=application,
            kind=Kind.SENT_BACK,
            applicant_message="この文は申請者に届かない",
        )
    assert not application.events.filter(kind=Kind.SENT_BACK).exists()

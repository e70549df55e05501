"""Issue 16: an edit of a notice template is a security event."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import AuditEvent
from tests.factories import AdministratorFactory
from tests.second_factor import verified_login

pytestmark = pytest.mark.django_db


def test_a_template_edit_is_recorded_and_listed(client, version):
    admin = AdministratorFactory(email="bunsho@example.jp")
    verified_login(client, admin)
    url = reverse("documents:template_edit", args=[version.pk])
    data = {
        "preset": "grant",
        "number_symbol": "福政",
        "approval_title": "交付決定通知書",
        "approval_text": "{{ procedure.title }}について交付を決定しました。",
        "rejection_title": "不交付決定通知書",
        "rejection_text": "交付しないことに決定しました。",
        "closing_text": "",
        "html": "",
        "css": "",
        "shown_fields_text": "business\n",
    }

    assert client.post(url, data, REMOTE_ADDR="192.0.2.44").status_code == 302

    event = AuditEvent.objects.get(action="documents.template_edit")
    assert event.actor == admin
    assert event.ip_address == "192.0.2.44"
    assert "number_symbol" in event.data["fields"]
    assert event.data["procedure"] == version.procedure.code
    page = client.get(
        "/manage/security-events/", {"kind": "documents.template_edit"}
    ).content.decode()
    assert "文書テンプレートの編集" in page
    assert "bunsho@example.jp" in page

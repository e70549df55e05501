"""The template screen in Chromium: a preset fills its texts at once, and
axe-core finds nothing on the screen (issue 12)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.a11y import axe_violations
from tests.factories import AdministratorFactory
from tests.workflow.test_accessibility import _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_choosing_a_preset_fills_its_texts(live_server, page, version):
    admin = AdministratorFactory()
    path = reverse("documents:template_edit", args=[version.pk])
    _login(page, live_server.url, path, admin.email)
    page.wait_for_selector("#document-template-form")
    assert axe_violations(page) == ""
    # The wording comes on choosing: no button to press, nothing sent.
    expect(page.get_by_role("button", name="ひな形の文面にする")).to_be_hidden()
    page.get_by_label("ひな形").select_option("grant")
    assert page.locator("[name='approval_title']").input_value() == "交付決定通知書"
    assert (
        "交付することに決定した" in page.locator("[name='approval_text']").input_value()
    )
    page.get_by_label("事業の種類（business）").check()
    page.get_by_role("button", name="保存する").click()
    page.wait_for_selector(".alert-success, [role='alert']")
    version.document_template.refresh_from_db()
    assert version.document_template.approval_title == "交付決定通知書"
    assert version.document_template.shown_fields == ["business"]
    assert axe_violations(page) == ""

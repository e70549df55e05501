"""The builder screens of issue 12 in Chromium: the one-screen field adding
with its live preview, and axe-core finding nothing on the screens changed
(version page with checks and page moves, check editor, field adding, a file
question's 様式)."""

from __future__ import annotations

import copy

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from forms_builder.services import form_create, form_template_attach
from tests.factories import AdministratorFactory
from tests.forms_builder.test_checks import GRANT
from tests.forms_builder.test_new_field_types import xlsx
from tests.workflow.test_accessibility import _check, _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _grant_with_a_file() -> dict:
    definition = copy.deepcopy(GRANT)
    definition["pages"][0]["fields"].append(
        {
            "key": "budget",
            "type": "file",
            "label": {"ja": "収支予算書"},
            "accept": ["excel"],
        }
    )
    return definition


def test_adding_a_field_previews_it_live_and_the_screens_pass_axe(live_server, page):
    admin = AdministratorFactory()
    form = form_create(
        code="grant", title="補助金", actor=admin, definition=_grant_with_a_file()
    )
    form_template_attach(
        version=form.versions.get(),
        field_key="budget",
        upload=SimpleUploadedFile("収支予算書.xlsx", xlsx()),
        actor=admin,
    )
    base = live_server.url + "/manage/forms/grant/v1/"
    _login(page, live_server.url, "/manage/forms/grant/v1/", admin.email)

    page.goto(base + "fields/add/?page=request")
    preview = page.locator("[data-fb-field-preview]")
    page.get_by_label("項目名（日本語）").fill("事業の名称")
    page.wait_for_selector("[data-fb-preview-ready]")
    assert "事業の名称" in preview.inner_text()
    # Another type: the settings are redrawn for it, the label kept.
    page.get_by_label("種類").select_option("choice")
    page.wait_for_selector("textarea[name='options']")
    assert page.get_by_label("項目名（日本語）").input_value() == "事業の名称"
    assert preview.get_by_text("はい").count() >= 1
    page.get_by_label("キー").first.fill("project")
    page.get_by_role("button", name="追加する").click()
    page.wait_for_url("**/v1/#field-project")
    assert page.locator("#field-project").is_visible()

    found: list[str] = []
    for path in (
        "",
        "checks/add/",
        "fields/add/?page=request&type=amount",
        "fields/budget/",
        "preview/?lang=ja",  # the resident's page, with the 様式 link
    ):
        _check(page, base + path, found)
    assert not found, "\n".join(found)
    page.goto(base + "preview/?lang=ja")
    assert page.locator("[data-fb-template-file]").inner_text() == (
        "収支予算書の様式「収支予算書.xlsx」をダウンロード"
    )

"""The builder screens of issue 12 in Chromium: the one-screen field adding
with its live preview, and axe-core finding nothing on the screens changed
(version page with checks and page moves, check editor, field adding, a file
question's 様式)."""

from __future__ import annotations

import copy

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from forms_builder.models import FormVersion
from forms_builder.services import form_create, form_template_attach
from tests.a11y import axe_violations
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


def test_a_question_of_another_type_is_added_with_one_submission(live_server, page):
    # Issue 12: the type is chosen on the outline (a GET form), and another
    # type chosen on the add screen swaps its settings in without posting.
    admin = AdministratorFactory()
    form_create(code="grant", title="補助金", actor=admin, definition=GRANT)
    base = live_server.url + "/manage/forms/grant/v1/"
    _login(page, live_server.url, "/manage/forms/grant/v1/", admin.email)
    page.goto(base)
    submissions: list[str] = []
    page.on(
        "request",
        lambda r: (
            submissions.append(r.url)
            if r.method == "POST" and r.is_navigation_request()
            else None
        ),
    )
    chooser = page.locator("#page-request form.fb-add-field")
    chooser.get_by_label("追加する項目の種類").select_option("amount")
    chooser.get_by_role("button", name="このページに項目を追加").click()
    page.wait_for_url("**/fields/add/?page=request&type=amount")
    expect(page.get_by_label("種類")).to_have_value("amount")
    expect(page.get_by_label("最大値")).to_be_visible()  # amount's own settings
    page.get_by_label("キー").first.fill("kind")
    page.get_by_label("項目名（日本語）").fill("事業の種類")
    # Another type on this screen: its settings come in place, what was typed
    # stays, the address follows, and nothing is posted.
    page.get_by_label("種類").select_option("choice")
    options = page.get_by_label("選択肢", exact=False).and_(page.locator("textarea"))
    expect(options).to_be_visible()
    assert page.get_by_label("キー").first.input_value() == "kind"
    assert page.get_by_label("項目名（日本語）").input_value() == "事業の種類"
    assert page.url.endswith("type=choice")
    options.fill("new|新設\nrepair|改修")
    page.wait_for_selector("[data-fb-preview-ready]")
    expect(page.locator("[data-fb-field-preview]")).to_contain_text("改修")
    assert submissions == []
    found: list[str] = []
    if report := axe_violations(page):
        found.append(report)
    page.get_by_role("button", name="追加する").click()
    page.wait_for_url("**/v1/#field-kind")
    assert submissions == [base + "fields/add/?page=request&type=choice"]
    spec = FormVersion.objects.get(form__code="grant").definition["pages"][1]["fields"][
        -1
    ]
    assert spec["type"] == "choice"
    assert [o["value"] for o in spec["options"]] == ["new", "repair"]
    _check(page, live_server.url + "/manage/forms/new/", found)
    assert not found, "\n".join(found)

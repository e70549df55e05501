"""The administrators' builder, through the HTTP client."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from core.models import AuditEvent
from forms_builder.models import Form, FormVersion
from forms_builder.services import form_create, form_version_publish
from tests.factories import PASSWORD, ResidentFactory, StaffFactory
from tests.second_factor import verified_login

pytestmark = pytest.mark.django_db


def _url(name: str, **kwargs) -> str:
    return reverse(f"forms_builder:{name}", kwargs=kwargs)


def test_administrator_builds_a_form_with_pages_fields_and_a_condition(admin_client):
    response = admin_client.post(
        _url("form_create"),
        {"code": "dog-license", "title": "犬の登録申請", "title_en": "Dog licence"},
    )
    assert response.status_code == 302
    edit = _url("version_edit", code="dog-license", number=1)
    assert response["Location"] == edit

    response = admin_client.post(
        _url("field_add", code="dog-license", number=1),
        {
            "page": "page1",
            "type": "yesno",
            "key": "has_dog",
            "label_ja": "犬を飼っていますか",
        },
    )
    assert response.status_code == 302
    admin_client.post(
        _url("field_add", code="dog-license", number=1),
        {"page": "page1", "type": "text", "key": "dog_name", "label_ja": "犬の名前"},
    )
    # Show the dog's name only when has_dog is yes, required: built with rows.
    field_url = _url("field_edit", code="dog-license", number=1, key="dog_name")
    page = admin_client.get(field_url)
    assert page.status_code == 200
    assert "表示の条件" in page.content.decode()
    response = admin_client.post(
        field_url,
        {
            "key": "dog_name",
            "label_ja": "犬の名前",
            "label_en": "Dog's name",
            "max_length": "30",
            "visibility": "show_if",
            "vis_combinator": "all",
            "vis_0_field": "has_dog",
            "vis_0_op": "eq",
            "vis_0_value": "はい",
            "requirement": "required",
            "req_combinator": "all",
        },
    )
    assert response.status_code == 302, response.content.decode()
    version = FormVersion.objects.get(form__code="dog-license", number=1)
    spec = version.definition["pages"][0]["fields"][1]
    assert spec["show_if"] == {"==": [{"var": "has_dog"}, True]}
    assert spec["required"] is True
    assert spec["label"] == {"ja": "犬の名前", "en": "Dog's name"}

    response = admin_client.post(_url("version_publish", code="dog-license", number=1))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.is_published
    assert AuditEvent.objects.filter(
        action="forms.publish", target_id=str(version.pk)
    ).exists()


def test_published_version_cannot_be_edited_through_the_builder(
    admin_client, administrator, sample_definition
):
    form = form_create(
        code="permit",
        title="許可申請",
        actor=administrator,
        definition=sample_definition,
    )
    version = form.versions.get()
    form_version_publish(version=version, actor=administrator)
    before = json.dumps(
        FormVersion.objects.get(pk=version.pk).definition, sort_keys=True
    )

    response = admin_client.post(
        _url("field_action", code="permit", number=1, key="phone"), {"action": "remove"}
    )
    assert response.status_code == 404
    response = admin_client.get(
        _url("field_edit", code="permit", number=1, key="phone")
    )
    assert response.status_code == 404
    assert (
        json.dumps(FormVersion.objects.get(pk=version.pk).definition, sort_keys=True)
        == before
    )

    # Editing the published form starts a new draft, a copy.
    response = admin_client.post(_url("draft_create", code="permit"))
    assert response.status_code == 302
    draft = form.versions.get(number=2)
    assert draft.status == FormVersion.Status.DRAFT
    assert draft.definition == version.definition


def test_definition_errors_are_shown_next_to_the_field_and_block_publishing(
    admin_client, administrator, sample_definition
):
    sample_definition["pages"][1]["fields"][1]["show_if"] = {"==": [{"var": "gone"}, 1]}
    form_create(
        code="broken",
        title="壊れたフォーム",
        actor=administrator,
        definition=sample_definition,
    )
    page = admin_client.get(
        _url("version_edit", code="broken", number=1)
    ).content.decode()
    item = page.split('id="field-previous_number"')[1].split("</li>")[0]
    assert "存在しない項目「gone」" in item
    response = admin_client.post(_url("version_publish", code="broken", number=1))
    assert response.status_code == 302
    assert not FormVersion.objects.get(form__code="broken").is_published


def test_reorder_and_remove_fields(admin_client, administrator, sample_definition):
    form_create(
        code="order", title="順序", actor=administrator, definition=sample_definition
    )
    admin_client.post(
        _url("field_action", code="order", number=1, key="phone"), {"action": "up"}
    )
    keys = [
        f["key"]
        for f in FormVersion.objects.get(form__code="order").definition["pages"][1][
            "fields"
        ]
    ]
    assert keys.index("phone") < keys.index("postal_code")
    admin_client.post(
        _url("field_action", code="order", number=1, key="phone"), {"action": "remove"}
    )
    keys = [
        f["key"]
        for f in FormVersion.objects.get(form__code="order").definition["pages"][1][
            "fields"
        ]
    ]
    assert "phone" not in keys


def test_json_export_and_import_round_trip(
    admin_client, administrator, sample_definition
):
    form_create(
        code="io", title="入出力", actor=administrator, definition=sample_definition
    )
    exported = admin_client.get(_url("version_export", code="io", number=1))
    assert exported["Content-Disposition"].startswith("attachment")
    definition = json.loads(exported.content)
    definition["pages"][0]["title"]["ja"] = "申請者の情報"
    response = admin_client.post(
        _url("form_import", code="io"), {"text": json.dumps(definition)}
    )
    assert response.status_code == 302
    assert (
        Form.objects.get(code="io").versions.get().definition["pages"][0]["title"]["ja"]
        == "申請者の情報"
    )


def test_import_refuses_an_invalid_definition_with_messages(
    admin_client, administrator, sample_definition
):
    form_create(
        code="bad", title="不正", actor=administrator, definition=sample_definition
    )
    broken = json.loads(json.dumps(sample_definition))
    broken["pages"][0]["fields"][0]["type"] = "signature"
    response = admin_client.post(
        _url("form_import", code="bad"), {"text": json.dumps(broken)}
    )
    assert response.status_code == 400
    assert "種類「signature」はありません" in response.content.decode()


def test_preview_renders_the_resident_form_in_english(
    admin_client, administrator, sample_definition
):
    form_create(
        code="pv",
        title="プレビュー",
        title_en="Preview",
        actor=administrator,
        definition=sample_definition,
    )
    response = admin_client.get(
        _url("version_preview", code="pv", number=1) + "?lang=en"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Do you live with family?" in body
    assert 'lang="en"' in body
    response = admin_client.get(
        _url("version_preview", code="pv", number=1) + "?lang=ja"
    )
    assert "同居の家族がいますか" in response.content.decode()


@pytest.mark.parametrize("name", ["form_list", "form_create"])
def test_non_administrators_are_kept_out(client, name):
    response = client.get(_url(name))
    assert response.status_code == 302
    assert "login" in response["Location"]
    resident = ResidentFactory()
    client.login(username=resident.email, password=PASSWORD)
    assert client.get(_url(name)).status_code == 403
    client.logout()
    caseworker = StaffFactory()
    verified_login(client, caseworker)
    assert client.get(_url(name)).status_code == 403


def test_form_list_query_budget(
    admin_client, administrator, django_assert_max_num_queries
):
    for n in range(12):
        form = form_create(code=f"form-{n}", title=f"フォーム{n}", actor=administrator)
        if n % 2:
            form_version_publish(version=form.versions.get(), actor=administrator)
    with django_assert_max_num_queries(6):
        response = admin_client.get(_url("form_list"))
    assert response.status_code == 200
    assert "フォーム11" in response.content.decode()


def test_rule_naming_a_removed_field_stays_as_json_and_is_not_lost_on_save(
    admin_client, administrator, sample_definition
):
    sample_definition["pages"][1]["fields"][1]["show_if"] = {"==": [{"var": "gone"}, 1]}
    form_create(
        code="keep", title="保持", actor=administrator, definition=sample_definition
    )
    url = _url("field_edit", code="keep", number=1, key="previous_number")
    form = admin_client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: v for k, v in data.items() if v not in (None, False)}
    assert data["vis_advanced"] is True
    response = admin_client.post(url, data)
    assert response.status_code == 302
    spec = FormVersion.objects.get(form__code="keep").definition["pages"][1]["fields"][
        1
    ]
    assert spec["show_if"] == {"==": [{"var": "gone"}, 1]}


def test_a_field_is_moved_to_another_page(
    admin_client, administrator, sample_definition
):
    form_create(
        code="move", title="移動", actor=administrator, definition=sample_definition
    )
    edit = admin_client.get(_url("version_edit", code="move", number=1))
    page = edit.content.decode()
    assert 'name="page" id="move-phone"' in page
    response = admin_client.post(
        _url("field_action", code="move", number=1, key="phone"),
        {"action": "move", "page": "applicant_page"},
        follow=True,
    )
    assert "ページ「applicant_page」の最後に移しました" in response.content.decode()
    pages = FormVersion.objects.get(form__code="move").definition["pages"]
    assert pages[0]["fields"][-1]["key"] == "phone"
    assert "phone" not in [f["key"] for f in pages[1]["fields"]]
    # A repeating group moves with its columns; an unknown page changes nothing.
    admin_client.post(
        _url("field_action", code="move", number=1, key="members"),
        {"action": "move", "page": "request_page"},
    )
    pages = FormVersion.objects.get(form__code="move").definition["pages"]
    moved = pages[1]["fields"][-1]
    assert moved["key"] == "members"
    assert [c["key"] for c in moved["fields"]] == ["name", "relationship", "income"]
    response = admin_client.post(
        _url("field_action", code="move", number=1, key="phone"),
        {"action": "move", "page": "nowhere"},
        follow=True,
    )
    assert "その操作はできません。" in response.content.decode()


def test_the_first_page_is_named_when_the_form_is_created(admin_client):
    # Issue 12: no second screen to rename page1; left blank it is page1.
    response = admin_client.post(
        _url("form_create"),
        {
            "code": "named",
            "title": "名前つき",
            "page_key": "applicant",
            "page_title": "申請者",
            "page_title_en": "Applicant",
        },
    )
    assert response.status_code == 302
    pages = FormVersion.objects.get(form__code="named").definition["pages"]
    assert pages == [
        {"key": "applicant", "title": {"ja": "申請者", "en": "Applicant"}, "fields": []}
    ]
    admin_client.post(_url("form_create"), {"code": "plain", "title": "名前なし"})
    pages = FormVersion.objects.get(form__code="plain").definition["pages"]
    assert pages[0]["key"] == "page1"
    assert pages[0]["title"] == {"ja": "申請内容", "en": "Application"}
    refused = admin_client.post(
        _url("form_create"), {"code": "bad", "title": "誤り", "page_key": "1st"}
    )
    assert refused.status_code == 200
    assert not FormVersion.objects.filter(form__code="bad").exists()


def test_a_column_is_added_with_its_type_chosen_on_the_outline_by_get(
    admin_client, administrator, sample_definition
):
    # Issue 12: the type is chosen where 列を追加 is pressed, so the add screen
    # opens with that type's settings and changing type posts nothing.
    form_create(
        code="cols", title="列", actor=administrator, definition=sample_definition
    )
    body = admin_client.get(_url("version_edit", code="cols", number=1)).content
    chooser = body.decode().split('id="add-type-in-members"', 1)[1].split("</form>")[0]
    before = body.decode().split('id="add-type-in-members"', 1)[0]
    opening = before[before.rindex("<form") :]
    assert 'method="get"' in opening
    assert f'action="{_url("field_add", code="cols", number=1)}"' in opening
    assert 'name="page" value="applicant_page"' in opening
    assert 'name="parent" value="members"' in opening
    assert 'value="amount"' in chooser
    assert 'value="group"' not in chooser  # not a column type
    response = admin_client.get(
        _url("field_add", code="cols", number=1),
        {"page": "applicant_page", "parent": "members", "type": "amount"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert '<option value="amount" selected>' in page
    assert "最大値" in page


def test_a_field_is_added_on_one_screen_with_its_settings_and_a_preview(
    admin_client, administrator, sample_definition
):
    form_create(
        code="one", title="一画面", actor=administrator, definition=sample_definition
    )
    add = _url("field_add", code="one", number=1)
    page = admin_client.get(add + "?page=request_page&type=choice").content.decode()
    assert "選択肢" in page  # the type's own settings are on the same screen
    assert "表示の条件" in page
    assert "申請者の画面での見え方" in page
    assert 'value="yes"' in page  # the preview draws the starting options
    # Choosing another type keeps the key and label typed so far.
    page = admin_client.post(
        add,
        {
            "page": "request_page",
            "type": "amount",
            "key": "grant",
            "label_ja": "補助額",
            "_retype": "1",
        },
    ).content.decode()
    assert "最大値" in page
    assert 'value="grant"' in page
    assert 'value="補助額"' in page
    response = admin_client.post(
        add,
        {
            "page": "request_page",
            "type": "choice",
            "key": "size",
            "label_ja": "規模",
            "options": "small|小規模\nlarge|大規模|Large",
            "widget": "select",
            "visibility": "show_if",
            "vis_combinator": "all",
            "vis_0_field": "purpose",
            "vis_0_op": "eq",
            "vis_0_value": "new",
            "requirement": "required",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert response["Location"].endswith("#field-size")
    spec = FormVersion.objects.get(form__code="one").definition["pages"][1]["fields"][
        -1
    ]
    assert spec == {
        "key": "size",
        "type": "choice",
        "label": {"ja": "規模"},
        "options": [
            {"value": "small", "label": {"ja": "小規模"}},
            {"value": "large", "label": {"ja": "大規模", "en": "Large"}},
        ],
        "widget": "select",
        "show_if": {"==": [{"var": "purpose"}, "new"]},
        "required": True,
    }
    preview = admin_client.post(
        _url("field_preview", code="one", number=1),
        {"page": "request_page", "type": "text", "key": "x", "label_ja": "事業の名称"},
    )
    assert "事業の名称" in preview.content.decode()
    assert 'name="fb_preview"' in preview.content.decode()


def test_adding_a_field_from_the_editor_shows_no_error_before_anything_is_typed(
    admin_client,
):
    # QA walk N1: opened with ?page=page1 (no type), 種類 was bound to the GET
    # and shown in red with 「この項目は必須です。」.
    admin_client.post(
        _url("form_create"),
        {"code": "blank-add", "title": "項目追加", "title_en": "Add"},
    )
    url = _url("field_add", code="blank-add", number=1)
    page = admin_client.get(url, {"page": "page1"}).content.decode()
    assert "この項目は必須です。" not in page
    assert 'value="text" selected' in page
    # A type chosen in the URL still redraws the settings for it.
    chosen = admin_client.get(url, {"page": "page1", "type": "yesno"})
    assert chosen.context["type_name"] == "yesno"
    assert "この項目は必須です。" not in chosen.content.decode()

"""The document template screen (issue 12): printed fields chosen from the
form's own questions, a preview with sample answers of this procedure's form,
and presets that change the texts, not just the layout."""

from __future__ import annotations

import pytest
from django.urls import reverse

from documents.defaults import PRESETS
from tests.documents.conftest import pdftotext
from tests.factories import AdministratorFactory
from tests.second_factor import login_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    login_as(client, AdministratorFactory())
    return client


def _data(**changes):
    return {
        "preset": "permit",
        "number_symbol": "",
        **{name: text for name, text in PRESETS["permit"].items()},
        "html": "",
        "css": "",
        **changes,
    }


def test_printed_fields_are_chosen_from_the_forms_questions(admin, version):
    url = reverse("documents:template_edit", args=[version.pk])
    page = admin.get(url).content.decode()
    assert 'name="shown_fields" value="business"' in page
    assert "事業の種類（business）" in page
    assert "事業所の所在地（site）" in page
    assert admin.post(url, _data(shown_fields=["site"])).status_code == 302
    version.document_template.refresh_from_db()
    assert version.document_template.shown_fields == ["site"]
    # A key the form does not ask for is refused, not stored.
    response = admin.post(url, _data(shown_fields=["gone"]))
    assert response.status_code == 200
    assert "入力内容に問題があります" in response.content.decode()


def test_a_stored_key_the_form_no_longer_has_is_kept_and_marked(admin, version):
    url = reverse("documents:template_edit", args=[version.pk])
    admin.post(url, _data(shown_fields=["site"]))
    template = version.document_template
    template.shown_fields = ["site", "old_key"]
    template.save()
    page = admin.get(url).content.decode()
    assert "old_key（フォームにない項目）" in page
    assert admin.post(url, _data(shown_fields=["site", "old_key"])).status_code == 302


def test_choosing_a_preset_changes_the_title_and_texts(admin, version):
    url = reverse("documents:template_edit", args=[version.pk])
    response = admin.post(url, _data(preset="grant", _apply_preset="1"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "ひな形の表題と文面を入れました" in page
    assert 'value="交付決定通知書"' in page
    assert "交付することに決定したので通知します。" in page
    assert "入力内容に問題があります" not in page
    # Not saved until 保存する; the script does the same on the select.
    version.refresh_from_db()
    assert not hasattr(version, "document_template") or (
        version.document_template.approval_title != "交付決定通知書"
    )
    assert "document-presets" in admin.get(url).content.decode()


def test_the_preview_prints_this_procedures_own_questions(admin, version, tmp_path):
    preview = reverse("documents:template_preview", args=[version.pk])
    text = pdftotext(admin.get(preview).content, tmp_path, layout=False)
    assert "事業の種類" in text
    assert "（事業の種類の見本）" in text
    assert "事業所の所在地" in text
    # Never the rows of another procedure's sample (the old fixed sample).
    assert "運搬車両" not in text
    assert "許可の種類" not in text
    # Only the chosen fields, as on the notice.
    admin.post(
        reverse("documents:template_edit", args=[version.pk]),
        _data(shown_fields=["site"]),
    )
    text = pdftotext(admin.get(preview).content, tmp_path, layout=False)
    assert "事業所の所在地" in text
    assert "事業の種類" not in text


def test_the_notice_prints_a_checkbox_and_a_corporate_number_as_residents_see_them():
    from types import SimpleNamespace

    from documents.services import _display_rows
    from forms_builder.runtime import FormRuntime
    from tests.forms_builder.test_new_field_types import CHECKBOX

    application = SimpleNamespace(
        pk=None,
        answers={"is_sme": False, "corp": "7000012050002"},
        procedure_version=SimpleNamespace(
            form_version=SimpleNamespace(runtime=FormRuntime(CHECKBOX))
        ),
    )
    rows = {row["label"]: row["value"] for row in _display_rows(application, [])}
    assert rows["中小企業"] == "チェックなし"
    assert rows["法人番号"] == "7000012050002"

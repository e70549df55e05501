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


PERMIT_DECISION = {
    "version": 1,
    "pages": [
        {
            "key": "decision",
            "title": {"ja": "許可の内容"},
            "fields": [
                {"key": "permit_number", "type": "text", "label": {"ja": "許可番号"}},
                {"key": "valid_until", "type": "date", "label": {"ja": "有効期限"}},
            ],
        }
    ],
}


def test_the_preview_is_this_versions_notice_for_each_outcome(
    admin, version, department, tmp_path
):
    """QA walk: the 見本 printed 令8福政第00012号 and 福祉政策課 stamps for any
    procedure, no decided values, and no way to see a partial outcome's notice."""
    from forms_builder.services import form_create, form_version_publish
    from organisation.models import Department, Section
    from procedures.outcomes import import_outcomes

    environment = Department.objects.create(code="kankyo", name="環境生活部")
    version.section = Section.objects.create(
        department=environment, code="sanpai", name="産業廃棄物対策課"
    )
    version.save()
    form = form_create(
        code="sanpai-decision",
        title="許可の内容",
        definition=PERMIT_DECISION,
        actor=None,
    )
    decision_form = form_version_publish(version=form.versions.get(), actor=None)
    import_outcomes(
        version,
        {
            "outcomes": [
                {"code": "permit", "kind": "favourable", "label": "許可",
                 "notice_title": "許可証", "decision_form": decision_form},
                {"code": "permit_partly", "kind": "partial", "label": "一部許可",
                 "notice_title": "許可証（一部許可）", "reason_required": True,
                 "decision_form": decision_form},
                {"code": "refuse", "kind": "unfavourable", "label": "不許可",
                 "notice_title": "不許可通知書", "reason_required": True},
            ]
        },
    )  # fmt: skip
    edit = reverse("documents:template_edit", args=[version.pk])
    admin.post(edit, _data(number_symbol="産対"))
    page = admin.get(edit).content.decode()
    for code, label in [("permit", "許可"), ("permit_partly", "一部許可")]:
        assert f"?outcome={code}" in page
        assert f"見本を表示（{label}）" in page
    assert "if outcome.kind == &quot;partial&quot;" in page

    preview = reverse("documents:template_preview", args=[version.pk])
    text = pdftotext(admin.get(preview, {"outcome": "permit_partly"}).content, tmp_path)
    assert "産対第00012号" in text
    assert "福政" not in text
    assert "福祉政策課" not in text
    assert "産業廃棄物対" in text  # the stamps' section (six characters)
    receipt = f"{version.procedure.receipt_prefix}-R"  # its own receipt prefix
    assert receipt in text.replace("\n", "")
    assert "許可証（一部許可）" in text.replace(" ", "")
    assert "一部許可" in text
    assert "許可番号" in text
    assert "有効期限" in text
    assert "（見本）" in text  # a partial outcome states its reason
    refusal = pdftotext(admin.get(preview, {"kind": "rejection"}).content, tmp_path)
    assert "不許可通知書" in refusal.replace(" ", "")
    assert "許可番号" not in refusal


def test_the_generic_notice_preset_does_not_speak_of_a_permit():
    """QA walk: 決定通知書's refusal read 「不許可通知書」「許可しないこととした」
    for a claim or a request (a 却下 of a child allowance is not 不許可)."""
    notice = PRESETS["notice"]
    for name in (
        "approval_title",
        "approval_text",
        "rejection_title",
        "rejection_text",
    ):
        assert "許可" not in notice[name], name
    assert "認めないことと決定した" in notice["rejection_text"]

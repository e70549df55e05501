"""New field types of issue 12: a plain checkbox, 法人番号 with its check
digit, office documents identified by their parts (macros refused)."""

from __future__ import annotations

import copy
import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core.uploads import (
    DOCX,
    ODS,
    XLSX,
    ZIP,
    UploadRejected,
    office_content_type,
)
from forms_builder.definition import validate_definition
from forms_builder.formfields import corporate_check_digit
from forms_builder.runtime import FormRuntime
from tests.forms_builder.test_runtime import PDF, _files, post

# --- checkbox ------------------------------------------------------------------

CHECKBOX: dict[str, Any] = {
    "version": 1,
    "pages": [
        {
            "key": "page1",
            "title": {"ja": "事業者"},
            "fields": [
                {"key": "is_sme", "type": "checkbox", "label": {"ja": "中小企業"}},
                {
                    "key": "corp",
                    "type": "corporate_number",
                    "label": {"ja": "法人番号"},
                },
                {
                    "key": "budget",
                    "type": "file",
                    "label": {"ja": "収支予算書"},
                    "accept": ["excel", "opendocument"],
                },
                {
                    "key": "letter",
                    "type": "file",
                    "label": {"ja": "書類"},
                    "accept": ["application/pdf", "word"],
                },
            ],
        }
    ],
}


@pytest.fixture
def runtime() -> FormRuntime:
    assert validate_definition(CHECKBOX) == []
    return FormRuntime(CHECKBOX)


def _display(runtime: FormRuntime, answers: dict[str, Any]) -> dict[str, str]:
    return {item["key"]: item["value"] for item in runtime.display(answers)[0]["items"]}


def test_a_checkbox_is_a_plain_yes_no_shown_as_checked_or_not(runtime):
    form = runtime.page_form(
        0, data=post({"is_sme": "on"}), answers={}, existing_files={}
    )
    assert form.is_valid(), form.errors
    assert form.page_answers()["is_sme"] is True
    form = runtime.page_form(0, data=post({}), answers={}, existing_files={})
    assert form.is_valid(), form.errors  # unchecked is an answer, not missing
    assert form.page_answers()["is_sme"] is False
    assert _display(runtime, {"is_sme": True})["is_sme"] == "チェックあり"
    assert _display(runtime, {"is_sme": False})["is_sme"] == "チェックなし"
    with translation.override("en"):
        assert _display(runtime, {"is_sme": True})["is_sme"] == "Checked"
    assert runtime.rule_values({"is_sme": True})["is_sme"] is True


def test_a_checkbox_cannot_be_required():
    definition = {
        "version": 1,
        "pages": [
            {
                "key": "p",
                "title": {"ja": "p"},
                "fields": [
                    {
                        "key": "box",
                        "type": "checkbox",
                        "label": {"ja": "b"},
                        "required": True,
                    }
                ],
            }
        ],
    }
    messages = [str(error) for error in validate_definition(definition)]
    assert any("required" in message for message in messages), messages


# --- 法人番号 -------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "7000012050002",  # 国税庁
        "1180301018771",
        "４０００－０１２０－９０００１",  # 全角, hyphens
        "1-1803-0101-8771",
    ],
)
def test_valid_corporate_numbers_are_stored_as_13_digits(runtime, number):
    form = runtime.page_form(
        0, data=post({"corp": number}), answers={}, existing_files={}
    )
    assert form.is_valid(), form.errors
    stored = form.page_answers()["corp"]
    assert len(stored) == 13
    assert stored.isdigit()
    assert _display(runtime, {"corp": stored})["corp"] == stored


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("8000012050002", "法人番号が正しくありません"),  # wrong check digit
        ("1180301018772", "法人番号が正しくありません"),
        ("700001205000", "13桁の数字"),
        ("70000120500A2", "13桁の数字"),
    ],
)
def test_invalid_corporate_numbers_are_refused(runtime, number, message):
    form = runtime.page_form(
        0, data=post({"corp": number}), answers={}, existing_files={}
    )
    assert not form.is_valid()
    assert message in form.errors["corp"][0]


def test_check_digit_algorithm():
    assert corporate_check_digit("000012050002") == 7
    assert corporate_check_digit("180301018771") == 1


# --- office documents ---------------------------------------------------------

XLSX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "</Types>"
)
DOCX_TYPES = XLSX_TYPES.replace("/xl/workbook.xml", "/word/document.xml").replace(
    "spreadsheetml.sheet.main", "wordprocessingml.document.main"
)
XLSM_TYPES = XLSX_TYPES.replace(
    "vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "vnd.ms-excel.sheet.macroEnabled.main+xml",
)


def _zip(parts: dict[str, str | bytes], *, stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            method = zipfile.ZIP_STORED if stored_first and name == "mimetype" else None
            archive.writestr(name, content, compress_type=method)
    return buffer.getvalue()


def xlsx(types: str = XLSX_TYPES, **extra: bytes) -> bytes:
    return _zip(
        {
            "[Content_Types].xml": types,
            "_rels/.rels": "<Relationships/>",
            "xl/workbook.xml": "<workbook/>",
            "xl/worksheets/sheet1.xml": "<worksheet/>",
            **extra,
        }
    )


def docx() -> bytes:
    return _zip(
        {
            "[Content_Types].xml": DOCX_TYPES,
            "_rels/.rels": "<Relationships/>",
            "word/document.xml": "<document/>",
        }
    )


def ods() -> bytes:
    return _zip(
        {"mimetype": ODS, "content.xml": "<office:document-content/>"},
        stored_first=True,
    )


def test_office_documents_are_told_apart_by_their_parts():
    assert office_content_type(io.BytesIO(xlsx())) == XLSX
    assert office_content_type(io.BytesIO(docx())) == DOCX
    assert office_content_type(io.BytesIO(ods())) == ODS
    # A zip named like a workbook, with no workbook part: just a zip.
    assert office_content_type(io.BytesIO(_zip({"data.csv": "a,b"}))) == ZIP
    no_part = _zip({"[Content_Types].xml": XLSX_TYPES, "other.xml": "<x/>"})
    assert office_content_type(io.BytesIO(no_part)) == ZIP
    assert office_content_type(io.BytesIO(PDF)) is None


def _errors(runtime, key: str, name: str, content: bytes) -> list[str]:
    upload = SimpleUploadedFile(name, content, content_type="application/zip")
    form = runtime.page_form(
        0, data=post({}), files=_files({key: [upload]}), answers={}, existing_files={}
    )
    form.is_valid()
    return list(form.errors.get(key, []))


def test_an_excel_sheet_and_a_word_document_are_accepted(runtime):
    assert _errors(runtime, "budget", "収支予算書.xlsx", xlsx()) == []
    assert _errors(runtime, "budget", "収支予算書.ods", ods()) == []
    assert _errors(runtime, "letter", "申請書.docx", docx()) == []
    assert (
        _errors(runtime, "letter", "申請書.pdf", PDF) == []
    )  # MIME strings still work


def test_a_zip_that_is_not_a_workbook_is_refused_naming_the_kinds(runtime):
    [message] = _errors(runtime, "budget", "収支予算書.xlsx", _zip({"a.txt": "x"}))
    assert "受け付けていない種類" in message
    assert "Excel（.xlsx）" in message
    [message] = _errors(runtime, "letter", "申請書.docx", xlsx())
    assert "受け付けていない種類" in message


@pytest.mark.parametrize(
    "content",
    [
        xlsx(XLSM_TYPES),  # an .xlsm renamed .xlsx
        xlsx(**{"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"}),  # VBA slipped in
    ],
)
def test_macro_enabled_files_are_refused_with_a_clear_message(runtime, content):
    [message] = _errors(runtime, "budget", "収支予算書.xlsx", content)
    assert "マクロを含むファイル" in message


def test_opendocument_is_read_by_its_stored_mimetype_and_basic_macros_are_refused():
    compressed = _zip({"mimetype": ODS, "content.xml": "<x/>"})  # not stored first
    assert office_content_type(io.BytesIO(compressed)) == ZIP
    with_basic = _zip(
        {
            "mimetype": ODS,
            "content.xml": "<x/>",
            "Basic/Standard/Module1.xml": "<script:module/>",
        },
        stored_first=True,
    )
    with pytest.raises(UploadRejected, match="マクロを含むファイル"):
        office_content_type(io.BytesIO(with_basic))


def test_a_corporate_number_question_is_prefilled_from_the_business_profile():
    """QA walk: the 法人番号 question offered no 登録情報から自動入力, so a
    resident whose profile holds the number typed it again."""
    from types import SimpleNamespace

    from forms_builder.builder_forms import FieldSettingsForm

    definition = copy.deepcopy(CHECKBOX)
    definition["pages"][0]["fields"][1]["prefill"] = "corporate_number"
    assert validate_definition(definition) == []
    resident = SimpleNamespace(profile_prefill={"corporate_number": "7000012050002"})
    assert FormRuntime(definition).prefill(resident)["corp"] == "7000012050002"
    settings = FieldSettingsForm(
        spec={"key": "corp", "type": "corporate_number", "label": {"ja": "法人番号"}},
        rule_fields=[],
        taken=set(),
    )
    choices = dict(settings.fields["prefill"].choices)
    assert "corporate_number" in choices

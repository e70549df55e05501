"""The facade procedures uses: page forms, whole-form validation, display."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.utils import translation

from forms_builder.forms import answers_as_post
from forms_builder.runtime import FormRuntime

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
    b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01"
    b"\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)

VALID = {
    "applicant": {"name": "山田 太郎", "kana": "ヤマダ タロウ"},
    "birth_date": "1990-04-01",
    "has_household": True,
    "members": [
        {"name": "山田 花子", "relationship": "spouse", "income": 1200000},
        {"name": "山田 一郎", "relationship": "child", "income": None},
    ],
    "household_income": 1200000,
    "purpose": "renewal",
    "previous_number": "AB1234",
    "fee": None,
    "postal_code": "100-0001",
    "phone": "03-1234-5678",
    "documents": [],
}


def post(data: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            query.setlist(key, value)
        else:
            query[key] = value
    return query


@pytest.fixture
def runtime(sample_definition):
    return FormRuntime(sample_definition)


def test_valid_answers_pass_and_clean_keeps_them(runtime):
    assert runtime.validate(VALID) == {}
    assert runtime.clean(VALID) == VALID


def test_hidden_page_and_field_answers_are_dropped(runtime):
    answers = {**VALID, "has_household": False, "agree": True}
    cleaned = runtime.clean(answers)
    assert "members" not in cleaned
    assert "household_income" not in cleaned
    assert "agree" not in cleaned  # the consent page is hidden for renewals
    assert runtime.visible_page_indexes(answers) == [0, 1]


def test_hidden_conditional_field_is_never_required(runtime):
    answers = {**VALID, "purpose": "new", "fee": 100, "previous_number": None}
    answers["documents"] = [
        {"id": 1, "name": "a.pdf", "size": 10, "content_type": "application/pdf"}
    ]
    answers["agree"] = True
    assert runtime.validate(answers) == {}


def test_conditionally_required_field_is_required_when_its_rule_holds(runtime):
    answers = {**VALID, "purpose": "new", "agree": True}
    errors = runtime.validate(answers)
    assert set(errors) == {"fee", "documents"}


def test_page_form_round_trips_the_answers_of_its_page(runtime):
    for index in (0, 1):
        form = runtime.page_form(
            index,
            data=answers_as_post(runtime, index, VALID),
            answers=VALID,
            existing_files={},
        )
        assert form.is_valid(), form.errors
        page_keys = {node.key for node in runtime.page_nodes(index) if node.has_answer}
        assert form.page_answers() == {k: v for k, v in VALID.items() if k in page_keys}


def test_page_form_accepts_japanese_input_habits(runtime):
    form = runtime.page_form(
        0,
        data=post(
            {
                "applicant-name": "山田 太郎",
                "applicant-kana": "やまだ たろう",
                "birth_date": "平成2年4月1日",
                "has_household": "no",
                "members-rows": "1",
            }
        ),
        answers={},
        existing_files={},
    )
    assert form.is_valid(), form.errors
    answers = form.page_answers()
    assert answers["applicant"] == {"name": "山田 太郎", "kana": "ヤマダ タロウ"}
    assert answers["birth_date"] == "1990-04-01"
    assert "members" not in answers


def test_unprintable_character_is_refused_naming_it(runtime):
    form = runtime.page_form(
        0,
        data=post(
            {
                "applicant-name": "山田 🐶",
                "applicant-kana": "ヤマダ",
                "has_household": "no",
            }
        ),
        answers={},
        existing_files={},
    )
    assert not form.is_valid()
    assert "「🐶」" in form.errors["applicant-name"][0]


def test_rare_kanji_that_the_fonts_have_is_accepted(runtime):
    form = runtime.page_form(
        0,
        data=post(
            {
                "applicant-name": "𠮷田 髙志",
                "applicant-kana": "ヨシダ タカシ",
                "has_household": "no",
            }
        ),
        answers={},
        existing_files={},
    )
    assert form.is_valid(), form.errors


def test_repeating_group_add_row_button_rerenders_without_errors(runtime):
    data = post(
        {
            "has_household": "yes",
            "members-rows": "1",
            "members-0-name": "花子",
            "_fb_action": "add:members",
        }
    )
    form = runtime.page_form(0, data=data, answers={}, existing_files={})
    assert not form.is_valid()
    assert not form.errors
    assert form.row_counts["members"] == 2
    assert 'name="members-1-name"' in str(form["members-1-name"])


def test_a_row_just_added_shows_the_required_marks_of_a_started_row(runtime):
    """QA walk: rows 2 to 6 of a vehicles table showed no 「*」 although their
    columns are required as soon as the row is filled in."""
    data = post(
        {
            "has_household": "yes",
            "members-rows": "1",
            "members-0-name": "花子",
            "_fb_action": "add:members",
        }
    )
    form = runtime.page_form(0, data=data, answers={}, existing_files={})
    assert form.fields["members-0-name"].required
    assert form.fields["members-1-name"].required
    # The row the script adds from the page's template too.
    (members,) = [item for item in form.items if item.node.key == "members"]
    name = next(f for f in members.template_row if f.name.endswith("-name"))
    assert name.field.required
    assert "required" not in str(name)  # no HTML required: an empty row is fine
    # Checked, an empty row is still simply left out, not an error.
    data = post(
        {
            "has_household": "yes",
            "members-rows": "2",
            "members-0-name": "花子",
            "members-0-relationship": "spouse",
        }
    )
    form = runtime.page_form(0, data=data, answers={}, existing_files={})
    form.is_valid()
    assert not form.fields["members-1-name"].required
    assert "members-1-name" not in form.errors


def test_repeating_group_remove_row_shifts_the_rows_below(runtime):
    data = post(
        {
            "has_household": "yes",
            "members-rows": "3",
            "members-0-name": "一",
            "members-1-name": "二",
            "members-2-name": "三",
            "_fb_action": "remove:members:1",
        }
    )
    form = runtime.page_form(0, data=data, answers={}, existing_files={})
    assert form.row_counts["members"] == 2
    assert form.data["members-1-name"] == "三"


def test_repeating_group_row_with_an_entry_needs_its_required_columns(runtime):
    data = post(
        {
            "applicant-name": "山田 太郎",
            "applicant-kana": "ヤマダ タロウ",
            "has_household": "yes",
            "members-rows": "2",
            "members-0-name": "花子",
            "members-1-income": "1,000",
        }
    )
    form = runtime.page_form(0, data=data, answers={}, existing_files={})
    assert not form.is_valid()
    assert list(form.errors) == ["members-1-name"]
    assert (
        "id_members-1-name",
        "世帯員 2行目の氏名",
        "この項目は必須です。",
    ) in form.error_items()


def test_repeating_group_minimum_rows_counts_filled_rows_only(runtime):
    data = post(
        {
            "applicant-name": "山田 太郎",
            "applicant-kana": "ヤマダ",
            "has_household": "yes",
            "members-rows": "1",
        }
    )
    form = runtime.page_form(0, data=data, answers={}, existing_files={})
    assert not form.is_valid()
    assert "members-rows" in form.errors


def test_computed_total_is_recomputed_not_taken_from_input(runtime):
    answers = {**VALID, "household_income": 999}
    assert runtime.clean(answers)["household_income"] == 1200000


def test_upload_checked_by_content_not_by_name(runtime):
    fake = SimpleUploadedFile("住民票.pdf", PNG, content_type="application/pdf")
    data = post({"purpose": "new", "fee": "300"})
    form = runtime.page_form(
        1, data=data, files={"documents": [fake]}, answers={}, existing_files={}
    )
    form.files = _files({"documents": [fake]})
    assert not form.is_valid()
    assert "受け付けていない種類" in form.errors["documents"][0]


def _files(mapping):
    from django.utils.datastructures import MultiValueDict

    return MultiValueDict(mapping)


def test_upload_of_a_real_pdf_is_returned_as_a_new_file(runtime):
    pdf = SimpleUploadedFile("住民票.pdf", PDF, content_type="application/pdf")
    form = runtime.page_form(
        1,
        data=post({"purpose": "new", "fee": "300"}),
        files=_files({"documents": [pdf]}),
        answers={},
        existing_files={},
    )
    assert form.is_valid(), form.errors
    assert form.page_answers()["documents"] == []
    assert [upload.name for upload in form.new_files()["documents"]] == ["住民票.pdf"]


def test_upload_too_large_and_too_many_files_are_refused(runtime):
    big = SimpleUploadedFile(
        "big.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf"
    )
    form = runtime.page_form(
        1,
        data=post({"purpose": "new", "fee": "1"}),
        files=_files({"documents": [big]}),
        answers={},
        existing_files={},
    )
    assert not form.is_valid()
    assert "大きすぎます" in form.errors["documents"][0]

    stored = [
        {"id": i, "name": f"{i}.pdf", "size": 1, "content_type": "application/pdf"}
        for i in (1, 2)
    ]
    pdf = SimpleUploadedFile("third.pdf", PDF, content_type="application/pdf")
    form = runtime.page_form(
        1,
        data=post({"purpose": "new", "fee": "1"}),
        files=_files({"documents": [pdf]}),
        answers={},
        existing_files={"documents": stored},
    )
    assert not form.is_valid()
    assert "2 件まで" in form.errors["documents"][0]


def test_removing_a_stored_file_keeps_the_others(runtime):
    stored = [
        {"id": i, "name": f"{i}.pdf", "size": 1, "content_type": "application/pdf"}
        for i in (1, 2)
    ]
    form = runtime.page_form(
        1,
        data=post({"purpose": "new", "fee": "1", "documents-remove": ["1"]}),
        answers={},
        existing_files={"documents": stored},
    )
    assert form.is_valid(), form.errors
    assert form.page_answers()["documents"] == [stored[1]]


def test_virus_scanner_refusal_becomes_a_field_error(runtime, settings):
    from core.uploads import get_scanner

    settings.UPLOAD_SCANNER = "tests.forms_builder.test_runtime.RefusingScanner"
    get_scanner.cache_clear()
    try:
        pdf = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
        form = runtime.page_form(
            1,
            data=post({"purpose": "new", "fee": "1"}),
            files=_files({"documents": [pdf]}),
            answers={},
            existing_files={},
        )
        assert not form.is_valid()
        assert "ウイルス" in form.errors["documents"][0]
    finally:
        get_scanner.cache_clear()


class RefusingScanner:
    def scan(self, file):
        from core.uploads import UploadRejected

        raise UploadRejected("ウイルスが検出されました。")


def test_display_uses_wareki_in_japanese_and_english_dates_in_english(runtime):
    with translation.override("ja"):
        sections = runtime.display(VALID)
        items = {item["key"]: item for item in sections[0]["items"]}
        assert items["birth_date"]["value"] == "平成2年4月1日"
        assert items["household_income"]["value"] == "1,200,000円"
        assert items["members"]["rows"][0][1]["value"] == "配偶者"
    with translation.override("en"):
        sections = runtime.display(VALID)
        items = {item["key"]: item for item in sections[0]["items"]}
        assert items["birth_date"]["value"] == "1 Apr 1990"
        assert sections[0]["title"] == "Applicant"
        assert items["household_income"]["value"] == "¥1,200,000"


def test_prefill_from_the_profile(runtime, resident):
    resident.full_name = "県民 花子"
    resident.full_name_kana = "ケンミン ハナコ"
    resident.birth_date = dt.date(1985, 1, 8)
    resident.postal_code = "1000001"
    assert runtime.prefill(resident) == {
        "applicant": {"name": "県民 花子", "kana": "ケンミン ハナコ"},
        "birth_date": "1985-01-08",
        "postal_code": "100-0001",
    }


def test_field_introspection_for_workflow_rules(runtime):
    keys = [(key, label, type_) for key, label, type_ in runtime.field_keys()]
    assert ("fee", "手数料", "amount") in keys
    assert runtime.field("purpose").options == [("new", "新規"), ("renewal", "更新")]
    assert runtime.field("nope") is None


def test_wrong_answer_types_are_field_errors_not_exceptions(runtime):
    errors = runtime.validate(
        {**VALID, "fee": "lots", "members": "none", "has_household": "yes"}
    )
    assert set(errors) >= {"fee", "members", "has_household"}


# --- issue 11 item 2: input is never dropped without a word -------------------


def _members(count: int) -> list[dict]:
    return [
        {"name": f"世帯員{n}", "relationship": "child", "income": 1000}
        for n in range(count)
    ]


def test_rows_beyond_the_maximum_are_an_error_naming_it_not_cut(runtime):
    # Issue 11 item 2: a sixth row of a five-row group was dropped silently.
    data = post(
        {
            "applicant-name": "山田 太郎",
            "applicant-kana": "ヤマダ タロウ",
            "has_household": "yes",
            "members-rows": "6",
            **{f"members-{n}-name": f"世帯員{n}" for n in range(6)},
        }
    )
    form = runtime.page_form(0, data=data, answers={}, existing_files={})
    assert not form.is_valid()
    assert form.errors["members-rows"] == ["世帯員 は 5 件までです。"]
    assert ("fb-item-members", "世帯員", "世帯員 は 5 件までです。") in (
        form.error_items()
    )


def test_row_posted_past_the_row_counter_is_counted_not_ignored(runtime):
    data = post(
        {
            "applicant-name": "山田 太郎",
            "applicant-kana": "ヤマダ タロウ",
            "has_household": "yes",
            "members-rows": "5",
            **{f"members-{n}-name": f"世帯員{n}" for n in range(6)},
        }
    )
    form = runtime.page_form(0, data=data, answers={}, existing_files={})
    assert not form.is_valid()
    assert "5 件まで" in form.errors["members-rows"][0]


def test_whole_form_validation_refuses_too_many_rows(runtime):
    answers = {**VALID, "members": _members(6), "household_income": 6000}
    assert runtime.validate(answers) == {"members": ["世帯員 は 5 件までです。"]}
    assert runtime.validate({**VALID, "members": _members(5)}) == {}


def test_thousands_of_rows_are_refused_without_building_them(runtime):
    answers = {**VALID, "members": _members(5000)}
    assert runtime.validate(answers)["members"] == ["世帯員 は 5 件までです。"]


def test_a_second_file_for_a_one_file_question_is_refused_not_dropped(
    sample_definition,
):
    documents = sample_definition["pages"][1]["fields"][-1]
    documents["max_files"] = 1
    runtime = FormRuntime(sample_definition)
    uploads = [
        SimpleUploadedFile(f"{n}.pdf", PDF, content_type="application/pdf")
        for n in ("一", "二")
    ]
    form = runtime.page_form(
        1,
        data=post({"purpose": "new", "fee": "1"}),
        files=_files({"documents": uploads}),
        answers={},
        existing_files={},
    )
    assert not form.is_valid()
    assert form.errors["documents"] == ["添付できるファイルは 1 件までです。"]
    assert form.checked_uploads() == {}  # neither is kept: the resident chooses

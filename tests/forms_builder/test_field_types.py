"""Each field type's validation, as a resident meets it on a page."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from forms_builder.runtime import FormRuntime


def one(spec):
    spec = {"key": "q", "label": {"ja": "質問"}, **spec}
    return FormRuntime(
        {"version": 1, "pages": [{"key": "p", "title": {"ja": "p"}, "fields": [spec]}]}
    )


def submit(spec, **data):
    query = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            query.setlist(key, value)
        else:
            query[key] = value
    form = one(spec).page_form(0, data=query, answers={}, existing_files={})
    if form.is_valid():
        return form.page_answers().get("q"), None
    return None, " ".join(
        message for messages in form.errors.values() for message in messages
    )


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("令和8年4月1日", "2026-04-01"),
        ("R8.4.1", "2026-04-01"),
        ("平成元年1月8日", "1989-01-08"),
        ("２０２６年４月１日", "2026-04-01"),
        ("2026-04-01", "2026-04-01"),
    ],
)
def test_date_accepts_seireki_and_wareki(typed, stored):
    assert submit({"type": "date"}, q=typed) == (stored, None)


@pytest.mark.parametrize(
    "typed", ["平成32年1月1日", "2026-02-30", "昨日", "1800-01-01"]
)
def test_date_refuses_impossible_dates(typed):
    value, error = submit({"type": "date"}, q=typed)
    assert value is None
    assert error


def test_date_bounds_are_shown_in_wareki():
    _value, error = submit({"type": "date", "min": "2026-04-01"}, q="2026-03-31")
    assert "令和8年4月1日 以降" in error


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("やまだ", "ヤマダ"),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ タロウ"),
        ("ヤマダ　タロウ", "ヤマダ　タロウ"),
    ],
)
def test_kana_is_katakana_after_conversion(typed, stored):
    value, error = submit({"type": "name_pair"}, **{"q-name": "山田", "q-kana": typed})
    assert error is None
    assert value == {"name": "山田", "kana": stored}


def test_kana_refuses_kanji():
    _value, error = submit(
        {"type": "name_pair"}, **{"q-name": "山田", "q-kana": "山田"}
    )
    assert "全角カタカナ" in error


def test_name_pair_needs_both_parts():
    _value, error = submit({"type": "name_pair"}, **{"q-name": "山田"})
    assert "フリガナも入力" in error


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("123-4567", "123-4567"),
        ("1234567", "123-4567"),
        ("〒１２３－４５６７", "123-4567"),
    ],
)
def test_postal_code_is_normalised(typed, stored):
    assert submit({"type": "postal_code"}, q=typed) == (stored, None)


@pytest.mark.parametrize("typed", ["12-34567", "abc-defg", "1234-567"])
def test_postal_code_refuses_other_shapes(typed):
    assert "123-4567" in submit({"type": "postal_code"}, q=typed)[1]


@pytest.mark.parametrize(
    "typed", ["03-1234-5678", "09012345678", "０９０－１２３４－５６７８"]
)
def test_phone_accepts_japanese_numbers(typed):
    value, error = submit({"type": "phone"}, q=typed)
    assert error is None
    assert value.isascii()


@pytest.mark.parametrize("typed", ["+81 3 1234 5678", "1234", "03-1234-56789x"])
def test_phone_refuses_other_numbers(typed):
    assert submit({"type": "phone"}, q=typed)[1]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("1,234", 1234), ("¥1,234", 1234), ("１２３４円", 1234), ("-5", -5)],
)
def test_amount_accepts_yen_notation(typed, stored):
    assert submit({"type": "amount"}, q=typed) == (stored, None)


def test_integer_bounds_and_garbage():
    assert "10 以下" in submit({"type": "integer", "max": 10}, q="11")[1]
    assert "0 以上" in submit({"type": "integer", "min": 0}, q="-1")[1]
    assert "数字で入力" in submit({"type": "integer"}, q="1.5")[1]


def test_text_length_and_pattern_with_its_own_message():
    spec = {
        "type": "text",
        "max_length": 6,
        "pattern": "^[A-Z]{2}[0-9]{4}$",
        "pattern_message": {"ja": "AB1234 の形で"},
    }
    assert submit(spec, q="AB1234") == ("AB1234", None)
    assert submit(spec, q="ab1234")[1] == "AB1234 の形で"
    assert "文字" in submit(spec, q="AB12345")[1]


def test_text_refuses_unprintable_characters_and_accepts_rare_kanji():
    assert submit({"type": "text"}, q="𠮷野家 髙橋") == ("𠮷野家 髙橋", None)
    _value, error = submit({"type": "text"}, q="犬🐕と猫\U0001f408")
    assert "「🐕」「🐈」" in error


def test_textarea_keeps_line_breaks_as_newlines():
    assert submit({"type": "textarea"}, q="一行目\r\n二行目") == (
        "一行目\n二行目",
        None,
    )


def test_email():
    assert submit({"type": "email"}, q="taro@example.jp") == ("taro@example.jp", None)
    assert submit({"type": "email"}, q="taro@")[1]


def test_choice_radio_and_select_refuse_unknown_values():
    options = [
        {"value": "a", "label": {"ja": "A"}},
        {"value": "b", "label": {"ja": "B"}},
    ]
    assert submit({"type": "choice", "options": options}, q="b") == ("b", None)
    assert submit({"type": "choice", "options": options, "widget": "select"}, q="z")[1]


def test_multichoice_counts_and_keeps_option_order():
    options = [{"value": v, "label": {"ja": v}} for v in "abc"]
    spec = {"type": "multichoice", "options": options, "max": 2}
    assert submit(spec, q=["c", "a"]) == (["a", "c"], None)
    assert "2 個まで" in submit(spec, q=["a", "b", "c"])[1]


def test_yesno_and_agreement():
    assert submit({"type": "yesno"}, q="no") == (False, None)
    assert submit({"type": "yesno", "required": True})[1]
    assert submit({"type": "agreement", "required": True}, q="on") == (True, None)
    assert "同意" in submit({"type": "agreement", "required": True})[1]


def test_required_field_left_empty_is_an_error():
    assert submit({"type": "text", "required": True}, q="  ")[1]

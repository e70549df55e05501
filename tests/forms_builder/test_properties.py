"""Property-based tests over generated definitions and answers (hypothesis)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from forms_builder.definition import validate_definition
from forms_builder.forms import answers_as_post
from forms_builder.runtime import FormRuntime

SIMPLE_TYPES = [
    "text", "textarea", "integer", "amount", "date", "email", "phone",
    "postal_code", "name_pair", "address", "choice", "multichoice", "yesno", "agreement",
]  # fmt: skip
KANJI = "山田太郎花子県市町村髙﨑德邉栁齋𠮷野家川本"
KATAKANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノヤマダタロウー"
OPTIONS = [
    {"value": v, "label": {"ja": f"選択{v}", "en": f"Option {v}"}}
    for v in ("a", "b", "c")
]
PROFILE = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

words = st.text(alphabet=KANJI + "あいうえおabcXYZ0123456789", min_size=1, max_size=12)


@st.composite
def definitions(draw) -> dict[str, Any]:
    """A valid definition: 1-3 pages of simple fields, some shown only when
    an earlier yes/no question is answered "yes"."""
    pages = []
    controllers: list[str] = []
    number = 0
    for page_index in range(draw(st.integers(1, 3))):
        fields = []
        for _ in range(draw(st.integers(1, 5))):
            number += 1
            type_name = draw(st.sampled_from(SIMPLE_TYPES))
            spec: dict[str, Any] = {
                "key": f"f{number}",
                "type": type_name,
                "label": {"ja": f"質問{number}", "en": f"Question {number}"},
            }
            if draw(st.booleans()):
                spec["required"] = True
            if type_name in {"choice", "multichoice"}:
                spec["options"] = OPTIONS
            if type_name == "choice" and draw(st.booleans()):
                spec["widget"] = "select"
            if controllers and draw(st.booleans()):
                spec["show_if"] = {
                    "==": [{"var": draw(st.sampled_from(controllers))}, True]
                }
            fields.append(spec)
            if type_name == "yesno":
                controllers.append(spec["key"])
        page = {
            "key": f"page{page_index}",
            "title": {"ja": f"ページ{page_index}"},
            "fields": fields,
        }
        pages.append(page)
    definition = {"version": 1, "pages": pages}
    assert validate_definition(definition) == []
    return definition


def value_for(draw, spec: dict[str, Any]) -> Any:
    """A canonical valid answer (None allowed when optional)."""
    type_name = spec["type"]
    required = spec.get("required", False)
    if type_name == "agreement":
        return True if required else draw(st.booleans())
    if not required and draw(st.integers(0, 4)) == 0:
        return None
    if type_name in {"text", "address"}:
        return draw(words)
    if type_name == "textarea":
        return (
            draw(st.lists(words, min_size=1, max_size=3)).__iter__().__next__()
            + "\n"
            + draw(words)
        )
    if type_name in {"integer", "amount"}:
        return draw(st.integers(-(10**12), 10**12))
    if type_name == "date":
        return draw(st.dates(dt.date(1873, 1, 1), dt.date(2100, 12, 31))).isoformat()
    if type_name == "email":
        return draw(st.from_regex(r"[a-z]{1,8}@example\.jp", fullmatch=True))
    if type_name == "phone":
        return draw(st.from_regex(r"0[1-9]0-[0-9]{4}-[0-9]{4}", fullmatch=True))
    if type_name == "postal_code":
        return draw(st.from_regex(r"[0-9]{3}-[0-9]{4}", fullmatch=True))
    if type_name == "name_pair":
        return {
            "name": draw(words),
            "kana": draw(st.text(alphabet=KATAKANA, min_size=1, max_size=10)),
        }
    if type_name == "choice":
        return draw(st.sampled_from(["a", "b", "c"]))
    if type_name == "multichoice":
        chosen = draw(st.sets(st.sampled_from(["a", "b", "c"]), min_size=1))
        return [value for value in ("a", "b", "c") if value in chosen]
    if type_name == "yesno":
        return draw(st.booleans())
    raise AssertionError(type_name)


@st.composite
def definitions_with_answers(draw):
    definition = draw(definitions())
    answers = {
        spec["key"]: value_for(draw, spec)
        for page in definition["pages"]
        for spec in page["fields"]
    }
    return definition, answers


@PROFILE
@given(definitions_with_answers())
def test_valid_answers_are_accepted_and_round_trip_unchanged(case):
    definition, answers = case
    runtime = FormRuntime(definition)
    cleaned = runtime.clean(answers)
    assert runtime.validate(cleaned) == {}
    assert json.loads(json.dumps(cleaned)) == cleaned
    rebuilt: dict[str, Any] = {}
    for index in runtime.visible_page_indexes(cleaned):
        form = runtime.page_form(
            index,
            data=answers_as_post(runtime, index, cleaned),
            answers=cleaned,
            existing_files={},
        )
        assert form.is_valid(), form.errors
        rebuilt.update(form.page_answers())
    assert rebuilt == cleaned


JUNK: dict[str, list[Any]] = {
    "text": [12345, "犬🐕", {"a": 1}],
    "textarea": [["x"], "\U0001f408"],
    "address": [3.5, "🏠"],
    "integer": ["abc", True, 10**16, 1.5],
    "amount": ["百円", False, -(10**16)],
    "date": ["2026-13-01", "yesterday", 20260101, "1800-01-01"],
    "email": ["not-an-email", 5],
    "phone": ["12345", "+1 555 0100"],
    "postal_code": ["12-345", "abcdefg"],
    "name_pair": ["山田", {"name": "山田"}, {"name": "山田", "kana": "山田"}],
    "choice": ["zzz", 1, ["a"]],
    "multichoice": [["zzz"], "a", [1]],
    "yesno": ["yes", 1],
    "agreement": ["on", None],
}


@PROFILE
@given(definitions_with_answers(), st.data())
def test_invalid_answers_are_refused_with_field_errors_never_an_exception(case, data):
    definition, answers = case
    runtime = FormRuntime(definition)
    evaluation = runtime.evaluate(runtime.rule_data(answers))
    candidates = [
        spec
        for page in definition["pages"]
        for spec in page["fields"]
        if evaluation.visible.get(spec["key"]) and spec["type"] != "yesno"
    ]
    assume(candidates)
    spec = data.draw(st.sampled_from(candidates))
    junk = data.draw(st.sampled_from(JUNK[spec["type"]]))
    if spec["type"] == "agreement" and junk is None and not spec.get("required"):
        junk = "on"
    errors = runtime.validate({**answers, spec["key"]: junk})
    assert spec["key"] in errors
    assert all(isinstance(message, str) and message for message in errors[spec["key"]])


@PROFILE
@given(definitions())
def test_hidden_conditional_fields_are_never_required(definition):
    for page in definition["pages"]:
        for spec in page["fields"]:
            if "show_if" in spec:
                spec["required"] = True
    runtime = FormRuntime(definition)
    controllers_off = {
        spec["key"]: False
        for page in definition["pages"]
        for spec in page["fields"]
        if spec["type"] == "yesno"
    }
    errors = runtime.validate(controllers_off)
    conditional = {
        spec["key"]
        for page in definition["pages"]
        for spec in page["fields"]
        if "show_if" in spec
    }
    assert not conditional & set(errors)
    assert not conditional & set(
        runtime.clean({**controllers_off, **{key: "x" for key in conditional}})
    )

"""The computed-value editor (issue 12): a computed field is chosen as a shape
from the form's number questions, stored as the JSON Logic the runtime
evaluates, and read back into the editor."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django import forms
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from forms_builder.builder_forms import FieldSettingsForm
from forms_builder.computed import (
    SHAPES,
    Computation,
    number_operands,
    parse_rate,
    read_computation,
    write_computation,
)
from forms_builder.definition import validate_definition, walk
from forms_builder.models import FormVersion
from forms_builder.runtime import FormRuntime
from forms_builder.services import form_create

HOUSEHOLD: dict[str, Any] = {
    "version": 1,
    "pages": [
        {
            "key": "income_page",
            "title": {"ja": "収入"},
            "fields": [
                {"key": "income", "type": "amount", "label": {"ja": "本人の収入"}},
                {"key": "deduction", "type": "amount", "label": {"ja": "控除額"}},
                {"key": "people", "type": "integer", "label": {"ja": "同居人数"}},
                {"key": "note", "type": "text", "label": {"ja": "備考"}},
                {
                    "key": "members",
                    "type": "repeat",
                    "label": {"ja": "世帯員"},
                    "fields": [
                        {"key": "name", "type": "text", "label": {"ja": "氏名"}},
                        {"key": "income", "type": "amount", "label": {"ja": "収入"}},
                    ],
                },
                {
                    "key": "subtotal",
                    "type": "computed",
                    "format": "amount",
                    "label": {"ja": "小計"},
                    "expression": {"+": [{"var": "income"}]},
                },
                {
                    "key": "label_text",
                    "type": "computed",
                    "format": "text",
                    "label": {"ja": "表示用"},
                    "expression": {"cat": ["a"]},
                },
                {
                    "key": "result",
                    "type": "computed",
                    "format": "amount",
                    "label": {"ja": "結果"},
                    "expression": {"+": [0]},
                },
            ],
        }
    ],
}

INCOME = {"var": "income"}
DEDUCTION = {"var": "deduction"}
SUBTOTAL = {"var": "subtotal"}
MEMBERS_INCOME = {
    "reduce": [
        {"var": "members"},
        {"+": [{"var": "accumulator"}, {"var": "current.income"}]},
        0,
    ]
}
MEMBERS_COUNT = {"reduce": [{"var": "members"}, {"+": [{"var": "accumulator"}, 1]}, 0]}


def household(expression: Any = None) -> dict[str, Any]:
    definition = copy.deepcopy(HOUSEHOLD)
    if expression is not None:
        definition["pages"][0]["fields"][-1]["expression"] = expression
    return definition


def _rule_fields(definition: dict[str, Any]) -> list:
    return [n for n in walk(definition) if n.kind == "field" and n.has_answer]


def _form(expression: Any = None, data: dict[str, Any] | None = None):
    definition = household(expression)
    spec = definition["pages"][0]["fields"][-1]
    return FieldSettingsForm(
        data, spec=spec, rule_fields=_rule_fields(definition), taken=set()
    )


def _post(calc: dict[str, str]) -> dict[str, str]:
    return {
        "key": "result",
        "label_ja": "結果",
        "format": "amount",
        "visibility": "always",
        **{f"calc_{name}": value for name, value in calc.items()},
    }


def _saved(data: dict[str, str]) -> tuple[Any, dict[str, list[str]]]:
    form = _form(data=data)
    assert form.is_valid(), form.errors
    expression = form.changes()["expression"]
    return expression, {name: list(errors) for name, errors in form.errors.items()}


def _as_posted(form: FieldSettingsForm) -> dict[str, str]:
    """What the unbound page would post if saved as it is shown."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    return data


SHAPE_CASES = [
    ("sum", {"sum_1": "field:income", "sum_2": "sum:members.income"},
     {"+": [INCOME, MEMBERS_INCOME]}),
    ("column_sum", {"column": "sum:members.income"}, MEMBERS_INCOME),
    ("count", {"group": "count:members"}, MEMBERS_COUNT),
    ("multiply", {"mul_a": "field:income", "mul_rate": "1/2"},
     {"/": [INCOME, 2]}),
    ("multiply", {"mul_a": "field:income", "mul_rate": "0.8"},
     {"/": [{"*": [INCOME, 8]}, 10]}),
    ("multiply", {"mul_a": "sum:members.income", "mul_rate": "3"},
     {"*": [MEMBERS_INCOME, 3]}),
    ("multiply", {"mul_a": "field:income", "mul_rate": "10/110"},
     {"/": [{"*": [INCOME, 10]}, 110]}),
    ("subtract", {"sub_a": "field:income", "sub_b": "field:deduction"},
     {"-": [INCOME, DEDUCTION]}),
    ("min", {"min_1": "field:subtotal", "min_limit": "1,000,000"},
     {"min": [SUBTOTAL, 1_000_000]}),
    ("min", {"min_1": "field:income", "min_2": "field:deduction"},
     {"min": [INCOME, DEDUCTION]}),
    ("max", {"max_1": "field:income", "max_2": "field:deduction", "max_limit": "0"},
     {"max": [INCOME, DEDUCTION, 0]}),
    ("ratio", {"ratio_a": "field:deduction", "ratio_b": "field:income"},
     {"/": [DEDUCTION, INCOME]}),
    ("ratio", {"ratio_a": "field:deduction", "ratio_b": "field:income",
               "ratio_percent": "on"},
     {"/": [{"*": [DEDUCTION, 100]}, INCOME]}),
]  # fmt: skip


@pytest.mark.parametrize(("shape", "parts", "expected"), SHAPE_CASES)
def test_each_shape_is_stored_as_json_logic_and_read_back_into_the_editor(
    shape, parts, expected
):
    expression, errors = _saved(_post({"shape": shape, **parts}))
    assert errors == {}
    assert expression == expected
    assert validate_definition(household(expression)) == []

    # Opened again: the editor, not the raw box, with the same choices.
    shown = _form(expression)
    assert shown["calc_advanced"].value() is False
    assert shown["calc_shape"].value() == shape
    for name, value in parts.items():
        expected_value = True if value == "on" else value
        assert shown[f"calc_{name}"].value() == expected_value, name
    # Saved as shown, it stores the same JSON Logic.
    again, errors = _saved(_as_posted(shown))
    assert errors == {}
    assert again == expected


def test_the_shapes_compute_what_their_names_say():
    answers = {
        "income": 3_000_000,
        "deduction": 480_000,
        "members": [{"name": "花子", "income": 1_200_000}, {"name": "一郎"}],
    }
    results = {}
    for shape, parts, _expected in SHAPE_CASES:
        expression, _errors = _saved(_post({"shape": shape, **parts}))
        values = FormRuntime(household(expression)).rule_values(answers)
        results.setdefault(shape, []).append(values["result"])
    assert results == {
        "sum": [4_200_000],
        "column_sum": [1_200_000],  # the empty cell counts 0
        "count": [2],
        "multiply": [1_500_000, 2_400_000, 3_600_000, 272_727],
        "subtract": [2_520_000],
        "min": [1_000_000, 480_000],
        "max": [3_000_000],
        "ratio": [0, 16],  # 0.16 rounded half up; as a percentage 16
    }


@pytest.mark.parametrize(
    ("parts", "field", "message"),
    [
        ({"shape": "sum"}, "calc_sum_1", "足す項目を1つ以上選んでください。"),
        ({"shape": "column_sum"}, "calc_column", "合計する列を選んでください。"),
        (
            {"shape": "count"},
            "calc_group",
            "行数を数える繰り返しを選んでください。",
        ),
        (
            {"shape": "multiply", "mul_a": "field:income", "mul_rate": "半分"},
            "calc_mul_rate",
            "率は 1/2、0.8、10% のように、0 より大きい数で書いてください。",
        ),
        (
            {"shape": "multiply", "mul_a": "field:income"},
            "calc_mul_rate",
            "掛ける率を入力してください（例: 1/2、0.8、10%）。",
        ),
        (
            {"shape": "multiply", "mul_rate": "1/2"},
            "calc_mul_a",
            "率を掛ける項目を選んでください。",
        ),
        (
            {"shape": "subtract", "sub_a": "field:income"},
            "calc_sub_b",
            "引く項目を選んでください。",
        ),
        (
            {"shape": "min", "min_1": "field:income"},
            "calc_min_1",
            "比べる項目を2つ以上、または項目を1つと数を選んでください。",
        ),
        (
            {"shape": "max", "max_1": "field:income", "max_limit": "百万"},
            "calc_max_limit",
            "数は 1,000,000 のように整数で書いてください。",
        ),
        (
            {"shape": "ratio", "ratio_b": "field:income"},
            "calc_ratio_a",
            "割られる項目を選んでください。",
        ),
    ],
)
def test_an_incomplete_computation_is_refused_next_to_its_field(parts, field, message):
    expression, errors = _saved(_post(parts))
    assert expression is None
    assert errors == {field: [message]}


def test_a_new_computed_field_opens_in_the_editor_and_must_say_what_it_adds():
    shown = _form({"+": [0]})
    assert shown["calc_advanced"].value() is False
    assert shown["calc_shape"].value() == "sum"
    assert shown["calc_sum_1"].value() == ""


def test_an_expression_the_editor_cannot_show_stays_as_json_logic():
    unusual = {"if": [{">": [INCOME, 0]}, INCOME, 0]}
    shown = _form(unusual)
    assert shown["calc_advanced"].value() is True
    assert shown["expression"].value() == (
        '{"if": [{">": [{"var": "income"}, 0]}, {"var": "income"}, 0]}'
    )
    # Saved as shown: unchanged.
    again, errors = _saved(_as_posted(shown))
    assert (again, errors) == (unusual, {})
    # A question that is no longer in the form: shown as JSON, not lost.
    gone = {"+": [INCOME, {"var": "removed"}]}
    assert _form(gone)["calc_advanced"].value() is True
    # A float rate (typed as JSON) would change when saved: JSON too.
    assert _form({"*": [INCOME, 0.8]})["calc_advanced"].value() is True


def test_raw_json_logic_is_used_when_the_box_is_ticked():
    expression, errors = _saved(
        _post(
            {
                "shape": "sum",
                "sum_1": "field:income",
                "advanced": "on",
            }
        )
        | {"expression": '{"-": [{"var": "income"}, 1000]}'}
    )
    assert (expression, errors) == ({"-": [INCOME, 1000]}, {})


def test_only_numbers_are_offered_and_never_the_field_itself():
    definition = household()
    values = [
        operand.value
        for operand in number_operands(_rule_fields(definition), exclude="subtotal")
    ]
    assert values == [
        "field:income",
        "field:deduction",
        "field:people",
        "count:members",
        "sum:members.income",
        "field:result",
    ]
    shown = _form()
    options = [value for value, _label in shown.fields["calc_column"].choices]
    assert options == ["", "sum:members.income"]
    labels = dict(shown.fields["calc_sum_1"].choices)
    assert labels["sum:members.income"] == "世帯員の収入の合計"
    assert labels["count:members"] == "世帯員の行数"
    assert labels["field:income"] == "本人の収入 [income]"
    assert "field:result" not in labels


@pytest.mark.parametrize(
    ("text", "fraction"),
    [
        ("1/2", (1, 2)),
        ("１／３", (1, 3)),
        ("0.8", (8, 10)),
        ("0.29", (29, 100)),
        ("1.50", (15, 10)),
        ("10%", (1, 10)),
        ("8.5%", (85, 1000)),
        ("3", (3, 1)),
        ("10/100", (10, 100)),
    ],
)
def test_rates_are_read_as_whole_numbers(text, fraction):
    assert parse_rate(text) == fraction


@pytest.mark.parametrize(
    "text", ["", "0", "-1/2", "1/0", "0.1234567", "abc", "1.5/2", "1/2%"]
)
def test_rates_that_are_not_a_positive_number_are_refused(text):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        parse_rate(text)


def test_a_decimal_rate_does_not_lose_a_yen_to_floating_point():
    # 0.29 × 100 is 28.999… in binary; stored as × 29 ÷ 100 it is 29.
    expression, _errors = _saved(
        _post({"shape": "multiply", "mul_a": "field:income", "mul_rate": "0.29"})
    )
    definition = household(expression)
    definition["pages"][0]["fields"][-1]["rounding"] = {"mode": "floor", "unit": 1}
    assert FormRuntime(definition).rule_values({"income": 100})["result"] == 29


# --- generated computations round-trip -----------------------------------------

OPERANDS = {
    operand.value: operand.logic
    for operand in number_operands(_rule_fields(household()), exclude="result")
}
operand_values = st.sampled_from(sorted(OPERANDS))
rates = st.one_of(
    st.integers(1, 1000).map(str),
    st.tuples(st.integers(1, 99), st.integers(2, 999)).map(lambda t: f"{t[0]}/{t[1]}"),
    st.integers(1, 999).map(lambda n: f"0.{n:03d}".rstrip("0")),
    st.integers(1, 200).map(lambda n: f"{n}%"),
)
limits = st.one_of(st.just(""), st.integers(-(10**9), 10**9).map("{:,}".format))


@st.composite
def computations(draw) -> Computation:
    shape = draw(st.sampled_from([name for name, _label in SHAPES]))
    if shape in ("sum", "min", "max"):
        terms = draw(st.lists(operand_values, min_size=1, max_size=4))
        limit = draw(limits) if shape != "sum" else ""
        if shape != "sum" and len(terms) == 1 and not limit:
            limit = "0"
        return Computation(shape, terms=terms, limit=limit)
    if shape == "column_sum":
        return Computation(shape, a="sum:members.income")
    if shape == "count":
        return Computation(shape, a="count:members")
    a, b = draw(operand_values), draw(operand_values)
    if shape == "multiply":
        return Computation(shape, a=a, rate=draw(rates))
    if shape == "ratio":
        return Computation(shape, a=a, b=b, percent=draw(st.booleans()))
    return Computation(shape, a=a, b=b)


@settings(max_examples=200, deadline=None)
@given(computations())
def test_generated_computations_read_back_as_the_same_json_logic(computation):
    import json

    logic = write_computation(computation, OPERANDS)
    index = {json.dumps(v, sort_keys=True): k for k, v in OPERANDS.items()}
    read = read_computation(logic, index)
    assert read is not None, logic
    assert read.shape == computation.shape
    assert write_computation(read, OPERANDS) == logic


# --- through the builder's pages -----------------------------------------------


@pytest.mark.django_db
def test_administrator_adds_a_column_total_rounded_down_without_typing_json(
    admin_client, administrator
):
    definition = household()
    del definition["pages"][0]["fields"][-1]
    form_create(
        code="household", title="世帯", actor=administrator, definition=definition
    )
    add = reverse("forms_builder:field_add", args=["household", 1])
    response = admin_client.post(
        add,
        {
            "page": "income_page",
            "type": "computed",
            **_post({"shape": "column_sum", "column": "sum:members.income"}),
            "key": "members_total",
            "label_ja": "世帯員の収入の合計",
            "rounding": "floor:1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    version = FormVersion.objects.get(form__code="household")
    assert validate_definition(version.definition) == []
    spec = version.definition["pages"][0]["fields"][-1]
    assert spec["expression"] == MEMBERS_INCOME
    values = FormRuntime(version.definition).rule_values(
        {"members": [{"income": 1_234_567}, {"income": 100_999}]}
    )
    assert values["members_total"] == 1_335_000  # 千円未満切捨て

    edit = reverse("forms_builder:field_edit", args=["household", 1, "members_total"])
    page = admin_client.get(edit).content.decode()
    assert '<option value="column_sum" selected>' in page
    assert '<option value="sum:members.income" selected>' in page

    # A rate that is not a number: the message under the rate, nothing saved.
    response = admin_client.post(
        edit,
        _post({"shape": "multiply", "mul_a": "field:income", "mul_rate": "半分"})
        | {"key": "members_total", "label_ja": "世帯員の収入の合計"},
    )
    assert response.status_code == 200
    assert "率は 1/2、0.8、10% のように" in response.content.decode()
    version.refresh_from_db()
    assert version.definition["pages"][0]["fields"][-1]["expression"] == (
        MEMBERS_INCOME
    )


def test_the_outline_says_each_computation_in_words():
    from forms_builder.computed import formulas

    words = []
    for shape, parts, _expected in SHAPE_CASES:
        expression, _errors = _saved(_post({"shape": shape, **parts}))
        definition = household(expression)
        definition["pages"][0]["fields"][-1]["rounding"] = {
            "mode": "floor",
            "unit": 1000,
        }
        words.append(formulas(walk(definition))["result"])
    assert words == [
        "本人の収入 ＋ 世帯員の収入の合計、千円未満切捨て",
        "世帯員の収入の合計、千円未満切捨て",
        "世帯員の行数、千円未満切捨て",
        "本人の収入 × 1/2、千円未満切捨て",
        "本人の収入 × 0.8、千円未満切捨て",
        "世帯員の収入の合計 × 3、千円未満切捨て",
        "本人の収入 × 10/110、千円未満切捨て",
        "本人の収入 − 控除額、千円未満切捨て",
        "小計、1,000,000のうち小さい方、千円未満切捨て",
        "本人の収入、控除額のうち小さい方、千円未満切捨て",
        "本人の収入、控除額、0のうち大きい方、千円未満切捨て",
        "控除額 ÷ 本人の収入、千円未満切捨て",
        "控除額 ÷ 本人の収入 × 100、千円未満切捨て",
    ]
    # Unreadable (and a new field with nothing chosen): no words.
    assert formulas(walk(household({"if": [True, 1, 2]})))["result"] == ""
    assert formulas(walk(household()))["result"] == ""


@pytest.mark.django_db
def test_the_version_page_shows_the_computation_in_words(admin_client, administrator):
    definition = household({"/": [INCOME, 2]})
    definition["pages"][0]["fields"][-1]["rounding"] = {"mode": "floor", "unit": 1000}
    form_create(
        code="household", title="世帯", actor=administrator, definition=definition
    )
    page = admin_client.get(
        reverse("forms_builder:version_edit", args=["household", 1])
    )
    assert "計算: 本人の収入 × 1/2、千円未満切捨て" in page.content.decode()

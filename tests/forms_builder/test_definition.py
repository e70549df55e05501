"""Definitions are refused with messages naming the place and the problem."""

from __future__ import annotations

import json

import pytest

from forms_builder.definition import SCHEMA_PATH, json_schema, validate_definition
from forms_builder.fieldtypes import FIELD_TYPES
from forms_builder.models import FormVersion, PublishedVersionError
from forms_builder.services import (
    DefinitionInvalid,
    form_create,
    form_version_create_draft,
    form_version_publish,
    form_version_update_definition,
)


def page(*fields):
    return {
        "version": 1,
        "pages": [{"key": "p", "title": {"ja": "ページ"}, "fields": list(fields)}],
    }


def text(key, **extra):
    return {"key": key, "type": "text", "label": {"ja": key}, **extra}


def messages(definition):
    return [str(error) for error in validate_definition(definition)]


def test_sample_definition_is_valid(sample_definition):
    assert validate_definition(sample_definition) == []


def test_unknown_type_is_named():
    result = messages(
        page({"key": "sig", "type": "signature", "label": {"ja": "署名"}})
    )
    assert result == ["項目「sig」: 種類「signature」はありません。"]


def test_duplicate_key_is_named_with_both_places():
    result = messages(page(text("name"), text("name")))
    assert result == [
        "項目「name」: キー「name」が重複しています（pages[0].fields[0] と同じ）。"
    ]


def test_rule_pointing_at_a_missing_field_is_named():
    result = messages(page(text("a", show_if={"==": [{"var": "ghost"}, "x"]})))
    assert result == [
        "項目「a」: show_if: ルールが存在しない項目「ghost」を参照しています。"
    ]


def test_cyclic_rules_are_refused():
    result = messages(
        page(
            text("a", show_if={"!!": {"var": "b"}}),
            text("b", show_if={"!!": {"var": "c"}}),
            text("c", hide_if={"!": {"var": "a"}}),
        )
    )
    assert len(result) == 1
    assert "循環しています" in result[0]
    assert "a → b → c → a" in result[0]


def test_self_reference_is_a_cycle():
    assert "循環" in messages(page(text("a", show_if={"!!": {"var": "a"}})))[0]


def test_computed_cycle_is_refused():
    definition = page(
        {
            "key": "x",
            "type": "computed",
            "label": {"ja": "x"},
            "expression": {"+": [{"var": "y"}, 1]},
        },
        {
            "key": "y",
            "type": "computed",
            "label": {"ja": "y"},
            "expression": {"+": [{"var": "x"}, 1]},
        },
    )
    assert any("循環" in message for message in messages(definition))


def test_unsafe_or_unportable_operators_are_refused():
    result = messages(
        page(text("a"), text("b", show_if={"method": [{"var": "a"}, "upper"]}))
    )
    assert result == ["項目「b」: show_if: 演算子「method」は使えません。"]


def test_unknown_property_and_missing_label_are_named():
    result = messages(page({"key": "a", "type": "text", "colour": "red"}))
    assert "項目「a」: 必須の設定「label」がありません。" in result
    assert "項目「a」: この種類では使えない設定があります（colour）。" in result


def test_bad_key_and_bad_bounds_are_named():
    result = messages(
        page(
            {
                "key": "Bad-Key",
                "type": "integer",
                "label": {"ja": "x"},
                "min": 5,
                "max": 1,
            }
        )
    )
    assert any("キー「Bad-Key」" in message for message in result)
    assert any("最小値が最大値より大きく" in message for message in result)


def test_default_must_be_an_answer_the_field_accepts():
    result = messages(
        page(
            {
                "key": "n",
                "type": "integer",
                "label": {"ja": "n"},
                "max": 10,
                "default": 11,
            }
        )
    )
    assert any("既定値" in message for message in result)


def test_rule_var_into_a_name_pair_part_is_allowed_and_a_wrong_part_is_not():
    name = {"key": "who", "type": "name_pair", "label": {"ja": "氏名"}}
    assert (
        messages(page(name, text("a", show_if={"==": [{"var": "who.kana"}, "ア"]})))
        == []
    )
    assert (
        "中にありません"
        in messages(page(name, text("a", show_if={"!!": {"var": "who.length"}})))[0]
    )


def test_scoped_operators_only_iterate_repeating_groups():
    result = messages(
        page(
            text("a"), text("b", show_if={"some": [{"var": "a"}, {"!!": {"var": "x"}}]})
        )
    )
    assert "繰り返し項目" in result[0]


def test_schema_file_lists_every_field_type():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$defs"]["field"]["properties"]["type"]["enum"] == list(FIELD_TYPES)
    assert json_schema()["properties"]["version"] == {"const": 1}


@pytest.mark.django_db
def test_published_version_is_immutable_in_services_and_models(
    administrator, sample_definition
):
    form = form_create(
        code="immutable",
        title="不変",
        actor=administrator,
        definition=sample_definition,
    )
    version = form_version_publish(version=form.versions.get(), actor=administrator)
    with pytest.raises(PublishedVersionError):
        form_version_update_definition(
            version=version, definition=page(text("a")), actor=administrator
        )
    stored = FormVersion.objects.get(pk=version.pk)
    stored.definition = page(text("a"))
    with pytest.raises(PublishedVersionError):
        stored.save()
    with pytest.raises(PublishedVersionError):
        stored.delete()
    draft = form_version_create_draft(form=form, actor=administrator)
    assert (draft.number, draft.is_published) == (2, False)
    assert form_version_create_draft(form=form, actor=administrator) == draft


@pytest.mark.django_db
def test_publishing_an_invalid_draft_is_refused(administrator):
    form = form_create(
        code="invalid",
        title="不正",
        actor=administrator,
        definition=page(text("a"), text("a")),
    )
    with pytest.raises(DefinitionInvalid) as raised:
        form_version_publish(version=form.versions.get(), actor=administrator)
    assert "重複" in str(raised.value.errors[0])

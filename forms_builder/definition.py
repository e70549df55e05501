"""The form definition: its JSON Schema, its walk, and its validation.

A definition is refused with messages that say where (ページ「申請者」の項目
「age」) and what (unknown type, duplicate key, a rule naming a missing
field, rules that depend on each other in a circle). The structure is
checked by ``schema/form-definition.schema.json``; what a JSON Schema cannot
say (unique keys, rule references, cycles) is checked here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from forms_builder.fieldtypes import FIELD_TYPES, loc
from forms_builder.rules import rule_errors, rule_vars

FORMAT_VERSION = 1
SCHEMA_PATH = Path(__file__).parent / "schema" / "form-definition.schema.json"
RULE_PROPERTIES = ("show_if", "hide_if", "required_if", "expression")
NAME_PARTS = ("name", "kana")


@lru_cache(maxsize=1)
def json_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class DefinitionError:
    """One problem: where it is (a path and the nearest key) and what it is."""

    path: str
    key: str | None
    message: str
    place: str = ""
    prop: str | None = None

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message


class DefinitionInvalid(Exception):
    """Raised by services when a definition must not be stored or published."""

    def __init__(self, errors: list[DefinitionError]) -> None:
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors


@dataclass
class Node:
    """A page or a field of the definition, with where it sits."""

    key: str
    kind: str  # "page" or "field"
    spec: dict[str, Any]
    path: str
    page_index: int
    parent: str | None = None  # the page or group (None for a page)
    in_repeat: str | None = None  # the repeating group of a column
    page_key: str = ""
    children: list[Node] = field(default_factory=list)

    # Computed once: the runtime asks them thousands of times a request, and
    # neither changes after the walk (the label does, with the language).
    @cached_property
    def type(self) -> str:
        return "page" if self.kind == "page" else str(self.spec.get("type"))

    @cached_property
    def has_answer(self) -> bool:
        field_type = FIELD_TYPES.get(self.type)
        return bool(field_type and field_type.has_answer and self.in_repeat is None)

    @property
    def label(self) -> str:
        if self.kind == "page":
            return loc(self.spec.get("title"))
        return loc(self.spec.get("label")) or loc(self.spec.get("text")) or self.key


def walk(definition: dict[str, Any]) -> list[Node]:
    """Every page and field in document order (repeat columns included)."""
    nodes: list[Node] = []
    pages = definition.get("pages") if isinstance(definition, dict) else None
    for index, page in enumerate(pages if isinstance(pages, list) else []):
        if not isinstance(page, dict):
            continue
        key = str(page.get("key", ""))
        # page_key names the page for every node under it (the builder's
        # "add to this group" links need it).
        page_node = Node(key, "page", page, f"pages[{index}]", index, page_key=key)
        nodes.append(page_node)
        nodes.extend(
            _walk_fields(page.get("fields"), page_node, page_node.path, index, None)
        )
    return nodes


def _walk_fields(
    fields: Any, parent: Node, path: str, page_index: int, in_repeat: str | None
) -> Iterator[Node]:
    for position, spec in enumerate(fields if isinstance(fields, list) else []):
        if not isinstance(spec, dict):
            continue
        node = Node(
            str(spec.get("key", "")),
            "field",
            spec,
            f"{path}.fields[{position}]",
            page_index,
            parent=parent.key,
            in_repeat=in_repeat,
            page_key=parent.page_key,
        )
        parent.children.append(node)
        yield node
        if spec.get("type") in {"group", "repeat"}:
            inner = node.key if spec.get("type") == "repeat" else in_repeat
            yield from _walk_fields(
                spec.get("fields"), node, node.path, page_index, inner
            )


def answer_nodes(nodes: list[Node]) -> list[Node]:
    return [node for node in nodes if node.kind == "field" and node.has_answer]


def rule_scope(nodes: list[Node]) -> tuple[set[str], dict[str, list[str]], set[str]]:
    """What rules may name: answer keys, composite parts, repeating groups."""
    known = {node.key for node in answer_nodes(nodes)}
    subkeys: dict[str, list[str]] = {}
    repeats: set[str] = set()
    for node in nodes:
        if node.type == "name_pair" and node.in_repeat is None:
            subkeys[node.key] = list(NAME_PARTS)
        if node.type == "repeat":
            repeats.add(node.key)
            subkeys[node.key] = [child.key for child in node.children]
    return known, subkeys, repeats


def dependencies(node: Node) -> set[str]:
    """Keys whose value or visibility must be known before this node's."""
    found: set[str] = {node.parent} if node.parent else set()
    for prop in ("show_if", "hide_if", "expression"):
        if prop in node.spec:
            found |= rule_vars(node.spec[prop])
    return found


def evaluation_order(nodes: list[Node]) -> tuple[list[str], list[list[str]]]:
    """Keys of the pages and top-level fields in an order where every rule
    reads only keys already settled; and the cycles that prevent one."""
    candidates = [node for node in nodes if node.in_repeat is None]
    keys = {node.key for node in candidates}
    deps = {node.key: dependencies(node) & keys for node in candidates}
    order: list[str] = []
    done: set[str] = set()
    pending = [node.key for node in candidates]
    progress = True
    while pending and progress:
        progress = False
        for key in list(pending):
            if deps[key] <= done:
                order.append(key)
                done.add(key)
                pending.remove(key)
                progress = True
    return order, _cycles(pending, deps) if pending else []


def _cycles(pending: list[str], deps: dict[str, set[str]]) -> list[list[str]]:
    cycles: list[list[str]] = []
    seen: set[str] = set()
    for start in pending:
        if start in seen:
            continue
        path = [start]
        while True:
            following = sorted(deps[path[-1]] & set(pending))
            if not following:
                break
            step = following[0]
            if step in path:
                cycle = [*path[path.index(step) :], step]
                if not set(cycle) & seen:
                    cycles.append(cycle)
                seen.update(cycle)
                break
            path.append(step)
        seen.update(path)
    return cycles


def _place(node: Node | None) -> str:
    if node is None:
        return _("フォーム全体")
    if node.kind == "page":
        return _("ページ「%(key)s」") % {"key": node.key}
    return _("項目「%(key)s」") % {"key": node.key}


_SCHEMA_MESSAGES = {
    "required": _("必須の設定「%(detail)s」がありません。"),
    "additionalProperties": _("この種類では使えない設定があります（%(detail)s）。"),
    "type": _("値の型が正しくありません（%(detail)s）。"),
    "enum": _("値「%(detail)s」は使えません。"),
    "const": _("値「%(detail)s」は使えません。"),
    "pattern": _(
        "キー「%(detail)s」は半角英小文字で始まり、英小文字・数字・_ の40文字以内にしてください。"
    ),
    "minItems": _("少なくともひとつ必要です。"),
    "minLength": _("空にはできません。"),
}


def _schema_error_message(error: jsonschema.ValidationError) -> str:
    detail: Any = error.instance
    if error.validator == "required":
        detail = error.message.split("'")[1] if "'" in error.message else error.message
    elif error.validator == "additionalProperties" and isinstance(detail, dict):
        allowed = set(error.schema.get("properties", {}))
        detail = ", ".join(sorted(str(key) for key in detail if key not in allowed))
    elif error.validator == "type":
        detail = error.validator_value
    template = _SCHEMA_MESSAGES.get(str(error.validator))
    if template is None:
        return _("値が正しくありません: %(detail)s") % {"detail": error.message}
    if isinstance(detail, dict | list):
        detail = json.dumps(detail, ensure_ascii=False)[:80]
    return template % {"detail": detail}


def _json_path(parts: Any) -> str:
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path.lstrip(".")


def validate_definition(definition: Any) -> list[DefinitionError]:
    """Every problem of a definition, in document order; [] when valid."""
    if not isinstance(definition, dict):
        return [
            DefinitionError("", None, _("定義は JSON のオブジェクトにしてください。"))
        ]
    nodes = walk(definition)
    by_path = {node.path: node for node in nodes}
    errors: list[DefinitionError] = []

    def add(node: Node | None, message: str, path: str = "", prop: str | None = None):
        error_path = path or (node.path if node else "")
        key = node.key if node else None
        errors.append(DefinitionError(error_path, key, message, _place(node), prop))

    # Unknown types first: the schema would only say "not one of [...]".
    for node in nodes:
        if node.kind == "field" and node.type not in FIELD_TYPES:
            add(
                node,
                _("種類「%(type)s」はありません。") % {"type": node.type},
                prop="type",
            )
    validator = jsonschema.Draft202012Validator(
        json_schema(), format_checker=jsonschema.FormatChecker()
    )
    for schema_error in sorted(
        validator.iter_errors(definition), key=lambda e: list(map(str, e.path))
    ):
        if schema_error.validator == "enum" and list(schema_error.path)[-1:] == [
            "type"
        ]:
            continue  # reported above
        path = _json_path(schema_error.path)
        owner = _owner(path, by_path)
        prop = path[len(owner.path) :].lstrip(".").split(".")[0] if owner else None
        add(owner, _schema_error_message(schema_error), path, prop or None)
    if definition.get("version") not in (None, FORMAT_VERSION) and not errors:
        add(None, _("version は %(v)s にしてください。") % {"v": FORMAT_VERSION})

    # Keys: unique across pages and fields; columns unique inside their group.
    seen: dict[tuple[str | None, str], Node] = {}
    for node in nodes:
        scope = node.in_repeat if node.kind == "field" else None
        if (scope, node.key) in seen:
            add(
                node,
                _("キー「%(key)s」が重複しています（%(other)s と同じ）。")
                % {"key": node.key, "other": seen[(scope, node.key)].path},
                prop="key",
            )
        else:
            seen[(scope, node.key)] = node

    known, subkeys, repeats = rule_scope(nodes)
    for node in nodes:
        field_type = FIELD_TYPES.get(node.type)
        if node.kind == "field" and field_type is not None:
            for prop, message in field_type.spec_errors(node.spec):
                add(node, message, prop=prop)
            errors.extend(_placement_errors(node, field_type, nodes))
            errors.extend(_value_errors(node, field_type))
        for prop in RULE_PROPERTIES:
            if prop in node.spec:
                for message in rule_errors(
                    node.spec[prop], known, subkeys=subkeys, repeat_keys=repeats
                ):
                    add(node, f"{prop}: {message}", f"{node.path}.{prop}", prop)

    errors.extend(_validation_errors(definition, nodes, known, subkeys, repeats))

    _order, cycles = evaluation_order(nodes)
    by_key = {node.key: node for node in nodes if node.in_repeat is None}
    for cycle in cycles:
        add(
            by_key.get(cycle[0]),
            _("条件や計算が循環しています: %(cycle)s") % {"cycle": " → ".join(cycle)},
            prop="show_if",
        )
    return errors


def validations(definition: Any) -> list[dict[str, Any]]:
    """The form-level cross-field checks (``validations``), well-formed ones
    only: each names the field its message goes under, a rule that must hold
    and a bilingual message."""
    found = definition.get("validations") if isinstance(definition, dict) else None
    return [
        check
        for check in (found if isinstance(found, list) else [])
        if isinstance(check, dict)
        and isinstance(check.get("field"), str)
        and "rule" in check
    ]


def _validation_errors(
    definition: dict[str, Any],
    nodes: list[Node],
    known: set[str],
    subkeys: dict[str, list[str]],
    repeats: set[str],
) -> list[DefinitionError]:
    """A check must sit under a question the resident answers (not a computed
    value, not a column) and its rule must read only this form's answers."""
    errors: list[DefinitionError] = []
    targets = {node.key for node in answer_nodes(nodes) if node.type != "computed"}
    for index, check in enumerate(definition.get("validations") or []):
        if not isinstance(check, dict):
            continue  # the JSON Schema reports it
        path = f"validations[{index}]"
        place = _("入力チェック%(n)s") % {"n": index + 1}
        target = check.get("field")
        if isinstance(target, str) and target not in targets:
            errors.append(
                DefinitionError(
                    path,
                    None,
                    _("メッセージを表示する項目「%(key)s」がありません。")
                    % {"key": target},
                    place,
                    "field",
                )
            )
        if "rule" in check:
            for message in rule_errors(
                check["rule"], known, subkeys=subkeys, repeat_keys=repeats
            ):
                errors.append(
                    DefinitionError(
                        f"{path}.rule", None, f"rule: {message}", place, "rule"
                    )
                )
    return errors


def errors_by_path(definition: Any) -> dict[str, list[DefinitionError]]:
    """Problems grouped by the path of the page or field they belong to
    ("" for the whole form): what the builder shows next to each one."""
    by_path = {node.path: node for node in walk(definition)}
    grouped: dict[str, list[DefinitionError]] = {}
    for error in validate_definition(definition):
        owner = _owner(error.path, by_path)
        grouped.setdefault(owner.path if owner else "", []).append(error)
    return grouped


def _owner(path: str, by_path: dict[str, Node]) -> Node | None:
    candidates = [p for p in by_path if path == p or path.startswith(p + ".")]
    return by_path[max(candidates, key=len)] if candidates else None


def _placement_errors(node: Node, field_type: Any, nodes: list[Node]) -> list:
    errors: list[DefinitionError] = []
    place = _place(node)
    if node.in_repeat is not None:
        if not field_type.in_repeat:
            errors.append(
                DefinitionError(
                    node.path,
                    node.key,
                    _("繰り返しの列に「%(type)s」は使えません。")
                    % {"type": field_type.label},
                    place,
                    "type",
                )
            )
        for prop in ("show_if", "hide_if", "required_if", "prefill"):
            if prop in node.spec:
                errors.append(
                    DefinitionError(
                        node.path,
                        node.key,
                        _("繰り返しの列には %(prop)s を設定できません。")
                        % {"prop": prop},
                        place,
                        prop,
                    )
                )
    parent = next((n for n in nodes if n.key == node.parent), None)
    if node.type == "group" and parent is not None and parent.type == "group":
        errors.append(
            DefinitionError(
                node.path,
                node.key,
                _("グループの中にグループは置けません。"),
                place,
                "type",
            )
        )
    prefill = node.spec.get("prefill")
    if prefill and prefill not in field_type.prefill_from:
        errors.append(
            DefinitionError(
                node.path,
                node.key,
                _("この種類の項目には「%(prefill)s」を自動入力できません。")
                % {"prefill": prefill},
                place,
                "prefill",
            )
        )
    return errors


def _value_errors(node: Node, field_type: Any) -> list[DefinitionError]:
    """A default value must be an answer the field itself would accept."""
    if "default" not in node.spec or not field_type.has_answer:
        return []
    default = node.spec["default"]
    problem = None
    try:
        data = field_type.initial_data(node.spec, "x", default)
        fields = field_type.form_fields(node.spec, "x", required=False)
        post = MultiValueDict(
            {k: v if isinstance(v, list) else [v] for k, v in data.items()}
        )
        cleaned = {}
        for name, form_field in fields.items():
            value = (
                post.getlist(name)
                if isinstance(data.get(name), list)
                else post.get(name)
            )
            cleaned[name] = form_field.clean(value)
        if field_type.answer(node.spec, "x", cleaned) != default:
            problem = _("既定値がこの項目の回答の形になっていません。")
    except Exception as error:  # ValidationError, or a default of the wrong shape
        problem = _("既定値が正しくありません: %(e)s") % {
            "e": "; ".join(getattr(error, "messages", [str(error)]))
        }
    if problem is None:
        return []
    return [DefinitionError(node.path, node.key, problem, _place(node), "default")]

"""Pure edits of a definition for the builder: each returns a new dict.

The builder's views turn a submitted form into one of these edits and hand
the result to ``services.form_version_update_definition``.
"""

from __future__ import annotations

import copy
from typing import Any


class EditError(ValueError):
    """The edit does not apply (unknown key, move past the end)."""


def _pages(definition: dict[str, Any]) -> list[dict[str, Any]]:
    return definition.setdefault("pages", [])


def find_page(definition: dict[str, Any], key: str) -> dict[str, Any]:
    for page in _pages(definition):
        if page.get("key") == key:
            return page
    raise EditError(f"no page {key}")


def locate_field(
    definition: dict[str, Any], key: str
) -> tuple[list[dict[str, Any]], int, dict[str, Any]]:
    """(the list holding the field, its index, the page it is on)."""

    def search(fields: list[dict[str, Any]], page: dict[str, Any]) -> Any:
        for index, spec in enumerate(fields):
            if spec.get("key") == key:
                return fields, index, page
            if spec.get("type") in {"group", "repeat"}:
                found = search(spec.setdefault("fields", []), page)
                if found:
                    return found
        return None

    for page in _pages(definition):
        found = search(page.setdefault("fields", []), page)
        if found:
            return found
    raise EditError(f"no field {key}")


def find_field(definition: dict[str, Any], key: str) -> dict[str, Any]:
    fields, index, _page = locate_field(definition, key)
    return fields[index]


def all_keys(definition: dict[str, Any]) -> set[str]:
    keys: set[str] = set()

    def collect(fields: list[dict[str, Any]]) -> None:
        for spec in fields:
            keys.add(str(spec.get("key")))
            collect(spec.get("fields") or [])

    for page in _pages(definition):
        keys.add(str(page.get("key")))
        collect(page.get("fields") or [])
    return keys


def page_add(definition: dict[str, Any], *, page: dict[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(definition)
    _pages(result).append({**page, "fields": list(page.get("fields") or [])})
    return result


def page_update(
    definition: dict[str, Any], *, key: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """Set page properties; a value of None removes the property."""
    result = copy.deepcopy(definition)
    page = find_page(result, key)
    _apply(page, changes)
    return result


def page_move(definition: dict[str, Any], *, key: str, offset: int) -> dict[str, Any]:
    result = copy.deepcopy(definition)
    pages = _pages(result)
    index = pages.index(find_page(result, key))
    _move(pages, index, offset)
    return result


def page_remove(definition: dict[str, Any], *, key: str) -> dict[str, Any]:
    result = copy.deepcopy(definition)
    pages = _pages(result)
    pages.remove(find_page(result, key))
    return result


def field_add(
    definition: dict[str, Any],
    *,
    page_key: str,
    spec: dict[str, Any],
    parent_key: str | None = None,
) -> dict[str, Any]:
    result = copy.deepcopy(definition)
    if parent_key:
        parent = find_field(result, parent_key)
        if parent.get("type") not in {"group", "repeat"}:
            raise EditError(f"{parent_key} cannot hold fields")
        parent.setdefault("fields", []).append(spec)
    else:
        find_page(result, page_key).setdefault("fields", []).append(spec)
    return result


def field_update(
    definition: dict[str, Any], *, key: str, changes: dict[str, Any]
) -> dict[str, Any]:
    result = copy.deepcopy(definition)
    fields, index, _page = locate_field(result, key)
    _apply(fields[index], changes)
    return result


def field_move(definition: dict[str, Any], *, key: str, offset: int) -> dict[str, Any]:
    """Move a field up or down among its siblings; past the first or last
    field of a page it moves to the previous or next page."""
    result = copy.deepcopy(definition)
    fields, index, page = locate_field(result, key)
    target = index + offset
    pages = _pages(result)
    if 0 <= target < len(fields):
        _move(fields, index, offset)
    elif page.get("fields") is fields:
        page_index = pages.index(page) + (1 if offset > 0 else -1)
        if not 0 <= page_index < len(pages):
            raise EditError("cannot move further")
        spec = fields.pop(index)
        destination = pages[page_index].setdefault("fields", [])
        if offset > 0:
            destination.insert(0, spec)
        else:
            destination.append(spec)
    else:
        raise EditError("cannot move further")
    return result


def field_move_to_page(
    definition: dict[str, Any], *, key: str, page_key: str
) -> dict[str, Any]:
    """Move a field (a group or repeating group with all it holds) to the end
    of another page; out of a group too."""
    result = copy.deepcopy(definition)
    destination = find_page(result, page_key)
    fields, index, page = locate_field(result, key)
    if page is destination and page.get("fields") is fields:
        raise EditError("already on that page")
    destination.setdefault("fields", []).append(fields.pop(index))
    return result


def field_remove(definition: dict[str, Any], *, key: str) -> dict[str, Any]:
    result = copy.deepcopy(definition)
    fields, index, _page = locate_field(result, key)
    del fields[index]
    return result


def _move(items: list[Any], index: int, offset: int) -> None:
    target = index + offset
    if not 0 <= target < len(items):
        raise EditError("cannot move further")
    items.insert(target, items.pop(index))


def _apply(target: dict[str, Any], changes: dict[str, Any]) -> None:
    for prop, value in changes.items():
        if value is None:
            target.pop(prop, None)
        else:
            target[prop] = value


def _columns(definition: dict[str, Any], parent_key: str) -> list[dict[str, Any]]:
    parent = find_field(definition, parent_key)
    if parent.get("type") != "repeat":
        raise EditError(f"{parent_key} is not a repeating group")
    return parent.setdefault("fields", [])


def _column_index(columns: list[dict[str, Any]], key: str) -> int:
    for index, spec in enumerate(columns):
        if spec.get("key") == key:
            return index
    raise EditError(f"no column {key}")


def column_update(
    definition: dict[str, Any], *, parent_key: str, key: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """Edit a column of a repeating group (column keys are local to it)."""
    result = copy.deepcopy(definition)
    columns = _columns(result, parent_key)
    _apply(columns[_column_index(columns, key)], changes)
    return result


def column_move(
    definition: dict[str, Any], *, parent_key: str, key: str, offset: int
) -> dict[str, Any]:
    result = copy.deepcopy(definition)
    columns = _columns(result, parent_key)
    _move(columns, _column_index(columns, key), offset)
    return result


def column_remove(
    definition: dict[str, Any], *, parent_key: str, key: str
) -> dict[str, Any]:
    result = copy.deepcopy(definition)
    columns = _columns(result, parent_key)
    del columns[_column_index(columns, key)]
    return result


# --- cross-field checks (``validations``) ------------------------------------


def _checks(definition: dict[str, Any]) -> list[dict[str, Any]]:
    checks = definition.setdefault("validations", [])
    if not isinstance(checks, list):
        raise EditError("validations is not a list")
    return checks


def check_add(definition: dict[str, Any], *, check: dict[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(definition)
    _checks(result).append(check)
    return result


def check_update(
    definition: dict[str, Any], *, index: int, check: dict[str, Any]
) -> dict[str, Any]:
    result = copy.deepcopy(definition)
    checks = _checks(result)
    if not 0 <= index < len(checks):
        raise EditError(f"no check {index}")
    checks[index] = check
    return result


def check_remove(definition: dict[str, Any], *, index: int) -> dict[str, Any]:
    result = copy.deepcopy(definition)
    checks = _checks(result)
    if not 0 <= index < len(checks):
        raise EditError(f"no check {index}")
    del checks[index]
    if not checks:
        del result["validations"]
    return result

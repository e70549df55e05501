"""Parse answers sent as JSON (or a file sent for a field) the way the
resident portal parses a posted page: through the form's own page form.

The API checks each touched page with ``FormRuntime.page_form`` fed with the
answers as a browser would post them, so a value the portal refuses is
refused here with the same message, and what is stored is normalised the
same way (kana, postal codes, amounts).
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from forms_builder.forms import answers_as_post
from forms_builder.runtime import answer_shape_ok
from procedures.models import Application


class AnswersRejected(Exception):
    """Field messages by answer key."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("answers rejected")
        self.errors = errors


def _runtime(application: Application) -> Any:
    return application.procedure_version.form_version.runtime


def _file_refs(
    answers: dict[str, Any], runtime: Any
) -> dict[str, list[dict[str, Any]]]:
    return {
        info.key: [ref for ref in answers.get(info.key) or [] if isinstance(ref, dict)]
        for info in runtime.field_keys()
        if info.type == "file" and isinstance(answers.get(info.key), list)
    }


def _kept_files(
    value: Any, stored: list[dict[str, Any]]
) -> list[dict[str, Any]] | None:
    """A file answer names the stored attachments to keep, by id (or ref)."""
    if not isinstance(value, list):
        return None
    ids = []
    for item in value:
        item_id = item.get("id") if isinstance(item, dict) else item
        if isinstance(item_id, bool) or not isinstance(item_id, int):
            return None
        ids.append(item_id)
    by_id = {ref.get("id"): ref for ref in stored}
    if any(item_id not in by_id for item_id in ids):
        return None
    return [by_id[item_id] for item_id in dict.fromkeys(ids)]


def _page_form(runtime, index, answers, files=None):
    return runtime.page_form(
        index,
        data=answers_as_post(runtime, index, answers),
        files=files or MultiValueDict(),
        answers=answers,
        existing_files=_file_refs(answers, runtime),
    )


def parse_answers(
    *, application: Application, incoming: dict[str, Any]
) -> dict[str, Any]:
    """The normalised answers for the keys sent, or AnswersRejected."""
    runtime = _runtime(application)
    errors: dict[str, list[str]] = {}
    converted: dict[str, Any] = {}
    stored_files = _file_refs(application.answers, runtime)
    for key, value in incoming.items():
        info = runtime.field(key)
        if info is None:
            errors[key] = [_("この項目はフォームにありません。")]
        elif info.type == "computed":
            errors[key] = [_("この項目は自動で計算されるため、入力できません。")]
        elif info.type == "file":
            kept = _kept_files(value, stored_files.get(key, []))
            if kept is None:
                errors[key] = [
                    _("添付ファイルは、残すファイルのIDの一覧で指定してください。")
                ]
            else:
                converted[key] = kept
        elif not answer_shape_ok(info.type, value):
            errors[key] = [_("回答の形式が正しくありません。")]
        elif unknown := _unknown_parts(runtime, info, value):
            errors[key] = unknown
        else:
            converted[key] = value
    if errors:
        raise AnswersRejected(errors)
    merged = {**application.answers, **converted}
    pages = sorted(
        {runtime.by_key[key].page_index for key in converted if key in runtime.by_key}
    )
    normalised: dict[str, Any] = {}
    for index in pages:
        form = _page_form(runtime, index, merged)
        form.is_valid()
        page_errors = form.errors_by_key()
        for key in converted:
            if key in page_errors:
                errors[key] = page_errors[key]
        answers = form.page_answers()
        for key in converted:
            if key in page_errors or runtime.by_key[key].page_index != index:
                continue
            if key in answers:
                normalised[key] = answers[key]
            elif converted[key] not in (None, [], {}, ""):
                # Hidden by the answers (its own condition, its group's or
                # its page's): refused, not dropped; null clears it.
                errors[key] = [
                    _(
                        "この項目は現在の回答では表示されないため、回答できません。"
                        "回答しない（null）か、表示される回答にしてください。"
                    )
                ]
    if errors:
        raise AnswersRejected(errors)
    return normalised


def _unknown_parts(runtime: Any, info: Any, value: Any) -> list[str]:
    """Parts of a composite answer the question does not have (never dropped)."""
    if info.type == "repeat":
        columns = {column.key for column in runtime.columns(info.key)}
        unknown = sorted(
            {str(name) for row in value for name in row if name not in columns}
        )
        if unknown:
            return [
                _(
                    "「%(names)s」はこの繰り返し項目の列にありません（列: %(columns)s）。"
                )
                % {"names": "」「".join(unknown), "columns": ", ".join(sorted(columns))}
            ]
    if info.type == "name_pair" and isinstance(value, dict):
        unknown = sorted(str(name) for name in value if name not in ("name", "kana"))
        if unknown:
            return [
                _("「%(names)s」は氏名の項目にありません（name と kana だけです）。")
                % {"names": "」「".join(unknown)}
            ]
    return []


def parse_upload(
    *, application: Application, key: str, uploads: list[UploadedFile]
) -> dict[str, list[UploadedFile]]:
    """The checked uploads for a file question (type, size, count, virus scan)."""
    runtime = _runtime(application)
    info = runtime.field(key)
    if info is None or info.type != "file":
        raise AnswersRejected({"field": [_("ファイルを添付する項目ではありません。")]})
    index = runtime.by_key[key].page_index
    if index not in runtime.visible_page_indexes(application.answers):
        raise AnswersRejected(
            {"field": [_("この項目は現在の回答では表示されません。")]}
        )
    form = _page_form(
        runtime, index, application.answers, MultiValueDict({key: list(uploads)})
    )
    form.is_valid()
    page_errors = form.errors_by_key()
    if key in page_errors:
        raise AnswersRejected({"file": page_errors[key]})
    if not form.is_visible(key):
        raise AnswersRejected(
            {"field": [_("この項目は現在の回答では表示されません。")]}
        )
    return {key: form.new_files().get(key, [])}

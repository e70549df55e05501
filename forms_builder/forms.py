"""The resident's page form, built from a definition for one page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.template.defaultfilters import filesizeformat
from django.utils.datastructures import MultiValueDict
from django.utils.html import escape
from django.utils.translation import gettext as _

from forms_builder.definition import Node
from forms_builder.fieldtypes import FIELD_TYPES, is_japanese, loc
from forms_builder.models import TemplateFile

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from forms_builder.runtime import Evaluation, FormRuntime

ACTION = "_fb_action"  # the name of the add-row / remove-row buttons
# The questions shown when the page was posted, space-separated: kept live by
# conditions.js, left as drawn without JavaScript.
SHOWN = "_fb_shown"
DEFAULT_MAX_ROWS = 20
# Rows read beyond a group's maximum, so that too many rows are an error
# naming the maximum rather than a silent cut; past this, the post is refused
# without building a field per row.
ROW_SLACK = 100
TEMPLATE_ID = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)


def answers_as_post(
    runtime: FormRuntime, index: int, answers: dict[str, Any]
) -> MultiValueDict:
    """The POST a browser would send for one page showing ``answers``."""
    post = MultiValueDict()
    for node in runtime.page_nodes(index):
        for name, value in _initial_for(runtime, node, answers).items():
            if value is None or value is False:
                continue
            post.setlist(name, value if isinstance(value, list) else [str(value)])
    return post


def _initial_for(runtime: FormRuntime, node: Node, answers: dict[str, Any]) -> dict:
    field_type = FIELD_TYPES.get(node.type)
    if field_type is None or not field_type.has_answer:
        return {}
    value = answers.get(node.key)
    if node.type != "repeat":
        return field_type.initial_data(node.spec, node.key, value)
    rows = [row for row in value or [] if isinstance(row, dict)]
    data: dict[str, Any] = {f"{node.key}-rows": str(_row_count(node, len(rows)))}
    # Every row is written (none cut at max_rows): the page form counts them
    # and refuses too many; past the slack it refuses without reading them.
    for index, row in enumerate(rows[: _row_ceiling(node) + 1]):
        for column in node.children:
            column_type = FIELD_TYPES.get(column.type)
            if column_type is not None:
                data.update(
                    column_type.initial_data(
                        column.spec,
                        f"{node.key}-{index}-{column.key}",
                        row.get(column.key),
                    )
                )
    return data


def _row_count(node: Node, rows: int) -> int:
    """Rows to show for ``rows`` answered: never fewer than answered (too many
    is reported, not cut), at least min_rows and one empty row to start."""
    low = node.spec.get("min_rows") or 0
    high = node.spec.get("max_rows") or DEFAULT_MAX_ROWS
    return max(rows, min(max(low, 1), high))


def _row_ceiling(node: Node) -> int:
    return (node.spec.get("max_rows") or DEFAULT_MAX_ROWS) + ROW_SLACK


def _missing(message: str) -> forms.ValidationError:
    """An answer not given yet (code "required"), as Django's own required error."""
    return forms.ValidationError(message, code="required")


@dataclass
class Item:
    """One thing on the page, in the order and nesting of the definition."""

    node: Node
    visible: bool
    required: bool
    fields: list[forms.BoundField] = field(default_factory=list)
    children: list[Item] = field(default_factory=list)
    rows: list[tuple[int, list[forms.BoundField]]] = field(default_factory=list)
    template_row: list[forms.BoundField] = field(default_factory=list)
    existing_files: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    value: str = ""

    @property
    def key(self) -> str:
        return self.node.key

    @property
    def type(self) -> str:
        return self.node.type

    @property
    def label(self) -> str:
        return self.node.label

    @property
    def help(self) -> str:
        return loc(self.node.spec.get("help"))

    @property
    def text(self) -> str:
        return loc(self.node.spec.get("text"))

    @property
    def style(self) -> str:
        return self.node.spec.get("style", "paragraph")

    @property
    def template(self) -> dict[str, Any] | None:
        """The 様式 residents download next to a file question, if any."""
        template = self.node.spec.get("template") if self.type == "file" else None
        if not isinstance(template, dict) or not TEMPLATE_ID.match(
            str(template.get("id", ""))
        ):
            return None
        # A definition imported from another installation names a file that
        # is not stored here: no link that leads nowhere.
        if not TemplateFile.objects.filter(public_id=template["id"]).exists():
            return None
        return template

    @property
    def can_add_row(self) -> bool:
        return len(self.rows) < (self.node.spec.get("max_rows") or DEFAULT_MAX_ROWS)

    @property
    def can_remove_row(self) -> bool:
        return len(self.rows) > max(self.node.spec.get("min_rows") or 0, 1)

    @property
    def max_rows(self) -> int:
        return self.node.spec.get("max_rows") or DEFAULT_MAX_ROWS

    @property
    def min_rows(self) -> int:
        return self.node.spec.get("min_rows") or 0


class PageForm(forms.Form):
    """One page of a resident's form; see forms_builder.runtime for the contract.

    Field names are the answer keys; composite answers use suffixes: a name
    pair ``key-name`` / ``key-kana``; a repeating group ``key-rows`` and
    ``key-<row>-<column>``; an attachment ``key`` (new files) and
    ``key-remove`` (ids of stored files to drop); ``_fb_shown`` lists the
    questions the page showed when posted.

    Besides ``is_valid()`` / ``page_answers()`` / ``new_files()``:
    ``revealed`` lists the questions the post's answers revealed (the page
    is not valid, without errors: show it again); ``checked_uploads()``
    gives the uploads of a page that is not valid which passed their own
    checks, for the caller to keep with the draft (docs/forms.md).
    """

    # Errors are shown by the server's summary; the browser's own bubbles
    # would block conditionally required fields the script has just hidden.
    use_required_attribute = False

    def __init__(
        self,
        runtime: FormRuntime,
        page_index: int,
        *,
        data: Any = None,
        files: Any = None,
        answers: dict[str, Any],
        existing_files: dict[str, list[dict[str, Any]]],
    ) -> None:
        self.runtime = runtime
        self.page = runtime.pages[page_index]
        self.answers = dict(answers)
        self.existing = {
            key: [ref for ref in refs if isinstance(ref, dict)]
            for key, refs in existing_files.items()
        }
        self.action: str | None = None
        if data is not None:
            data, self.action = self._apply_row_action(data)
        super().__init__(data=data, files=files)
        self.nodes = runtime.page_nodes(page_index)
        self.owner: dict[str, str] = {}  # form field name -> answer key
        self.row_counts: dict[str, int] = {}
        self.row_overflow: set[str] = set()  # groups posted past the ceiling
        for node in self.nodes:
            self._add_fields(node)
        self.shown = self._posted_shown()
        self.evaluation = runtime.evaluate(self._rule_data())
        self._apply_requirements()

    # --- building -----------------------------------------------------------

    def _add_fields(self, node: Node) -> None:
        field_type = FIELD_TYPES.get(node.type)
        if field_type is None or not field_type.has_answer:
            return
        if node.type == "repeat":
            self._add_rows(node)
            return
        for name, form_field in field_type.form_fields(
            node.spec, node.key, required=False
        ).items():
            self._place(name, form_field, node, node.key)
        if node.type == "file":
            refs = self._stored_files(node.key)
            if refs:
                # "Already attached: name (size) [remove]" — also the files
                # kept from a post that failed on another question.
                self._place(
                    f"{node.key}-remove",
                    forms.MultipleChoiceField(
                        required=False,
                        choices=[
                            (
                                str(ref.get("id")),
                                _("%(name)s（%(size)s）を削除する")
                                % {
                                    "name": ref.get("name", ""),
                                    "size": filesizeformat(ref.get("size") or 0),
                                },
                            )
                            for ref in refs
                        ],
                        widget=forms.CheckboxSelectMultiple,
                        help_text=escape(
                            _(
                                "添付済みのファイルです。差し替えるときは、"
                                "削除にチェックを付けて新しいファイルを選んでください。"
                            )
                        ),
                    ),
                    node,
                    node.key,
                    label=_("添付済みのファイル"),
                )
        for name, value in _initial_for(self.runtime, node, self.answers).items():
            self.initial[name] = value

    def _place(
        self,
        name: str,
        form_field: forms.Field,
        node: Node,
        owner: str,
        label: str | None = None,
    ) -> None:
        if label is None and name == node.key:
            form_field.label = node.label
        elif label is not None:
            form_field.label = label
        if name == node.key and node.spec.get("help"):
            # crispy prints help text unescaped; the definition is data.
            form_field.help_text = escape(loc(node.spec["help"]))
        self.fields[name] = form_field
        self.owner[name] = owner

    def _add_rows(self, node: Node) -> None:
        if self.is_bound:
            rows = self._posted_rows(node)
            ceiling = _row_ceiling(node)
            if rows > ceiling:
                self.row_overflow.add(node.key)
                rows = ceiling
        else:
            stored = self.answers.get(node.key)
            rows = _row_count(node, len(stored) if isinstance(stored, list) else 0)
        self.row_counts[node.key] = rows
        counter = forms.IntegerField(required=False, widget=forms.HiddenInput)
        self._place(f"{node.key}-rows", counter, node, node.key, label=node.label)
        self.initial[f"{node.key}-rows"] = rows
        for index in range(rows):
            for column in node.children:
                self._add_column(node, column, index)
        for name, value in _initial_for(self.runtime, node, self.answers).items():
            if name != f"{node.key}-rows":
                self.initial[name] = value

    def _add_column(self, node: Node, column: Node, index: int) -> None:
        column_type = FIELD_TYPES.get(column.type)
        if column_type is None:
            return
        fields = column_type.form_fields(
            column.spec, f"{node.key}-{index}-{column.key}", required=False
        )
        for name, form_field in fields.items():
            if name == f"{node.key}-{index}-{column.key}":
                form_field.label = column.label
                if column.spec.get("help"):
                    form_field.help_text = escape(loc(column.spec["help"]))
            self.fields[name] = form_field
            self.owner[name] = node.key

    def _posted_rows(self, node: Node) -> int:
        """The rows posted: the counter, or more when row fields past it were
        sent (rows are never cut at max_rows; too many is an error)."""
        try:
            rows = int(self.data.get(f"{node.key}-rows", ""))
        except (TypeError, ValueError):
            rows = _row_count(node, 0)
        prefix = f"{node.key}-"
        for name in self.data:
            index = name[len(prefix) :].split("-", 1)[0]
            if name.startswith(prefix) and index.isdigit() and len(index) < 7:
                values = (
                    self.data.getlist(name)
                    if hasattr(self.data, "getlist")
                    else [self.data.get(name)]
                )
                if any(isinstance(value, str) and value.strip() for value in values):
                    rows = max(rows, int(index) + 1)
        return max(rows, 0)

    def _posted_shown(self) -> set[str] | None:
        """The questions the resident could see when posting; None when the
        post does not say (the API, whole-form validation): all of them."""
        if not self.is_bound or not hasattr(self.data, "get"):
            return None
        value = self.data.get(SHOWN)
        return set(value.split()) if isinstance(value, str) else None

    def _unseen(self, key: str) -> bool:
        """A question shown now that was hidden when the page was posted: an
        answer revealed it (without JavaScript). It is shown, not checked."""
        if self.shown is None or key in self.shown:
            return False
        node = self.runtime.by_key.get(key)
        return (
            node is not None
            and node.has_answer
            and node.type != "computed"
            and self.is_visible(key)
        )

    @property
    def revealed(self) -> list[Item]:
        """Questions this post revealed, for the notice above the page."""
        if not self.is_bound or self.action is not None:
            return []
        return [
            Item(node=node, visible=True, required=False)
            for node in self.nodes
            if self._unseen(node.key)
        ]

    @property
    def shown_value(self) -> str:
        """The questions this page shows as drawn (the value of ``SHOWN``)."""
        return " ".join(
            node.key
            for node in self.nodes
            if node.has_answer and node.type != "computed" and self.is_visible(node.key)
        )

    def _stored_files(self, key: str) -> list[dict[str, Any]]:
        if key in self.existing:
            return self.existing[key]
        stored = self.answers.get(key)
        return (
            [ref for ref in stored if isinstance(ref, dict)]
            if isinstance(stored, list)
            else []
        )

    def _apply_row_action(self, data: Any) -> tuple[Any, str | None]:
        action = data.get(ACTION) if hasattr(data, "get") else None
        if not action or not isinstance(action, str):
            return data, None
        parts = action.split(":")
        node = self.runtime.by_key.get(parts[1]) if len(parts) > 1 else None
        if node is None or node.type != "repeat":
            return data, None
        copy = data.copy() if hasattr(data, "copy") else QueryDict(mutable=True)
        key = node.key
        try:
            rows = int(copy.get(f"{key}-rows", "1"))
        except ValueError:
            rows = 1
        high = node.spec.get("max_rows") or DEFAULT_MAX_ROWS
        if parts[0] == "add":
            rows = min(rows + 1, high)
        elif parts[0] == "remove" and len(parts) == 3 and parts[2].isdigit():
            removed = int(parts[2])
            prefix = f"{key}-"
            shifted: dict[str, list[Any]] = {}
            for name in list(copy.keys()):
                bits = (
                    name[len(prefix) :].split("-", 1) if name.startswith(prefix) else []
                )
                if len(bits) == 2 and bits[0].isdigit():
                    values = copy.getlist(name)
                    del copy[name]
                    index = int(bits[0])
                    if index == removed:
                        continue
                    index = index - 1 if index > removed else index
                    shifted[f"{prefix}{index}-{bits[1]}"] = values
            for name, values in shifted.items():
                copy.setlist(name, values)
            rows = max(rows - 1, 0)
        else:
            return data, None
        copy[f"{key}-rows"] = str(rows)
        return copy, action

    # --- rules --------------------------------------------------------------

    def _rule_data(self) -> dict[str, Any]:
        data = self.runtime.rule_data(self.answers)
        if not self.is_bound:
            return data
        for node in self.nodes:
            field_type = FIELD_TYPES.get(node.type)
            if field_type is None or not field_type.has_answer:
                continue
            if node.type == "file":
                data[node.key] = self._file_count(node.key)
            elif node.type == "repeat":
                data[node.key] = self._raw_rows(node)
            elif node.type != "computed":
                data[node.key] = field_type.rule_value(node.spec, node.key, self.data)
        return data

    def _file_count(self, key: str) -> int:
        removed = set(self.data.getlist(f"{key}-remove")) if self.is_bound else set()
        kept = [
            ref for ref in self._stored_files(key) if str(ref.get("id")) not in removed
        ]
        uploads = self.files.getlist(key) if hasattr(self.files, "getlist") else []
        return len(kept) + len([upload for upload in uploads if upload])

    def _raw_rows(self, node: Node) -> list[dict[str, Any]]:
        rows = []
        for index in range(self.row_counts.get(node.key, 0)):
            row = {
                column.key: FIELD_TYPES[column.type].rule_value(
                    column.spec, f"{node.key}-{index}-{column.key}", self.data
                )
                for column in node.children
                if column.type in FIELD_TYPES
            }
            if any(value is not None for value in row.values()):
                rows.append(row)
        return rows

    def _row_is_empty(self, node: Node, index: int) -> bool:
        for column in node.children:
            column_type = FIELD_TYPES.get(column.type)
            if column_type is None:
                continue
            name = f"{node.key}-{index}-{column.key}"
            if column_type.rule_value(column.spec, name, self.data) is not None:
                return False
            # A value the lenient reading cannot parse is still an entry.
            raw = [self.data.get(n) for n in self.fields if n.startswith(name)]
            if any(isinstance(value, str) and value.strip() for value in raw):
                return False
        return True

    def _apply_requirements(self) -> None:
        evaluation = self.evaluation
        for node in self.nodes:
            if node.type == "repeat":
                self._require_rows(node)
                continue
            if not FIELD_TYPES.get(node.type) or node.type == "file":
                continue
            required = evaluation.required.get(node.key, False) and not self._unseen(
                node.key
            )
            for name, owner in self.owner.items():
                if owner == node.key and not name.endswith("-remove"):
                    self.fields[name].required = required

    def _require_rows(self, node: Node) -> None:
        """Columns are required in rows that have an entry; an empty row is
        simply left out. Unbound, the marks show what a started row needs."""
        # A row just added (行を追加: a row action, nothing is checked) shows
        # the marks of a started row like the first one does.
        checking = self.is_bound and self.action is None
        for index in range(self.row_counts.get(node.key, 0)):
            empty = checking and self._row_is_empty(node, index)
            for column in node.children:
                prefix = f"{node.key}-{index}-{column.key}"
                for name in self.fields:
                    if name == prefix or name.startswith(prefix + "-"):
                        self.fields[name].required = (
                            not empty and column.spec.get("required") is True
                        )

    def is_visible(self, key: str) -> bool:
        return bool(self.evaluation.visible.get(key, True))

    # --- validation ---------------------------------------------------------

    def is_valid(self) -> bool:
        # An add-row / remove-row press is not a submission of the page, nor
        # is a post that revealed a question the resident has not seen yet:
        # the page comes back with it shown, without an error about it.
        return self.action is None and super().is_valid() and not self.revealed

    def full_clean(self) -> None:
        if self.action is not None:
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()

    def _clean_fields(self) -> None:
        for name, bound_field in self._bound_items():
            owner = self.owner.get(name)
            if owner is not None and not self.is_visible(owner):
                continue  # a hidden question is neither required nor stored
            if owner is not None and self._unseen(owner):
                continue  # just revealed: checked once the resident saw it
            try:
                self.cleaned_data[name] = bound_field.field._clean_bound_field(
                    bound_field
                )
            except forms.ValidationError as error:
                self.add_error(name, error)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for node in self.nodes:
            if not self.is_visible(node.key) or self._unseen(node.key):
                continue
            if node.type == "name_pair":
                self._clean_name_pair(node)
            elif node.type == "repeat":
                self._clean_rows(node)
            elif node.type == "file":
                self._clean_files(node)
        # Visibility may depend on values only a strict clean gives exactly.
        self.evaluation = self.runtime.evaluate(self._strict_rule_data())
        self._clean_checks()
        return cleaned

    def _clean_checks(self) -> None:
        """The form's cross-field checks whose message goes under a question
        of this page (docs/forms.md "Cross-field checks"). The values are
        the whole form's: this page's posted answers over the stored ones."""
        for node in self.nodes:
            if node.key not in self.runtime.checks or self._unseen(node.key):
                continue
            name = self._error_name(node)
            if name is None or name in self.errors:
                continue  # its own check failed first: one message at a time
            for message in self.runtime.failed_checks(node.key, self.evaluation):
                self.add_error(name, message)

    def _error_name(self, node: Node) -> str | None:
        """The form field a message about the whole question goes under."""
        for name in (node.key, f"{node.key}-rows", f"{node.key}-name"):
            if name in self.fields:
                return name
        return None

    def _strict_rule_data(self) -> dict[str, Any]:
        data = self.runtime.rule_data({**self.answers, **self._answers()})
        for node in self.nodes:
            if node.type == "file":
                data[node.key] = self._file_count(node.key)
        return data

    def _clean_name_pair(self, node: Node) -> None:
        person = self.cleaned_data.get(f"{node.key}-name")
        kana = self.cleaned_data.get(f"{node.key}-kana")
        if person and not kana and f"{node.key}-kana" not in self.errors:
            self.add_error(
                f"{node.key}-kana", _missing(_("フリガナも入力してください。"))
            )
        if kana and not person and f"{node.key}-name" not in self.errors:
            self.add_error(f"{node.key}-name", _missing(_("氏名も入力してください。")))

    def _clean_rows(self, node: Node) -> None:
        filled = sum(
            not self._row_is_empty(node, index)
            for index in range(self.row_counts.get(node.key, 0))
        )
        low = node.spec.get("min_rows") or 0
        if self.evaluation.required.get(node.key):
            low = max(low, 1)
        high = node.spec.get("max_rows") or DEFAULT_MAX_ROWS
        name = f"{node.key}-rows"
        if node.key in self.row_overflow or filled > high:
            self.add_error(
                name,
                _("%(label)s は %(count)s 件までです。")
                % {"label": node.label, "count": high},
            )
        elif filled < low:
            self.add_error(
                name,
                _missing(
                    _("%(label)s を %(count)s 件以上入力してください。")
                    % {"label": node.label, "count": low}
                ),
            )

    def _clean_files(self, node: Node) -> None:
        count = self._file_count(node.key) if node.key not in self.errors else None
        if count is None:
            return
        high = node.spec.get("max_files") or 1
        if count == 0 and self.evaluation.required.get(node.key):
            self.add_error(node.key, _missing(_("ファイルを添付してください。")))
        elif count > high:
            self.add_error(
                node.key,
                _("添付できるファイルは %(count)s 件までです。") % {"count": high},
            )

    # --- results ------------------------------------------------------------

    def _answers(self) -> dict[str, Any]:
        cleaned = getattr(self, "cleaned_data", {})
        result: dict[str, Any] = {}
        for node in self.nodes:
            field_type = FIELD_TYPES.get(node.type)
            if field_type is None or not field_type.has_answer:
                continue
            if node.type == "computed":
                continue
            if node.type == "file":
                removed = set(self.data.getlist(f"{node.key}-remove"))
                result[node.key] = [
                    ref
                    for ref in self._stored_files(node.key)
                    if str(ref.get("id")) not in removed
                ]
            elif node.type == "repeat":
                result[node.key] = self._row_answers(node, cleaned)
            else:
                result[node.key] = field_type.answer(node.spec, node.key, cleaned)
        return result

    def _row_answers(self, node: Node, cleaned: dict[str, Any]) -> list[dict]:
        rows = []
        for index in range(self.row_counts.get(node.key, 0)):
            if self._row_is_empty(node, index):
                continue
            rows.append(
                {
                    column.key: FIELD_TYPES[column.type].answer(
                        column.spec, f"{node.key}-{index}-{column.key}", cleaned
                    )
                    for column in node.children
                    if column.type in FIELD_TYPES
                }
            )
        return rows

    def only_unanswered(self) -> bool:
        """Whether the page's only problems are questions not answered yet
        (required, too few rows, no file, no agreement): a draft may be kept
        as it is (一時保存), while a wrong answer (a bad date, a 法人番号
        that fails its check digit) still stops it."""
        found = self.errors.as_data()
        return bool(found) and all(
            error.code == "required" for errors in found.values() for error in errors
        )

    def page_answers(self) -> dict[str, Any]:
        """This page's answers as JSON, hidden questions left out (after is_valid).

        File questions hold the stored references that were kept; the caller
        appends the references of :meth:`new_files` once it has stored them.
        """
        answers = self._answers()
        evaluation = self.evaluation  # settled by clean() on the strict values
        result: dict[str, Any] = {}
        for node in self.nodes:
            if not node.has_answer or not evaluation.visible.get(node.key):
                continue
            if node.type == "computed":
                result[node.key] = evaluation.values[node.key]
            elif node.key in answers:
                result[node.key] = answers[node.key]
        return result

    def new_files(self) -> dict[str, list[UploadedFile]]:
        """Uploads that passed the type, size and virus checks, by field key."""
        return {
            node.key: list(self.cleaned_data.get(node.key) or [])
            for node in self.nodes
            if node.type == "file"
            and self.is_visible(node.key)
            and self.cleaned_data.get(node.key)
        }

    def checked_uploads(self) -> dict[str, list[UploadedFile]]:
        """Uploads that passed their own question's checks (type, size, virus
        scan, count) on a page that is not valid as a whole — another
        question failed, a row was added, a question was revealed — so the
        caller can keep them with the draft instead of losing them."""
        kept: dict[str, list[UploadedFile]] = {}
        errors = self.errors  # runs full_clean (nothing for a row action)
        for node in self.nodes:
            key = node.key
            if node.type != "file" or key in errors or not self.files.get(key):
                continue
            if not self.is_visible(key) or self._unseen(key):
                continue
            if key in getattr(self, "cleaned_data", {}):
                uploads = self.cleaned_data[key]
            else:
                try:
                    uploads = self.fields[key].clean(self[key].data)
                except forms.ValidationError:
                    continue
            if uploads and self._file_count(key) <= (node.spec.get("max_files") or 1):
                kept[key] = list(uploads)
        return kept

    def errors_by_key(self) -> dict[str, list[str]]:
        """Error messages grouped by answer key (for whole-form validation)."""
        grouped: dict[str, list[str]] = {}
        for name, messages in self.errors.items():
            key = self.owner.get(name, name)
            label = self.fields[name].label if name in self.fields else ""
            bits = name.split("-")
            in_row = name != key and len(bits) > 2 and bits[1].isdigit()
            for message in messages:
                if in_row and label:
                    row = int(bits[1]) + 1
                    message = _("%(row)s行目の%(label)s: %(message)s") % {
                        "row": row,
                        "label": label,
                        "message": message,
                    }
                grouped.setdefault(key, []).append(str(message))
        return grouped

    # --- rendering ----------------------------------------------------------

    def error_items(self) -> list[tuple[str, str, str]]:
        """(anchor, label, message) for the error summary, in page order."""
        items = []
        for name, bound_field in self._bound_items():
            for message in self.errors.get(name, []):
                if name.endswith("-rows"):
                    anchor = f"fb-item-{self.owner[name]}"
                    label = bound_field.label
                else:
                    anchor = bound_field.id_for_label or bound_field.auto_id
                    label = self._summary_label(name, bound_field)
                items.append((anchor, label, message))
        return items

    def _summary_label(self, name: str, bound_field: forms.BoundField) -> str:
        owner = self.owner.get(name, name)
        node = self.runtime.by_key.get(owner)
        if node is None or name == owner:
            return str(bound_field.label)
        bits = name[len(owner) + 1 :].split("-")
        if node.type == "repeat" and bits and bits[0].isdigit():
            return _("%(group)s %(row)s行目の%(label)s") % {
                "group": node.label,
                "row": int(bits[0]) + 1,
                "label": bound_field.label,
            }
        return f"{node.label}（{bound_field.label}）"

    @property
    def items(self) -> list[Item]:
        """The page as a tree for templates/forms_builder/page_form.html."""
        by_parent: dict[str, list[Node]] = {}
        for node in self.nodes:
            by_parent.setdefault(node.parent or "", []).append(node)
        return [
            self._item(node, by_parent) for node in by_parent.get(self.page.key, [])
        ]

    def _item(self, node: Node, by_parent: dict[str, list[Node]]) -> Item:
        evaluation: Evaluation = self.evaluation
        item = Item(
            node=node,
            visible=bool(evaluation.visible.get(node.key, True)),
            required=bool(evaluation.required.get(node.key, False)),
        )
        if node.type == "group":
            item.children = [
                self._item(child, by_parent) for child in by_parent.get(node.key, [])
            ]
        elif node.type == "repeat":
            item.fields = [self[f"{node.key}-rows"]]
            item.errors = list(self.errors.get(f"{node.key}-rows", []))
            for index in range(self.row_counts.get(node.key, 0)):
                prefix = f"{node.key}-{index}-"
                item.rows.append(
                    (
                        index,
                        [self[name] for name in self.fields if name.startswith(prefix)],
                    )
                )
            item.template_row = self._template_row(node)
        elif node.type == "computed":
            value = evaluation.values.get(node.key)
            item.value = FIELD_TYPES["computed"].display(node.spec, value)
        elif node.type == "file":
            item.fields = [
                self[name] for name in self.fields if self.owner[name] == node.key
            ]
            item.existing_files = self._stored_files(node.key)
        else:
            item.fields = [
                self[name] for name in self.fields if self.owner.get(name) == node.key
            ]
        return item

    def _template_row(self, node: Node) -> list[forms.BoundField]:
        """Unbound fields of a new row, named with ``__index__`` for the script."""
        template = forms.Form()
        template.use_required_attribute = False
        for column in node.children:
            column_type = FIELD_TYPES.get(column.type)
            if column_type is None:
                continue
            name = f"{node.key}-__index__-{column.key}"
            # The marks of a started row (no HTML ``required``: an empty row
            # is simply left out).
            for field_name, form_field in column_type.form_fields(
                column.spec, name, required=column.spec.get("required") is True
            ).items():
                if field_name == name:
                    form_field.label = column.label
                template.fields[field_name] = form_field
        return [template[name] for name in template.fields]

    def client_config(self) -> dict[str, Any]:
        """What conditions.js needs to run the page's rules as the server does."""
        runtime = self.runtime
        nodes = {}
        for key in runtime.order:
            node = runtime.by_key[key]
            entry: dict[str, Any] = {
                "type": node.type,
                "parent": node.parent,
                "page": node.page_index,
                "answer": node.has_answer,
            }
            for prop in (
                "show_if",
                "hide_if",
                "required_if",
                "expression",
                "format",
                "rounding",
            ):
                if prop in node.spec:
                    entry[prop] = node.spec[prop]
            if node.spec.get("required") is True:
                entry["required"] = True
            if node.type == "repeat":
                entry["columns"] = [
                    {"key": column.key, "type": column.type} for column in node.children
                ]
            if node.type == "file":
                entry["stored"] = [
                    str(ref.get("id")) for ref in self._stored_files(key)
                ]
            checks = runtime.checks.get(key)
            if checks and node.page_index == self.page.index:
                entry["checks"] = [
                    {"rule": check["rule"], "message": loc(check.get("message"))}
                    for check in checks
                ]
            nodes[key] = entry
        own = {node.key for node in self.nodes}
        answers = {
            key: value
            for key, value in runtime.rule_data(self.answers).items()
            if key not in own
        }
        return {
            "page": self.page.index,
            "order": runtime.order,
            "nodes": nodes,
            "answers": answers,
            "japanese": is_japanese(),
        }

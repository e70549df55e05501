"""Forms of the administrators' builder: no JSON needed, JSON allowed.

Conditions and cross-field checks are edited with the rule-row editor of
``forms_builder.rule_editor`` (rows of "field, operator, value or another
field", or raw JSON Logic).
"""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.japanese import parse_japanese_date
from forms_builder.computed import ROUNDING_CHOICES
from forms_builder.computed_editor import ComputedEditor
from forms_builder.definition import Node
from forms_builder.fieldtypes import (
    DEFAULT_KINDS,
    FIELD_TYPES,
    FILE_KINDS,
    MAX_FILE_SIZE,
    PROFILE_KEYS,
    accepted_kinds,
    accepted_types,
    kind_labels,
)
from forms_builder.formfields import AttachmentField
from forms_builder.models import Form
from forms_builder.rule_editor import (  # noqa: F401 (the builder's public names)
    NUMERIC_TYPES,
    OPERATORS,
    RuleEditor,
    rule_to_rows,
    scaled_var,
)
from forms_builder.services import STARTER_PAGE

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
KEY_HELP = _(
    "半角英小文字で始まり、英小文字・数字・_ の40文字以内（例: applicant_name）。"
)

PROFILE_LABELS = {
    "full_name": _("氏名"),
    "full_name_kana": _("フリガナ"),
    "postal_code": _("郵便番号"),
    "address": _("住所"),
    "phone": _("電話番号"),
    "birth_date": _("生年月日"),
    "email": _("メールアドレス"),
    "business_name": _("法人・事業者の名称"),
    "corporate_number": _("法人番号"),
    "business_postal_code": _("所在地の郵便番号"),
    "business_address": _("所在地（法人・事業者）"),
    "representative_title": _("代表者の役職"),
    "representative_name": _("代表者の氏名"),
}


def validate_key(value: str) -> None:
    if not KEY_RE.match(value or ""):
        raise ValidationError(KEY_HELP, code="key")


class FormCreateForm(forms.ModelForm):
    # The first page is named here, so that a new form does not start with a
    # page to rename on another screen; left blank it is page1 / 申請内容.
    page_key = forms.CharField(
        label=_("最初のページのキー"),
        max_length=40,
        required=False,
        validators=[validate_key],
        help_text=KEY_HELP,
    )
    page_title = forms.CharField(
        label=_("最初のページ名"), max_length=200, required=False
    )
    page_title_en = forms.CharField(
        label=_("最初のページ名（英語）"), max_length=200, required=False
    )

    class Meta:
        model = Form
        fields = ["code", "title", "title_en"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["page_key"].initial = STARTER_PAGE["key"]
        self.fields["page_title"].initial = STARTER_PAGE["title"]["ja"]
        self.fields["page_title_en"].initial = STARTER_PAGE["title"]["en"]

    def first_page(self) -> dict[str, Any]:
        """The first page's key and title, as starter_definition takes them."""
        cleaned = self.cleaned_data
        title = {"ja": cleaned.get("page_title", "").strip()}
        if not title["ja"]:
            return {"page_key": cleaned.get("page_key", "")}
        if cleaned.get("page_title_en", "").strip():
            title["en"] = cleaned["page_title_en"].strip()
        return {"page_key": cleaned.get("page_key", ""), "title": title}


class FormTitleForm(forms.ModelForm):
    class Meta:
        model = Form
        fields = ["title", "title_en"]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("JSON ファイル"), required=False)
    text = forms.CharField(
        label=_("または JSON を貼り付け"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        raw = cleaned.get("text") or ""
        upload = cleaned.get("file")
        if upload:
            if upload.size > 1024 * 1024:
                raise ValidationError(_("ファイルが大きすぎます（1MB まで）。"))
            raw = upload.read().decode("utf-8-sig", errors="replace")
        if not raw.strip():
            raise ValidationError(
                _("JSON ファイルを選ぶか、JSON を貼り付けてください。")
            )
        try:
            cleaned["definition"] = json.loads(raw)
        except json.JSONDecodeError as error:
            raise ValidationError(
                _("JSON として読めません（%(line)s 行 %(col)s 文字目）: %(msg)s"),
                params={"line": error.lineno, "col": error.colno, "msg": error.msg},
            ) from None
        return cleaned


# --- pages and fields -------------------------------------------------------

VISIBILITY = [
    ("always", _("常に表示する")),
    ("show_if", _("条件に当てはまるときだけ表示する")),
    ("hide_if", _("条件に当てはまるときは表示しない")),
]
REQUIREMENT = [
    ("optional", _("任意")),
    ("required", _("必須")),
    ("conditional", _("条件に当てはまるときだけ必須")),
]


class _ConditionsMixin:
    fields: dict[str, forms.Field]
    visibility_editor: RuleEditor

    def _add_visibility(self, spec: dict[str, Any], rule_fields: list[Node]) -> None:
        mode = (
            "show_if"
            if "show_if" in spec
            else "hide_if"
            if "hide_if" in spec
            else "always"
        )
        # Not posted (a script-less client, a test): shown always.
        self.fields["visibility"] = forms.ChoiceField(
            label=_("表示"),
            choices=VISIBILITY,
            initial=mode,
            widget=forms.RadioSelect,
            required=False,
        )
        self.visibility_editor = RuleEditor(
            self,  # type: ignore[arg-type]
            "vis",
            rule=spec.get(mode) if mode != "always" else None,
            fields=rule_fields,
            label=_("表示の条件"),
        )

    def _visibility_changes(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        mode = cleaned.get("visibility") or "always"
        rule = self.visibility_editor.rule(cleaned)
        changes: dict[str, Any] = {"show_if": None, "hide_if": None}
        if mode != "always":
            if rule is None:
                self.add_error("visibility", _("条件を1つ以上指定してください。"))  # type: ignore[attr-defined]
            changes[mode] = rule
        return changes


class PageSettingsForm(_ConditionsMixin, forms.Form):
    key = forms.CharField(
        label=_("キー"), max_length=40, validators=[validate_key], help_text=KEY_HELP
    )
    title_ja = forms.CharField(label=_("ページ名"), max_length=200)
    title_en = forms.CharField(
        label=_("ページ名（英語）"), max_length=200, required=False
    )

    def __init__(
        self,
        *args: Any,
        spec: dict[str, Any],
        rule_fields: list[Node],
        taken: set[str],
        **kwargs: Any,
    ) -> None:
        title = spec.get("title") or {}
        kwargs.setdefault(
            "initial",
            {
                "key": spec.get("key", ""),
                "title_ja": title.get("ja", ""),
                "title_en": title.get("en", ""),
            },
        )
        super().__init__(*args, **kwargs)
        self.original_key = spec.get("key")
        self.taken = taken
        self._add_visibility(spec, rule_fields)

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        if key != self.original_key and key in self.taken:
            raise ValidationError(_("このキーはすでに使われています。"))
        return key

    def changes(self) -> dict[str, Any]:
        cleaned = self.cleaned_data
        title = {"ja": cleaned["title_ja"]}
        if cleaned.get("title_en"):
            title["en"] = cleaned["title_en"]
        return {
            "key": cleaned["key"],
            "title": title,
            **self._visibility_changes(cleaned),
        }


class FieldTypeForm(forms.Form):
    """The type of a field being added; changing it redraws the settings."""

    type = forms.ChoiceField(label=_("種類"))

    def __init__(self, *args: Any, in_repeat: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [
            (name, field_type.label)
            for name, field_type in FIELD_TYPES.items()
            if not in_repeat or field_type.in_repeat
        ]

    def chosen(self) -> str:
        """The valid type asked for, or text."""
        value = self.data.get("type") if self.is_bound else None
        choices = {name for name, _label in self.fields["type"].choices}
        return value if value in choices else "text"


def new_field_spec(type_name: str) -> dict[str, Any]:
    """A new field of a type, valid as it stands but for its key and label:
    choices start with はい/いいえ options, a computed value with a rule that
    gives 0 (the number 0 is not a rule), a heading with its text."""
    spec: dict[str, Any] = {"key": "", "type": type_name}
    if type_name in {"choice", "multichoice"}:
        spec["options"] = [
            {"value": "yes", "label": {"ja": "はい", "en": "Yes"}},
            {"value": "no", "label": {"ja": "いいえ", "en": "No"}},
        ]
    if type_name in {"group", "repeat"}:
        spec["fields"] = []
    if type_name == "computed":
        spec["expression"] = {"+": [0]}
        spec["format"] = "integer"
    if type_name == "static":
        spec["style"] = "heading"
    return spec


def _bilingual(cleaned: dict[str, Any], name: str) -> dict[str, str] | None:
    ja = (cleaned.get(f"{name}_ja") or "").strip()
    en = (cleaned.get(f"{name}_en") or "").strip()
    if not ja:
        return None
    return {"ja": ja, "en": en} if en else {"ja": ja}


def _options_text(options: Any) -> str:
    lines = []
    for option in options or []:
        label = option.get("label") or {}
        parts = [str(option.get("value", "")), label.get("ja", "")]
        if label.get("en"):
            parts.append(label["en"])
        lines.append("|".join(parts))
    return "\n".join(lines)


def _parse_options(text: str) -> list[dict[str, Any]]:
    options = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise ValidationError(
                _("%(n)s 行目: 「値|日本語の表示|英語の表示」の形で書いてください。"),
                params={"n": number},
            )
        label = {"ja": parts[1]}
        if len(parts) > 2 and parts[2]:
            label["en"] = parts[2]
        options.append({"value": parts[0], "label": label})
    if not options:
        raise ValidationError(_("選択肢を1つ以上書いてください。"))
    return options


class FieldSettingsForm(_ConditionsMixin, forms.Form):
    """Every setting of one field; which ones appear depends on its type."""

    def __init__(
        self,
        *args: Any,
        spec: dict[str, Any],
        rule_fields: list[Node],
        taken: set[str],
        in_repeat: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.type_name = str(spec.get("type"))
        self.field_type = FIELD_TYPES[self.type_name]
        self.original_key = spec.get("key")
        self.taken = taken
        self.in_repeat = in_repeat
        self.sections: list[tuple[str, list[str]]] = []
        self.computed_editor: ComputedEditor | None = None
        self._basic_fields()
        self._type_fields()
        if self.type_name == "computed":
            self._add_computed_editor(rule_fields)
        if not in_repeat:
            others = [node for node in rule_fields if node.key != self.original_key]
            self._add_visibility(spec, others)
            names = ["visibility", *self.visibility_editor.names]
            # A checkbox is never required: a box that must be ticked is an
            # agreement.
            if self.field_type.has_answer and self.type_name not in {
                "computed",
                "checkbox",
            }:
                self._add_requirement(others)
                names += ["requirement", *self.requirement_editor.names]
            self.sections.append((str(_("条件")), names))
        elif self.field_type.has_answer:
            self.fields["requirement"] = forms.ChoiceField(
                label=_("入力"),
                choices=REQUIREMENT[:2],
                initial="required" if spec.get("required") else "optional",
                widget=forms.RadioSelect,
            )
            self.sections[0][1].append("requirement")

    def grouped(self) -> list[tuple[str, list[forms.BoundField]]]:
        """Sections of settings (conditions are rendered by their editors)."""
        return [
            (title, [self[name] for name in names if name in self.fields])
            for title, names in self.sections
            if title != str(_("条件"))
        ]

    @property
    def has_conditions(self) -> bool:
        return "visibility" in self.fields

    def _add_computed_editor(self, rule_fields: list[Node]) -> None:
        """The expression as a shape chosen from lists (the raw JSON Logic
        box stays, for experts); its display format and rounding are shown
        with it rather than among the other settings."""
        self.computed_editor = ComputedEditor(
            self,  # type: ignore[arg-type]
            "calc",
            expression=self.spec.get("expression"),
            fields=rule_fields,
            exclude=str(self.original_key or ""),
        )
        self.computed_fields = [
            self[name] for name in ("format", "rounding") if name in self.fields
        ]
        self.sections = [
            (title, [n for n in names if n not in {"expression", "format", "rounding"}])
            for title, names in self.sections
        ]
        self.sections = [(title, names) for title, names in self.sections if names]

    def _basic_fields(self) -> None:
        spec = self.spec
        names = ["key"]
        self.fields["key"] = forms.CharField(
            label=_("キー"),
            max_length=40,
            validators=[validate_key],
            help_text=KEY_HELP,
            initial=spec.get("key"),
        )
        if self.type_name != "static":
            label = spec.get("label") or {}
            help_text = spec.get("help") or {}
            self.fields["label_ja"] = forms.CharField(
                label=_("項目名（日本語）"), max_length=200, initial=label.get("ja")
            )
            self.fields["label_en"] = forms.CharField(
                label=_("項目名（英語）"),
                max_length=200,
                required=False,
                initial=label.get("en"),
            )
            self.fields["help_ja"] = forms.CharField(
                label=_("説明（日本語）"),
                required=False,
                initial=help_text.get("ja"),
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields["help_en"] = forms.CharField(
                label=_("説明（英語）"),
                required=False,
                initial=help_text.get("en"),
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            names += ["label_ja", "label_en", "help_ja", "help_en"]
        if self.field_type.prefill_from and not self.in_repeat:
            self.fields["prefill"] = forms.ChoiceField(
                label=_("登録情報から自動入力"),
                required=False,
                choices=[("", _("しない"))]
                + [
                    (key, PROFILE_LABELS[key])
                    for key in PROFILE_KEYS
                    if key in self.field_type.prefill_from
                ],
                initial=spec.get("prefill", ""),
            )
            names.append("prefill")
        if self.field_type.has_answer and self.type_name not in {
            "computed",
            "repeat",
            "file",
        }:
            self.fields["default"] = forms.CharField(
                label=_("既定値（JSON）"),
                required=False,
                initial=json.dumps(spec["default"], ensure_ascii=False)
                if "default" in spec
                else "",
                help_text=_(
                    '例: "東京都"、1000、true、["a","b"]。空欄なら既定値なし。'
                ),
            )
            names.append("default")
        self.sections.append((str(_("基本")), names))

    def _type_fields(self) -> None:
        spec = self.spec
        names: list[str] = []
        add = names.append

        def integer(name: str, label: Any, **kw: Any) -> None:
            self.fields[name] = forms.IntegerField(
                label=label, required=False, initial=spec.get(name), **kw
            )
            add(name)

        for prop in self.field_type.properties:
            if prop in {"min_length", "max_length"}:
                integer(
                    prop,
                    _("最小文字数") if prop == "min_length" else _("最大文字数"),
                    min_value=0,
                )
            elif prop == "pattern":
                self.fields["pattern"] = forms.CharField(
                    label=_("入力パターン（正規表現）"),
                    required=False,
                    initial=spec.get("pattern"),
                    help_text=_("例: ^[A-Z]{2}[0-9]{6}$（全体に一致するか調べます）"),
                )
                add("pattern")
            elif prop == "pattern_message":
                message = spec.get("pattern_message") or {}
                self.fields["pattern_message_ja"] = forms.CharField(
                    label=_("パターンに合わないときのメッセージ"),
                    required=False,
                    initial=message.get("ja"),
                )
                self.fields["pattern_message_en"] = forms.CharField(
                    label=_("同（英語）"), required=False, initial=message.get("en")
                )
                names += ["pattern_message_ja", "pattern_message_en"]
            elif prop in {"min", "max"} and self.type_name == "date":
                self.fields[prop] = forms.CharField(
                    label=_("最も早い日付") if prop == "min" else _("最も遅い日付"),
                    required=False,
                    initial=spec.get(prop),
                    help_text=_("2026-04-01 または 令和8年4月1日"),
                )
                add(prop)
            elif prop in {"min", "max"}:
                if self.type_name == "multichoice":
                    label = _("最小の選択数") if prop == "min" else _("最大の選択数")
                else:
                    label = _("最小値") if prop == "min" else _("最大値")
                integer(prop, label)
            elif prop == "wareki":
                self.fields["wareki"] = forms.BooleanField(
                    label=_("確認画面と通知書では和暦で表示する"),
                    required=False,
                    initial=spec.get("wareki", True),
                )
                add("wareki")
            elif prop == "options":
                self.fields["options"] = forms.CharField(
                    label=_("選択肢"),
                    required=False,
                    initial=_options_text(spec.get("options")),
                    widget=forms.Textarea(attrs={"rows": 5}),
                    help_text=_(
                        "1行にひとつ「値|日本語の表示|英語の表示」。値は回答として保存されます。"
                    ),
                )
                add("options")
            elif prop == "widget":
                self.fields["widget"] = forms.ChoiceField(
                    label=_("表示のしかた"),
                    choices=[("radio", _("ラジオボタン")), ("select", _("プルダウン"))],
                    initial=spec.get("widget", "radio"),
                )
                add("widget")
            elif prop == "accept":
                self.fields["accept"] = forms.MultipleChoiceField(
                    label=_("受け付けるファイルの種類（中身で判定）"),
                    choices=[(kind, entry[0]) for kind, entry in FILE_KINDS.items()],
                    initial=accepted_kinds(spec.get("accept")) or DEFAULT_KINDS,
                    widget=forms.CheckboxSelectMultiple,
                    help_text=_(
                        "Excel・Word はマクロを含まないファイル（.xlsx・.docx）だけを"
                        "受け付けます。"
                    ),
                )
                add("accept")
            elif prop == "max_size":
                self.fields["max_size_mb"] = forms.IntegerField(
                    label=_("1ファイルの最大サイズ（MB）"),
                    min_value=1,
                    max_value=20,
                    initial=(spec.get("max_size") or 10 * 1024 * 1024) // (1024 * 1024),
                )
                add("max_size_mb")
            elif prop == "max_files":
                integer("max_files", _("最大ファイル数"), min_value=1, max_value=20)
            elif prop == "text":
                text = spec.get("text") or {}
                self.fields["text_ja"] = forms.CharField(
                    label=_("文章（日本語）"),
                    initial=text.get("ja"),
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
                self.fields["text_en"] = forms.CharField(
                    label=_("文章（英語）"),
                    required=False,
                    initial=text.get("en"),
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
                names += ["text_ja", "text_en"]
            elif prop == "style":
                self.fields["style"] = forms.ChoiceField(
                    label=_("見た目"),
                    choices=[
                        ("heading", _("見出し")),
                        ("paragraph", _("段落")),
                        ("notice", _("注意書き")),
                    ],
                    initial=spec.get("style", "paragraph"),
                )
                add("style")
            elif prop in {"min_rows", "max_rows"}:
                integer(
                    prop,
                    _("最小行数") if prop == "min_rows" else _("最大行数"),
                    min_value=0,
                    max_value=100,
                )
            elif prop == "expression":
                self.fields["expression"] = forms.CharField(
                    label=_("計算式（JSON Logic）"),
                    required=False,
                    initial=json.dumps(spec.get("expression"), ensure_ascii=False),
                    widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
                    help_text=_('例: {"+": [{"var": "fee"}, {"var": "postage"}]}'),
                )
                add("expression")
            elif prop == "rounding":
                rounding = spec.get("rounding") or {}
                self.fields["rounding"] = forms.ChoiceField(
                    label=_("端数処理（整数・金額）"),
                    choices=ROUNDING_CHOICES,
                    required=False,
                    initial=(
                        f"{rounding.get('mode')}:{rounding.get('unit')}"
                        if rounding
                        else ""
                    ),
                    help_text=_("例: 補助額の千円未満切捨て、消費税の円未満切捨て"),
                )
                add("rounding")
            elif prop == "format":
                self.fields["format"] = forms.ChoiceField(
                    label=_("表示形式"),
                    choices=[
                        ("integer", _("整数")),
                        ("amount", _("金額（円）")),
                        ("text", _("文字")),
                    ],
                    initial=spec.get("format", "integer"),
                )
                add("format")
        if names:
            self.sections.append((str(_("入力のきまり")), names))

    def _add_requirement(self, rule_fields: list[Node]) -> None:
        spec = self.spec
        mode = (
            "conditional"
            if "required_if" in spec
            else "required"
            if spec.get("required")
            else "optional"
        )
        self.fields["requirement"] = forms.ChoiceField(
            label=_("入力"),
            choices=REQUIREMENT,
            initial=mode,
            widget=forms.RadioSelect,
            required=False,
        )
        self.requirement_editor = RuleEditor(
            self,
            "req",
            rule=spec.get("required_if"),
            fields=rule_fields,
            label=_("必須になる条件"),
        )

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        if key != self.original_key and key in self.taken:
            raise ValidationError(_("このキーはすでに使われています。"))
        return key

    def clean_options(self) -> list[dict[str, Any]]:
        text = self.cleaned_data.get("options") or ""
        if not text.strip() and self.spec.get("options"):
            return self.spec["options"]  # not posted: kept
        return _parse_options(text)

    def clean_expression(self) -> Any:
        raw = self.cleaned_data.get("expression") or ""
        if not raw.strip():
            return self.spec.get("expression")  # not posted: kept
        try:
            return json.loads(raw)
        except json.JSONDecodeError as error:
            raise ValidationError(
                _("JSON として読めません: %(msg)s"), params={"msg": error.msg}
            ) from None

    def clean_default(self) -> Any:
        raw = (self.cleaned_data.get("default") or "").strip()
        if not raw:
            return None
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw  # a bare word is taken as text

    def _date_bound(self, name: str) -> str | None:
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            return None
        try:
            return parse_japanese_date(text).isoformat()
        except ValueError:
            self.add_error(name, _("日付として読めません。"))
            return None

    def changes(self) -> dict[str, Any]:
        """The field's new properties; None removes a property."""
        cleaned = self.cleaned_data
        changes: dict[str, Any] = {"key": cleaned["key"]}
        if self.type_name != "static":
            changes["label"] = _bilingual(cleaned, "label")
            changes["help"] = _bilingual(cleaned, "help")
        if "prefill" in self.fields:
            changes["prefill"] = cleaned.get("prefill") or None
        if "default" in self.fields:
            changes["default"] = cleaned.get("default")
        for prop in (
            "min_length",
            "max_length",
            "max_files",
            "min_rows",
            "max_rows",
            "pattern",
        ):
            if prop in self.fields:
                changes[prop] = (
                    cleaned.get(prop) if cleaned.get(prop) not in ("", None) else None
                )
        if "pattern_message_ja" in self.fields:
            changes["pattern_message"] = _bilingual(cleaned, "pattern_message")
        for prop in ("min", "max"):
            if prop in self.fields:
                if self.type_name == "date":
                    changes[prop] = self._date_bound(prop)
                else:
                    changes[prop] = cleaned.get(prop)
        if "wareki" in self.fields:
            changes["wareki"] = bool(cleaned.get("wareki"))
        for prop in ("options", "widget", "style", "format", "accept"):
            if prop in self.fields:
                changes[prop] = cleaned.get(prop) or None
        if self.computed_editor is not None:
            changes["expression"] = self.computed_editor.expression(cleaned)
        elif "expression" in self.fields:
            changes["expression"] = cleaned.get("expression")
        if "rounding" in self.fields:
            mode, _colon, unit = (cleaned.get("rounding") or "").partition(":")
            changes["rounding"] = {"mode": mode, "unit": int(unit)} if unit else None
        if "max_size_mb" in self.fields:
            changes["max_size"] = cleaned["max_size_mb"] * 1024 * 1024
        if "text_ja" in self.fields:
            changes["text"] = _bilingual(cleaned, "text")
        if "visibility" in self.fields:
            changes.update(self._visibility_changes(cleaned))
        if "requirement" in self.fields:
            mode = cleaned.get("requirement")
            changes["required"] = True if mode == "required" else None
            changes["required_if"] = None
            if mode == "conditional":
                rule = self.requirement_editor.rule(cleaned)
                if rule is None:
                    self.add_error(
                        "requirement", _("必須になる条件を1つ以上指定してください。")
                    )
                changes["required_if"] = rule
        return changes


# --- cross-field checks -----------------------------------------------------


class CheckForm(forms.Form):
    """One cross-field check: the question its message goes under, the
    message, and the rule a valid answer satisfies (rows or JSON Logic)."""

    field = forms.ChoiceField(
        label=_("メッセージを表示する項目"),
        help_text=_("チェックはこの項目が表示され、入力されているときに行います。"),
    )
    message_ja = forms.CharField(
        label=_("メッセージ（日本語）"),
        max_length=2000,
        help_text=_("例: 申請額は補助対象経費の2分の1以下です。"),
    )
    message_en = forms.CharField(
        label=_("メッセージ（英語）"), max_length=2000, required=False
    )

    def __init__(
        self,
        *args: Any,
        check: dict[str, Any],
        rule_fields: list[Node],
        **kwargs: Any,
    ) -> None:
        message = check.get("message") or {}
        kwargs.setdefault(
            "initial",
            {
                "field": check.get("field", ""),
                "message_ja": message.get("ja", ""),
                "message_en": message.get("en", ""),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", _("（項目を選ぶ）"))] + [
            (node.key, f"{node.label} [{node.key}]")
            for node in rule_fields
            if node.type not in {"computed", "repeat"}
        ]
        self.rule_editor = RuleEditor(
            self,
            "chk",
            rule=check.get("rule"),
            fields=rule_fields,
            label=_("正しい入力の条件（当てはまらないとメッセージを表示します）"),
        )

    def check(self) -> dict[str, Any]:
        """The check as stored in the definition (after is_valid)."""
        cleaned = self.cleaned_data
        rule = self.rule_editor.rule(cleaned)
        if rule is None and not self.errors:
            self.add_error("chk_combinator", _("条件を1つ以上指定してください。"))
        return {
            "field": cleaned["field"],
            "rule": rule,
            "message": _bilingual(cleaned, "message"),
        }


# --- 様式 (template files) ----------------------------------------------------

TEMPLATE_KINDS = ["pdf", "excel", "word", "opendocument"]


class TemplateUploadForm(forms.Form):
    """The 様式 of a file question: checked like a resident's upload (type by
    content, macros refused, size, virus scan)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"] = AttachmentField(
            accept=accepted_types(TEMPLATE_KINDS),
            max_size=MAX_FILE_SIZE,
            max_files=1,
            picker=[ext for kind in TEMPLATE_KINDS for ext in FILE_KINDS[kind][2]],
            kinds=kind_labels(TEMPLATE_KINDS),
            label=_("様式ファイル（PDF・Excel・Word・OpenDocument）"),
            help_text=_(
                "申請者がダウンロードして記入し、この欄に添付するファイルです。"
            ),
        )

    def clean_file(self) -> Any:
        uploads = self.cleaned_data.get("file") or []
        if not uploads:
            raise ValidationError(_("ファイルを選んでください。"))
        return uploads[0]

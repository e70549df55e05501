"""Field types: what each ``type`` of the definition means.

A type knows the Django form fields that ask its question, how a stored
answer becomes form data again (so that answers survive going back and forth
between pages and whole-form validation reuses the page validation), the
JSON answer it cleans to, the value rules see, and how the answer reads on a
confirmation page or an issued document.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from core.japanese import format_wareki
from core.uploads import DOCX, ODS, ODT, XLSX
from forms_builder import formfields as ff

Data = Mapping[str, Any]  # a QueryDict or a plain dict of form data

PROFILE_KEYS = (
    "full_name",
    "full_name_kana",
    "postal_code",
    "address",
    "phone",
    "birth_date",
    "email",
    "business_name",
    "corporate_number",
    "business_postal_code",
    "business_address",
    "representative_title",
    "representative_name",
)
DEFAULT_MAX_SIZE = 10 * 1024 * 1024
MAX_FILE_SIZE = 20 * 1024 * 1024  # DATA_UPLOAD_MAX_MEMORY_SIZE is 25 MB
IMAGE_TYPES = ("image/jpeg", "image/png", "image/heic", "image/tiff")
# What an attachment question may accept, by the names administrators know
# (PDF, 画像, Excel …): each kind is the MIME types read from the content
# (core.uploads.identify_content_type) and the extensions the file picker
# offers. Older definitions list MIME types; both are read.
FILE_KINDS: dict[str, tuple[Any, tuple[str, ...], tuple[str, ...]]] = {
    "pdf": (gettext_lazy("PDF"), ("application/pdf",), (".pdf",)),
    "image": (
        gettext_lazy("画像（JPEG・PNG・HEIC・TIFF）"),
        IMAGE_TYPES,
        (".jpg", ".jpeg", ".png", ".heic", ".tif", ".tiff"),
    ),
    "excel": (gettext_lazy("Excel（.xlsx）"), (XLSX,), (".xlsx",)),
    "word": (gettext_lazy("Word（.docx）"), (DOCX,), (".docx",)),
    "opendocument": (
        gettext_lazy("OpenDocument（.odt・.ods）"),
        (ODT, ODS),
        (".odt", ".ods"),
    ),
}
ACCEPTABLE_TYPES = tuple(
    mime for _label, mimes, _extensions in FILE_KINDS.values() for mime in mimes
)
DEFAULT_KINDS = ["pdf", "image"]


def accepted_types(accept: Any) -> list[str]:
    """The MIME types an ``accept`` list (kinds or MIME types) lets in."""
    types: list[str] = []
    for entry in accept if isinstance(accept, list) else []:
        found = FILE_KINDS[entry][1] if entry in FILE_KINDS else (entry,)
        types.extend(mime for mime in found if mime not in types)
    return types


def accepted_kinds(accept: Any) -> list[str]:
    """The kinds an ``accept`` list covers (a MIME type counts for its kind)."""
    types = accepted_types(accept)
    return [
        kind
        for kind, (_label, mimes, _extensions) in FILE_KINDS.items()
        if any(mime in types for mime in mimes)
    ]


def kind_labels(accept: Any) -> str:
    """「PDF、画像（…）」: what a question accepts, for a refusal message."""
    labels = [str(FILE_KINDS[kind][0]) for kind in accepted_kinds(accept)]
    return ("、" if is_japanese() else ", ").join(labels)


def loc(text: Any) -> str:
    """A bilingual text ({"ja": ..., "en": ...}) in the active language."""
    if isinstance(text, str):
        return text
    if not isinstance(text, dict):
        return ""
    if (get_language() or "ja").startswith("en") and text.get("en"):
        return str(text["en"])
    return str(text.get("ja") or "")


def is_japanese() -> bool:
    return not (get_language() or "ja").startswith("en")


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return value or None


def format_date(value: str, *, wareki: bool = True) -> str:
    date = dt.date.fromisoformat(value)
    if is_japanese():
        if wareki:
            return format_wareki(date)
        return f"{date.year}年{date.month}月{date.day}日"
    return date.strftime("%d %b %Y").lstrip("0")


def format_amount(value: int) -> str:
    if is_japanese():
        return _("%(amount)s円") % {"amount": number_format(value, force_grouping=True)}
    return f"¥{value:,}"


class FieldType:
    """Base of the field types; the defaults are those of a one-input answer."""

    name = ""
    label: Promise | str = ""
    has_answer = True
    is_container = False
    in_repeat = True  # may be a column of a repeating group
    properties: tuple[str, ...] = ()  # type-specific definition properties
    prefill_from: tuple[str, ...] = ()

    # --- the question -------------------------------------------------------
    def form_fields(
        self, spec: dict[str, Any], name: str, *, required: bool
    ) -> dict[str, forms.Field]:
        return {name: self.form_field(spec, required=required)}

    def form_field(self, spec: dict[str, Any], *, required: bool) -> forms.Field:
        raise NotImplementedError

    def initial_data(self, spec: dict[str, Any], name: str, value: Any) -> dict:
        """Form data (as a browser would post it) that gives back ``value``."""
        if value is None:
            return {}
        return {name: str(value)}

    def answer(self, spec: dict[str, Any], name: str, cleaned: Data) -> Any:
        value = cleaned.get(name)
        return None if value in (None, "", []) else value

    def rule_value(self, spec: dict[str, Any], name: str, data: Data) -> Any:
        """What rules see while the resident types (mirrored in rules.js)."""
        return _text(data.get(name))

    # --- reading ------------------------------------------------------------
    def display(self, spec: dict[str, Any], value: Any) -> str:
        return "" if value is None else str(value)

    # --- the definition -----------------------------------------------------
    def spec_errors(self, spec: dict[str, Any]) -> list[tuple[str, str]]:
        """(property, message) for a type-specific problem in the definition."""
        return []


def _lengths(spec: dict[str, Any], default_max: int) -> dict[str, Any]:
    return {
        "max_length": spec.get("max_length") or default_max,
        "min_length": spec.get("min_length"),
    }


def _length_errors(spec: dict[str, Any]) -> list[tuple[str, str]]:
    low, high = spec.get("min_length"), spec.get("max_length")
    if low is not None and high is not None and low > high:
        return [("min_length", _("最小文字数が最大文字数より大きくなっています。"))]
    return []


class TextType(FieldType):
    name = "text"
    label = gettext_lazy("短い文章")
    properties = ("min_length", "max_length", "pattern", "pattern_message")
    prefill_from = (
        "full_name",
        "full_name_kana",
        "address",
        "phone",
        "email",
        "business_name",
        "corporate_number",
        "business_address",
        "representative_title",
        "representative_name",
    )
    multiline = False
    default_max = 200

    def form_field(self, spec: dict[str, Any], *, required: bool) -> forms.Field:
        widget = (
            forms.Textarea(attrs={"rows": 5}) if self.multiline else forms.TextInput
        )
        return ff.AnswerTextField(
            required=required,
            widget=widget,
            multiline=self.multiline,
            pattern=spec.get("pattern"),
            pattern_message=loc(spec.get("pattern_message")) or None,
            **_lengths(spec, self.default_max),
        )

    def spec_errors(self, spec: dict[str, Any]) -> list[tuple[str, str]]:
        errors = _length_errors(spec)
        pattern = spec.get("pattern")
        if pattern:
            # Patterns run on the server only, but must mean the same thing
            # in JavaScript if the browser ever checks them: no (?...) syntax.
            if re.search(r"\(\?(?!:)", pattern) or "\\A" in pattern or "\\Z" in pattern:
                errors.append(
                    ("pattern", _("パターンに (?P<…>) などの拡張構文は使えません。"))
                )
            try:
                re.compile(pattern)
            except re.error as error:
                errors.append(
                    ("pattern", _("パターンが正しくありません: %(e)s") % {"e": error})
                )
        return errors


class TextareaType(TextType):
    name = "textarea"
    label = gettext_lazy("長い文章")
    properties = ("min_length", "max_length")
    prefill_from = ("address", "business_address")
    multiline = True
    default_max = 2000

    def rule_value(self, spec: dict[str, Any], name: str, data: Data) -> Any:
        return _text(data.get(name))


class AddressType(TextType):
    name = "address"
    label = gettext_lazy("住所")
    properties = ("max_length",)
    prefill_from = ("address", "business_address")

    def form_field(self, spec: dict[str, Any], *, required: bool) -> forms.Field:
        return ff.AnswerTextField(
            required=required,
            max_length=spec.get("max_length") or 200,
            widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
        )


class EmailType(FieldType):
    name = "email"
    label = gettext_lazy("メールアドレス")
    properties = ("max_length",)
    prefill_from = ("email",)

    def form_field(self, spec: dict[str, Any], *, required: bool) -> forms.Field:
        field = forms.EmailField(
            required=required,
            max_length=spec.get("max_length") or 254,
            widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        )
        field.validators.append(ff.printable_validator)
        return field


class PhoneType(FieldType):
    name = "phone"
    label = gettext_lazy("電話番号")
    prefill_from = ("phone",)

    def form_field(self, spec: dict[str, Any], *, required: bool) -> forms.Field:
        return ff.PhoneField(required=required)

    def rule_value(self, spec: dict[str, Any], name: str, data: Data) -> Any:
        try:
            return ff.PhoneField(required=False).clean(data.get(name)) or None
        except forms.ValidationError:
            return None


class PostalCodeType(FieldType):
    name = "postal_code"
    label = gettext_lazy("郵便番号")
    prefill_from = ("postal_code", "business_postal_code")

    def form_field(self, spec: dict[str, Any], *, required: bool) -> forms.Field:
        return ff.PostalCodeField(required=required)

    def rule_value(self, spec: dict[str, Any], name: str, data: Data) -> Any:
        try:
            return ff.PostalCodeField(required=False).clean(data.get(name)) or None
        except forms.ValidationError:
            return None


class IntegerType(FieldType):
    name = "integer"
    label = gettext_lazy("整数")
    properties = ("min", "max")

    def form_field(self, spec: dict[str, Any], *, required: bool) -> forms.Field:
        return ff.IntegerAnswerField(
            required=required, min_value=spec.get("min"), max_value=spec.get("max")
        )

    def rule_value(self, spec: dict[str, Any], name: str, data: Data) -> Any:
        try:
            return ff.IntegerAnswerField(required=False).to_python(data.get(name))
        except forms.ValidationError:
            return None

    def display(self, spec: dict[str, Any], value: Any) -> str:
        if value is None:
            return ""
        return number_format(value, force_grouping=True)

    def spec_errors(self, spec: dict[str, Any]) -> list[tuple[str, str]]:
        low, high = spec.get("min"), spec.get("max")
        if low is not None and high is not None and low > high:
            return [("min", _("最小値が最大値より大きくなっています。"))]
        return []


class AmountType(IntegerType):
    name = "amount"
    label = gettext_lazy("金額（円）")

    def form_field(self, spec: dict[str, Any], *, required: bool) -> forms.Field:
        field = super().form_field(spec, required=required)
        field.widget.attrs["class"] = "fb-amount"
        return field

    def display(self, spec: dict[str, Any], value: Any) -> str:
        return "" if value is None else format_amount(value)


class DateType(FieldType):
    name = "date"
    label = gettext_lazy("日付（西暦・和暦）")
    properties = ("min", "max", "wareki")
    prefill_from = ("birth_date",)

    def form_field(self, spec: dict[str, Any], *, required: bool) -> forms.Field:
        bounds = {
            "min_date": _iso(spec.get("min")),
            "max_date": _iso(spec.get("max")),
        }
        return ff.JapaneseDateField(
            required=required,
            help_text=escape(_("例: 令和8年4月1日、2026-04-01")),
            **bounds,
        )

    def initial_data(self, spec: dict[str, Any], name: str, value: Any) -> dict:
        """A stored date as the pages show dates (令和13年12月5日), which the
        field reads back; ISO in English, where 和暦 would not be expected."""
        if _iso(value) is None or not is_japanese():
            return super().initial_data(spec, name, value)
        try:
            return {name: format_date(value, wareki=spec.get("wareki", True))}
        except ValueError:  # before 明治
            return super().initial_data(spec, name, value)

    def rule_value(self, spec: dict[str, Any], name: str, data: Data) -> Any:
        try:
            return ff.JapaneseDateField(required=False).to_python(data.get(name))
        except forms.ValidationError:
            return None

    def display(self, spec: dict[str, Any], value: Any) -> str:
        if not value:
            return ""
        return format_date(value, wareki=spec.get("wareki", True))

    def spec_errors(self, spec: dict[str, Any]) -> list[tuple[str, str]]:
        errors = []
        for prop in ("min", "max"):
            if spec.get(prop) is not None and _iso(spec[prop]) is None:
                errors.append((prop, _("日付は YYYY-MM-DD の形で書いてください。")))
        low, high = _iso(spec.get("min")), _iso(spec.get("max"))
        if low and high and low > high:
            errors.append(("min", _("最も早い日付が最も遅い日付より後です。")))
        return errors


def _iso(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


class NamePairType(FieldType):
    """氏名 and フリガナ, asked together: {"name": "山田 太郎", "kana": "ヤマダ タロウ"}."""

    name = "name_pair"
    label = gettext_lazy("氏名とフリガナ")
    properties = ("max_length",)
    prefill_from = ("full_name", "representative_name")
    parts = ("name", "kana")

    def form_fields(
        self, spec: dict[str, Any], name: str, *, required: bool
    ) -> dict[str, forms.Field]:
        limit = spec.get("max_length") or 50
        person = ff.AnswerTextField(
            required=required,
            max_length=limit,
            label=_("氏名"),
            widget=forms.TextInput(attrs={"autocomplete": "name"}),
        )
        kana = ff.KanaField(
            required=required,
            max_length=limit,
            label=_("フリガナ"),
            help_text=escape(_("全角カタカナ（ひらがなで入力してもカタカナにします）")),
        )
        return {f"{name}-name": person, f"{name}-kana": kana}

    def initial_data(self, spec: dict[str, Any], name: str, value: Any) -> dict:
        if not isinstance(value, dict):
            return {}
        return {
            f"{name}-name": str(value.get("name") or ""),
            f"{name}-kana": str(value.get("kana") or ""),
        }

    def answer(self, spec: dict[str, Any], name: str, cleaned: Data) -> Any:
        person, kana = cleaned.get(f"{name}-name"), cleaned.get(f"{name}-kana")
        if not person and not kana:
            return None
        return {"name": person or "", "kana": kana or ""}

    def rule_value(self, spec: dict[str, Any], name: str, data: Data) -> Any:
        person = _text(data.get(f"{name}-name"))
        kana_raw = data.get(f"{name}-kana")
        kana = _text(ff.normalize_kana(kana_raw) if isinstance(kana_raw, str) else None)
        if person is None and kana is None:
            return None
        return {"name": person or "", "kana": kana or ""}

    def display(self, spec: dict[str, Any], value: Any) -> str:
        if not isinstance(value, dict):
            return ""
        if value.get("kana"):
            return _("%(name)s（%(kana)s）") % value
        return str(value.get("name") or "")


def _options(spec: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (str(option.get("value")), loc(option.get("label")))
        for option in spec.get("options") or []
        if isinstance(option, dict)
    ]


def _option_errors(spec: dict[str, Any]) -> list[tuple[str, str]]:
    values = [str(option.get("value")) for option in spec.get("options") or []]
    duplicates = sorted({value for value in values if values.count(value) > 1})
    if duplicates:
        return [
            (
                "options",
                _("選択肢の値「%(values)s」が重複しています。")
                % {"values": "」「".join(duplicates)},
            )
        ]
    return []


class ChoiceType(FieldType):
    name = "choice"
    label = gettext_lazy("ひとつ選ぶ（ラジオボタン・プルダウン）")
    properties = ("options", "widget")

    def form_field(self, spec: dict[str, Any], *, required: bool) -> forms.Field:
        choices = _options(spec)
        if spec.get("widget") == "select":
            return forms.ChoiceField(
                required=required,
                choices=[("", _("選択してください")), *choices],
                widget=forms.Select,
            )
        return forms.ChoiceField(
            required=required, choices=choices, widget=forms.RadioSelect
        )

    def rule_value(self, spec: dict[str, Any], name: str, data: Data) -> Any:
        value = data.get(name)
        return value if value else None

    def display(self, spec: dict[str, Any], value: Any) -> str:
        return dict(_options(spec)).get(value, "" if value is None else str(value))

    def spec_errors(self, spec: dict[str, Any]) -> list[tuple[str, str]]:
        return _option_errors(spec)


class MultiChoiceType(FieldType):
    name = "multichoice"
    label = gettext_lazy("複数選ぶ（チェックボックス）")
    properties = ("options", "min", "max")

    def form_field(self, spec: dict[str, Any], *, required: bool) -> forms.Field:
        return ff.CountedMultipleChoiceField(
            required=required,
            choices=_options(spec),
            widget=forms.CheckboxSelectMultiple,
            min_count=spec.get("min"),
            max_count=spec.get("max"),
        )

    def initial_data(self, spec: dict[str, Any], name: str, value: Any) -> dict:
        if not isinstance(value, list):
            return {} if value is None else {name: [str(value)]}
        return {name: [str(item) for item in value]}

    def answer(self, spec: dict[str, Any], name: str, cleaned: Data) -> Any:
        return list(cleaned.get(name) or []) or None

    def rule_value(self, spec: dict[str, Any], name: str, data: Data) -> Any:
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        if isinstance(values, str):
            values = [values]
        return list(values) if values else None

    def display(self, spec: dict[str, Any], value: Any) -> str:
        labels = dict(_options(spec))
        separator = "、" if is_japanese() else ", "
        return separator.join(labels.get(item, str(item)) for item in value or [])

    def spec_errors(self, spec: dict[str, Any]) -> list[tuple[str, str]]:
        errors = _option_errors(spec)
        low, high = spec.get("min"), spec.get("max")
        if low is not None and high is not None and low > high:
            errors.append(("min", _("最小の選択数が最大より大きくなっています。")))
        if high is not None and high > len(spec.get("options") or []):
            errors.append(("max", _("最大の選択数が選択肢の数を超えています。")))
        return errors


class YesNoType(FieldType):
    name = "yesno"
    label = gettext_lazy("はい・いいえ")

    def form_field(self, spec: dict[str, Any], *, required: bool) -> forms.Field:
        return forms.ChoiceField(
            required=required,
            choices=[("yes", _("はい")), ("no", _("いいえ"))],
            widget=forms.RadioSelect,
        )

    def initial_data(self, spec: dict[str, Any], name: str, value: Any) -> dict:
        if isinstance(value, bool):
            return {name: "yes" if value else "no"}
        return {}

    def answer(self, spec: dict[str, Any], name: str, cleaned: Data) -> Any:
        return {"yes": True, "no": False}.get(cleaned.get(name) or "")

    def rule_value(self, spec: dict[str, Any], name: str, data: Data) -> Any:
        return {"yes": True, "no": False}.get(data.get(name) or "")

    def display(self, spec: dict[str, Any], value: Any) -> str:
        if value is None:
            return ""
        return _("はい") if value else _("いいえ")


class AgreementType(FieldType):
    """A checkbox to agree to a statement (the label); required means agreed."""

    name = "agreement"
    label = gettext_lazy("同意のチェック")

    def form_field(self, spec: dict[str, Any], *, required: bool) -> forms.Field:
        return forms.BooleanField(
            required=required,
            error_messages={"required": _("同意いただく必要があります。")},
        )

    def initial_data(self, spec: dict[str, Any], name: str, value: Any) -> dict:
        return {name: "on"} if value is True else {}

    def answer(self, spec: dict[str, Any], name: str, cleaned: Data) -> Any:
        return bool(cleaned.get(name))

    def rule_value(self, spec: dict[str, Any], name: str, data: Data) -> Any:
        return data.get(name) not in (None, "", "false", "off")

    def display(self, spec: dict[str, Any], value: Any) -> str:
        return _("同意する") if value else _("同意しない")


class CheckboxType(FieldType):
    """A plain yes/no box (「該当する」): unchecked is an answer too, ``false``.

    Not an agreement: nothing is promised, and it cannot be required (a box
    that must be ticked is ``agreement``).
    """

    name = "checkbox"
    label = gettext_lazy("チェックボックス")

    def form_field(self, spec: dict[str, Any], *, required: bool) -> forms.Field:
        return forms.BooleanField(required=False)

    def initial_data(self, spec: dict[str, Any], name: str, value: Any) -> dict:
        return {name: "on"} if value is True else {}

    def answer(self, spec: dict[str, Any], name: str, cleaned: Data) -> Any:
        return bool(cleaned.get(name))

    def rule_value(self, spec: dict[str, Any], name: str, data: Data) -> Any:
        return data.get(name) not in (None, "", "false", "off")

    def display(self, spec: dict[str, Any], value: Any) -> str:
        return _("チェックあり") if value else _("チェックなし")


class CorporateNumberType(FieldType):
    """法人番号: 13 digits whose first is the check digit (国税庁の計算方法)."""

    name = "corporate_number"
    label = gettext_lazy("法人番号")
    # The resident's business profile holds its 法人番号 (QA walk: only a
    # short-text question could take it, the 法人番号 question itself not).
    prefill_from = ("corporate_number",)

    def form_field(self, spec: dict[str, Any], *, required: bool) -> forms.Field:
        return ff.CorporateNumberField(required=required)

    def rule_value(self, spec: dict[str, Any], name: str, data: Data) -> Any:
        try:
            return ff.CorporateNumberField(required=False).clean(data.get(name)) or None
        except forms.ValidationError:
            return None


class FileType(FieldType):
    """Attachments: the answer is a list of references to stored files."""

    name = "file"
    label = gettext_lazy("添付ファイル")
    in_repeat = False
    properties = ("accept", "max_size", "max_files")

    def form_fields(
        self, spec: dict[str, Any], name: str, *, required: bool
    ) -> dict[str, forms.Field]:
        accept = spec.get("accept") or DEFAULT_KINDS
        extensions = [
            extension
            for kind in accepted_kinds(accept)
            for extension in FILE_KINDS[kind][2]
        ]
        return {
            name: ff.AttachmentField(
                accept=accepted_types(accept),
                max_size=spec.get("max_size") or DEFAULT_MAX_SIZE,
                max_files=spec.get("max_files") or 1,
                picker=extensions,
                kinds=kind_labels(accept),
            )
        }

    def initial_data(self, spec: dict[str, Any], name: str, value: Any) -> dict:
        return {}

    def rule_value(self, spec: dict[str, Any], name: str, data: Data) -> Any:
        return None  # counted by the form, which knows the stored files

    def display(self, spec: dict[str, Any], value: Any) -> str:
        names = [
            str(ref.get("name", "")) for ref in value or [] if isinstance(ref, dict)
        ]
        return "、".join(names) if is_japanese() else ", ".join(names)

    def spec_errors(self, spec: dict[str, Any]) -> list[tuple[str, str]]:
        unknown = [
            t
            for t in spec.get("accept") or []
            if t not in ACCEPTABLE_TYPES and t not in FILE_KINDS
        ]
        if unknown:
            return [
                (
                    "accept",
                    _("受け付けられないファイルの種類です: %(types)s")
                    % {"types": ", ".join(unknown)},
                )
            ]
        return []


class ComputedType(FieldType):
    """A value computed from other answers by a rule (a total, for example)."""

    name = "computed"
    label = gettext_lazy("計算結果")
    in_repeat = False
    properties = ("expression", "format", "rounding")

    def spec_errors(self, spec: dict[str, Any]) -> list[tuple[str, str]]:
        if "rounding" in spec and spec.get("format") not in {"integer", "amount"}:
            return [
                (
                    "rounding",
                    _("端数処理は、表示形式が整数か金額のときだけ設定できます。"),
                )
            ]
        return []

    def form_fields(
        self, spec: dict[str, Any], name: str, *, required: bool
    ) -> dict[str, forms.Field]:
        return {}

    def initial_data(self, spec: dict[str, Any], name: str, value: Any) -> dict:
        return {}

    def rule_value(self, spec: dict[str, Any], name: str, data: Data) -> Any:
        return None

    def display(self, spec: dict[str, Any], value: Any) -> str:
        if value is None:
            return ""
        if spec.get("format") == "amount":
            return format_amount(value)
        if spec.get("format") == "integer":
            return number_format(value, force_grouping=True)
        return str(value)


class StaticType(FieldType):
    """A heading or a paragraph shown to residents; no answer."""

    name = "static"
    label = gettext_lazy("見出し・説明文")
    has_answer = False
    in_repeat = False
    properties = ("text", "style")

    def form_fields(
        self, spec: dict[str, Any], name: str, *, required: bool
    ) -> dict[str, forms.Field]:
        return {}


class GroupType(FieldType):
    """A titled block of fields shown or hidden together."""

    name = "group"
    label = gettext_lazy("グループ（まとめて表示・非表示）")
    has_answer = False
    is_container = True
    in_repeat = False
    properties = ("fields",)

    def form_fields(
        self, spec: dict[str, Any], name: str, *, required: bool
    ) -> dict[str, forms.Field]:
        return {}


class RepeatType(FieldType):
    """Rows of the same columns (household members): a list of objects."""

    name = "repeat"
    label = gettext_lazy("繰り返し（世帯員など）")
    is_container = True
    in_repeat = False
    properties = ("fields", "min_rows", "max_rows")

    def form_fields(
        self, spec: dict[str, Any], name: str, *, required: bool
    ) -> dict[str, forms.Field]:
        return {}  # built row by row by the page form

    def display(self, spec: dict[str, Any], value: Any) -> str:
        rows = value if isinstance(value, list) else []
        return _("%(count)s 件") % {"count": len(rows)}

    def spec_errors(self, spec: dict[str, Any]) -> list[tuple[str, str]]:
        low, high = spec.get("min_rows"), spec.get("max_rows")
        if low is not None and high is not None and low > high:
            return [("min_rows", _("最小行数が最大行数より大きくなっています。"))]
        return []


FIELD_TYPES: dict[str, FieldType] = {
    field_type.name: field_type
    for field_type in (
        TextType(),
        TextareaType(),
        IntegerType(),
        AmountType(),
        DateType(),
        EmailType(),
        PhoneType(),
        PostalCodeType(),
        NamePairType(),
        AddressType(),
        ChoiceType(),
        MultiChoiceType(),
        YesNoType(),
        AgreementType(),
        CheckboxType(),
        CorporateNumberType(),
        FileType(),
        StaticType(),
        GroupType(),
        RepeatType(),
        ComputedType(),
    )
}


def field_type(name: str) -> FieldType:
    return FIELD_TYPES[name]

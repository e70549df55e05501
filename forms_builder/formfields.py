"""Django form fields for residents' answers, with Japanese input habits.

Each field accepts what people type on paper forms (全角 digits, 和暦 dates,
ひらがな for フリガナ, 〒 in front of a postal code) and cleans it to the
canonical JSON answer. Anything printed on the issued document is checked
against the document fonts: a character no font has would print as a box.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.fonts import missing_characters
from core.japanese import parse_japanese_date
from core.uploads import (
    UploadRejected,
    check_pdf_active_content,
    get_scanner,
    identify_content_type,
)

EARLIEST_DATE = dt.date(1873, 1, 1)  # the solar calendar; no 和暦 before
INTEGER_LIMIT = 10**15  # exact in a JavaScript number, like every answer
KATAKANA_RE = re.compile(r"^[\u30A0-\u30FF\u3000 ]+$")
POSTAL_RE = re.compile(r"^(\d{3})-?(\d{4})$")
PHONE_RE = re.compile(r"^0\d{1,4}-?\d{1,4}-?\d{3,4}$")
INTEGER_RE = re.compile(r"^[+-]?\d{1,15}$")
_HALFWIDTH_KANA_RE = re.compile(r"[\uFF61-\uFF9F]+")


def printable_validator(value: Any) -> None:
    """Refuse characters that no document font can print, naming them."""
    texts = [value] if isinstance(value, str) else []
    for text in texts:
        missing = missing_characters(text)
        if missing:
            raise ValidationError(
                _(
                    "次の文字は申請書に印刷できないため使えません: %(chars)s 。"
                    "別の字体（例: 髙→高）やカタカナに置き換えてください。"
                ),
                code="unprintable",
                params={"chars": "".join(f"「{char}」" for char in missing)},
            )


def normalize_kana(text: str) -> str:
    """半角カナ to 全角 and ひらがな to カタカナ (as rules.js normalizeKana)."""
    text = _HALFWIDTH_KANA_RE.sub(lambda m: unicodedata.normalize("NFKC", m[0]), text)
    return "".join(
        chr(ord(char) + 0x60) if "\u3041" <= char <= "\u3096" else char for char in text
    )


class AnswerTextField(forms.CharField):
    """Short or long text; long text keeps line breaks as "\\n"."""

    def __init__(
        self,
        *,
        pattern: str | None = None,
        pattern_message: str | None = None,
        multiline: bool = False,
        **kwargs: Any,
    ) -> None:
        self.multiline = multiline
        super().__init__(**kwargs)
        self.validators.append(printable_validator)
        if pattern:
            compiled = re.compile(pattern)
            message = pattern_message or _("入力の形式が正しくありません。")

            def pattern_validator(value: str) -> None:
                if not compiled.fullmatch(value):
                    raise ValidationError(message, code="pattern")

            self.validators.append(pattern_validator)

    def to_python(self, value: Any) -> str:
        if isinstance(value, str) and self.multiline:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        if isinstance(value, str) and not self.multiline and "\n" in value.strip():
            raise ValidationError(_("改行は入力できません。"), code="newline")
        return super().to_python(value)


class KanaField(AnswerTextField):
    default_error_messages = {"kana": _("フリガナは全角カタカナで入力してください。")}

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        return normalize_kana(text) if text else text

    def validate(self, value: str) -> None:
        super().validate(value)
        if value and not KATAKANA_RE.match(value):
            raise ValidationError(self.error_messages["kana"], code="kana")


class IntegerAnswerField(forms.Field):
    """A whole number, with 1,234 / １２３４ / ¥1,234 / 1234円 accepted."""

    default_error_messages = {
        "invalid": _("半角または全角の数字で入力してください。"),
        "min_value": _("%(limit)s 以上の値を入力してください。"),
        "max_value": _("%(limit)s 以下の値を入力してください。"),
    }

    def __init__(
        self, *, min_value: int | None = None, max_value: int | None = None, **kwargs
    ) -> None:
        self.min_value = min_value
        self.max_value = max_value
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            text = str(value)
        elif isinstance(value, str):
            text = re.sub(r"[,\s¥￥円]", "", unicodedata.normalize("NFKC", value))
        else:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if not text:
            return None
        if not INTEGER_RE.match(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)

    def validate(self, value: int | None) -> None:
        super().validate(value)
        if value is None:
            return
        low = self.min_value if self.min_value is not None else -INTEGER_LIMIT
        high = self.max_value if self.max_value is not None else INTEGER_LIMIT
        if value < low:
            raise ValidationError(
                self.error_messages["min_value"],
                code="min_value",
                params={"limit": f"{low:,}"},
            )
        if value > high:
            raise ValidationError(
                self.error_messages["max_value"],
                code="max_value",
                params={"limit": f"{high:,}"},
            )


class JapaneseDateField(forms.Field):
    """A date typed as 西暦 (2026-04-01, 2026年4月1日) or 和暦 (令和8年4月1日,
    R8.4.1); the answer is ISO "YYYY-MM-DD"."""

    default_error_messages = {
        "invalid": _("日付は 令和8年4月1日 や 2026-04-01 のように入力してください。"),
        "too_early": _("%(limit)s 以降の日付を入力してください。"),
        "too_late": _("%(limit)s 以前の日付を入力してください。"),
    }

    def __init__(
        self,
        *,
        min_date: dt.date | None = None,
        max_date: dt.date | None = None,
        **kwargs: Any,
    ) -> None:
        self.min_date = max(min_date or EARLIEST_DATE, EARLIEST_DATE)
        self.max_date = max_date
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str | None:
        if value in self.empty_values:
            return None
        if not isinstance(value, str):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            date = parse_japanese_date(value)
        except ValueError:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid"
            ) from None
        return date.isoformat()

    def validate(self, value: str | None) -> None:
        from core.templatetags.japanese import wareki

        super().validate(value)
        if value is None:
            return
        date = dt.date.fromisoformat(value)
        if date < self.min_date:
            raise ValidationError(
                self.error_messages["too_early"],
                code="too_early",
                params={"limit": wareki(self.min_date)},
            )
        if self.max_date and date > self.max_date:
            raise ValidationError(
                self.error_messages["too_late"],
                code="too_late",
                params={"limit": wareki(self.max_date)},
            )


class PostalCodeField(forms.CharField):
    default_error_messages = {
        "invalid": _("郵便番号は 123-4567 の形で入力してください。")
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "postal-code"}
            ),
        )
        super().__init__(max_length=16, **kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        if not text:
            return text
        text = unicodedata.normalize("NFKC", text).lstrip("〒").strip()
        match = POSTAL_RE.match(text)
        if not match:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return f"{match[1]}-{match[2]}"


class PhoneField(forms.CharField):
    default_error_messages = {
        "invalid": _(
            "電話番号は 03-1234-5678 や 09012345678 のように入力してください。"
        )
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})
        )
        super().__init__(max_length=20, **kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        if not text:
            return text
        text = unicodedata.normalize("NFKC", text).strip()
        if not PHONE_RE.match(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return text


def corporate_check_digit(base: str) -> int:
    """The check digit of a 法人番号's other 12 digits (国税庁「法人番号の
    指定」): 9 - (Σ Pn × Qn mod 9), Pn the n-th digit from the right,
    Qn 1 for odd n and 2 for even n."""
    total = sum(
        int(digit) * (1 if position % 2 else 2)
        for position, digit in enumerate(reversed(base), start=1)
    )
    return 9 - total % 9


class CorporateNumberField(forms.CharField):
    """法人番号: 全角 digits, spaces and hyphens accepted; stored as 13 digits."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "off", "size": "20"}
        )

    def to_python(self, value: Any) -> str:
        text = unicodedata.normalize("NFKC", super().to_python(value))
        text = re.sub(r"[\s\-‐‑–—―ー−]", "", text)
        if not text:
            return ""
        if not re.fullmatch(r"\d{13}", text):
            raise ValidationError(
                _("法人番号は13桁の数字で入力してください。"), code="format"
            )
        if corporate_check_digit(text[1:]) != int(text[0]):
            raise ValidationError(
                _("法人番号が正しくありません。番号を確かめてください。"),
                code="check_digit",
            )
        return text


class CountedMultipleChoiceField(forms.MultipleChoiceField):
    """Several options, in the order the options are listed."""

    def __init__(
        self, *, min_count: int | None = None, max_count: int | None = None, **kwargs
    ) -> None:
        self.min_count = min_count
        self.max_count = max_count
        super().__init__(**kwargs)

    def clean(self, value: Any) -> list[str]:
        chosen = super().clean(value)
        order = [str(choice) for choice, _label in self.choices]
        chosen = sorted(set(chosen), key=order.index)
        if chosen and self.min_count and len(chosen) < self.min_count:
            raise ValidationError(
                ngettext(
                    "%(count)d 個以上選んでください。",
                    "%(count)d 個以上選んでください。",
                    self.min_count,
                )
                % {"count": self.min_count},
                code="min_count",
            )
        if self.max_count and len(chosen) > self.max_count:
            raise ValidationError(
                ngettext(
                    "%(count)d 個まで選べます。",
                    "%(count)d 個まで選べます。",
                    self.max_count,
                )
                % {"count": self.max_count},
                code="max_count",
            )
        return chosen


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentField(forms.FileField):
    """New uploads for one attachment question; checked by content.

    The type is read from the bytes (a PNG renamed .pdf is refused), the size
    is bounded, and the configured virus scanner runs; its refusal becomes
    the field's error message.
    """

    def __init__(
        self,
        *,
        accept: list[str],
        max_size: int,
        max_files: int,
        picker: list[str] | None = None,
        kinds: str = "",
        **kwargs: Any,
    ) -> None:
        self.accept = accept
        self.max_size = max_size
        self.max_files = max_files
        self.kinds = kinds
        # The picker offers extensions too: some systems know no MIME type
        # for .xlsx or .heic and would grey those files out.
        offered = [*accept, *(picker or [])]
        attrs: dict[str, Any] = {"accept": ",".join(offered)} if offered else {}
        if max_files > 1:
            attrs["multiple"] = True
            widget: forms.Widget = MultipleFileInput(attrs=attrs)
        else:
            widget = forms.ClearableFileInput(attrs=attrs)
        kwargs["required"] = False  # counted with the files already stored
        super().__init__(widget=widget, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        uploads = data if isinstance(data, list | tuple) else [data]
        uploads = [upload for upload in uploads if upload]
        errors: list[ValidationError] = []
        accepted: list[UploadedFile] = []
        for upload in uploads:
            try:
                self._check(upload)
            except ValidationError as error:
                errors.append(error)
            else:
                accepted.append(upload)
        if errors:
            raise ValidationError(errors)
        return accepted

    def _check(self, upload: UploadedFile) -> None:
        name = getattr(upload, "name", "") or ""
        if not name or not hasattr(upload, "read"):
            raise ValidationError(_("ファイルを送信できませんでした。"), code="invalid")
        printable_validator(name)
        if upload.size == 0:
            raise ValidationError(
                _("「%(name)s」は空のファイルです。"),
                code="empty",
                params={"name": name},
            )
        if upload.size > self.max_size:
            raise ValidationError(
                _("「%(name)s」は大きすぎます（%(limit)s まで）。"),
                code="too_large",
                params={"name": name, "limit": filesizeformat(self.max_size)},
            )
        try:
            # Office documents are zips: told apart by their parts, and
            # refused when they carry macros (core.uploads).
            content_type = identify_content_type(upload)
        except UploadRejected as rejected:
            raise ValidationError(
                "%(name)s: %(message)s",
                code="rejected",
                params={"name": name, "message": rejected.message},
            ) from None
        if self.accept and content_type not in self.accept:
            if self.kinds:
                raise ValidationError(
                    _(
                        "「%(name)s」はこの欄で受け付けていない種類のファイルです"
                        "（受け付ける種類: %(kinds)s）。"
                    ),
                    code="content_type",
                    params={"name": name, "kinds": self.kinds},
                )
            raise ValidationError(
                _(
                    "「%(name)s」はこの欄で受け付けていない種類のファイルです（%(type)s）。"
                ),
                code="content_type",
                params={"name": name, "type": content_type},
            )
        try:
            upload.seek(0)
            if content_type == "application/pdf":
                check_pdf_active_content(upload)
            get_scanner().scan(upload)
        except UploadRejected as rejected:
            raise ValidationError(
                "%(name)s: %(message)s",
                code="rejected",
                params={"name": name, "message": rejected.message},
            ) from None
        finally:
            upload.seek(0)

"""The spring personnel CSV: organisation and assignments in one file.

Personnel data arrives as a spreadsheet saved as CSV, one row per member
of staff and post::

    メールアドレス,氏名,部局コード,部局名,課室コード,課室名,職位コード,開始日,終了日

Excel in Japan saves Shift_JIS (CP932) unless told otherwise; UTF-8 with or
without a BOM is read too. The file is first read into a *plan* (what would
change, and every row's problems by line number) that the administrator
reviews; applying it (``organisation.services.organisation_csv_apply``)
re-reads the same bytes and writes everything in one transaction, and
nothing at all when any row has an error.

A row whose post the member of staff does not hold yet is a move: it adds
the new assignment from the start date and ends the member's other open
assignments the day before (a move dated in the future is stored as such,
so it takes effect on 1 April with nobody at work that day).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.utils.translation import gettext as _

from accounts.models import User
from organisation.models import Assignment, Department, Position, Section

COLUMNS = [
    ("email", ("メールアドレス", "email")),
    ("full_name", ("氏名", "name", "full_name")),
    ("department_code", ("部局コード", "department_code")),
    ("department_name", ("部局名", "department_name")),
    ("section_code", ("課室コード", "section_code")),
    ("section_name", ("課室名", "section_name")),
    ("position_code", ("職位コード", "position_code")),
    ("start_date", ("開始日", "start_date")),
    ("end_date", ("終了日", "end_date")),
]
REQUIRED = [
    "email",
    "department_code",
    "section_code",
    "position_code",
    "start_date",
]
MAX_ROWS = 20000


def sample_csv(*, year: int) -> bytes:
    """A file to fill in: the header and two rows for the moves of 1 April.

    UTF-8 with a BOM, so that Excel opens it with the Japanese intact.
    """
    rows = [
        [aliases[0] for _key, aliases in COLUMNS],
        [
            "sato@example.jp",
            "佐藤 花子",
            "kenko-fukushi",
            "健康福祉部",
            "fukushi-seisaku",
            "福祉政策課",
            "kakaricho",
            f"{year}-04-01",
            "",
        ],
        [
            "suzuki@example.jp",
            "鈴木 一郎",
            "somu",
            "総務部",
            "zaisei",
            "財政課",
            "tanto",
            f"{year}-04-01",
            f"{year + 1}-03-31",
        ],
    ]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


class CsvImportError(Exception):
    """The file as a whole cannot be read (encoding, header)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Plan:
    """What applying the file would change, and what stops it."""

    departments: list[dict[str, str]] = field(default_factory=list)
    sections: list[dict[str, str]] = field(default_factory=list)
    staff: list[dict[str, str]] = field(default_factory=list)
    added: list[dict[str, Any]] = field(default_factory=list)
    ended: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(
            self.departments or self.sections or self.staff or self.added or self.ended
        )


def decode(raw: bytes) -> str:
    """The file's text: UTF-8 (with or without BOM), else Shift_JIS (CP932)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # CP932 is Excel's "Shift_JIS": it has the NEC and IBM extensions
        # (①, ㈱, 髙) that plain Shift_JIS lacks.
        return raw.decode("cp932")
    except UnicodeDecodeError as exc:
        raise CsvImportError(
            _(
                "文字コードを判別できません。UTF-8 か Shift_JIS（Excel の「CSV（コンマ区切り）」）"
                "で保存してください。"
            )
        ) from exc


def _header_map(header: list[str]) -> dict[str, int]:
    names = [cell.strip().lower() for cell in header]
    found: dict[str, int] = {}
    for key, aliases in COLUMNS:
        for alias in aliases:
            if alias.lower() in names:
                found[key] = names.index(alias.lower())
                break
    missing = [
        aliases[0] for key, aliases in COLUMNS if key in REQUIRED and key not in found
    ]
    if missing:
        raise CsvImportError(
            _("1行目の見出しに次の列がありません: %(columns)s")
            % {"columns": "、".join(missing)}
        )
    return found


_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def _date(text: str) -> dt.date:
    match = _DATE.match(text.strip())
    if not match:
        raise ValueError
    return dt.date(*(int(part) for part in match.groups()))


@dataclass
class _Row:
    line: int
    email: str
    full_name: str
    department_code: str
    department_name: str
    section_code: str
    section_name: str
    position_code: str
    start_date: dt.date
    end_date: dt.date | None


def _parse_rows(text: str, plan: Plan) -> list[_Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise CsvImportError(_("ファイルが空です。")) from None
    except csv.Error as exc:
        raise CsvImportError(
            _("CSV として読めません（%(error)s）。") % {"error": exc}
        ) from exc
    columns = _header_map(header)
    rows: list[_Row] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise CsvImportError(
                    _("行が多すぎます（%(max)s 行まで）。ファイルを分けてください。")
                    % {"max": MAX_ROWS}
                )
            value = {
                key: (cells[index].strip() if index < len(cells) else "")
                for key, index in columns.items()
            }
            problems = []
            for key, aliases in COLUMNS:
                if key in REQUIRED and not value.get(key):
                    problems.append(
                        _("「%(column)s」が空です") % {"column": aliases[0]}
                    )
            email = value.get("email", "").lower()
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    problems.append(_("メールアドレスの形式が正しくありません"))
            for key, label in (
                ("department_code", _("部局コード")),
                ("section_code", _("課室コード")),
                ("position_code", _("職位コード")),
            ):
                if value.get(key):
                    try:
                        validate_slug(value[key])
                    except ValidationError:
                        problems.append(
                            _(
                                "%(column)s「%(value)s」は半角英数字とハイフンで書いてください"
                            )
                            % {"column": label, "value": value[key]}
                        )
            start = end = None
            if value.get("start_date"):
                try:
                    start = _date(value["start_date"])
                except ValueError:
                    problems.append(
                        _(
                            "開始日「%(value)s」を日付として読めません（2027-04-01 の形）"
                        )
                        % {"value": value["start_date"]}
                    )
            if value.get("end_date"):
                try:
                    end = _date(value["end_date"])
                except ValueError:
                    problems.append(
                        _(
                            "終了日「%(value)s」を日付として読めません（2028-03-31 の形）"
                        )
                        % {"value": value["end_date"]}
                    )
            if start and end and end < start:
                problems.append(_("終了日が開始日より前です"))
            if problems:
                plan.errors.append((line, "、".join(problems)))
                continue
            rows.append(
                _Row(
                    line=line,
                    email=email,
                    full_name=value.get("full_name", ""),
                    department_code=value["department_code"],
                    department_name=value.get("department_name", ""),
                    section_code=value["section_code"],
                    section_name=value.get("section_name", ""),
                    position_code=value["position_code"],
                    start_date=start,
                    end_date=end,
                )
            )
    except csv.Error as exc:
        raise CsvImportError(
            _("%(line)s 行目を CSV として読めません（%(error)s）。")
            % {"line": reader.line_num, "error": exc}
        ) from exc
    return rows


def _plan(text: str) -> Plan:
    """Read the rows against the database; nothing is written."""
    plan = Plan()
    rows = _parse_rows(text, plan)
    departments = {d.code: d for d in Department.objects.all()}
    sections = {s.code: s for s in Section.objects.select_related("department")}
    positions = {p.code: p for p in Position.objects.all()}
    emails = {row.email for row in rows}
    users = {u.email.lower(): u for u in User.objects.filter(email__in=emails)}
    new_departments: dict[str, str] = {}
    new_sections: dict[str, tuple[str, str]] = {}
    new_staff: dict[str, str] = {}
    valid: list[_Row] = []
    for row in rows:
        problems = []
        if row.position_code not in positions:
            problems.append(
                _(
                    "職位コード「%(code)s」の職位がありません（先に職位を作ってください）"
                )
                % {"code": row.position_code}
            )
        if row.department_code not in departments:
            if not row.department_name:
                problems.append(
                    _("新しい部局「%(code)s」には部局名が要ります")
                    % {"code": row.department_code}
                )
            elif (
                new_departments.setdefault(row.department_code, row.department_name)
                != row.department_name
            ):
                problems.append(
                    _("部局「%(code)s」の名前が前の行と違います")
                    % {"code": row.department_code}
                )
        section = sections.get(row.section_code)
        if section is not None:
            if section.department.code != row.department_code:
                problems.append(
                    _("課室「%(section)s」は部局「%(department)s」に属しています")
                    % {
                        "section": row.section_code,
                        "department": section.department.code,
                    }
                )
        elif not row.section_name:
            problems.append(
                _("新しい課室「%(code)s」には課室名が要ります")
                % {"code": row.section_code}
            )
        elif new_sections.setdefault(
            row.section_code, (row.department_code, row.section_name)
        ) != (row.department_code, row.section_name):
            problems.append(
                _("課室「%(code)s」の部局か名前が前の行と違います")
                % {"code": row.section_code}
            )
        user = users.get(row.email)
        if user is not None and not user.is_staff:
            problems.append(
                _("%(email)s は住民のアカウントです。職員には使えません")
                % {"email": row.email}
            )
        if user is None and not row.full_name:
            problems.append(
                _("新しい職員 %(email)s には氏名が要ります") % {"email": row.email}
            )
        if problems:
            plan.errors.append((row.line, "、".join(problems)))
            continue
        valid.append(row)
        if user is None:
            new_staff.setdefault(row.email, row.full_name)
    plan.departments = [
        {"code": code, "name": name} for code, name in sorted(new_departments.items())
    ]
    plan.sections = [
        {"code": code, "department": dept, "name": name}
        for code, (dept, name) in sorted(new_sections.items())
    ]
    plan.staff = [
        {"email": email, "full_name": name} for email, name in sorted(new_staff.items())
    ]
    _plan_assignments(valid, plan, sections, positions, users)
    plan.errors.sort()
    return plan


def _plan_assignments(
    rows: list[_Row],
    plan: Plan,
    sections: dict[str, Section],
    positions: dict[str, Position],
    users: dict[str, User],
) -> None:
    user_ids = [user.pk for user in users.values() if user.pk]
    open_by_user: dict[int, list[Assignment]] = {}
    for assignment in Assignment.objects.filter(user_id__in=user_ids).select_related(
        "section", "position"
    ):
        open_by_user.setdefault(assignment.user_id, []).append(assignment)
    # The posts the file names for each member of staff: their other open
    # assignments end the day before the earliest new one starts.
    listed: dict[str, set[tuple[str, str, dt.date]]] = {}
    for row in rows:
        listed.setdefault(row.email, set()).add(
            (row.section_code, row.position_code, row.start_date)
        )
    ended_ids: set[int] = set()
    for row in rows:
        user = users.get(row.email)
        existing = open_by_user.get(user.pk, []) if user and user.pk else []
        same = [
            a
            for a in existing
            if a.section.code == row.section_code
            and a.position.code == row.position_code
            and a.start_date <= row.start_date
            and (a.end_date is None or a.end_date >= row.start_date)
        ]
        if same:
            plan.unchanged += 1
            continue
        plan.added.append(
            {
                "line": row.line,
                "email": row.email,
                "full_name": row.full_name or (user.full_name if user else ""),
                "section_code": row.section_code,
                "section": sections.get(row.section_code) or row.section_code,
                "position": positions[row.position_code],
                "start_date": row.start_date,
                "end_date": row.end_date,
            }
        )
        day_before = row.start_date - dt.timedelta(days=1)
        for assignment in existing:
            key = (assignment.section.code, assignment.position.code)
            if assignment.pk in ended_ids or any(
                (s, p) == key for s, p, _start in listed[row.email]
            ):
                continue
            if assignment.end_date is not None and assignment.end_date <= day_before:
                continue
            if assignment.start_date > day_before:
                # An assignment that would not have begun yet cannot end
                # before it starts; the file has to say what replaces it.
                plan.errors.append(
                    (
                        row.line,
                        _(
                            "%(email)s には %(start)s に始まる配置（%(section)s %(position)s）"
                            "がすでにあり、この行の前日に終えられません"
                        )
                        % {
                            "email": row.email,
                            "start": assignment.start_date.isoformat(),
                            "section": assignment.section.name,
                            "position": assignment.position.name,
                        },
                    )
                )
                continue
            ended_ids.add(assignment.pk)
            plan.ended.append(
                {
                    "assignment": assignment,
                    "end_date": day_before,
                    "line": row.line,
                }
            )


def organisation_csv_plan(*, raw: bytes) -> Plan:
    """What applying the file would change, and each row's problems by line."""
    return _plan(decode(raw))


class CsvRowsInvalid(Exception):
    """Some rows have errors: nothing was applied."""

    def __init__(self, plan: Plan) -> None:
        super().__init__("rows invalid")
        self.plan = plan

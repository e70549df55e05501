"""Japanese calendar helpers: 和暦 (era) dates and the fiscal year."""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple


class Era(NamedTuple):
    name: str
    romaji: str
    start: dt.date


# Newest first. Dates before Meiji 6 (the solar calendar) are not supported.
ERAS: tuple[Era, ...] = (
    Era("令和", "Reiwa", dt.date(2019, 5, 1)),
    Era("平成", "Heisei", dt.date(1989, 1, 8)),
    Era("昭和", "Showa", dt.date(1926, 12, 25)),
    Era("大正", "Taisho", dt.date(1912, 7, 30)),
    Era("明治", "Meiji", dt.date(1873, 1, 1)),
)
_ERA_BY_NAME = {era.name: era for era in ERAS}
_ERA_BY_INITIAL = {"R": ERAS[0], "H": ERAS[1], "S": ERAS[2], "T": ERAS[3], "M": ERAS[4]}


def era_of(date: dt.date) -> tuple[Era, int]:
    for era in ERAS:
        if date >= era.start:
            return era, date.year - era.start.year + 1
    raise ValueError("date before 1873 is not supported")


def format_wareki(date: dt.date) -> str:
    """令和8年11月26日; the first year of an era is written 元年."""
    era, year = era_of(date)
    year_text = "元" if year == 1 else str(year)
    return f"{era.name}{year_text}年{date.month}月{date.day}日"


def format_display_date(value: dt.date | dt.datetime, *, time: bool = False) -> str:
    """A date as every page shows it: 和暦 in Japanese, '5 Dec 2026' in English.

    An aware datetime is shown in local time (Asia/Tokyo); ``time=True`` adds
    the hour and minute (令和8年11月30日 17:20) where the time matters.
    """
    from django.utils import timezone
    from django.utils.translation import get_language

    clock = ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        clock = f" {value:%H:%M}"
        value = value.date()
    if (get_language() or "ja").startswith("ja"):
        text = format_wareki(value)
    else:
        text = f"{value.day} {value:%b %Y}"
    return text + clock if time else text


_WAREKI_RE = re.compile(
    r"^\s*(?P<era>令和|平成|昭和|大正|明治|[RHSTMrhstm])\.?\s*"
    r"(?P<year>元|\d{1,2})\s*[年./-]\s*(?P<month>\d{1,2})\s*[月./-]\s*"
    r"(?P<day>\d{1,2})\s*日?\s*$"
)
_SEIREKI_RE = re.compile(
    r"^\s*(?P<year>\d{4})\s*[年./-]\s*(?P<month>\d{1,2})\s*[月./-]\s*"
    r"(?P<day>\d{1,2})\s*日?\s*$"
)


def parse_japanese_date(text: str) -> dt.date:
    """Parse 西暦 (2026-11-26, 2026年11月26日) or 和暦 (令和8年11月26日, R8.11.26).

    Full-width digits are accepted. Raises ValueError on anything else, and
    on an era year that does not exist (平成32年).
    """
    import unicodedata

    normalized = unicodedata.normalize("NFKC", text)
    if match := _SEIREKI_RE.match(normalized):
        return dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
    if match := _WAREKI_RE.match(normalized):
        era_key = match["era"]
        era = _ERA_BY_NAME.get(era_key) or _ERA_BY_INITIAL[era_key.upper()]
        era_year = 1 if match["year"] == "元" else int(match["year"])
        date = dt.date(
            era.start.year + era_year - 1, int(match["month"]), int(match["day"])
        )
        actual_era, _ = era_of(date)
        if actual_era != era:
            raise ValueError("date is outside the era")
        return date
    raise ValueError("not a date")


def fiscal_year(date: dt.date) -> int:
    """Japanese fiscal year (年度), April to March, as a Gregorian year."""
    return date.year if date.month >= 4 else date.year - 1


def fiscal_year_wareki(date: dt.date) -> str:
    """令和8年度 for any date from 2026-04-01 to 2027-03-31."""
    start = dt.date(fiscal_year(date), 4, 1)
    era, year = era_of(start)
    return f"{era.name}{'元' if year == 1 else year}年度"


def is_office_holiday(date: dt.date) -> bool:
    """県の休日: Saturdays, Sundays, national holidays and 29 Dec to 3 Jan."""
    import jpholiday

    if date.weekday() >= 5 or jpholiday.is_holiday(date):
        return True
    return (date.month == 12 and date.day >= 29) or (date.month == 1 and date.day <= 3)


def processing_due_date(
    received: dt.date, days: int, *, business_days: bool
) -> dt.date:
    """The last day of a standard processing period (標準処理期間).

    The day of receipt is not counted (民法第140条, 初日不算入). In business
    days, office holidays are skipped; in calendar days, a period that ends on
    an office holiday ends on the next working day (民法第142条).
    """
    date = received
    if business_days:
        counted = 0
        while counted < days:
            date += dt.timedelta(days=1)
            if not is_office_holiday(date):
                counted += 1
        return date
    date += dt.timedelta(days=days)
    while is_office_holiday(date):
        date += dt.timedelta(days=1)
    return date

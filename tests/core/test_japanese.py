import datetime as dt

import pytest

from core.japanese import (
    fiscal_year,
    fiscal_year_wareki,
    format_wareki,
    parse_japanese_date,
    processing_due_date,
)


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (dt.date(2026, 11, 26), "令和8年11月26日"),
        (dt.date(2019, 5, 1), "令和元年5月1日"),
        (dt.date(2019, 4, 30), "平成31年4月30日"),
        (dt.date(1989, 1, 7), "昭和64年1月7日"),
        (dt.date(1989, 1, 8), "平成元年1月8日"),
    ],
)
def test_format_wareki_uses_the_era_of_the_day(date, expected):
    assert format_wareki(date) == expected


@pytest.mark.parametrize(
    "text",
    [
        "令和8年11月26日",
        "R8.11.26",
        "r8/11/26",
        "2026-11-26",
        "2026年11月26日",
        "２０２６年１１月２６日",
    ],
)
def test_parse_accepts_seireki_and_wareki(text):
    assert parse_japanese_date(text) == dt.date(2026, 11, 26)


@pytest.mark.parametrize(
    "text", ["平成32年1月1日", "令和8年2月30日", "昨日", "2026/13/01"]
)
def test_parse_refuses_dates_that_do_not_exist(text):
    with pytest.raises(ValueError):  # noqa: PT011 (each is a plain ValueError)
        parse_japanese_date(text)


def test_fiscal_year_starts_in_april():
    assert fiscal_year(dt.date(2027, 3, 31)) == 2026
    assert fiscal_year(dt.date(2027, 4, 1)) == 2027
    assert fiscal_year_wareki(dt.date(2027, 1, 10)) == "令和8年度"


def test_business_day_period_skips_weekends_holidays_and_new_year():
    # Received Fri 2026-12-25; 5 office days: 28 Dec, then 29 Dec - 3 Jan closed,
    # 4, 5, 6, 7 Jan.
    assert processing_due_date(dt.date(2026, 12, 25), 5, business_days=True) == dt.date(
        2027, 1, 7
    )


def test_calendar_day_period_does_not_count_the_first_day_and_ends_on_a_working_day():
    # 2026-11-20 + 3 days = Mon 23 Nov (勤労感謝の日) -> Tue 24 Nov.
    assert processing_due_date(
        dt.date(2026, 11, 20), 3, business_days=False
    ) == dt.date(2026, 11, 24)

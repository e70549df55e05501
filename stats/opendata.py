"""The open data files: monthly statistics per procedure and the catalogue of
procedures, in the Digital Agency's recommended dataset style (推奨データセット).

UTF-8 CSV with one header row, ISO 8601 dates with a 和暦 column beside them,
the prefecture's 全国地方公共団体コード on every row, and the same rows as
JSON. No personal data is ever in them: the statistics are counts, and any
count below ``OPENDATA_SUPPRESSION_THRESHOLD`` is published as suppressed
("X"), as is every figure derived from a suppressed count, and as many
further cells as it takes so that no suppressed cell can be recovered by
subtracting the others from a published total (secondary suppression).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.urls import reverse

from core.japanese import era_of
from procedures.models import Procedure
from stats.figures import percentile
from stats.models import DailyRollup, DecidedCase
from stats.selectors import PercentileCont

SUPPRESSED = "X"
# Outcome columns in a fixed order, so that every month's file has the same
# header; any other kind of outcome (modelled per procedure) is "other".
OUTCOMES = ("approved", "rejected", "other")
# Modelled outcomes are counted by kind: 認容 with the permits, 不認容
# with the refusals, 一部認容 under "other" (the columns do not change).
MODELLED = {"favourable": "approved", "unfavourable": "rejected"}
STAT_COUNTS = (
    "received",
    "received_online",
    "received_paper",
    "withdrawn",
    "decided",
    *(f"decided_{key}" for key in OUTCOMES),
    "decided_within_period",
)
STAT_HEADER = {
    "lg_code": "全国地方公共団体コード",
    "prefecture": "都道府県名",
    "month": "年月",
    "month_wareki": "年月（和暦）",
    "procedure_code": "手続コード",
    "procedure_name": "手続名",
    "department": "担当部局",
    "received": "受付件数",
    "received_online": "受付件数（電子申請）",
    "received_paper": "受付件数（紙）",
    "withdrawn": "取下げ件数",
    "decided": "決定件数",
    "decided_approved": "決定件数（許可・交付）",
    "decided_rejected": "決定件数（不許可）",
    "decided_other": "決定件数（その他）",
    "decided_within_period": "標準処理期間内の決定件数（電子申請）",
    "median_days": "処理日数の中央値（暦日）",
    "within_period_share": "標準処理期間内の割合（%）",
    "online_share": "電子申請の割合（%）",
}
CATALOGUE_HEADER = {
    "lg_code": "全国地方公共団体コード",
    "prefecture": "都道府県名",
    "procedure_code": "手続コード",
    "procedure_name": "手続名",
    "procedure_name_en": "手続名（英語）",
    "department": "担当部局",
    "section": "担当課",
    "processing_days": "標準処理期間（日）",
    "processing_counted_in": "標準処理期間の数え方",
    "fee_yen": "手数料（円）",
    "online": "オンライン申請",
    "url": "URL",
    "published_on": "公開日",
    "published_on_wareki": "公開日（和暦）",
}
TOTAL_CODE = "ALL"


def lg_code_check_digit(first_five: str) -> str:
    """The check digit of a 全国地方公共団体コード (JIS X 0402)."""
    total = sum(int(d) * w for d, w in zip(first_five, (6, 5, 4, 3, 2), strict=True))
    return str((11 - total % 11) % 10)


def valid_lg_code(code: str) -> bool:
    return (
        len(code) == 6
        and code.isascii()
        and code.isdigit()
        and lg_code_check_digit(code[:5]) == code[5]
    )


def wareki_month(month: dt.date) -> str:
    era, year = era_of(month)
    return f"{era.name}{'元' if year == 1 else year}年{month.month}月"


def _wareki_day(day: dt.date) -> str:
    return f"{wareki_month(day)}{day.day}日"


def threshold() -> int:
    return int(getattr(settings, "OPENDATA_SUPPRESSION_THRESHOLD", 5))


@dataclass
class Cell:
    value: int
    suppressed: bool = False


def _suppress(rows: list[dict[str, Cell]], limit: int) -> None:
    """Primary then secondary suppression, in place, over the count cells.

    Each constraint is a total and its parts (total = sum of parts). If one
    cell of a constraint is hidden and all the others are shown, it can be
    recovered by subtraction: hide the smallest shown one as well, and go
    round again until no constraint has exactly one hidden cell.
    """
    for row in rows:
        for name in STAT_COUNTS:
            if row[name].value < limit:
                row[name].suppressed = True
        # Decided − within would show how few online cases were late.
        if row["_late"] < limit:
            row["decided_within_period"].suppressed = True
    constraints: list[list[Cell]] = []
    for row in rows:
        constraints.append(
            [row["received"], row["received_online"], row["received_paper"]]
        )
        constraints.append(
            [row["decided"], *(row[f"decided_{key}"] for key in OUTCOMES)]
        )
    total = next((row for row in rows if row.get("_total")), None)
    if total is not None:
        parts = [row for row in rows if not row.get("_total")]
        for name in STAT_COUNTS:
            constraints.append([total[name], *(row[name] for row in parts)])
    changed = True
    while changed:
        changed = False
        for cells in constraints:
            hidden = [cell for cell in cells if cell.suppressed]
            shown = [cell for cell in cells if not cell.suppressed]
            if len(hidden) == 1 and shown:
                min(shown, key=lambda cell: cell.value).suppressed = True
                changed = True


def _figures_by_procedure(month: dt.date, last: dt.date) -> dict[int, dict[str, Any]]:
    sums: dict[int, dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    for row in (
        DailyRollup.objects.filter(day__gte=month, day__lte=last)
        .values("procedure_id", "outcome")
        .annotate(
            submitted=Sum("submitted"),
            paper_received=Sum("paper_received"),
            withdrawn=Sum("withdrawn"),
            decided=Sum("decided"),
            paper_decided=Sum("paper_decided"),
            within=Sum("within_period"),
        )
    ):
        figures = sums[row["procedure_id"]]
        figures["received_online"] += row["submitted"]
        figures["received_paper"] += row["paper_received"]
        figures["withdrawn"] += row["withdrawn"]
        outcome = row["outcome"]
        if outcome == "withdrawn":  # a paper application withdrawn
            figures["withdrawn"] += row["paper_decided"]
        elif outcome:
            key = MODELLED.get(outcome, outcome)
            key = key if key in OUTCOMES else "other"
            figures[f"decided_{key}"] += row["decided"] + row["paper_decided"]
            figures["online_decided"] += row["decided"]
            figures["decided_within_period"] += row["within"]
    decided = DecidedCase.objects.filter(decided_on__gte=month, decided_on__lte=last)
    if connection.vendor == "postgresql":
        for row in decided.values("procedure_id").annotate(
            median=PercentileCont("calendar_days", 0.5)
        ):
            sums[row["procedure_id"]]["median_days"] = row["median"]
    else:
        days: dict[int, list[int]] = defaultdict(list)
        for procedure_id, value in decided.values_list("procedure_id", "calendar_days"):
            days[procedure_id].append(value)
        for procedure_id, values in days.items():
            sums[procedure_id]["median_days"] = percentile(values, 0.5)
    return sums


def _known_outcomes(figures: dict[str, Any]) -> int:
    return sum(figures.get(f"decided_{key}", 0) for key in OUTCOMES)


def _procedures() -> list[Procedure]:
    return list(
        Procedure.objects.exclude(current_version=None)
        .select_related("current_version__section__department")
        .order_by("code")
    )


def statistics_rows(month: dt.date) -> list[dict[str, Any]]:
    """The month's statistics per procedure and for all of them, suppressed."""
    last = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    limit = threshold()
    sums = _figures_by_procedure(month, last)
    procedures = _procedures()
    cells: list[dict[str, Any]] = []
    for procedure in procedures:
        figures = sums.get(procedure.pk, {})
        online = figures.get("received_online", 0)
        paper = figures.get("received_paper", 0)
        row: dict[str, Any] = {
            "received": Cell(online + paper),
            "received_online": Cell(online),
            "received_paper": Cell(paper),
            "withdrawn": Cell(figures.get("withdrawn", 0)),
            "decided": Cell(_known_outcomes(figures)),
            **{
                f"decided_{key}": Cell(figures.get(f"decided_{key}", 0))
                for key in OUTCOMES
            },
            "decided_within_period": Cell(figures.get("decided_within_period", 0)),
            "_online_decided": figures.get("online_decided", 0),
        }
        row["_late"] = row["_online_decided"] - row["decided_within_period"].value
        cells.append(row)
    total = {name: Cell(sum(row[name].value for row in cells)) for name in STAT_COUNTS}
    total["_total"] = True
    total["_online_decided"] = sum(row["_online_decided"] for row in cells)
    total["_late"] = sum(row["_late"] for row in cells)
    _suppress([*cells, total], limit)

    rows = []
    for procedure, row in [*zip(procedures, cells, strict=True), (None, total)]:
        figures = sums.get(procedure.pk, {}) if procedure else {}
        version = procedure.current_version if procedure else None
        out: dict[str, Any] = {
            "lg_code": settings.PREFECTURE_CODE,
            "prefecture": settings.PREFECTURE_NAME,
            "month": f"{month:%Y-%m}",
            "month_wareki": wareki_month(month),
            "procedure_code": procedure.code if procedure else TOTAL_CODE,
            "procedure_name": version.title if version else "全手続の計",
            "department": version.section.department.name if version else "",
        }
        for name in STAT_COUNTS:
            out[name] = SUPPRESSED if row[name].suppressed else row[name].value
        decided, within = row["decided"], row["decided_within_period"]
        limit = threshold()
        # Derived figures: hidden whenever a count they come from is hidden.
        if procedure is None:
            out["median_days"] = _total_median(month, last, decided)
        elif decided.suppressed or figures.get("median_days") is None:
            out["median_days"] = SUPPRESSED
        else:
            out["median_days"] = round(figures["median_days"], 1)
        # Of online decisions only: paper cases have no recorded 補正.
        online_decided = row["_online_decided"]
        out["within_period_share"] = (
            SUPPRESSED
            if within.suppressed or online_decided < limit
            else round(100 * within.value / online_decided, 1)
        )
        received = row["received"]
        out["online_share"] = (
            SUPPRESSED
            if received.suppressed
            or row["received_online"].suppressed
            or row["received_paper"].suppressed
            else round(100 * row["received_online"].value / received.value, 1)
        )
        rows.append(out)
    return rows


def _total_median(month: dt.date, last: dt.date, decided: Cell) -> Any:
    if decided.suppressed:
        return SUPPRESSED
    values = DecidedCase.objects.filter(
        decided_on__gte=month, decided_on__lte=last
    ).values_list("calendar_days", flat=True)
    median = percentile(values, 0.5)
    return SUPPRESSED if median is None else round(median, 1)


def catalogue_rows(base_url: str) -> list[dict[str, Any]]:
    """The procedures residents can apply for, as published today."""
    rows = []
    for procedure in _procedures():
        version = procedure.current_version
        published = version.published_at.date() if version.published_at else None
        rows.append(
            {
                "lg_code": settings.PREFECTURE_CODE,
                "prefecture": settings.PREFECTURE_NAME,
                "procedure_code": procedure.code,
                "procedure_name": version.title,
                "procedure_name_en": version.title_en,
                "department": version.section.department.name,
                "section": version.section.name,
                "processing_days": version.processing_days,
                "processing_counted_in": "開庁日"
                if version.processing_in_business_days
                else "暦日",
                "fee_yen": version.fee_yen,
                "online": "可" if procedure.accepts_applications else "不可",
                "url": base_url + procedure.get_absolute_url(),
                "published_on": published.isoformat() if published else "",
                "published_on_wareki": _wareki_day(published) if published else "",
            }
        )
    return rows


def as_csv(rows: list[dict[str, Any]], header: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header.values())
    for row in rows:
        writer.writerow(["" if row[key] is None else row[key] for key in header])
    return out.getvalue().encode("utf-8")


def as_json(rows: list[dict[str, Any]], header: dict[str, str]) -> bytes:
    """The same rows; a suppressed value is null, named in ``suppressed``."""
    items = []
    for row in rows:
        item = {key: row[key] for key in header}
        hidden = [key for key, value in item.items() if value == SUPPRESSED]
        for key in hidden:
            item[key] = None
        item["suppressed"] = hidden
        items.append(item)
    document = {"columns": header, "suppressed_marker": SUPPRESSED, "rows": items}
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


DATASETS = {
    "statistics": STAT_HEADER,
    "procedures": CATALOGUE_HEADER,
}
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def release_files(month: dt.date, base_url: str) -> dict[tuple[str, str], bytes]:
    """Every file of a month's release: (dataset, format) → bytes."""
    rows = {
        "statistics": statistics_rows(month),
        "procedures": catalogue_rows(base_url),
    }
    return {
        (dataset, fmt): (as_csv if fmt == "csv" else as_json)(rows[dataset], header)
        for dataset, header in DATASETS.items()
        for fmt in ("csv", "json")
    }


def file_url(release: Any, dataset: str, fmt: str) -> str:
    return reverse(
        "opendata:file",
        kwargs={
            "month": f"{release.month:%Y-%m}",
            "number": release.number,
            "dataset": dataset,
            "fmt": fmt,
        },
    )

"""Recompute the daily figures (default: yesterday and today)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from stats.services import rollup_days


class Command(BaseCommand):
    help = "日次集計を申請の記録から再計算します（既定: 昨日と今日）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--day", action="append", default=[], help="YYYY-MM-DD")
        parser.add_argument("--since", help="YYYY-MM-DD: this day up to today")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        try:
            days = [dt.date.fromisoformat(value) for value in options["day"]]
            if options["since"]:
                day = dt.date.fromisoformat(options["since"])
                while day <= today:
                    days.append(day)
                    day += dt.timedelta(days=1)
        except ValueError as error:
            raise CommandError(f"not a date: {error}") from error
        if not days:
            days = [today - dt.timedelta(days=1), today]
        result = rollup_days(days=days)
        self.stdout.write(f"{result['days']} days, {result['rows']} rows")

"""Bar charts drawn on the server as SVG, each with the table it is drawn from.

No JavaScript library: the picture is for a glance, the table (always on
the page, under the chart) is what a screen reader and a CSV download read.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

WIDTH = 640
HEIGHT = 220
TOP = 12
BOTTOM = 28
LEFT = 44
COLOURS = ("#1f5fa8", "#b35900", "#2e7d32", "#6a1b9a")


@dataclass
class Chart:
    """Series of values per month, and how to draw them."""

    key: str
    title: str
    unit: str
    labels: list[str]
    series: list[tuple[str, list[float | None]]]

    @property
    def peak(self) -> float:
        values = [v for _, values in self.series for v in values if v is not None]
        return max([*values, 1])

    def bars(self) -> list[dict[str, Any]]:
        plot = HEIGHT - TOP - BOTTOM
        slot = (WIDTH - LEFT) / max(len(self.labels), 1)
        width = slot * 0.8 / len(self.series)
        bars = []
        for index, (name, values) in enumerate(self.series):
            for month, value in enumerate(values):
                height = 0 if value is None else plot * value / self.peak
                bars.append(
                    {
                        "x": round(LEFT + slot * month + slot * 0.1 + width * index, 1),
                        "y": round(TOP + plot - height, 1),
                        "width": round(width, 1),
                        "height": round(height, 1),
                        "colour": COLOURS[index % len(COLOURS)],
                        "title": f"{self.labels[month]} {name}: "
                        + ("-" if value is None else f"{value:g}"),
                    }
                )
        return bars

    def axis_labels(self) -> list[dict[str, Any]]:
        slot = (WIDTH - LEFT) / max(len(self.labels), 1)
        return [
            {"x": round(LEFT + slot * i + slot / 2, 1), "text": label[2:]}
            for i, label in enumerate(self.labels)
        ]

    def rows(self) -> list[tuple[str, list[float | None]]]:
        return [
            (label, [values[i] for _, values in self.series])
            for i, label in enumerate(self.labels)
        ]

    def legend(self) -> list[tuple[str, str]]:
        return [
            (name, COLOURS[i % len(COLOURS)]) for i, (name, _) in enumerate(self.series)
        ]

    def as_csv(self, month_header: str) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([month_header, *(name for name, _ in self.series)])
        for label, values in self.rows():
            writer.writerow([label, *("" if v is None else f"{v:g}" for v in values)])
        return out.getvalue()


GEOMETRY = {
    "width": WIDTH,
    "height": HEIGHT,
    "top": TOP,
    "left": LEFT,
    "baseline": HEIGHT - BOTTOM,
}

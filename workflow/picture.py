"""A picture of a route: its levels in order, who decides under which 専決
rule or amount band, and the 合議 held before a level.

Drawn as SVG on the server (templates/workflow/_route_picture.html) from
the data built here, with the same data as a list for screen readers: the
picture is ``aria-hidden`` and the list is what assistive technology reads.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext

from core.i18n import localized
from workflow.models import FinalAuthorityRule, RouteConsultation, RouteLevel
from workflow.route_rules import number_text, split_band

BOX_W, BOX_H, GAP, TOP = 150, 52, 56, 96
# What a label under a level may take: its box and 15 px each side (inside
# the picture's 16 px margin, clear of the next label), at font-size 12 with
# a full-width character 1 em and another about 0.6 em.
LINE_EMS = (BOX_W + 30) / 12
_TOKEN = re.compile(r"[!-~]+|.", re.S)


def _ems(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6 for ch in text)


def wrap_label(text: str, width: float = LINE_EMS) -> list[str]:
    """``text`` in lines that fit ``width`` ems, breaking between characters
    but not inside a run of ASCII (20,000 stays whole): nothing is cut."""
    lines: list[str] = []
    line = ""
    for token in _TOKEN.findall(text):
        if line and _ems(line + token) > width:
            lines.append(line)
            line = token.lstrip()
        else:
            line += token
    if line or not lines:
        lines.append(line)
    return lines


def route_picture(version: Any) -> dict[str, Any] | None:
    """The data of the picture of ``version``'s route, None when it has no level."""
    levels = list(
        RouteLevel.objects.filter(route__procedure_version=version)
        .order_by("order")
        .select_related("position")
    )
    if not levels:
        return None
    rules = list(
        FinalAuthorityRule.objects.filter(route__procedure_version=version)
        .order_by("order")
        .select_related("position")
    )
    consultations = list(
        RouteConsultation.objects.filter(route__procedure_version=version)
        .order_by("pk")
        .select_related("section", "position", "before_position")
    )
    start, shape, band_rows, otherwise, _bound = split_band(
        [(rule.rule, rule.position_id) for rule in rules]
    )
    word = {"<": gettext("未満"), "<=": gettext("以下")}.get(shape[0] if shape else "")
    decides: dict[int, list[str]] = {level.position_id: [] for level in levels}
    for rule in rules[:start]:
        decides.setdefault(rule.position_id, []).append(
            rule.label or gettext("条件つきの専決")
        )
    previous = None
    for bound, position in band_rows:
        if previous is None:
            text = gettext("%(bound)s %(word)s") % {
                "bound": number_text(bound),
                "word": word,
            }
        else:
            text = gettext("%(low)s〜%(bound)s %(word)s") % {
                "low": number_text(previous),
                "bound": number_text(bound),
                "word": word,
            }
        decides.setdefault(position, []).append(text)
        previous = bound
    top = otherwise if otherwise is not None else levels[-1].position_id
    if band_rows:
        last = number_text(band_rows[-1][0])
        decides.setdefault(top, []).append(
            gettext("%(bound)s 以上") % {"bound": last}
            if shape[0] == "<"
            else gettext("%(bound)s 超") % {"bound": last}
        )
    else:
        decides[levels[-1].position_id].append(gettext("規則に当たらないとき"))
    nodes = []
    index = {}
    for i, level in enumerate(levels):
        index[level.position_id] = i
        nodes.append(
            {
                "x": 16 + i * (BOX_W + GAP),
                "y": TOP,
                "cx": 16 + i * (BOX_W + GAP) + BOX_W // 2,
                "name": str(level.position),
                "scope": level.position.get_scope_display(),
                "decides": decides.get(level.position_id, []),
                "lines": [
                    {"text": text, "y": TOP + BOX_H + 22 + n * 18}
                    for n, text in enumerate(
                        line
                        for label in decides.get(level.position_id, [])
                        for line in wrap_label(label)
                    )
                ],
                "arrow": i > 0,
                "arrow_from": 16 + i * (BOX_W + GAP) - GAP,
                "arrow_to": 16 + i * (BOX_W + GAP) - 2,
            }
        )
    consults = []
    for item in consultations:
        i = index.get(item.before_position_id, len(levels) - 1)
        lane = sum(1 for c in consults if c["before"] == i)
        x = max(4, nodes[i]["x"] - GAP // 2 - BOX_W // 2 + lane * 12)
        consults.append(
            {
                "before": i,
                "x": x,
                "text_x": x + BOX_W // 2,
                "y": 8 + lane * 6,
                "cx": nodes[i]["x"] - GAP // 2 + lane * 12,
                "label": f"{localized(item.section, 'name')} {item.position}",
                "before_name": levels[i].position.name,
                "conditional": bool(item.rule),
            }
        )
    tallest = max(len(node["lines"]) for node in nodes)
    return {
        "nodes": nodes,
        "consultations": consults,
        "width": 32 + len(levels) * (BOX_W + GAP) - GAP,
        "height": TOP + BOX_H + 28 + tallest * 18,
        "box_w": BOX_W,
        "box_h": BOX_H,
        "gap": GAP,
        "text_y": TOP + BOX_H + 22,
        "mid_y": TOP + BOX_H // 2,
    }


def version_panel(request: Any, version: Any) -> str:
    """The picture of ``version``'s route with a link to its editor, for the
    procedure's manage page (``settings.PROCEDURES_VERSION_PANELS``)."""
    return render_to_string(
        "workflow/_route_panel.html",
        {"picture": route_picture(version), "version": version},
        request=request,
    )

"""How a document's title is set: on one line when it can be, else at phrases.

A notice's title is printed large and letter-spaced (「許 可 書」). Left to
the browser's line breaking, 「公文書開示決定通知書」 left 「書」 alone on a
second line and longer titles split words (決/定): Japanese may break between
any two characters. So the title is measured with the document fonts and
set here: the letter-spacing narrows first, then the size shrinks down to
``MIN_SIZE_PT``; only a title that fits on no line at that size is broken,
at phrase boundaries, into lines of balanced length.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from core.fonts import text_width_em

# The default layout: A4 (210 mm) less its 22 mm and 20 mm side margins, in
# points, with 2 % kept back for rounding in the PDF's text layout.
LINE_WIDTH_PT = (210 - 22 - 20) / 25.4 * 72 * 0.98
SIZE_PT = 22.0
MIN_SIZE_PT = 16.0
MAX_SPACING_EM = 1.2
# Lines a title may take at phrase boundaries before words are split.
MAX_LINES = 4

# Words that continue the phrase before them (申請に|係る would cut 「に係る」).
_CONTINUATIONS = ("係る", "関する", "対する", "伴う", "基づく", "よる", "おける")
# Kinds of notice a title ends with: a line may start with one.
_DOCUMENT_KINDS = (
    "交付決定通知書",
    "決定通知書",
    "許可通知書",
    "通知書",
    "決定書",
    "許可書",
    "許可証",
    "証明書",
    "認定書",
    "登録証",
    "指令書",
    "命令書",
)
_OPENING = "（「『［〔【(["
_CLOSING = "）」』］〕】)]、，,・"


@dataclass(frozen=True)
class TitleLayout:
    lines: tuple[str, ...]
    size_pt: float
    spacing_em: float

    def css(self) -> str:
        # Letter-spacing follows every character, the last one too: the same
        # space on the left keeps the title centred. Rounded down, never up
        # past the measured width.
        size = math.floor(self.size_pt * 100) / 100
        spacing = math.floor(self.spacing_em * 1000) / 1000
        return (
            f".title {{ font-size: {size:.2f}pt; "
            f"letter-spacing: {spacing:.3f}em; text-indent: 0; "
            f"padding-left: {spacing:.3f}em; }}"
        )


def _is_hiragana(char: str) -> bool:
    return "\u3041" <= char <= "\u309f"


def break_points(title: str) -> list[int]:
    """Positions between two characters where a line may end: after a phrase
    (a run of kana particles before a word), around brackets and spaces, and
    before the kind of notice that ends the title."""
    points = set()
    for i in range(1, len(title)):
        before, after = title[i - 1], title[i]
        around_a_gap = (
            before.isspace()
            or after.isspace()
            or before in _CLOSING
            or after in _OPENING
        )
        after_a_phrase = (
            _is_hiragana(before)
            and not _is_hiragana(after)
            and after not in _CLOSING
            and not title.startswith(_CONTINUATIONS, i)
            and unicodedata.category(after) != "Lm"  # 々, ー
        )
        if around_a_gap or after_a_phrase:
            points.add(i)
    for kind in _DOCUMENT_KINDS:
        if title.endswith(kind) and len(title) > len(kind):
            points.add(len(title) - len(kind))
    return sorted(points)


def _width_pt(line: str, size: float, spacing: float) -> float:
    return size * (text_width_em(line) + spacing * (len(line) + 1))


def _fit(lines: tuple[str, ...]) -> TitleLayout | None:
    """The largest size and spacing at which every line fits, if any does."""
    widest = max(lines, key=text_width_em)
    glyphs, count = text_width_em(widest), len(widest) + 1
    # At the full size, as much spacing as fits (up to the house maximum).
    spacing = min(MAX_SPACING_EM, (LINE_WIDTH_PT / SIZE_PT - glyphs) / count)
    if spacing >= 0:
        return TitleLayout(lines, SIZE_PT, spacing)
    size = LINE_WIDTH_PT / glyphs
    if size >= MIN_SIZE_PT:
        return TitleLayout(lines, size, 0.0)
    return None


def _split(title: str, parts: int, points: list[int]) -> tuple[str, ...] | None:
    """``title`` cut at ``parts - 1`` of ``points``, the widest line narrowest
    (dynamic programming over the cut positions)."""
    ends = [*points, len(title)]
    prefix = [0.0, *itertools.accumulate(text_width_em(char) for char in title)]

    def width(a: int, b: int) -> float:
        return prefix[b] - prefix[a]

    # best[j] = (widest line, cuts) for title[:j] in the lines placed so far.
    best = {end: (width(0, end), (end,)) for end in ends}
    for _ in range(parts - 1):
        best = {
            end: min(
                (max(widest, width(cuts[-1], end)), (*cuts, end))
                for start, (widest, cuts) in best.items()
                if start < end
            )
            for end in ends
            if any(start < end for start in best)
        }
    if len(title) not in best:
        return None
    _widest, cuts = best[len(title)]
    bounds = (0, *cuts)
    lines = tuple(title[a:b].strip() for a, b in itertools.pairwise(bounds))
    return lines if all(lines) else None


@lru_cache(maxsize=256)
def title_layout(title: str) -> TitleLayout:
    """Lines, size and letter-spacing for ``title`` in the default layout.

    Kept per title (a procedure's notices share a handful): measuring one
    read the fonts' widths character by character, ~1 ms of a render.
    """
    title = re.sub(r"\s+", " ", title).strip()
    if not title:
        return TitleLayout(("",), SIZE_PT, MAX_SPACING_EM)
    points = break_points(title)
    # More lines at phrases before any line that splits a word; a title of
    # one long compound has no phrase to break at, so then between any two
    # characters, still balanced, rather than overflowing the page.
    every = list(range(1, len(title)))
    attempts = [(points, parts) for parts in range(1, MAX_LINES + 1)]
    attempts += [(every, parts) for parts in range(2, len(title) + 1)]
    for candidates, parts in attempts:
        lines = _split(title, parts, candidates)
        layout = _fit(lines) if lines else None
        if layout is not None:
            return layout
    return TitleLayout((title,), MIN_SIZE_PT, 0.0)

"""The fonts official documents are printed with, and what they can draw.

WeasyPrint prints a character that no font has as an empty box and only logs
a warning; text extraction still returns the right character, so nothing
downstream notices. Answers are therefore checked against the fonts'
character maps when the resident types them (microseconds per string).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings


@dataclass(frozen=True)
class DocumentFont:
    family: str
    path: Path
    index: int = 0  # face number inside a .ttc collection


def document_fonts() -> list[DocumentFont]:
    """Configured fonts that exist on this machine, in fallback order."""
    fonts = []
    for entry in settings.DOCUMENT_FONTS:
        path = Path(entry["path"])
        if path.exists():
            fonts.append(
                DocumentFont(entry["family"], path, int(entry.get("index", 0)))
            )
    return fonts


@lru_cache(maxsize=1)
def _covered_codepoints() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    covered: set[int] = set()
    for font in document_fonts():
        with TTFont(font.path, fontNumber=font.index, lazy=True) as tt:
            cmap = tt.getBestCmap() or {}
            covered.update(cmap)
    return frozenset(covered)


def missing_characters(text: str) -> list[str]:
    """Characters of ``text`` that no document font can draw, in order, once each.

    Line breaks, tabs and spaces are never missing. With no font installed at
    all every other character is missing, which is the truth: the document
    would be empty boxes.
    """
    covered = _covered_codepoints()
    missing: list[str] = []
    for char in text:
        if char in "\r\n\t " or unicodedata.category(char) == "Cc":
            continue
        # Variation selectors modify the glyph before them; fonts without the
        # variant draw the base glyph, which is acceptable on a certificate.
        if "\ufe00" <= char <= "\ufe0f" or "\U000e0100" <= char <= "\U000e01ef":
            continue
        if ord(char) not in covered and char not in missing:
            missing.append(char)
    return missing


@lru_cache(maxsize=8)
def _advance_widths(path: Path, index: int) -> dict[int, float]:
    """Each character's advance in em in one font."""
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=index, lazy=True) as tt:
        units = tt["head"].unitsPerEm
        metrics = tt["hmtx"].metrics
        widths = {
            code: metrics[glyph][0] / units
            for code, glyph in (tt.getBestCmap() or {}).items()
            if glyph in metrics
        }
    return widths


def text_width_em(text: str) -> float:
    """How wide ``text`` prints, in em, without letter-spacing.

    Each character is measured in the first document font that has it, as
    WeasyPrint falls back; a character no font has counts as one em (a
    full-width box), so a layout computed from it never overflows.
    """
    fonts = document_fonts()
    total = 0.0
    for char in text:
        # Fonts are read only when an earlier one lacks a character: the
        # Noto collection alone takes a second to parse.
        for font in fonts:
            widths = _advance_widths(font.path, font.index)
            if ord(char) in widths:
                total += widths[ord(char)]
                break
        else:
            total += 1.0
    return total

"""Make the Noto Serif CJK JP supplement that documents fall back to first.

    python manage.py build_font_supplement [--output PATH]

WeasyPrint 70 subsets fonts keeping every glyph id below the highest one
used: one 𠮷 (glyph 59,526 of the 65,535 in Noto Serif CJK JP) made a 657 KB
font and two 35 ms HarfBuzz passes per document, half of a one-line
document's time. The supplement holds only the characters names need that
IPAex lacks (JIS X 0213, CJK Extension B and later, compatibility ideographs,
CJK symbols; 9,381 glyphs), so the same 𠮷 costs a few milliseconds. The
full Noto face stays the next fallback, so nothing that printed before
becomes a missing glyph. Noto CJK is under the SIL Open Font License 1.1
(core/font_files/NOTO-CJK-COPYRIGHT.txt, to ship beside the built font), which allows modified versions
under another name; the reserved font name ("Source") is not used.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

FAMILY = "Noto Serif CJK JP JIS2004"
POSTSCRIPT = "NotoSerifCJKjp-JIS2004-Regular"
NOTO = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
IPAEX = Path("/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf")


def _jis_x_0213() -> set[int]:
    jis = set()
    for code in range(0x20, 0x30000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        try:
            chr(code).encode("euc_jis_2004")
        except UnicodeEncodeError:
            continue
        jis.add(code)
    return jis


def _wanted(code: int) -> bool:
    return (
        code >= 0x20000  # CJK Extension B and later (𠮷 …)
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0x2E80 <= code <= 0x2FDF  # radicals
        or 0x3000 <= code <= 0x33FF  # CJK symbols, kana, enclosed, squared
        or 0xFE30 <= code <= 0xFE4F
        or 0x1F200 <= code <= 0x1F2FF
    )


def build_supplement(*, noto: Path, primary: Path, output: Path) -> tuple[int, int]:
    """Write the supplement; returns (characters, glyphs)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    with TTFont(primary, lazy=True) as tt:
        covered = set(tt.getBestCmap())
    font = TTFont(noto, fontNumber=0)
    cmap = font.getBestCmap()
    wanted = sorted(
        ((_jis_x_0213() | {c for c in cmap if _wanted(c)}) - covered) & set(cmap)
    )
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(font)
    for record in font["name"].names:
        if record.nameID in (1, 16):
            record.string = FAMILY
        elif record.nameID == 4:
            record.string = f"{FAMILY} Regular"
        elif record.nameID == 6:
            record.string = POSTSCRIPT
        elif record.nameID == 3:
            record.string = f"{record.toUnicode()};JIS2004 supplement"
    font["CFF "].cff.fontNames = [POSTSCRIPT]
    output.parent.mkdir(parents=True, exist_ok=True)
    font.save(output)
    return len(wanted), font["maxp"].numGlyphs


class Command(BaseCommand):
    help = "Make the Noto Serif CJK JP supplement (name characters IPAex lacks)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(settings.DOCUMENT_FONT_SUPPLEMENT))
        parser.add_argument("--noto", default=str(NOTO))
        parser.add_argument("--primary", default=str(IPAEX))

    def handle(self, *args, **options):
        characters, glyphs = build_supplement(
            noto=Path(options["noto"]),
            primary=Path(options["primary"]),
            output=Path(options["output"]),
        )
        self.stdout.write(
            f"{options['output']}: {characters} characters, {glyphs} glyphs"
        )

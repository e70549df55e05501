from core.fonts import document_fonts, missing_characters, text_width_em


def test_japanese_document_fonts_are_installed():
    families = {font.family for font in document_fonts()}

    assert {"IPAexMincho", "Noto Serif CJK JP"} <= families


def test_jis_x_0213_names_are_printable():
    assert missing_characters("𠮷田 髙橋 山﨑 德永 渡邉 栁田 齋藤 ㈱") == []


def test_characters_no_font_can_draw_are_reported_once_each():
    assert missing_characters("山田\U0002a6a5\U0002a6a5 😀") == ["\U0002a6a5", "😀"]


def test_text_width_measures_full_and_half_width_characters():
    assert text_width_em("公文書") == 3.0  # full-width: one em each
    assert 0 < text_width_em("ABC") < 3.0  # proportional Latin is narrower
    assert text_width_em("\U000f0000") == 1.0  # no font has it: a full box


def test_the_noto_supplement_never_replaces_an_ipaex_glyph():
    # Fonts are tried in order: a character in both would print from the
    # supplement, in Noto's design, next to IPAex's.
    from fontTools.ttLib import TTFont

    fonts = {font.family: font for font in document_fonts()}
    with TTFont(fonts["IPAexMincho"].path, lazy=True) as ipaex:
        covered = set(ipaex.getBestCmap())
    with TTFont(fonts["Noto Serif CJK JP JIS2004"].path, lazy=True) as supplement:
        supplied = set(supplement.getBestCmap())

    assert ord("𠮷") in supplied
    assert not supplied & covered

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

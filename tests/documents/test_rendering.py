"""Rendering the official document with WeasyPrint, for real."""

from __future__ import annotations

import logging
import re
import subprocess

import pytest

from documents.defaults import sample_snapshot
from documents.rendering import (
    MissingGlyphs,
    TemplateSyntaxProblem,
    render_html,
    render_pdf,
)
from tests.documents.conftest import pdftotext


def test_rendered_permit_shows_applicant_name_and_wareki_date(tmp_path):
    snapshot = sample_snapshot()
    snapshot["addressee"]["name"] = "山田 太郎"

    text = pdftotext(render_pdf(snapshot), tmp_path)

    assert "山田 太郎" in text
    assert "令和8年11月26日" in text
    assert "令8福政第00012号" in text
    assert "許可書" in "".join(text.split())


def test_jis_x_0213_names_render_without_missing_glyphs(tmp_path, caplog):
    snapshot = sample_snapshot()
    snapshot["addressee"]["name"] = "髙橋 𠮷郎（﨑山建設）"

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render_pdf(snapshot)

    assert not [r for r in caplog.records if ".notdef" in r.getMessage()]
    assert "髙橋 𠮷郎（﨑山建設）" in pdftotext(pdf, tmp_path)


def test_a_character_no_font_can_draw_is_an_error_not_an_empty_box():
    snapshot = sample_snapshot()
    snapshot["addressee"]["name"] = "山田 \U000f0001"  # private use: no font has it

    with pytest.raises(MissingGlyphs, match="notdef"):
        render_pdf(snapshot)


def test_document_is_pdf_a_3b_with_the_verification_url(tmp_path):
    pdf = render_pdf(sample_snapshot())
    path = tmp_path / "a.pdf"
    path.write_bytes(pdf)
    meta = subprocess.run(
        ["pdfinfo", "-meta", str(path)], capture_output=True, text=True, check=True
    ).stdout

    assert "pdfaid:part>3<" in meta or 'pdfaid:part="3"' in meta
    text = "".join(pdftotext(pdf, tmp_path, layout=False).split())
    assert "http://127.0.0.1:8000/verify/SAMPLE/" in text


def test_rejection_notice_states_the_reason(tmp_path):
    snapshot = sample_snapshot(approved=False)

    text = pdftotext(render_pdf(snapshot), tmp_path)

    assert "許可しないこと" in text
    assert "申請の事業計画が基準に適合しないため。" in text


def test_answers_are_escaped_in_the_document():
    snapshot = sample_snapshot()
    snapshot["answers"] = [{"label": "名称", "value": "<script>x</script>"}]

    html = render_html(snapshot)

    assert "<script>x" not in html
    assert "&lt;script&gt;x" in html


@pytest.mark.parametrize(
    "source",
    [
        '{% include "base.html" %}',
        "{% load static %}",
        "{% debug %}",
        "{% url 'documents:verify' %}",
        "{% autoescape off %}{{ x }}{% endautoescape %}",
        "{{ addressee.name|safe }}",
        '{% extends "base.html" %}',
    ],
)
def test_template_sandbox_refuses_tags_that_read_files_or_unescape(source):
    snapshot = sample_snapshot()
    snapshot["template"]["html"] = source

    with pytest.raises(TemplateSyntaxProblem):
        render_html(snapshot)


def test_template_cannot_make_the_renderer_read_local_files(tmp_path):
    snapshot = sample_snapshot()
    snapshot["template"]["html"] = (
        '<html lang="ja"><body><p>本文</p>'
        '<img src="file:///etc/hostname"><link rel="stylesheet" href="/etc/passwd">'
        "</body></html>"
    )

    pdf = render_pdf(snapshot, pdf_variant=None)

    assert "本文" in pdftotext(pdf, tmp_path)
    assert b"/Subtype /Image" not in pdf


def test_missing_glyphs_are_still_caught_after_logging_is_configured_again():
    # A Celery worker applies Django's LOGGING again when it starts, which
    # replaces the handlers of the "weasyprint" logger.
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    snapshot = sample_snapshot()
    snapshot["addressee"]["name"] = "山田 \U000f0001"

    with pytest.raises(MissingGlyphs, match="notdef"):
        render_pdf(snapshot)


@pytest.mark.parametrize(("worker", "frozen"), [(False, False), (True, True)])
def test_an_issuing_worker_gives_memory_back_after_each_document(
    worker, frozen, tmp_path
):
    # In a subprocess: freezing the collector is a process-wide change.
    import os
    import sys

    script = (
        "import django, gc; django.setup()\n"
        "from core.background import mark_worker_process\n"
        + ("mark_worker_process()\n" if worker else "")
        + "from documents.defaults import sample_snapshot\n"
        "from documents.rendering import release_memory\n"
        "from documents.services import render_and_sign\n"
        "render_and_sign(sample_snapshot()); release_memory()\n"
        "print(gc.get_freeze_count() > 0)\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "true",
        "DJANGO_VAR_DIR": str(tmp_path),
    }
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-1] == str(frozen)
    assert "Exception ignored" not in out.stderr  # clean exit with a frozen heap


def _title_lines(text: str) -> list[str]:
    """The printed lines between the date and the addressee, spaces removed."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if "令和8年11月26日" in line)
    end = next(i for i, line in enumerate(lines) if "住" in line and "所" in line)
    return ["".join(line.split()) for line in lines[start + 1 : end] if line.strip()]


@pytest.mark.parametrize(
    "title",
    [
        "許可書",
        # Issue 11 item 14: 「書」 was left alone on a second line.
        "公文書開示決定通知書",
        # 24 characters: the letter-spacing goes, then the size shrinks.
        "特定非営利活動法人設立認証申請に係る補正指示通知書",
    ],
)
def test_a_title_that_can_fit_prints_on_one_line(tmp_path, title):
    snapshot = sample_snapshot()
    snapshot["title"] = title

    assert _title_lines(pdftotext(render_pdf(snapshot), tmp_path)) == [title]


def test_a_title_too_long_for_one_line_breaks_between_phrases(tmp_path):
    snapshot = sample_snapshot()
    snapshot["title"] = (
        "産業廃棄物収集運搬業許可申請に対する審査結果及び許可証の交付についての通知書"
    )

    lines = _title_lines(pdftotext(render_pdf(snapshot), tmp_path))

    assert lines == [
        "産業廃棄物収集運搬業許可申請に対する",
        "審査結果及び許可証の交付についての通知書",
    ]


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        ("公文書開示決定通知書", ("公文書開示決定通知書",)),
        (
            "一般廃棄物処理施設設置許可申請手数料の減免に関する承認申請に対する"
            "審査の結果についての決定通知書",
            (
                "一般廃棄物処理施設設置許可申請手数料の減免に関する",
                "承認申請に対する審査の結果についての決定通知書",
            ),
        ),
    ],
)
def test_title_lines_never_split_a_word(title, lines):
    from documents.title_layout import MIN_SIZE_PT, title_layout

    layout = title_layout(title)

    assert layout.lines == lines
    assert layout.size_pt >= MIN_SIZE_PT


def test_the_longest_title_without_a_phrase_break_still_fits_the_page():
    from core.fonts import text_width_em
    from documents.title_layout import LINE_WIDTH_PT, title_layout

    layout = title_layout("漢" * 60)  # the model's max_length, one compound

    assert "".join(layout.lines) == "漢" * 60
    for line in layout.lines:
        width = layout.size_pt * (
            text_width_em(line) + layout.spacing_em * (len(line) + 1)
        )
        assert width <= LINE_WIDTH_PT + 1e-6


def _embedded_fonts(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return [line.split()[0].split("+", 1)[-1] for line in out.splitlines()[2:]]


def _dark_pixels(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "glyph.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "72",
            "-gray",
            "-f",
            "1",
            "-l",
            "1",
            str(path),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    image = next(tmp_path.glob("page*.pgm")).read_bytes()
    # Binary PGM: three header lines, then one byte per pixel.
    pixels = image.split(b"\n", 3)[3]
    return sum(1 for value in pixels if value < 128)


def _one_line(text: str) -> str:
    from documents.rendering import font_face_css

    return (
        f"<html lang='ja'><style>{font_face_css()} html {{ font-family: "
        f"var(--document-fonts); font-size: 40pt }}</style><p>{text}</p></html>"
    )


def test_a_name_ipaex_lacks_prints_from_the_small_supplement(tmp_path):
    # The full Noto face made every notice addressed to a 𠮷 70 ms slower and
    # 100 KB larger (bench/README.md); its supplement draws the same glyph.
    from django.conf import settings

    from documents.rendering import html_to_pdf

    assert settings.DOCUMENT_FONT_SUPPLEMENT.exists(), (
        "make test builds it: manage.py build_font_supplement"
    )

    snapshot = sample_snapshot()
    snapshot["addressee"]["name"] = "髙橋 𠮷郎"
    pdf = render_pdf(snapshot)

    assert "髙橋 𠮷郎" in pdftotext(pdf, tmp_path)
    fonts = _embedded_fonts(pdf, tmp_path)
    assert "Noto-Serif-CJK-JP-JIS2004" in fonts
    assert "Noto-Serif-CJK-JP" not in fonts
    assert len(pdf) < 120_000
    # The glyph is drawn, not an empty outline (no viewer shows a blank).
    assert _dark_pixels(html_to_pdf(_one_line("𠮷")), tmp_path) > 50


def test_a_character_only_the_full_noto_has_still_prints(tmp_path):
    from documents.rendering import html_to_pdf

    pdf = html_to_pdf(_one_line("김"))

    assert "Noto-Serif-CJK-JP" in _embedded_fonts(pdf, tmp_path)
    assert _dark_pixels(pdf, tmp_path) > 50


def test_each_pdf_stream_is_compressed_once_and_prints_the_same(monkeypatch, tmp_path):
    # pydyf serialised every stream twice for a PDF/A (once for the file
    # identifier): each font was compressed twice at zlib level 9.
    import zlib

    import pydyf
    from weasyprint import HTML  # noqa: TID251

    from documents.rendering import (
        DEFAULTS_DIR,
        _url_fetcher,
        font_configuration,
        html_to_pdf,
    )

    html = render_html(sample_snapshot())
    plain = (
        HTML(string=html, url_fetcher=_url_fetcher(), base_url=str(DEFAULTS_DIR))
        .render(font_config=font_configuration(), pdf_variant="pdf/a-3b")
        .write_pdf(pdf_variant="pdf/a-3b")
    )
    calls = []
    compressobj, compress = zlib.compressobj, zlib.compress

    def counted_object(*args, **kwargs):
        calls.append(1)
        return compressobj(*args, **kwargs)

    def counted(*args, **kwargs):
        calls.append(1)
        return compress(*args, **kwargs)

    monkeypatch.setattr(pydyf.zlib, "compressobj", counted_object)
    monkeypatch.setattr(zlib, "compress", counted)
    pdf = html_to_pdf(html)

    assert pdftotext(pdf, tmp_path) == pdftotext(plain, tmp_path)
    # zlib's fastest level: a few per cent larger than WeasyPrint's level 9.
    assert abs(len(pdf) - len(plain)) < len(plain) * 0.06
    streams = pdf.count(b"/FlateDecode")
    assert streams > 3
    # pydyf's own object and cross-reference streams, made while writing,
    # are the only ones compressed more than once (23 compressions for 12
    # streams before).
    assert len(calls) <= streams + 3


def test_the_signature_note_never_stands_alone_on_a_page(tmp_path):
    # The demo grant decided 減額交付決定 (its snapshot as issued): the
    # decision's table and the reason pushed the one-line signature note onto
    # a page of its own. It now goes with the approval record and QR code.
    import json
    from pathlib import Path

    snapshot = json.loads(
        (Path(__file__).parent / "data" / "reduced_grant_snapshot.json").read_text()
    )
    path = tmp_path / "notice.pdf"
    path.write_bytes(render_pdf(snapshot))
    pages = int(
        re.search(
            r"^Pages:\s+(\d+)$",
            subprocess.run(
                ["pdfinfo", str(path)], capture_output=True, text=True, check=True
            ).stdout,
            re.M,
        ).group(1)
    )

    last = subprocess.run(
        ["pdftotext", "-f", str(pages), "-l", str(pages), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert "電子署名が付与された電子文書" in last
    assert "真正性確認用" in last  # the QR code's caption, on the same page


def _red_pixels(pdf: bytes, tmp_path) -> int:
    from PIL import Image, ImageChops

    tmp_path.mkdir(exist_ok=True)
    path = tmp_path / "colour.pdf"
    path.write_bytes(pdf)
    page = tmp_path / "colour"
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(path), str(page)],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("colour*.png"))).convert("RGB")
    red = image.point(lambda v: 255 if v > 200 else 0)
    dark = image.point(lambda v: 255 if v < 60 else 0)
    r, _, _ = red.split()
    _, g, b = dark.split()
    mask = ImageChops.multiply(ImageChops.multiply(r, g), b)
    return sum(1 for v in mask.tobytes() if v)


def test_the_official_css_parsed_once_still_gives_way_to_extra_css(tmp_path):
    # Issue 14 (speed): the official layout's CSS is parsed once per worker
    # and applied before the document's own rules; the page label is the
    # document's, and an administrator's extra CSS still wins.
    snapshot = sample_snapshot()
    snapshot["template"]["css"] = ".particulars th { background: #ff0000; }"

    pdf = render_pdf(snapshot)

    assert re.search(r"令8福政第00012号\s+1\s*/\s*1", pdftotext(pdf, tmp_path))
    assert _red_pixels(pdf, tmp_path) > 500
    assert _red_pixels(render_pdf(sample_snapshot()), tmp_path / "plain") < 500


def test_lists_and_footnotes_in_a_layout_still_print(tmp_path):
    # The documents' user-agent sheet gives markers to list items only and
    # leaves out footnotes, unless the document has some.
    snapshot = sample_snapshot()
    snapshot["template"]["html"] = (
        '<html lang="ja"><head><style>{{ style }}</style></head><body>'
        "<ol><li>第一の条件</li><li>第二の条件</li></ol>"
        '<p>本文<span style="float: footnote">注記の文</span></p></body></html>'
    )

    text = pdftotext(render_pdf(snapshot), tmp_path)

    assert re.search(r"1\.\s*第一の条件", text)
    assert re.search(r"2\.\s*第二の条件", text)
    assert "注記の文" in text


def _page_images(pdf: bytes, tmp_path, name: str) -> list[bytes]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(path), str(tmp_path / name)],
        check=True,
    )
    return [page.read_bytes() for page in sorted(tmp_path.glob(f"{name}-*.png"))]


@pytest.mark.parametrize("approved", [True, False])
def test_the_official_layout_prints_the_same_parsed_as_xml(tmp_path, approved):
    # Issue 14 (speed): the official layout is parsed by expat instead of
    # WeasyPrint's pure-Python HTML parser (6 ms of every render); it must
    # print exactly what the HTML parser makes of it.
    from documents.rendering import _xhtml_tree, html_to_pdf, official_css

    snapshot = sample_snapshot(approved=approved)
    snapshot["addressee"] = {
        "kind": "business",
        "name": "株式会社﨑山建設 & Co.",
        "representative_title": "代表取締役",
        "representative_name": "髙橋 𠮷郎",
        "postal_code": "000-0000",
        "address": "架空県見本市中央一丁目<2番3号>",
    }
    snapshot["outcome"] = {"code": "part", "kind": "partial", "label": "部分開示決定"}
    snapshot["decision"] = [
        {
            "key": "withheld",
            "label": "不開示とした部分とその理由",
            "value": "",
            "rows": [[{"label": "部分", "value": "氏名\n住所"}]],
        }
    ]
    snapshot["approvals"][0]["on_behalf_of"] = "山﨑 隆之"
    html = render_html(snapshot)

    assert _xhtml_tree(html.replace(official_css(), "")) is not None
    assert _page_images(html_to_pdf(html, xhtml=True), tmp_path, "xml") == (
        _page_images(html_to_pdf(html), tmp_path, "html")
    )


def test_a_layout_that_is_not_xml_is_read_as_html(tmp_path):
    from documents.rendering import _xhtml_tree

    snapshot = sample_snapshot()
    snapshot["template"]["html"] = (
        '<html lang="ja"><head><meta charset="utf-8"><style>{{ style }}</style>'
        "</head><body><p>本文&nbsp;一<br>二</p></body></html>"
    )

    assert _xhtml_tree(render_html(snapshot)) is None
    assert "本文" in pdftotext(render_pdf(snapshot), tmp_path)


def test_a_document_from_a_parsed_tree_is_the_document_weasyprint_makes():
    # DocumentHTML.from_tree sets what weasyprint.HTML.__init__ sets after
    # parsing: a WeasyPrint upgrade that sets more must be followed here.
    from documents.rendering import (
        DEFAULTS_DIR,
        _document_html_class,
        _url_fetcher,
        _xhtml_tree,
    )

    html = "<html><head></head><body><p>本文</p></body></html>"
    document_class = _document_html_class()
    made = document_class(
        string=html, url_fetcher=_url_fetcher(), base_url=str(DEFAULTS_DIR)
    )
    from_tree = document_class.from_tree(
        _xhtml_tree(html), url_fetcher=_url_fetcher(), base_url=str(DEFAULTS_DIR)
    )

    assert vars(from_tree).keys() == vars(made).keys()
    assert from_tree.base_url == made.base_url
    assert from_tree.media_type == made.media_type


def test_images_are_never_interpolated_in_the_pdf_a(tmp_path, settings):
    # PDF/A forbids /Interpolate true, which WeasyPrint writes for an image
    # not styled crisp-edges: a configured seal image was one.
    from PIL import Image

    from documents import rendering

    seal = tmp_path / "seal.png"
    Image.new("RGB", (64, 64), (200, 20, 30)).save(seal)
    settings.DOCUMENT_SEAL_IMAGE = str(seal)
    rendering._seal_image.cache_clear()
    path = tmp_path / "sealed.pdf"
    path.write_bytes(render_pdf(sample_snapshot()))

    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]

    assert len(listing) == 2  # the seal and the QR code
    assert all(line.split()[9] == "no" for line in listing)  # interp
    rendering._seal_image.cache_clear()


def test_a_draft_does_not_claim_a_signature(tmp_path):
    # QA walk N14: the unsigned 案 said 「電子署名が付与された電子文書です」.
    import json
    from pathlib import Path

    snapshot = json.loads(
        (Path(__file__).parent / "data" / "reduced_grant_snapshot.json").read_text()
    )
    snapshot["draft"] = True
    text = subprocess.run(
        ["pdftotext", "-", "-"],
        input=render_pdf(snapshot, pdf_variant=None),
        capture_output=True,
        check=True,
    ).stdout.decode()
    flat = re.sub(r"\s+", "", text)
    assert "電子署名が付与された" not in flat
    assert "は決裁前の案です。発行されておらず、電子署名はありません。" in flat


def test_a_render_gives_the_collection_threshold_back(monkeypatch):
    # Issue 14 (speed): collections are rarer while a document renders
    # (nothing it makes can be freed before it is written), and the
    # process's threshold is restored after, even when the render fails.
    import gc

    from documents import rendering

    before = gc.get_threshold()
    seen = []
    original = rendering._finish_pdf

    def finish(document, pdf):
        seen.append(gc.get_threshold())
        original(document, pdf)

    monkeypatch.setattr(rendering, "_finish_pdf", finish)
    render_pdf(sample_snapshot())
    snapshot = sample_snapshot()
    snapshot["addressee"]["name"] = "\U000f0000"  # no font has it
    with pytest.raises(MissingGlyphs):
        render_pdf(snapshot)

    assert seen[0][0] > before[0]
    assert gc.get_threshold() == before

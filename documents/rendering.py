"""From a document's snapshot to PDF/A bytes, with WeasyPrint.

What made a one-page Japanese document fast (prototype measurements in
DESIGN-NOTES): one FontConfiguration per worker process (a new one per
render copied ~32 MB of fonts and doubled memory), fonts given by
@font-face, HarfBuzz subsetting, and block layout rather than flex.
A character that no font can draw is printed by WeasyPrint as an empty box
with only a log warning, so that warning is turned into an error here.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import ctypes
import gc
import io
import logging
import math
import mimetypes
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template import Context, Engine, TemplateSyntaxError
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from core.background import is_worker_process
from core.fonts import document_fonts
from documents.title_layout import title_layout

logger = logging.getLogger(__name__)

DEFAULTS_DIR = Path(__file__).resolve().parent.parent / "templates" / "documents"


class RenderError(Exception):
    """The document cannot be printed faithfully (missing glyphs, bad template)."""


class MissingGlyphs(RenderError):
    """Some characters would print as empty boxes."""


class TemplateSyntaxProblem(RenderError):
    """An administrator's template does not compile in the sandbox."""


class _SandboxEngine(Engine):
    # Django adds its default tags (include, load, debug …) to every engine;
    # this one gets only the curated library in documents.sandbox.
    default_builtins: list[str] = []


@lru_cache(maxsize=1)
def sandbox_engine() -> Engine:
    """A template engine with no loaders, no libraries and autoescaping on."""
    return _SandboxEngine(
        dirs=[],
        app_dirs=False,
        loaders=[],
        libraries={},
        builtins=["documents.sandbox"],
        autoescape=True,
        debug=False,
        string_if_invalid="",
    )


@lru_cache(maxsize=256)
def compile_template(source: str):
    """Compile ``source`` in the sandbox; raises TemplateSyntaxProblem."""
    try:
        return sandbox_engine().from_string(source or "")
    except TemplateSyntaxError as error:
        raise TemplateSyntaxProblem(str(error)) from error


class RenderTimeout(TemplateSyntaxProblem):
    """An administrator's template ran past DOCUMENT_TEMPLATE_TIMEOUT_SECONDS."""


class _DeadlineContext(Context):
    """A template context that stops the render once its deadline has passed.

    A template cannot loop forever, but nested ``{% for %}`` over long lists
    (or over ``"…"|make_list``) can run for hours and hold a worker. Every
    variable lookup and every loop iteration goes through the context, so
    checking the clock there stops any such render within milliseconds of
    the deadline, at the cost of a clock read per lookup.
    """

    def __init__(self, dict_: dict[str, Any], *, deadline: float, seconds: float):
        super().__init__(dict_)
        self.deadline = deadline
        self.seconds = seconds

    def _check_deadline(self) -> None:
        if time.monotonic() > self.deadline:
            raise RenderTimeout(
                gettext(
                    "文書テンプレートの処理が %(seconds)s 秒を超えたため中止しました。"
                    "繰り返し（for）の入れ子や長い繰り返しを見直してください。"
                )
                % {"seconds": self.seconds}
            )

    def __getitem__(self, key):
        self._check_deadline()
        return super().__getitem__(key)

    def __setitem__(self, key, value) -> None:
        self._check_deadline()
        super().__setitem__(key, value)

    def update(self, other_dict):
        self._check_deadline()
        return super().update(other_dict)


def render_string(source: str, context: dict[str, Any]) -> SafeString:
    """Render a sandboxed template with plain data only (dicts, lists, str).

    Stopped with RenderTimeout after DOCUMENT_TEMPLATE_TIMEOUT_SECONDS.
    """
    seconds = settings.DOCUMENT_TEMPLATE_TIMEOUT_SECONDS
    bounded = _DeadlineContext(
        context, deadline=time.monotonic() + seconds, seconds=seconds
    )
    try:
        return mark_safe(compile_template(source).render(bounded))
    except TemplateSyntaxProblem:
        raise
    except Exception as error:  # a filter given odd data: a broken template
        raise TemplateSyntaxProblem(str(error)) from error


def default_layout() -> str:
    return (DEFAULTS_DIR / "layout_official.html").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def default_css() -> str:
    return (DEFAULTS_DIR / "layout_official.css").read_text(encoding="utf-8")


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "").replace('"', "").replace("\n", " ") + '"'


@lru_cache(maxsize=1)
def font_face_css() -> str:
    """@font-face rules for the configured fonts, in fallback order."""
    rules = []
    for font in document_fonts():
        rules.append(
            f"@font-face {{ font-family: {_css_string(font.family)}; "
            f"src: url({_css_string(font.path.as_uri())}); }}"
        )
    families = ", ".join(_css_string(font.family) for font in document_fonts())
    rules.append(f":root {{ --document-fonts: {families or 'serif'}; }}")
    return "\n".join(rules)


def font_stack() -> str:
    """The document fonts for CSS, Mincho first and Gothic last."""
    fonts = document_fonts()
    ordered = [f for f in fonts if "Gothic" not in f.family] + [
        f for f in fonts if "Gothic" in f.family
    ]
    return ", ".join([_css_string(f.family) for f in ordered] + ["serif"])


def qr_data_uri(url: str) -> str:
    """The verification URL as a QR code: a grey PNG of eight pixels a module.

    Drawn without interpolation (PDF/A forbids it, and html_to_pdf turns it
    off for every image), it prints as sharp as the SVG it replaced, whose
    path WeasyPrint parsed and drew in ~5 ms of every render. Grey, not
    segno's palette PNG, which WeasyPrint converted to RGB and encoded twice.
    """
    import segno
    from PIL import Image

    code = segno.make(url, error="m", micro=False)
    rows = [
        bytes(0 if dark else 255 for dark in row)
        for row in code.matrix_iter(scale=1, border=0)
    ]
    size = len(rows)
    image = Image.frombytes("L", (size, size), b"".join(rows)).resize(
        (size * 8, size * 8), Image.Resampling.NEAREST
    )
    png = io.BytesIO()
    image.save(png, format="PNG", compress_level=1)
    return f"data:image/png;base64,{base64.b64encode(png.getvalue()).decode()}"


@lru_cache(maxsize=4)
def _seal_image(path: str) -> str:
    file = Path(path)
    mime = mimetypes.guess_type(file.name)[0] or "image/png"
    return f"data:{mime};base64,{base64.b64encode(file.read_bytes()).decode()}"


def seal_context(issuer: str) -> dict[str, Any]:
    """The 公印: the configured image, or the issuer's name drawn as a seal.

    A drawn seal reads in columns from right to left, as an engraved one does.
    """
    if settings.DOCUMENT_SEAL_IMAGE:
        return {"image": _seal_image(settings.DOCUMENT_SEAL_IMAGE), "rows": []}
    # The seal is the office's (架空県知事印), not the holder's name.
    office = issuer.replace("\u3000", " ").split(" ")[0]
    chars = [*office, "印"]
    rows_count = max(2, math.ceil(len(chars) / 3))
    columns = [chars[i : i + rows_count] for i in range(0, len(chars), rows_count)]
    columns.reverse()
    rows = [
        [column[r] if r < len(column) else "" for column in columns]
        for r in range(rows_count)
    ]
    # The official layout prints each row as one line, the columns spaced
    # by CSS (a gap is an ideographic space): a table of single characters
    # cost 8 ms of every render (bench/README.md).
    lines = ["".join(char or "\u3000" for char in row) for row in rows]
    return {"image": "", "rows": rows, "lines": lines}


def _surname(name: str) -> str:
    return name.replace("\u3000", " ").split(" ")[0] if name else ""


def _short_date(iso: str) -> str:
    import datetime as dt

    from core.japanese import era_of

    try:
        parsed = dt.datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return ""
    if parsed.tzinfo is not None:
        from django.utils import timezone

        parsed = timezone.localtime(parsed)
    _era, year = era_of(parsed.date())
    return f"{year}.{parsed.month}.{parsed.day}"


def stamps(approvals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Dated approval stamps, highest level first, as on a 決裁欄."""
    rows = []
    for item in sorted(approvals, key=lambda a: -int(a.get("level", 0))):
        rows.append(
            {
                "position": item.get("position", ""),
                "name": item.get("name", ""),
                "surname": _surname(item.get("name", "")),
                "section": (item.get("section") or "")[:6],
                "date": _short_date(item.get("decided_at", "")),
                "mark": item.get("mark", ""),
                # 合議 / （条件付同意）: a narrow column breaks it between words.
                "mark_lines": item.get("mark", "").replace("（", "\n（", 1),
                "on_behalf_of": item.get("on_behalf_of") or "",
                "rejected": item.get("action") == "reject",
            }
        )
    return rows


def _paragraphs(text: str) -> SafeString:
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n")]
    return mark_safe(  # rendered by the sandbox, escaped there
        "".join(f"<p>{b.replace(chr(10), '<br/>')}</p>" for b in blocks if b)
    )


def template_context(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The data a document template sees: the snapshot plus derived parts."""
    data = {k: v for k, v in snapshot.items() if k != "template"}
    sources = snapshot.get("template", {})
    text = sources.get("approval_text" if snapshot["approved"] else "rejection_text")
    data["body"] = _paragraphs(render_string(text or "", data))
    data["closing"] = _paragraphs(render_string(sources.get("closing_text", ""), data))
    data["stamps"] = stamps(snapshot.get("approvals", []))
    # Per template: the 公印 printed, or 公印省略 stated instead.
    data["seal"] = (
        seal_context(snapshot.get("issuer", ""))
        if snapshot.get("print_seal", True)
        else {"image": "", "rows": [], "omitted": True}
    )
    data["qr_code"] = qr_data_uri(snapshot["verification_url"])
    title = title_layout(str(snapshot.get("title", "")))
    data["title_lines"] = list(title.lines)
    page_label = _css_string(f"{snapshot.get('number', '')}　")
    data["style"] = mark_safe(  # our CSS and the administrator's extra CSS
        "\n".join(
            [
                official_css(),
                "@page { @bottom-center { content: "
                f'{page_label} counter(page) " / " counter(pages); }} }}',
                title.css(),
                (sources.get("css") or "").replace("</", "<\\/"),
            ]
        )
    )
    return data


@lru_cache(maxsize=1)
def official_css() -> str:
    """The official layout's CSS with this installation's fonts: the same
    for every document of the process (html_to_pdf parses it once)."""
    return "\n".join(
        [
            font_face_css(),
            default_css().replace("/*FONTS*/", font_stack()),
        ]
    )


def render_html(snapshot: dict[str, Any]) -> str:
    """The document's HTML, from the snapshot's own template sources."""
    layout = snapshot.get("template", {}).get("html") or default_layout()
    html = str(render_string(layout, template_context(snapshot)))
    # WeasyPrint's layout cannot be stopped midway; its time grows with the
    # HTML, so the HTML is bounded instead (docs/documents.md).
    size = len(html.encode("utf-8"))
    if size > settings.DOCUMENT_MAX_HTML_BYTES:
        raise TemplateSyntaxProblem(
            gettext(
                "文書の HTML が大きすぎます（%(size)s バイト、上限 %(limit)s バイト）。"
                "テンプレートを見直してください。"
            )
            % {"size": size, "limit": settings.DOCUMENT_MAX_HTML_BYTES}
        )
    return html


# --- WeasyPrint ---------------------------------------------------------------

_font_config = None
_font_config_lock = threading.Lock()
_captured = threading.local()


class _GlyphWarnings(logging.Handler):
    """Collects WeasyPrint's font warnings for the render running in this thread."""

    def emit(self, record: logging.LogRecord) -> None:
        sink = getattr(_captured, "messages", None)
        if sink is None:
            return
        message = record.getMessage()
        if ".notdef glyph" in message or "cannot be loaded" in message:
            sink.append(message)


_handler = _GlyphWarnings(level=logging.WARNING)


def _listen_for_glyph_warnings() -> None:
    """Attach the collector to WeasyPrint's logger, again if need be.

    Configuring logging (Django's LOGGING names "weasyprint"; a Celery worker
    applies it again when it starts) replaces a logger's handlers: a handler
    added once at import would silently stop catching missing glyphs.
    """
    weasyprint_logger = logging.getLogger("weasyprint")
    if _handler not in weasyprint_logger.handlers:
        weasyprint_logger.addHandler(_handler)
    weasyprint_logger.disabled = False
    if weasyprint_logger.getEffectiveLevel() > logging.WARNING:
        weasyprint_logger.setLevel(logging.WARNING)


def font_configuration():
    """One FontConfiguration per worker process (fonts are copied only once)."""
    global _font_config
    with _font_config_lock:
        if _font_config is None:
            from weasyprint.text.fonts import FontConfiguration  # noqa: TID251

            _font_config = FontConfiguration()
            atexit.register(_forget_font_configuration)
        return _font_config


def _forget_font_configuration() -> None:
    # Dropped while the interpreter still works: FontConfiguration.__del__
    # removes its folder of fonts, and fails in the final teardown.
    global _font_config
    with _font_config_lock:
        _font_config = None
    with _parsed_lock:
        _parsed_official.clear()
    gc.collect()


@lru_cache(maxsize=1)
def _url_fetcher():
    # Templates are written by administrators in a browser: they may embed
    # data: images but never make the worker read other files or call URLs.
    from weasyprint.urls import URLFetcher  # noqa: TID251

    allowed = {font.path.as_uri() for font in document_fonts()}

    class DocumentURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not (url.startswith("data:") or url in allowed):
                raise ValueError(f"{url[:60]} is not allowed in a document")
            return super().fetch(url, headers)

    return DocumentURLFetcher(allowed_protocols=("data", "file"), timeout=5)


_gc_frozen = threading.Event()


@lru_cache(maxsize=1)
def _malloc_trim():
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to trim
        return None


def release_memory() -> None:
    """Give the memory a render freed back to the system (glibc keeps it).

    A page of CJK layout leaves ~60 MB of freed blocks in malloc's arenas;
    trimming after each document keeps an issuing worker's resident memory
    near its steady state instead of its high-water mark (bench/README.md).
    """
    # WeasyPrint's layout boxes refer to each other: only the cycle collector
    # frees them, and until it runs the next document piles on top. In a
    # worker process (`run_worker`, a Celery child: only workers issue), what
    # has lived through the first document (Django, fonts, caches) is frozen,
    # so later collections walk only the last document's objects: 7 ms
    # instead of 90. Web processes never freeze (their requests' objects
    # would stay).
    gc.collect()
    if is_worker_process() and not _gc_frozen.is_set():
        gc.freeze()
        _gc_frozen.set()
        # Let the frozen objects be finalised while the interpreter still
        # works (FontConfiguration.__del__ fails during the final teardown).
        atexit.register(gc.unfreeze)
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@lru_cache(maxsize=1)
def _serialised_once_stream():
    """pydyf's Stream, serialised (and compressed) once instead of twice."""
    import zlib
    from functools import cached_property

    import pydyf

    class SerialisedOnce(pydyf.Stream):
        @cached_property
        def data(self) -> bytes:
            # pydyf's Stream.data, at zlib's fastest level 1 rather than 9:
            # the fonts and pages of the issue 14 notice compress in 2.8 ms
            # instead of 5.0 at level 6 and 8.4 at level 9, 5 % larger than
            # at level 6 (94 KB of streams instead of 89).
            stream = b"\n".join(pydyf._to_bytes(item) for item in self.stream)
            extra = pydyf.Dictionary(self.extra.copy())
            if self.compress:
                extra["Filter"] = "/FlateDecode"
                stream = zlib.compress(stream, 1)
            extra["Length"] = len(stream)
            return b"\n".join((extra.data, b"stream", stream, b"endstream"))

    return SerialisedOnce


def _finish_pdf(document, pdf) -> None:
    """WeasyPrint's finisher: images without interpolation, streams made once."""
    _images_without_interpolation(pdf)
    _serialise_streams_once(document, pdf)


def _images_without_interpolation(pdf) -> None:
    # PDF/A forbids /Interpolate true, which WeasyPrint writes for any image
    # not styled image-rendering: crisp-edges or pixelated (a configured
    # seal image, an image in an administrator's layout).
    import pydyf

    for pdf_object in pdf.objects:
        if (
            isinstance(pdf_object, pydyf.Stream)
            and pdf_object.extra.get("Subtype") == "/Image"
        ):
            pdf_object.extra["Interpolate"] = "false"


def _serialise_streams_once(document, pdf) -> None:
    """Finisher: each stream's bytes are made once when the PDF is written.

    A PDF/A needs a file identifier, and pydyf computes it by serialising
    every object, then serialises them all again to write them: each font
    and page stream was compressed twice at zlib level 9 (~10 ms of a
    notice). The pages are painted by now, so the streams no longer change;
    the streams' bytes are made once, at zlib's fastest level.
    """
    stream_class = _serialised_once_stream()
    for pdf_object in pdf.objects:
        if type(pdf_object) is stream_class.__base__:
            pdf_object.__class__ = stream_class


_parsed_lock = threading.Lock()
_parsed_official: dict[int, Any] = {}


def _official_stylesheet(font_config) -> Any:
    """official_css() parsed once per font configuration (once per worker).

    Parsing it took 12 ms of every render (tinycss2, then cssselect2
    compiling each selector); a parsed stylesheet is never changed by a
    render, and WeasyPrint shares its own user-agent sheet the same way.
    """
    with _parsed_lock:
        sheet = _parsed_official.get(id(font_config))
        if sheet is None:
            from weasyprint import CSS  # noqa: TID251

            sheet = CSS(
                string=official_css(),
                font_config=font_config,
                url_fetcher=_url_fetcher(),
                base_url=str(DEFAULTS_DIR),
            )
            _parsed_official.clear()
            _parsed_official[id(font_config)] = sheet
        return sheet


@lru_cache(maxsize=1)
def _document_html_class():
    """WeasyPrint's HTML, with a user-agent sheet that styles fewer pseudo-elements.

    WeasyPrint's sheet gives every element a ::marker and five footnote and
    note pseudo-elements, and computes all six styles for each of a
    notice's ~400 elements (a fifth of the style cascade). Documents have
    no footnotes, and markers belong to list items: the same sheet with
    ``::marker`` on ``li`` and ``summary`` only serves every document that
    does not mention footnotes or notes; those get WeasyPrint's own.
    """
    from importlib.resources import files

    import weasyprint.css  # noqa: TID251
    from weasyprint import CSS, HTML  # noqa: TID251
    from weasyprint.css.counters import CounterStyle  # noqa: TID251

    standard = (files(weasyprint.css) / "html5_ua.css").read_text("utf-8")
    lines = standard.splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(("::footnote-", "::note-"))]
    slim = "".join(kept).replace("\n::marker {", "\nli::marker, summary::marker {")
    if len(kept) == len(lines) or slim == "".join(kept):
        slim = standard  # another WeasyPrint: keep its sheet as it is
    # Its @counter-style rules are WeasyPrint's own, which every document
    # already copies from its sheet: they go to a counter store of their own.
    sheet = CSS(string=slim, counter_style=CounterStyle())

    class DocumentHTML(HTML):
        notes = False  # set per document

        @classmethod
        def from_tree(cls, root, *, url_fetcher, base_url: str):
            """A document from an element tree parsed elsewhere (HTML.__init__
            does the same after parsing with tinyhtml5)."""
            import cssselect2
            from weasyprint.urls import ensure_url  # noqa: TID251

            document = cls.__new__(cls)
            document.base_url = ensure_url(base_url)
            document.url_fetcher = url_fetcher
            document.media_type = "print"
            document.wrapper_element = cssselect2.ElementWrapper.from_html_root(
                root, content_language=None
            )
            document.etree_element = document.wrapper_element.etree_element
            return document

        def _ua_stylesheets(self, forms=False):
            if self.notes or forms:
                return super()._ua_stylesheets(forms)
            return [sheet]

    return DocumentHTML


def _xhtml_tree(html: str):
    """The element tree of well-formed markup, parsed by expat (C), or None.

    tinyhtml5, WeasyPrint's HTML parser, is pure Python: 6 ms for the
    notice's markup, expat 0.1 ms. Only markup that means the same as XML
    and as HTML comes here (the official layout, written so: void elements
    closed, explicit <tbody>); anything expat refuses goes to tinyhtml5.
    """
    import xml.etree.ElementTree as ElementTree

    try:
        root = ElementTree.fromstring(html)
    except ElementTree.ParseError:
        return None
    # An XML namespace would change the tag names WeasyPrint matches.
    if root.tag != "html" or any("}" in element.tag for element in root.iter()):
        return None
    return root


_collections_lock = threading.Lock()
_collections_held = 0
_collections_threshold: tuple[int, int, int] | None = None


@contextlib.contextmanager
def _fewer_collections():
    """Collect cycles less often while documents render.

    Everything WeasyPrint makes lives until the document is written, so the
    collections a render triggers (one every 700 new objects) free nothing
    and cost ~5 ms of a notice; release_memory() collects after it. The
    threshold is the process's: the first render in raises it, the last out
    puts it back.
    """
    global _collections_held, _collections_threshold
    with _collections_lock:
        if _collections_held == 0:
            _collections_threshold = gc.get_threshold()
            gc.set_threshold(20_000, *_collections_threshold[1:])
        _collections_held += 1
    try:
        yield
    finally:
        with _collections_lock:
            _collections_held -= 1
            if _collections_held == 0 and _collections_threshold is not None:
                gc.set_threshold(*_collections_threshold)


def html_to_pdf(
    html: str, *, pdf_variant: str | None = "pdf/a-3b", xhtml: bool = False
) -> bytes:
    """Print HTML to PDF/A-3b; raise MissingGlyphs instead of printing boxes.

    ``xhtml`` says the markup, when it is well-formed XML, means the same
    parsed as XML (no entities, scripts or raw text that the two read apart).
    """
    _listen_for_glyph_warnings()
    font_config = font_configuration()
    stylesheets = []
    official = official_css()
    if official in html:
        # The same rules, parsed once: as a user style sheet they come
        # before the document's own (author) rules, as they did in its
        # <style> before the title's and the administrator's extra CSS.
        html = html.replace(official, "", 1)
        stylesheets.append(_official_stylesheet(font_config))
    _captured.messages = []
    try:
        with _fewer_collections():
            document_class = _document_html_class()
            tree = _xhtml_tree(html) if xhtml else None
            if tree is not None:
                document = document_class.from_tree(
                    tree, url_fetcher=_url_fetcher(), base_url=str(DEFAULTS_DIR)
                )
            else:
                document = document_class(
                    string=html, url_fetcher=_url_fetcher(), base_url=str(DEFAULTS_DIR)
                )
            document.notes = "footnote" in html or "note(" in html
            pdf = document.write_pdf(
                stylesheets=stylesheets,
                font_config=font_config,
                pdf_variant=pdf_variant,
                uncompressed_pdf=False,
                finisher=_finish_pdf,
            )
        problems = list(_captured.messages)
    finally:
        _captured.messages = None
    if problems:
        raise MissingGlyphs("; ".join(problems))
    return pdf


def render_pdf(
    snapshot: dict[str, Any], *, pdf_variant: str | None = "pdf/a-3b"
) -> bytes:
    """The unsigned PDF of a document snapshot."""
    sources = snapshot.get("template", {})
    # The official layout is written to read the same as XML; an extra CSS
    # with "&" would not (entities are text in HTML's <style>).
    xhtml = not sources.get("html") and "&" not in (sources.get("css") or "")
    return html_to_pdf(render_html(snapshot), pdf_variant=pdf_variant, xhtml=xhtml)

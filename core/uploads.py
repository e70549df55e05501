"""Checks for uploaded files: type by content, active content in PDFs, and an
optional virus scan.

The scanner is chosen by the ``UPLOAD_SCANNER`` setting (a dotted path), as
Django chooses its password hashers; the default scans nothing.
"""

from __future__ import annotations

import logging
import re
import socket
import struct
import zipfile
import zlib
from functools import lru_cache
from typing import IO, Protocol

import magic
from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

SNIFF_BYTES = 8192


class UploadRejected(Exception):
    """The file must not be stored; ``message`` is shown to the uploader."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UploadScanner(Protocol):
    def scan(self, file: IO[bytes]) -> None:
        """Raise UploadRejected when the file is infected."""


class NoScanner:
    """No virus scanning (the default: state this in the deployment docs)."""

    def scan(self, file: IO[bytes]) -> None:
        return None


class ClamdScanner:
    """Scan through a clamd daemon's INSTREAM command over TCP.

    Fails closed: when clamd cannot be reached or answers anything but OK,
    the upload is refused with a message to try again later, never stored
    unscanned. Configure with ``CLAMD_HOST``, ``CLAMD_PORT`` and
    ``CLAMD_TIMEOUT_SECONDS``.
    """

    chunk_size = 64 * 1024

    def scan(self, file: IO[bytes]) -> None:
        file.seek(0)
        try:
            reply = self._instream(file)
        except OSError as exc:
            logger.error("clamd unreachable, upload refused: %s", exc)
            reply = ""
        finally:
            file.seek(0)
        if reply.endswith("FOUND"):
            logger.warning("clamd found a virus in an upload: %s", reply)
            raise UploadRejected(
                _("ファイルからウイルスが検出されたため、受け付けできません。")
            )
        if not reply.endswith("OK"):
            raise UploadRejected(
                _(
                    "ファイルを検査できませんでした。時間をおいてもう一度お試しください。"
                )
            )

    def _instream(self, file: IO[bytes]) -> str:
        address = (settings.CLAMD_HOST, settings.CLAMD_PORT)
        timeout = settings.CLAMD_TIMEOUT_SECONDS
        with socket.create_connection(address, timeout=timeout) as conn:
            conn.sendall(b"zINSTREAM\0")
            while chunk := file.read(self.chunk_size):
                conn.sendall(struct.pack("!L", len(chunk)) + chunk)
            conn.sendall(struct.pack("!L", 0))
            return conn.recv(4096).rstrip(b"\0").decode(errors="replace")


@lru_cache(maxsize=1)
def get_scanner() -> UploadScanner:
    return import_string(settings.UPLOAD_SCANNER)()


def sniff_content_type(file: IO[bytes]) -> str:
    """The MIME type read from the file's bytes, never from its name."""
    position = file.tell()
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(position)
    return magic.from_buffer(head, mime=True)


# Names that make a PDF act rather than show: scripts, launched programs,
# files carried inside, Flash and XFA forms. A resident's PDF needs none of
# them, and a caseworker's viewer might run them.
_ACTIVE_PDF_NAMES = {
    b"JS",
    b"JavaScript",
    b"Launch",
    b"EmbeddedFile",
    b"EmbeddedFiles",
    b"FileAttachment",
    b"RichMedia",
    b"XFA",
}
_PDF_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_PDF_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"stream\r?\n")
# Inflating an object stream stops here: one that expands further is a zip
# bomb, not a list of dictionaries.
_INFLATE_LIMIT = 16 * 1024 * 1024


def check_pdf_active_content(file: IO[bytes]) -> None:
    """Refuse a PDF that holds JavaScript, launch actions or embedded files.

    Reads the names of every dictionary the way pdfid does, from the bytes
    outside streams and from the deflated object streams that hide
    dictionaries, with ``#xx`` escapes decoded (``/J#53`` is ``/JS``). Other
    streams (pages, images, fonts) are skipped: their binary data would give
    false matches and cannot hold a dictionary. No PDF parser: a broken
    cross-reference table that viewers repair cannot hide an object.
    """
    position = file.tell()
    file.seek(0)
    data = file.read()
    file.seek(position)
    names: set[bytes] = set()
    cursor = 0
    while match := _PDF_STREAM.search(data, cursor):
        outside = data[cursor : match.start()]
        names |= _names(outside)
        end = data.find(b"endstream", match.end())
        end = len(data) if end == -1 else end
        if b"ObjStm" in _names(outside[outside.rfind(b"obj") :]):
            names |= _names(_inflate(data[match.end() : end]))
        cursor = end + len(b"endstream")
    names |= _names(data[cursor:])
    found = names & _ACTIVE_PDF_NAMES
    if found:
        logger.info("PDF upload refused for active content: %s", sorted(found))
        raise UploadRejected(
            _(
                "このPDFにはスクリプトや埋め込みファイルが含まれているため、"
                "受け付けできません。印刷の画面で「PDFとして保存」し直したファイルを"
                "添付してください。"
            )
        )


def _inflate(data: bytes) -> bytes:
    try:
        return zlib.decompressobj().decompress(data, _INFLATE_LIMIT)
    except zlib.error:
        return b""


def _names(data: bytes) -> set[bytes]:
    return {
        _PDF_HEX_ESCAPE.sub(lambda escape: bytes([int(escape.group(1), 16)]), name)
        for name in _PDF_NAME.findall(data)
    }


# --- office documents --------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ZIP = "application/zip"
# An OOXML package is a zip whose [Content_Types].xml names its main part
# with the content type of a workbook or a document, and holds that part.
_OOXML_MAIN = {
    XLSX: ("/xl/", "spreadsheetml.sheet.main+xml"),
    DOCX: ("/word/", "wordprocessingml.document.main+xml"),
}
_ODF_TYPES = (ODT, ODS)
# What makes an office file run code: VBA projects (xlsm, docm and their
# templates, or a vbaProject.bin slipped into an xlsx), ActiveX controls, and
# Basic or script libraries in OpenDocument files.
_MACRO_CONTENT = re.compile(
    rb"macroEnabled|vbaProject|ms-office\.activeX|ms-excel\.sheet\.binary",
    re.IGNORECASE,
)
_MACRO_PART = re.compile(
    r"(^|/)(vbaProject\.bin|vbaData\.xml|activeX/)|^(Basic|Scripts)/",
    re.IGNORECASE,
)
_OVERRIDE = re.compile(
    rb"<Override\b[^>]*?PartName=\"([^\"]+)\"[^>]*?ContentType=\"([^\"]+)\"",
)
_OVERRIDE_REVERSED = re.compile(
    rb"<Override\b[^>]*?ContentType=\"([^\"]+)\"[^>]*?PartName=\"([^\"]+)\"",
)
_CONTENT_TYPES_LIMIT = 1024 * 1024  # a real [Content_Types].xml is a few kB


def office_content_type(file: IO[bytes]) -> str | None:
    """The type of a zip-based office document read from its parts; ZIP for
    any other zip; None when the file is not a zip at all.

    Raises UploadRejected for a macro-enabled document, whatever its name.
    Reads only the zip's directory, ``[Content_Types].xml`` and
    ``mimetype``, each bounded: a zip bomb inflates nothing here.
    """
    position = file.tell()
    try:
        file.seek(0)
        if file.read(4) != b"PK\x03\x04":
            return None
        file.seek(0)
        try:
            archive = zipfile.ZipFile(file)  # type: ignore[arg-type]
            names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return ZIP
        if any(_MACRO_PART.search(name) for name in names):
            raise UploadRejected(_macro_message())
        if "[Content_Types].xml" in names:
            return _ooxml_type(archive, set(names))
        if names and names[0] == "mimetype":
            return _odf_type(archive)
        return ZIP
    finally:
        file.seek(position)


def _macro_message() -> str:
    return _(
        "マクロを含むファイル（.xlsm・.docm など）は受け付けできません。"
        "マクロを含まない形式（.xlsx・.docx）で保存し直して添付してください。"
    )


def _bounded_read(archive: zipfile.ZipFile, name: str, limit: int) -> bytes | None:
    info = archive.getinfo(name)
    if info.file_size > limit:
        return None
    try:
        with archive.open(info) as part:
            return part.read(limit + 1)[:limit]
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return None


def _ooxml_type(archive: zipfile.ZipFile, names: set[str]) -> str:
    types = _bounded_read(archive, "[Content_Types].xml", _CONTENT_TYPES_LIMIT)
    if types is None:
        return ZIP
    if _MACRO_CONTENT.search(types):
        raise UploadRejected(_macro_message())
    parts = [(name, kind) for name, kind in _OVERRIDE.findall(types)]
    parts += [(name, kind) for kind, name in _OVERRIDE_REVERSED.findall(types)]
    for mime, (folder, main) in _OOXML_MAIN.items():
        for part, kind in parts:
            name = part.decode("utf-8", "replace")
            if (
                kind.decode("ascii", "replace").endswith(main)
                and name.startswith(folder)
                and name.lstrip("/") in names
            ):
                return mime
    return ZIP


def _odf_type(archive: zipfile.ZipFile) -> str:
    info = archive.getinfo("mimetype")
    # ODF stores its mimetype first and uncompressed; anything else is not ODF.
    if info.compress_type != zipfile.ZIP_STORED:
        return ZIP
    declared = (_bounded_read(archive, "mimetype", 200) or b"").decode(
        "ascii", "replace"
    )
    if declared in _ODF_TYPES and "content.xml" in archive.namelist():
        return declared
    return ZIP


def identify_content_type(file: IO[bytes]) -> str:
    """The MIME type of an upload by content: libmagic, and for zips the
    office document it really is (or ZIP). Raises UploadRejected for an
    office document with macros."""
    return office_content_type(file) or sniff_content_type(file)

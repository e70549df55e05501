"""Uploads refused before they are stored: PDFs that act (scripts, launched
programs, embedded files) and files a real clamd finds infected; an
unreachable clamd refuses the upload rather than letting it through."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.uploads import get_scanner
from forms_builder.runtime import FormRuntime
from tests.forms_builder.test_runtime import PDF, _files, post

# A signature of our own: the official virus database cannot be downloaded
# here, and clamd starts with any database it is given.
TEST_VIRUS = b"ESHINSEI-TEST-VIRUS-SIGNATURE"


@pytest.fixture
def runtime(sample_definition):
    return FormRuntime(sample_definition)


def _upload_errors(runtime, content: bytes, name: str = "書類.pdf") -> list[str]:
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    form = runtime.page_form(
        1,
        data=post({"purpose": "new", "fee": "1"}),
        files=_files({"documents": [upload]}),
        answers={},
        existing_files={},
    )
    form.is_valid()
    return [str(error) for error in form.errors.get("documents", [])]


def _pdf(*objects: bytes) -> bytes:
    body = b"".join(
        b"%d 0 obj\n" % number + obj + b"\nendobj\n"
        for number, obj in enumerate(objects, start=1)
    )
    return b"%PDF-1.7\n" + body + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGES = b"<< /Type /Pages /Kids [] /Count 0 >>"


@pytest.mark.parametrize(
    "pdf",
    [
        pytest.param(
            _pdf(
                b"<< /Type /Catalog /Pages 2 0 R /OpenAction 3 0 R >>",
                PAGES,
                b"<< /S /JavaScript /JS (app.alert(1)) >>",
            ),
            id="open-action-javascript",
        ),
        pytest.param(
            _pdf(CATALOG, PAGES, b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>"),
            id="hex-escaped-names",
        ),
        pytest.param(
            _pdf(
                b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 3 0 R >> >>",
                PAGES,
                b"<< /Names [(a.exe) 4 0 R] >>",
            ),
            id="embedded-file",
        ),
        pytest.param(
            _pdf(CATALOG, PAGES, b"<< /S /Launch /F (cmd.exe) >>"),
            id="launch-action",
        ),
        pytest.param(
            _pdf(
                CATALOG,
                PAGES,
                b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>\nstream\n"
                + zlib.compress(b"4 0 << /S /JavaScript /JS (app.alert(1)) >>")
                + b"\nendstream",
            ),
            id="javascript-inside-a-compressed-object-stream",
        ),
    ],
)
def test_a_pdf_with_active_content_is_refused_next_to_the_field(runtime, pdf):
    errors = _upload_errors(runtime, pdf)

    assert len(errors) == 1
    assert "スクリプトや埋め込みファイル" in errors[0]
    assert "書類.pdf" in errors[0]


def test_ordinary_pdfs_pass_even_when_their_streams_look_like_names(runtime):
    # Binary page and image data may hold the bytes "/JS" by chance: only
    # dictionaries count.
    content = b"<< /Length 20 >>\nstream\n\x00/JS /XFA\xff/Launch\x01\nendstream"
    assert _upload_errors(runtime, _pdf(CATALOG, PAGES, content)) == []
    assert _upload_errors(runtime, PDF) == []


def test_a_pdf_rendered_by_the_platform_passes(runtime):
    from documents.rendering import html_to_pdf

    pdf = html_to_pdf('<html lang="ja"><p>添付書類</p></html>')

    assert _upload_errors(runtime, pdf) == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def clamd(tmp_path_factory) -> Iterator[int]:
    """Debian's clamd on a loopback port with a one-signature database."""
    executable = shutil.which("clamd") or "/usr/sbin/clamd"
    folder: Path = tmp_path_factory.mktemp("clamd")
    (folder / "eshinsei.ndb").write_text(
        f"Eshinsei.Test.Signature:0:*:{TEST_VIRUS.hex()}\n"
    )
    port = _free_port()
    (folder / "clamd.conf").write_text(
        f"DatabaseDirectory {folder}\nTCPSocket {port}\nTCPAddr 127.0.0.1\n"
        f"Foreground yes\nLogFile {folder / 'clamd.log'}\n"
    )
    process = subprocess.Popen(
        [executable, "-c", str(folder / "clamd.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, (folder / "clamd.log").read_text()
                time.sleep(0.2)
        else:
            pytest.fail("clamd did not start")
        yield port
    finally:
        process.kill()
        process.wait()


@pytest.fixture
def clamd_scanner(settings):
    settings.UPLOAD_SCANNER = "core.uploads.ClamdScanner"
    get_scanner.cache_clear()
    yield settings
    get_scanner.cache_clear()


def test_clamd_refuses_an_infected_file_and_accepts_a_clean_one(
    runtime, clamd, clamd_scanner
):
    clamd_scanner.CLAMD_PORT = clamd
    infected = PDF.replace(b"trailer", b"% " + TEST_VIRUS + b"\ntrailer")

    assert _upload_errors(runtime, PDF) == []
    errors = _upload_errors(runtime, infected)
    assert len(errors) == 1
    assert "ウイルスが検出された" in errors[0]


def test_an_unreachable_clamd_refuses_the_upload_with_a_message(runtime, clamd_scanner):
    clamd_scanner.CLAMD_PORT = _free_port()  # nothing listens there

    errors = _upload_errors(runtime, PDF)

    assert len(errors) == 1
    assert "検査できませんでした" in errors[0]

"""Signatures made with pyHanko, checked with pyHanko and poppler's pdfsig."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.core.management import call_command

from documents.signing import DEVELOPMENT_SUBJECT, get_signer
from documents.verification import verify_pdf
from tests.documents.conftest import stored_bytes

pytestmark = pytest.mark.django_db


def _append_incremental_update(data: bytes) -> bytes:
    """Paint a white box over the page in a new revision, as a forger would."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    writer.add_stream_to_page(
        0,
        writer.add_object(
            generic.StreamObject(stream_data=b"q 1 1 1 rg 60 500 400 200 re f Q")
        ),
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_issued_document_is_genuine_for_pyhanko(issued):
    result = verify_pdf(stored_bytes(issued))

    assert result.genuine
    assert result.check.intact
    assert result.check.trusted
    assert result.check.whole_file
    assert result.document == issued
    assert "改ざんされていません" in result.headline


def test_issued_document_signature_is_valid_for_pdfsig(issued, tmp_path):
    path = tmp_path / "permit.pdf"
    path.write_bytes(stored_bytes(issued))

    output = subprocess.run(
        ["pdfsig", str(path)], capture_output=True, text=True, check=False
    ).stdout

    assert "Signature is Valid." in output
    assert "Total document signed" in output
    assert "NOT FOR PRODUCTION" in output


def test_development_certificate_says_it_is_not_for_production(issued):
    subject = get_signer().certificate.subject.human_friendly

    assert DEVELOPMENT_SUBJECT in subject
    assert "DEVELOPMENT ONLY" in subject


def test_one_changed_byte_is_reported_as_tampering(issued):
    data = bytearray(stored_bytes(issued))
    # A byte inside the signed page content (not the signature itself).
    position = data.index(b"stream", 200) + 40
    data[position] ^= 0x01

    result = verify_pdf(bytes(data))

    assert not result.genuine
    assert not result.matches_record
    assert result.document == issued  # recognised by its signature, but altered
    assert "発行後に変更されています" in result.headline
    assert any("書き換えられています" in m for m in result.messages)


def test_appended_incremental_update_is_reported(issued):
    forged = _append_incremental_update(stored_bytes(issued))

    result = verify_pdf(forged)

    assert result.check.intact  # the signed bytes are untouched …
    assert not result.check.whole_file  # … but something was added after them
    assert not result.genuine
    assert result.document == issued
    assert any("追記による改ざん" in m for m in result.messages)


def test_pdf_signed_by_someone_else_is_not_genuine(issued, settings, tmp_path):
    data = stored_bytes(issued)
    from documents import signing

    settings.VAR_DIR = str(tmp_path)  # another development certificate
    signing.reset_signer()
    from documents.rendering import render_pdf

    other = get_signer().sign(
        render_pdf(issued.snapshot), reason="偽造", location="どこか"
    )
    signing.reset_signer()
    settings.VAR_DIR = str(tmp_path / "again")

    result = verify_pdf(other)

    assert not result.check.trusted
    assert not result.genuine
    assert result.document is None
    assert verify_pdf(data).check.trusted is False  # roots follow the signer


def test_unsigned_or_broken_files_are_not_genuine():
    assert (
        "PDFファイルとして読み取れません。" in verify_pdf(b"%PDF-1.7 garbage").messages
    )
    assert not verify_pdf(b"not a pdf").genuine


def test_verify_document_command_exit_status(issued, tmp_path, capsys):
    good = tmp_path / "good.pdf"
    good.write_bytes(stored_bytes(issued))
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(_append_incremental_update(good.read_bytes()))

    call_command("verify_document", str(good))
    out = capsys.readouterr().out
    assert issued.number in out
    assert "令和8年11月26日" in out
    assert "健康福祉部" in out

    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_document", str(bad))
    assert exit_info.value.code == 1
    assert "追記による改ざん" in capsys.readouterr().out

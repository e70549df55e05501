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


NOT_OURS = "署名した証明書は県の発行用証明書ではありません。"


def _one_byte_changed(data: bytes) -> bytes:
    changed = bytearray(data)
    changed[changed.index(b"stream", 200) + 40] ^= 0x01
    return bytes(changed)


def test_one_changed_byte_gives_only_the_true_reasons(issued):
    # Issue 11 item 9: only the signed bytes changed; the certificate is still
    # the prefecture's, so the page must not say it is someone else's.
    result = verify_pdf(_one_byte_changed(stored_bytes(issued)))

    assert NOT_OURS not in result.messages
    assert result.check.trusted
    assert result.messages == [
        "電子署名が無効です。署名した後に内容が書き換えられています。",
        "ファイルは発行時の記録（SHA-256）と一致しません。",
    ]


def test_broken_signature_value_does_not_judge_the_certificate(issued):
    # A byte changed inside the CMS signature itself: pyHanko cannot check the
    # certificate chain then, so nothing may be said about the certificate.
    data = stored_bytes(issued)
    from pyhanko.pdf_utils.reader import PdfFileReader

    embedded = PdfFileReader(io.BytesIO(data)).embedded_regular_signatures[-1]
    # pyHanko writes /Contents in upper-case hex.
    signature_value = bytes(embedded.signer_info["signature"]).hex().upper().encode()
    position = data.index(signature_value) + 10
    changed = bytearray(data)
    changed[position] = ord("0") if changed[position] != ord("0") else ord("1")

    result = verify_pdf(bytes(changed))

    assert not result.genuine
    assert result.check.certificate_trusted is None
    assert NOT_OURS not in result.messages
    assert any("電子署名が無効です" in m for m in result.messages)


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
    assert NOT_OURS in result.messages
    assert not result.genuine
    assert result.document is None
    assert verify_pdf(data).check.trusted is False  # roots follow the signer


def test_signatures_after_the_first_keep_its_room_and_stay_valid(issued):
    # Issue 14 (speed): the room for the signature is sized once per signer
    # instead of by a dummy signature before every one.
    from documents import signing
    from documents.rendering import render_pdf

    signer = get_signer()
    pdf = render_pdf(issued.snapshot)
    first = signer.sign(pdf, reason="一回目", location="架空県")
    room = signing._reserved_space[signer._signer]
    second = signer.sign(pdf, reason="二回目", location="架空県")

    assert signing._reserved_space[signer._signer] == room
    assert len(second) == len(first)
    for signed in (first, second):
        assert verify_pdf(signed).check.intact


def test_a_signature_that_outgrows_its_room_is_sized_again(issued):
    # A time-stamp service may answer with a longer token than the first.
    from documents import signing
    from documents.rendering import render_pdf

    signer = get_signer()
    pdf = render_pdf(issued.snapshot)
    signer.sign(pdf, reason="一回目", location="架空県")
    signing._reserved_space[signer._signer] = 64

    signed = signer.sign(pdf, reason="二回目", location="架空県")

    assert verify_pdf(signed).check.intact
    # Sized again (an ECDSA signature's length varies by a byte or two).
    assert signing._reserved_space[signer._signer] > 1000


def test_the_signing_certificate_attribute_is_pyhankos_own(issued):
    # Issue 14 (speed): the ESS signing-certificate-v2 attribute is encoded
    # once per signer; it must be exactly what pyHanko builds for PAdES.
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.general import as_signing_certificate_v2

    signature = PdfFileReader(io.BytesIO(stored_bytes(issued))).embedded_signatures[0]
    attributes = {
        attribute["type"].native: attribute["values"][0]
        for attribute in signature.signer_info["signed_attrs"]
    }

    assert attributes["signing_certificate_v2"].dump() == (
        as_signing_certificate_v2(get_signer().certificate).dump()
    )
    assert "signing_time" not in attributes  # PAdES: the time is in the dict


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


def test_verify_document_names_only_the_true_reasons(issued, tmp_path, capsys):
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(_one_byte_changed(stored_bytes(issued)))

    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_document", str(changed))

    out = capsys.readouterr().out
    assert exit_info.value.code == 1
    assert "書き換えられています" in out
    assert "県の発行用証明書ではありません" not in out


@pytest.mark.parametrize(
    "content", [b"hello", b"%PDF-1.7 garbage", b"%PDF-1.7\ntrailer\n%%EOF"]
)
def test_verify_document_logs_a_file_that_is_not_a_pdf_in_one_line(
    db, tmp_path, capsys, caplog, content
):
    # Issue 11 item 10: the log call carried the exception, so a traceback
    # followed the command's answer.
    path = tmp_path / "letter.pdf"
    path.write_bytes(content)

    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_document", str(path))

    assert exit_info.value.code == 1
    assert "PDFファイルとして読み取れません。" in capsys.readouterr().out
    logged = [r for r in caplog.records if r.name == "documents.verification"]
    assert logged
    for record in logged:
        assert record.exc_info is None
        assert "\n" not in record.getMessage()
        assert "PdfReadError" in record.getMessage()

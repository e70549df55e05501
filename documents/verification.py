"""Is this PDF a genuine, unaltered document that we issued?

Two independent checks, both needed:
- the signature (pyHanko): intact, made by a certificate we trust, and
  covering the whole file. A one-byte edit breaks the digest; an appended
  incremental update that paints over the page leaves the digest "intact",
  and only the coverage and modification level reveal it.
- the record: the file's SHA-256 is the one stored when it was issued.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from documents.models import IssuedDocument

logger = logging.getLogger(__name__)


@dataclass
class SignatureCheck:
    """What the PDF's own signature says, before looking at our records."""

    readable: bool = False
    signed: bool = False
    intact: bool = False
    trusted: bool = False
    # Whether the certificate chain was checked at all: pyHanko checks it only
    # when the CMS signature value itself verifies. Without that we know
    # nothing about the certificate and must not say it is not ours.
    trust_checked: bool = False
    whole_file: bool = False
    bottom_line: bool = False
    # A time-stamp on the signature that cannot be validated (its TSA unknown).
    timestamp_unverified: bool = False
    signer: str = ""
    signed_at: Any = None
    signed_revision_sha256: str = ""
    signature_sha256: str = ""
    summary: str = ""

    @property
    def certificate_trusted(self) -> bool | None:
        """Whether the signer's certificate is ours; None when not checked."""
        return self.trusted if self.trust_checked else None

    @property
    def valid(self) -> bool:
        return (
            self.signed
            and self.intact
            and self.trusted
            and self.whole_file
            and self.bottom_line
        )


@dataclass
class Verification:
    """The answer shown on the public page and by ``verify_document``."""

    check: SignatureCheck
    sha256: str
    document: IssuedDocument | None = None
    matches_record: bool = False
    messages: list[str] = field(default_factory=list)

    @property
    def genuine(self) -> bool:
        return self.check.valid and self.matches_record

    @property
    def headline(self) -> str:
        if self.genuine:
            return _("この文書は県が発行した正本で、発行後に改ざんされていません。")
        if self.document is not None:
            return _(
                "この文書は県が発行した文書を元にしていますが、"
                "発行後に変更されています。正本として扱えません。"
            )
        return _("この文書は県が発行した正本であることを確認できません。")


@lru_cache(maxsize=1)
def _extra_roots_cached(paths: tuple[str, ...]) -> tuple:
    from pyhanko.keys import load_certs_from_pemder

    return tuple(load_certs_from_pemder([Path(p) for p in paths]))


def _extra_roots() -> list:
    return list(_extra_roots_cached(tuple(settings.DOCUMENT_SIGNING_TRUST_ROOTS)))


def _trust_roots() -> list:
    from documents.signing import SigningError, get_signer

    try:
        own = get_signer().trust_roots()
    except SigningError:
        # An HSM that is down must not take the public page with it: the
        # configured roots (DOCUMENT_SIGNING_TRUST_ROOTS) still verify.
        logger.warning("signer unavailable: verifying with the configured roots only")
        own = []
    return own + _extra_roots()


def _validation_context():
    from pyhanko_certvalidator import ValidationContext

    # No fetching: this runs on a public page and must not call URLs taken
    # from an uploaded file (AIA/CRL addresses chosen by whoever made it).
    return ValidationContext(
        trust_roots=_trust_roots(),
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def _log_refused(what: str, error: Exception) -> None:
    """One line for a file pyHanko refuses, a traceback only for the unexpected.

    Anyone can upload anything here: a broken or non-PDF file is expected
    input, answered on the page, and its traceback only buries real faults in
    the log (and ``verify_document`` printed it after its answer).
    """
    from pyhanko.pdf_utils.misc import PdfError

    if isinstance(error, PdfError | ValueError | KeyError):
        reason = " ".join(str(error).split())
        logger.info("%s: %s: %s", what, type(error).__name__, reason)
    else:
        logger.warning("%s", what, exc_info=error)


def check_signature(data: bytes) -> SignatureCheck:
    """Read the PDF and validate its last signature with pyHanko."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    result = SignatureCheck()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_regular_signatures
    except Exception as error:
        _log_refused("unreadable PDF submitted for verification", error)
        return result
    result.readable = True
    if not signatures:
        return result
    result.signed = True
    embedded = signatures[-1]
    try:
        status = validate_pdf_signature(embedded, _validation_context())
    except Exception as error:
        _log_refused("signature validation failed", error)
        return result
    result.intact = bool(status.intact and status.valid)
    # pyHanko's ``trusted`` also requires ``intact``, so one changed byte in
    # the content made it False and we told the reader the certificate was
    # not the prefecture's. Whether the chain leads to our roots is told by
    # the path validation alone: a path found and no trust problem reported.
    # That check runs only when the signature value is valid.
    result.trust_checked = bool(status.valid)
    result.trusted = bool(
        status.valid
        and status.trust_problem_indic is None
        and status.validation_path is not None
    )
    # A later incremental update (anything after the signed revision) counts
    # as a change: we never add timestamps or LTV data after issuing.
    result.whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    result.bottom_line = bool(status.bottom_line)
    stamp = status.timestamp_validity
    result.timestamp_unverified = stamp is not None and not (
        stamp.intact and stamp.valid and stamp.trusted
    )
    result.signed_at = status.signer_reported_dt
    result.summary = status.summary()
    cert = status.signing_cert
    result.signer = cert.subject.human_friendly if cert is not None else ""
    byte_range = embedded.byte_range
    result.signed_revision_sha256 = hashlib.sha256(
        data[: byte_range[2] + byte_range[3]]
    ).hexdigest()
    result.signature_sha256 = hashlib.sha256(bytes(embedded.pkcs7_content)).hexdigest()
    return result


def signature_fingerprint(data: bytes) -> str:
    """SHA-256 of the CMS signature in ``data``, kept on record at issue time."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    embedded = reader.embedded_regular_signatures[-1]
    return hashlib.sha256(bytes(embedded.pkcs7_content)).hexdigest()


def verify_pdf(data: bytes) -> Verification:
    """Check the signature and compare the file with our record of issue."""
    from documents.selectors import document_matching

    check = check_signature(data)
    sha256 = hashlib.sha256(data).hexdigest()
    document, exact = document_matching(
        sha256=sha256,
        signed_revision_sha256=check.signed_revision_sha256,
        signature_sha256=check.signature_sha256,
    )
    verification = Verification(
        check=check, sha256=sha256, document=document, matches_record=exact
    )
    messages = verification.messages
    if not check.readable:
        messages.append(_("PDFファイルとして読み取れません。"))
    elif not check.signed:
        messages.append(_("電子署名がありません。"))
    else:
        if check.intact:
            messages.append(_("電子署名は有効です（署名後に内容は壊れていません）。"))
        else:
            messages.append(
                _("電子署名が無効です。署名した後に内容が書き換えられています。")
            )
        if check.trust_checked and not check.trusted:
            messages.append(_("署名した証明書は県の発行用証明書ではありません。"))
        if check.timestamp_unverified:
            messages.append(
                _("署名に付いた時刻証明（タイムスタンプ）を確認できません。")
            )
        if check.intact and not check.whole_file:
            messages.append(
                _(
                    "署名の後に別の内容が追加されています（追記による改ざん）。"
                    "表示される内容は発行時と異なる可能性があります。"
                )
            )
    if exact:
        messages.append(_("ファイルは発行時の記録（SHA-256）と一致します。"))
    elif document is not None:
        messages.append(_("ファイルは発行時の記録（SHA-256）と一致しません。"))
    else:
        messages.append(_("県の発行記録に、このファイルに当たる文書はありません。"))
    return verification

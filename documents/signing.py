"""PAdES signatures on issued documents.

The signer is chosen by the ``DOCUMENT_SIGNER`` setting (a dotted path), as
Django chooses its authentication backends: the default reads a key and
certificate from a PKCS#12 file; an HSM signer (PKCS#11) replaces it by
providing the same two methods. One signer is built per worker process and
keeps its loaded key: re-parsing an RSA key per signature cost ~300 ms.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import threading
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Marked in the certificate itself (CN, and OU "DEVELOPMENT ONLY"; 64 bytes
# at most), so that any PDF viewer showing the signer
# tells the reader this is not a real official signature.
DEVELOPMENT_SUBJECT = "開発用・本番使用不可 NOT FOR PRODUCTION"


class SigningError(Exception):
    """The document could not be signed (key, HSM or time-stamp service)."""


class DocumentSigner(Protocol):
    def sign(self, pdf: bytes, *, reason: str, location: str) -> bytes:
        """Return ``pdf`` with an invisible PAdES signature appended."""

    def trust_roots(self) -> list:
        """asn1crypto certificates a verifier should trust for our signatures."""


def _asn1_cert(pyca_cert):
    from asn1crypto import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return x509.Certificate.load(pyca_cert.public_bytes(Encoding.DER))


def create_development_pkcs12(path: Path, password: str) -> None:
    """A self-made CA and signing certificate for development, clearly marked.

    ECDSA P-256 signs in a few milliseconds; the subject says in Japanese and
    English that it must never be used in production.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import (
        BestAvailableEncryption,
        NoEncryption,
        pkcs12,
    )
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    organisation = getattr(settings, "PREFECTURE_NAME", "")
    now = dt.datetime.now(dt.UTC)

    def name(common_name: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation or "-"),
                x509.NameAttribute(
                    NameOID.ORGANIZATIONAL_UNIT_NAME, "DEVELOPMENT ONLY"
                ),
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            ]
        )

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = name("開発用認証局 NOT FOR PRODUCTION")
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name(DEVELOPMENT_SUBJECT))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    encryption = (
        BestAvailableEncryption(password.encode()) if password else NoEncryption()
    )
    data = pkcs12.serialize_key_and_certificates(
        b"development-signer", key, cert, [ca_cert], encryption
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o600)
    logger.warning(
        "Created a DEVELOPMENT signing certificate at %s: not for production.", path
    )


def pkcs12_path() -> tuple[Path, bool]:
    """The configured PKCS#12 file, and whether it is the development default."""
    configured = settings.DOCUMENT_SIGNING_PKCS12
    if configured:
        return Path(configured), False
    return Path(settings.VAR_DIR) / "signing" / "development-signer.p12", True


class Pkcs12Signer:
    """Signs with a key and certificate read once from a PKCS#12 file."""

    def __init__(self) -> None:
        from cryptography.hazmat.primitives.serialization import pkcs12
        from pyhanko.sign import signers
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        path, development = pkcs12_path()
        password = settings.DOCUMENT_SIGNING_PASSWORD
        if not path.exists():
            if not development:
                raise ImproperlyConfigured(
                    f"DOCUMENT_SIGNING_PKCS12 points at {path}, which does not exist."
                )
            create_development_pkcs12(path, password)
        self.development = development
        try:
            key, cert, others = pkcs12.load_key_and_certificates(
                path.read_bytes(), password.encode() if password else None
            )
        except ValueError as error:
            raise ImproperlyConfigured(
                f"Cannot read the signing key in {path}: wrong password or file."
            ) from error
        if key is None or cert is None:
            raise ImproperlyConfigured(f"{path} holds no key and certificate.")
        self._key = key
        self._chain = [_asn1_cert(c) for c in others]
        registry = SimpleCertificateStore()
        registry.register_multiple(self._chain)
        from pyhanko.keys.internal import translate_pyca_cryptography_key_to_asn1

        signer = _kept_key_signer_class()(
            signing_cert=_asn1_cert(cert),
            signing_key=translate_pyca_cryptography_key_to_asn1(key),
            cert_registry=registry,
        )
        signer.pyca_key = key
        self._signer = signer
        self._timestamper = None
        if settings.DOCUMENT_TSA_URL:
            from pyhanko.sign.timestamps.requests_client import (
                RequestsHTTPTimeStamper,
            )

            self._timestamper = RequestsHTTPTimeStamper(
                settings.DOCUMENT_TSA_URL, timeout=10
            )
        self._signers = signers
        self.certificate = signer.signing_cert

    def trust_roots(self) -> list:
        # Self-signed certificates in the file are the roots (the development
        # CA); a production file carries the LGPKI chain, configured apart.
        return [c for c in self._chain if c.subject == c.issuer] or [self.certificate]

    def sign(self, pdf: bytes, *, reason: str, location: str) -> bytes:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign.fields import SigSeedSubFilter

        meta = self._signers.PdfSignatureMetadata(
            field_name="OfficialSignature",
            md_algorithm="sha256",
            subfilter=SigSeedSubFilter.PADES,
            reason=reason,
            location=location,
        )
        output = io.BytesIO()
        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
            # No visible box: pyHanko's stamp font is an un-embedded Courier
            # (breaks PDF/A); the printed approval record is the visible part.
            self._signers.sign_pdf(
                writer,
                meta,
                signer=self._signer,
                timestamper=self._timestamper,
                output=output,
            )
        except Exception as error:
            raise SigningError(str(error)) from error
        return output.getvalue()


def _kept_key_signer_class():
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from pyhanko.sign.general import get_pyca_cryptography_hash
    from pyhanko.sign.signers import SimpleSigner

    class KeptKeySigner(SimpleSigner):
        """SimpleSigner that reuses the parsed key instead of reloading it per call."""

        pyca_key = None

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(
                digest_algorithm
            ).signature_algo
            hash_algo = get_pyca_cryptography_hash(digest_algorithm)
            key = self.pyca_key
            if mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
                return key.sign(data, ec.ECDSA(hash_algo))
            if mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
                return key.sign(data, padding.PKCS1v15(), hash_algo)
            return super().sign_raw(data, digest_algorithm)

    return KeptKeySigner


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _build_signer(path: str) -> DocumentSigner:
    return import_string(path)()


def get_signer() -> DocumentSigner:
    """The process-wide signer named by ``DOCUMENT_SIGNER``, built once."""
    with _lock:
        return _build_signer(settings.DOCUMENT_SIGNER)


def reset_signer() -> None:
    """Forget the cached signer (tests that change the signing settings)."""
    _build_signer.cache_clear()

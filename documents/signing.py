"""PAdES signatures on issued documents.

The signer is chosen by the ``DOCUMENT_SIGNER`` setting (a dotted path), as
Django chooses its authentication backends: the default reads a key and
certificate from a PKCS#12 file; ``Pkcs11Signer`` replaces it with a key
kept in an HSM (PKCS#11) by providing the same two methods. One signer is
built per worker process and keeps its loaded key or its HSM session:
re-parsing an RSA key per signature cost ~300 ms, an HSM login a round trip.
With ``DOCUMENT_TSA_URL`` both add an RFC 3161 signature time-stamp.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
import threading
import weakref
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
        self._timestamper = _timestamper()
        self.certificate = signer.signing_cert

    def trust_roots(self) -> list:
        # Self-signed certificates in the file are the roots (the development
        # CA); a production file carries the LGPKI chain, configured apart.
        return [c for c in self._chain if c.subject == c.issuer] or [self.certificate]

    def sign(self, pdf: bytes, *, reason: str, location: str) -> bytes:
        return _sign_pdf(
            pdf,
            signer=self._signer,
            timestamper=self._timestamper,
            reason=reason,
            location=location,
        )


def _timestamper():
    """The RFC 3161 client for ``DOCUMENT_TSA_URL``, or None without one.

    Every request is bounded by ``DOCUMENT_TSA_TIMEOUT_SECONDS`` (connect and
    each read): a hung service must fail the attempt, not hold the worker.
    """
    if not settings.DOCUMENT_TSA_URL:
        return None
    from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

    return RequestsHTTPTimeStamper(
        settings.DOCUMENT_TSA_URL, timeout=settings.DOCUMENT_TSA_TIMEOUT_SECONDS
    )


def _in_chain(error: BaseException, kind: type) -> BaseException | None:
    """The first exception of ``kind`` in ``error``'s cause/context chain."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _outside_event_loop(function, *args, **kwargs):
    """Call ``function`` here, or in a helper thread when an event loop runs here.

    pyHanko's synchronous API calls ``asyncio.run``, which refuses to start
    inside a running loop (an ASGI server, or a process that also drives a
    browser through Playwright's synchronous API, as the tests do).
    """
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(function, *args, **kwargs).result()


# Room for the signature (hex digits), per pyHanko signer: pyHanko
# otherwise sizes it before every signature by building and encoding a
# whole dummy CMS container, half of the signing time (bench/README.md).
# The size depends only on the certificates, the key and the time-stamp
# service, which a signer keeps; it is learnt from the first signature,
# margin included, and measured again if a signature ever outgrows it.
_reserved_space: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)")


def _learn_reserved_space(signer, signed: bytes, appended_from: int) -> None:
    match = _BYTE_RANGE.search(signed, appended_from)
    if match is not None:
        # The gap between the two signed ranges is the <hex> string.
        _reserved_space[signer] = int(match[2]) - int(match[1]) - 2


def _sign_pdf(pdf: bytes, *, signer, timestamper, reason: str, location: str):
    """Append an invisible PAdES signature (and a time-stamp with a TSA).

    Every failure is a SigningError with the original as its cause; a
    failing time-stamp service is named in the message.
    """
    reserved = _reserved_space.get(signer)
    if reserved is not None:
        try:
            return _sign_pdf_once(
                pdf,
                signer=signer,
                timestamper=timestamper,
                reason=reason,
                location=location,
                bytes_reserved=reserved,
            )
        except SigningError as error:
            if "larger than expected" not in str(error):
                raise
            # A time-stamp token grew past the room kept: size it again.
            _reserved_space.pop(signer, None)
    signed = _sign_pdf_once(
        pdf,
        signer=signer,
        timestamper=timestamper,
        reason=reason,
        location=location,
        bytes_reserved=None,
    )
    _learn_reserved_space(signer, signed, len(pdf))
    return signed


def _sign_pdf_once(
    pdf: bytes,
    *,
    signer,
    timestamper,
    reason: str,
    location: str,
    bytes_reserved: int | None,
) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    meta = signers.PdfSignatureMetadata(
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
        _outside_event_loop(
            signers.sign_pdf,
            writer,
            meta,
            signer=signer,
            timestamper=timestamper,
            output=output,
            bytes_reserved=bytes_reserved,
        )
    except Exception as error:
        from pyhanko.sign.timestamps.common_utils import TimestampRequestError

        failure = _in_chain(error, TimestampRequestError)
        if failure is None:
            raise SigningError(str(error) or type(error).__name__) from error
        cause = failure.__cause__
        detail = f" ({type(cause).__name__}: {cause})" if cause else ""
        raise SigningError(
            f"Time-stamp service {timestamper.url} failed: {failure}{detail}; "
            f"each request times out after {timestamper.timeout} s "
            "(DOCUMENT_TSA_URL, DOCUMENT_TSA_TIMEOUT_SECONDS)."
        ) from error
    return output.getvalue()


# PKCS#11 errors that mean the session, not the key or the request, is gone
# (HSM restarted, network HSM reconnected, logged out by another session):
# the signer opens a new session and signs once more.
_SESSION_LOST = frozenset(
    {
        "SessionHandleInvalid",
        "SessionClosed",
        "DeviceRemoved",
        "DeviceError",
        "TokenNotPresent",
        "UserNotLoggedIn",
        "KeyHandleInvalid",
        "ObjectHandleInvalid",
    }
)

# Module path -> process that initialised it: PKCS#11 state does not survive
# fork(), so a forked worker (Celery prefork, gunicorn --preload) initialises
# the module again before opening its own session.
_pkcs11_initialised_in: dict[str, int] = {}
_pkcs11_lock = threading.Lock()


def _pkcs11_lib(module: str):
    import pkcs11

    with _pkcs11_lock:
        lib = pkcs11.lib(module)
        if _pkcs11_initialised_in.setdefault(module, os.getpid()) != os.getpid():
            lib.reinitialize()
            _pkcs11_initialised_in[module] = os.getpid()
        return lib


def _describe(error: BaseException) -> str:
    """python-pkcs11 errors often have no text: name the error at least."""
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _issuer_chain(cert, candidates: list) -> list:
    """The certificates among ``candidates`` that issued ``cert``, upwards."""
    by_subject = {c.subject.dump(): c for c in candidates}
    chain: list = []
    current = cert
    while current.subject != current.issuer:
        issuer = by_subject.get(current.issuer.dump())
        if issuer is None or issuer in chain:
            break
        chain.append(issuer)
        current = issuer
    return chain


class Pkcs11Signer:
    """Signs with a private key that never leaves an HSM (PKCS#11).

    Configured by ``DOCUMENT_PKCS11_*``. One session per worker process,
    opened at first use and kept (a login is a round trip to a network HSM,
    and HSMs limit sessions); it is opened anew after a fork and when the HSM
    dropped it (then the signature is tried once more). Raw signatures are
    serialised per process: a PKCS#11 session does one operation at a time.
    The token's certificates that issued the signing certificate are embedded
    in signatures; the self-signed ones among them are the trust roots.
    """

    def __init__(self) -> None:
        self.module = settings.DOCUMENT_PKCS11_MODULE
        self.token_label = settings.DOCUMENT_PKCS11_TOKEN_LABEL
        self.key_label = settings.DOCUMENT_PKCS11_KEY_LABEL
        self.cert_label = settings.DOCUMENT_PKCS11_CERT_LABEL or self.key_label
        self._pin = settings.DOCUMENT_PKCS11_PIN or None
        missing = [
            name
            for name, value in (
                ("DOCUMENT_PKCS11_MODULE", self.module),
                ("DOCUMENT_PKCS11_TOKEN_LABEL", self.token_label),
                ("DOCUMENT_PKCS11_KEY_LABEL", self.key_label),
            )
            if not value
        ]
        if missing:
            raise SigningError(f"HSM signing needs {', '.join(missing)} to be set.")
        self._timestamper = _timestamper()
        # Re-entrant: the self-test signs while the session is being opened.
        self._lock = threading.RLock()
        self._session = None
        self._signer = None
        self._chain: list = []
        self._pid = 0

    def _where(self) -> str:
        return f"token {self.token_label!r} of {self.module}"

    def _open(self):
        """A new session with key and certificate found, or a SigningError."""
        import pkcs11
        from asn1crypto import x509
        from cryptography.exceptions import InvalidSignature
        from pkcs11 import Attribute, CertificateType, Mechanism, ObjectClass

        if not Path(self.module).is_file():
            raise SigningError(
                f"PKCS#11 module {self.module} (DOCUMENT_PKCS11_MODULE) does not exist."
            )
        try:
            lib = _pkcs11_lib(self.module)
        except pkcs11.PKCS11Error as error:
            raise SigningError(
                f"Cannot load the PKCS#11 module {self.module}: {_describe(error)}"
            ) from error
        try:
            token = lib.get_token(token_label=self.token_label)
        except pkcs11.NoSuchToken as error:
            labels = {t.label for t in lib.get_tokens()} - {""}  # "": not set up
            present = ", ".join(sorted(labels)) or "none"
            raise SigningError(
                f"No PKCS#11 token labelled {self.token_label!r} in {self.module} "
                f"(DOCUMENT_PKCS11_TOKEN_LABEL; tokens present: {present})."
            ) from error
        except pkcs11.PKCS11Error as error:
            raise SigningError(
                f"Cannot find the {self._where()}: {_describe(error)}"
            ) from error
        try:
            session = token.open(user_pin=self._pin)
        except pkcs11.UserAlreadyLoggedIn:
            # Login is per process, not per session: another session of this
            # process (an earlier signer) is logged in, and this one shares it.
            session = token.open()
        except (pkcs11.PinIncorrect, pkcs11.PinInvalid, pkcs11.PinLenRange) as error:
            raise SigningError(
                f"The {self._where()} rejected the PIN (DOCUMENT_PKCS11_PIN)."
            ) from error
        except pkcs11.PKCS11Error as error:
            raise SigningError(
                f"Cannot open a session on the {self._where()}: {_describe(error)}"
            ) from error
        try:
            found = [
                (obj[Attribute.LABEL], x509.Certificate.load(obj[Attribute.VALUE]))
                for obj in session.get_objects(
                    {
                        Attribute.CLASS: ObjectClass.CERTIFICATE,
                        Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                    }
                )
            ]
            mine = [cert for label, cert in found if label == self.cert_label]
            if len(mine) != 1:
                labels = ", ".join(sorted({label for label, _ in found})) or "none"
                raise SigningError(
                    f"{'No' if not mine else 'More than one'} certificate labelled "
                    f"{self.cert_label!r} (DOCUMENT_PKCS11_CERT_LABEL) on the "
                    f"{self._where()} (certificates present: {labels})."
                )
            cert = mine[0]
            chain = _issuer_chain(cert, [c for _, c in found])
            # Tokens without hash-then-sign ECDSA (SoftHSM, several HSMs)
            # sign a digest computed here with the raw mechanism.
            raw = (
                cert.public_key.algorithm == "ec"
                and Mechanism.ECDSA_SHA256 not in token.slot.get_mechanisms()
            )
            signer = _locked_pkcs11_signer_class()(
                session,
                signing_cert=cert,
                ca_chain=chain,
                key_label=self.key_label,
                other_certs_to_pull=(),
                use_raw_mechanism=raw,
            )
            signer.lock = self._lock
            _self_test(signer, cert)
        except SigningError:
            _close_quietly(session)
            raise
        except InvalidSignature as error:
            _close_quietly(session)
            raise SigningError(
                f"The certificate {self.cert_label!r} (DOCUMENT_PKCS11_CERT_LABEL) "
                f"is not the certificate of the key {self.key_label!r} "
                f"(DOCUMENT_PKCS11_KEY_LABEL) on the {self._where()}."
            ) from error
        except pkcs11.PKCS11Error as error:
            _close_quietly(session)
            hint = (
                ""
                if self._pin
                else " Without DOCUMENT_PKCS11_PIN private keys are not visible."
            )
            raise SigningError(
                f"Cannot use the key {self.key_label!r} (DOCUMENT_PKCS11_KEY_LABEL) "
                f"on the {self._where()}: {_describe(error)}{hint}"
            ) from error
        return session, signer, chain

    def _current(self, *, stale=None):
        """The process's pyHanko signer, opening the session when needed."""
        with self._lock:
            if (
                self._signer is None
                or self._signer is stale
                or self._pid != os.getpid()
            ):
                if self._pid == os.getpid():
                    # Never close a session inherited through fork: it is the
                    # parent's, and the module was initialised again here.
                    _close_quietly(self._session)
                self._session = self._signer = None
                self._session, self._signer, self._chain = self._open()
                self._pid = os.getpid()
            return self._signer

    def close(self) -> None:
        """Log out and close the session (the next signature opens one)."""
        with self._lock:
            if self._pid == os.getpid():
                _close_quietly(self._session)
            self._session = self._signer = None

    @property
    def certificate(self):
        return self._current().signing_cert

    def trust_roots(self) -> list:
        signer = self._current()
        return [c for c in self._chain if c.subject == c.issuer] or [
            signer.signing_cert
        ]

    def sign(self, pdf: bytes, *, reason: str, location: str) -> bytes:
        import pkcs11

        signer = self._current()
        for attempt in (1, 2):
            try:
                return _sign_pdf(
                    pdf,
                    signer=signer,
                    timestamper=self._timestamper,
                    reason=reason,
                    location=location,
                )
            except SigningError as error:
                failure = _in_chain(error, pkcs11.PKCS11Error)
                if failure is None:
                    raise
                if attempt == 1 and type(failure).__name__ in _SESSION_LOST:
                    logger.warning(
                        "PKCS#11 session lost (%s); opening a new one",
                        _describe(failure),
                    )
                    signer = self._current(stale=signer)
                    continue
                raise SigningError(
                    f"The {self._where()} did not sign: {_describe(failure)}"
                ) from error
        raise AssertionError("unreachable")  # pragma: no cover


def _self_test(signer, cert) -> None:
    """Sign a probe with the HSM key and check it with the certificate.

    Finds the key handle now (a wrong key label fails here, not mid-issue)
    and catches a certificate that is not the key's (a renewal that updated
    one label and not the other), which would make every signature invalid.
    """
    import asyncio

    from pyhanko_certvalidator.sig_validate import DefaultSignatureValidator

    probe = b"documents.signing self-test"
    signature = _outside_event_loop(asyncio.run, signer.async_sign_raw(probe, "sha256"))
    DefaultSignatureValidator().validate_signature(
        signature,
        probe,
        cert.public_key,
        signer.get_signature_mechanism_for_digest("sha256"),
    )


def _close_quietly(session) -> None:
    if session is None:
        return
    try:
        session.close()
    except Exception:  # already closed by the HSM, or logged out elsewhere
        logger.debug("closing a PKCS#11 session failed", exc_info=True)


@lru_cache(maxsize=8)
def _signing_certificate_v2(certificate_der: bytes) -> bytes:
    from asn1crypto import x509
    from pyhanko.sign.general import as_signing_certificate_v2

    return as_signing_certificate_v2(x509.Certificate.load(certificate_der)).dump()


@lru_cache(maxsize=1)
def _kept_attributes_mixin():
    """A pyHanko signer mixin: the signing-certificate-v2 attribute built once.

    PAdES signs the signer's certificate's hash and issuer with every
    signature (ESS signing-certificate-v2). Built from the certificate each
    time, asn1crypto encoded it in 5 ms, a quarter of a signature; read back
    from its encoding it takes microseconds, and it is the same bytes.
    """
    from asn1crypto import tsp
    from pyhanko.sign.attributes import SigningCertificateV2Provider

    class KeptSigningCertificateV2(SigningCertificateV2Provider):
        async def build_attr_value(self, dry_run=False):
            return tsp.SigningCertificateV2.load(
                _signing_certificate_v2(self.signing_cert.dump())
            )

    class KeptAttributes:
        def __init__(self, spec) -> None:
            self.spec = spec

        def signed_attr_providers(self, data_digest: bytes, digest_algorithm: str):
            for provider in self.spec.signed_attr_providers(
                data_digest=data_digest, digest_algorithm=digest_algorithm
            ):
                if type(provider) is SigningCertificateV2Provider:
                    provider = KeptSigningCertificateV2(provider.signing_cert)
                yield provider

    class KeptAttributesMixin:
        def _signed_attr_provider_spec(self, *args, **kwargs):
            return KeptAttributes(super()._signed_attr_provider_spec(*args, **kwargs))

    return KeptAttributesMixin


@lru_cache(maxsize=1)
def _locked_pkcs11_signer_class():
    from pyhanko.sign.pkcs11 import PKCS11Signer

    class LockedPkcs11Signer(_kept_attributes_mixin(), PKCS11Signer):
        """PKCS11Signer whose raw signatures take the session's lock.

        The lock is also held while the session is replaced, so a signature
        never runs on a session that another thread is closing.
        """

        lock: threading.RLock

        async def async_sign_raw(
            self, data: bytes, digest_algorithm: str, dry_run=False
        ) -> bytes:
            if dry_run:
                return await super().async_sign_raw(data, digest_algorithm, True)
            # Each sign_pdf runs its own event loop in the calling thread, so
            # blocking here holds up only that signature.
            with self.lock:
                return await super().async_sign_raw(data, digest_algorithm)

    return LockedPkcs11Signer


def _kept_key_signer_class():
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from pyhanko.sign.general import get_pyca_cryptography_hash
    from pyhanko.sign.signers import SimpleSigner

    class KeptKeySigner(_kept_attributes_mixin(), SimpleSigner):
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

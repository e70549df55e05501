"""HSM signing against a real SoftHSM2 token, and RFC 3161 time-stamps from a
real time-stamp server on loopback.

Nothing here is mocked: the token is created with softhsm2-util in a
temporary SOFTHSM2_CONF directory, keys are imported into it, documents are
rendered by WeasyPrint, signed through PKCS#11 and checked with pyHanko,
poppler's pdfsig and the project's own verification page. The time-stamp
server is an http.server thread answering TimeStampReq with pyHanko's
DummyTimeStamper (RSA, a self-made TSA certificate with the timeStamping
purpose).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from asn1crypto.pem import armor as pem_armor
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents import signing
from documents.models import IssuedDocument
from documents.signing import SigningError, get_signer
from documents.verification import check_signature, verify_pdf
from tests.documents.conftest import APPROVAL_RECORD, stored_bytes

pytestmark = pytest.mark.django_db

TOKEN = "issuing-token"
PIN = "246810"
SO_PIN = "13579135"
MODULE_CANDIDATES = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
)


# --- Certificates ------------------------------------------------------------


def _name(common_name: str):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "架空県"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _certificate(subject, key, issuer=None, issuer_key=None, *, ca=False, eku=None):
    """A certificate for ``key``; self-signed when no issuer is given."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    now = dt.datetime.now(dt.UTC)
    issuer, issuer_key = (issuer, issuer_key) if issuer else (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            False,
        )
    )
    if eku:
        # RFC 3161 wants the timeStamping purpose alone, and critical.
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _der(cert) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return cert.public_bytes(Encoding.DER)


def _asn1(cert):
    from asn1crypto import x509

    return x509.Certificate.load(_der(cert))


def _pem_file(path: Path, cert) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding

    path.write_bytes(cert.public_bytes(Encoding.PEM))
    return str(path)


# --- SoftHSM2 token ------------------------------------------------------------


@dataclass
class Hsm:
    module: str
    ca: object  # asn1crypto certificate of the CA kept on the token
    keys: dict[str, str] = field(default_factory=dict)  # kind -> key label


def _softhsm_module() -> str | None:
    if shutil.which("softhsm2-util") is None:
        return None
    return next((p for p in MODULE_CANDIDATES if Path(p).is_file()), None)


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory):
    """One SoftHSM2 token for the session: a CA, an ECDSA and an RSA signer.

    SoftHSM reads SOFTHSM2_CONF when the module is initialised, once per
    process, so the token directory is made once and the variable stays set
    for the whole session.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    module = _softhsm_module()
    if module is None:
        pytest.skip(
            "softhsm2 is not installed (Debian package softhsm2; "
            "`make test-system-deps` installs it)"
        )
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    root = tmp_path_factory.mktemp("softhsm")
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {root / 'tokens'}\n"
        "objectstore.backend = file\nlog.level = ERROR\n"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", str(conf))

        def util(*args: str) -> None:
            subprocess.run(
                ["softhsm2-util", *args], check=True, capture_output=True, text=True
            )

        util(
            "--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", SO_PIN
        )
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = _name("架空県 署名検証用認証局 (SoftHSM test)")
        ca = _certificate(ca_name, ca_key, ca=True)
        hsm = Hsm(module=module, ca=_asn1(ca))
        certificates = {"ca": (ca, b"\x00")}
        for index, (kind, key) in enumerate(
            [
                ("ecdsa", ec.generate_private_key(ec.SECP256R1())),
                ("rsa", rsa.generate_private_key(public_exponent=65537, key_size=2048)),
            ],
            start=1,
        ):
            label = f"{kind}-signing-key"
            pem = root / f"{kind}.pem"
            pem.write_bytes(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
            util(
                "--import", str(pem), "--token", TOKEN, "--label", label,
                "--id", f"{index:02x}", "--pin", PIN,
            )  # fmt: skip
            pem.unlink()  # the private key now lives only in the token
            certificates[label] = (
                _certificate(
                    _name(f"架空県知事 公印 {kind.upper()} (SoftHSM test)"),
                    key,
                    ca_name,
                    ca_key,
                ),
                bytes([index]),  # the key's id, as PKCS#11 tools pair them
            )
            hsm.keys[kind] = label
        # softhsm2-util imports keys only: certificates go in through PKCS#11.
        lib = pkcs11.lib(module)
        with lib.get_token(token_label=TOKEN).open(rw=True, user_pin=PIN) as session:
            for label, (cert, object_id) in certificates.items():
                session.create_object(
                    {
                        Attribute.CLASS: ObjectClass.CERTIFICATE,
                        Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                        Attribute.TOKEN: True,
                        Attribute.LABEL: label,
                        Attribute.ID: object_id,
                        Attribute.SUBJECT: _asn1(cert).subject.dump(),
                        Attribute.VALUE: _der(cert),
                    }
                )
        yield hsm


@pytest.fixture
def hsm_signing(settings, softhsm):
    """DOCUMENT_SIGNER is the PKCS#11 signer on the SoftHSM token (ECDSA key)."""
    settings.DOCUMENT_SIGNER = "documents.signing.Pkcs11Signer"
    settings.DOCUMENT_PKCS11_MODULE = softhsm.module
    settings.DOCUMENT_PKCS11_TOKEN_LABEL = TOKEN
    settings.DOCUMENT_PKCS11_KEY_LABEL = softhsm.keys["ecdsa"]
    settings.DOCUMENT_PKCS11_CERT_LABEL = ""
    settings.DOCUMENT_PKCS11_PIN = PIN
    signing.reset_signer()
    yield softhsm
    _close_cached_signer()


def _close_cached_signer() -> None:
    # Login is per process: a session left open would keep the token logged
    # in for the next test (and hide a wrong PIN there).
    if signing._build_signer.cache_info().currsize:
        signer = get_signer()
        if isinstance(signer, signing.Pkcs11Signer):
            signer.close()
    signing.reset_signer()


def _issue(application) -> IssuedDocument:
    from documents.services import document_issue, document_request

    document = document_request(
        application=application, approved=True, approval_record=APPROVAL_RECORD
    )
    return document_issue(document=document)


def _validate(data: bytes, trust_roots: list):
    """pyHanko's own status of the signature, with only ``trust_roots`` trusted."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    embedded = PdfFileReader(io.BytesIO(data)).embedded_regular_signatures[-1]
    context = ValidationContext(trust_roots=trust_roots, allow_fetching=False)
    return validate_pdf_signature(embedded, context)


def _pdfsig(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "signed.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdfsig", str(path)], capture_output=True, text=True, check=False
    ).stdout


def _rendered(application) -> bytes:
    """A real rendered (unsigned) notice, as the issuing service makes it."""
    from documents.rendering import render_pdf
    from documents.services import document_request

    document = document_request(
        application=application, approved=True, approval_record=APPROVAL_RECORD
    )
    return render_pdf(document.snapshot)


def _sign(data: bytes) -> bytes:
    return get_signer().sign(data, reason="許可書 テスト", location="架空県")


# --- PKCS#11 signer ------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ecdsa", "rsa"])
def test_document_signed_in_the_hsm_is_valid_everywhere(
    kind, hsm_signing, settings, application, client, tmp_path
):
    settings.DOCUMENT_PKCS11_KEY_LABEL = hsm_signing.keys[kind]
    signing.reset_signer()

    document = _issue(application)
    data = stored_bytes(document)

    assert document.status == IssuedDocument.Status.ISSUED, document.last_error
    status = _validate(data, [hsm_signing.ca])
    assert status.bottom_line, status.summary()
    assert status.signing_cert.subject.native["common_name"].endswith(
        f"{kind.upper()} (SoftHSM test)"
    )
    assert status.md_algorithm == "sha256"
    assert status.pkcs7_signature_mechanism == f"sha256_{kind}"
    pdfsig = _pdfsig(data, tmp_path)
    assert "Signature is Valid." in pdfsig
    assert "Total document signed" in pdfsig
    assert f"{kind.upper()} (SoftHSM test)" in pdfsig
    # The CA kept on the token is the trust root of the verification page.
    assert [c.dump() for c in get_signer().trust_roots()] == [hsm_signing.ca.dump()]
    assert verify_pdf(data).genuine
    page = client.post(
        reverse("documents:verify"),
        {"file": SimpleUploadedFile("permit.pdf", data, "application/pdf")},
    ).content.decode()
    assert "正本です" in page
    assert document.number in page


def test_one_session_per_process_shared_safely_by_threads(hsm_signing, application):
    data = _rendered(application)
    signer = get_signer()
    _sign(data)
    session = signer._session
    barrier = threading.Barrier(4)

    def sign_twice(_: int) -> list[bytes]:
        barrier.wait()  # all four threads reach the HSM together
        return [_sign(data), _sign(data)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        signed = [pdf for pair in pool.map(sign_twice, range(4)) for pdf in pair]

    assert len(signed) == 8
    assert all(check_signature(pdf).valid for pdf in signed)
    assert len({pdf for pdf in signed}) == 8  # eight signatures, none reused
    assert get_signer() is signer
    assert signer._session is session  # never reopened


def test_a_session_dropped_by_the_hsm_is_opened_again(hsm_signing, application):
    data = _rendered(application)
    signer = get_signer()
    _sign(data)
    lost = signer._session
    lost.close()  # as an HSM restart or a network HSM reconnect would

    signed = _sign(data)

    assert check_signature(signed).valid
    assert signer._session is not lost


def test_a_forked_worker_opens_its_own_session(hsm_signing, application):
    # SoftHSM itself would go on working with the parent's session; vendor
    # modules (network HSM clients) do not, so the child must open its own.
    data = _rendered(application)
    _sign(data)  # the parent has a session before the fork (gunicorn --preload)
    inherited = get_signer()._session
    read_end, write_end = os.pipe()

    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child's result is checked below)
        code = 1
        try:
            os.close(read_end)
            signed = _sign(data)
            own = get_signer()._session is not inherited
            with os.fdopen(write_end, "wb") as out:
                out.write((b"own" if own else b"old") + signed)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        from_child = pipe.read()
    _, status = os.waitpid(pid, 0)

    assert os.waitstatus_to_exitcode(status) == 0
    assert from_child[:3] == b"own"
    assert check_signature(from_child[3:]).valid
    assert check_signature(_sign(data)).valid  # the parent's session still works


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        (
            "DOCUMENT_PKCS11_MODULE",
            "/opt/vendor/lib/libnohsm.so",
            "PKCS#11 module /opt/vendor/lib/libnohsm.so (DOCUMENT_PKCS11_MODULE) "
            "does not exist.",
        ),
        (
            "DOCUMENT_PKCS11_TOKEN_LABEL",
            "no-such-token",
            f"No PKCS#11 token labelled 'no-such-token' in {{module}} "
            f"(DOCUMENT_PKCS11_TOKEN_LABEL; tokens present: {TOKEN}).",
        ),
        (
            "DOCUMENT_PKCS11_KEY_LABEL",
            "no-such-key",
            "No certificate labelled 'no-such-key' (DOCUMENT_PKCS11_CERT_LABEL)",
        ),
        (
            "DOCUMENT_PKCS11_CERT_LABEL",
            "ca",  # a certificate on the token without a private key
            "The certificate 'ca' (DOCUMENT_PKCS11_CERT_LABEL) is not the "
            "certificate of the key 'ecdsa-signing-key' (DOCUMENT_PKCS11_KEY_LABEL)",
        ),
        (
            "DOCUMENT_PKCS11_PIN",
            "000000",
            f"The token '{TOKEN}' of {{module}} rejected the PIN "
            "(DOCUMENT_PKCS11_PIN).",
        ),
        (
            "DOCUMENT_PKCS11_TOKEN_LABEL",
            "",
            "HSM signing needs DOCUMENT_PKCS11_TOKEN_LABEL to be set.",
        ),
    ],
)
def test_missing_module_token_or_key_is_a_clear_signing_error(
    setting, value, message, hsm_signing, settings
):
    setattr(settings, setting, value)
    signing.reset_signer()

    with pytest.raises(SigningError) as error:
        _sign(b"%PDF-1.7 not reached")

    assert message.format(module=hsm_signing.module) in str(error.value)


def test_key_label_that_matches_no_key_names_the_key(hsm_signing, settings):
    # The certificate is found (CERT_LABEL), the key is not: the error says so.
    settings.DOCUMENT_PKCS11_CERT_LABEL = hsm_signing.keys["ecdsa"]
    settings.DOCUMENT_PKCS11_KEY_LABEL = "retired-key"
    signing.reset_signer()

    with pytest.raises(SigningError, match="Could not find private key"):
        get_signer().trust_roots()


def test_verification_page_works_while_the_hsm_is_down(
    hsm_signing, settings, application, tmp_path
):
    data = stored_bytes(_issue(application))
    root = tmp_path / "ca.pem"
    root.write_bytes(pem_armor("CERTIFICATE", hsm_signing.ca.dump()))
    settings.DOCUMENT_SIGNING_TRUST_ROOTS = [str(root)]
    _close_cached_signer()
    settings.DOCUMENT_PKCS11_TOKEN_LABEL = "unplugged"

    # The token's own CA cannot be read; the configured root still verifies.
    assert verify_pdf(data).genuine


def test_hsm_unavailable_at_issue_fails_for_retry_then_issues(
    hsm_signing, settings, application
):
    settings.DOCUMENT_PKCS11_TOKEN_LABEL = "token-being-replaced"
    signing.reset_signer()

    failed = _issue(application)

    assert failed.status == IssuedDocument.Status.FAILED
    assert failed.last_error.startswith(
        "SigningError: No PKCS#11 token labelled 'token-being-replaced'"
    )
    assert failed.next_attempt_at is not None
    settings.DOCUMENT_PKCS11_TOKEN_LABEL = TOKEN
    signing.reset_signer()
    from documents.services import document_issue

    issued = document_issue(document=failed)
    assert issued.status == IssuedDocument.Status.ISSUED
    assert verify_pdf(stored_bytes(issued)).genuine


# --- Time-stamps -------------------------------------------------------------


@dataclass
class TimeStampServer:
    url: str
    root: object  # asn1crypto certificate of the TSA's CA
    root_pem: str
    requests: int = 0


@pytest.fixture(scope="session")
def tsa(tmp_path_factory):
    """A real RFC 3161 server on loopback, answering with DummyTimeStamper."""
    from asn1crypto import keys, tsp
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = _name("架空 タイムスタンプ認証局 (test TSA root)")
    root = _certificate(root_name, root_key, ca=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = _certificate(
        _name("架空 タイムスタンプ局 (test TSA)"),
        key,
        root_name,
        root_key,
        eku=[ExtendedKeyUsageOID.TIME_STAMPING],
    )
    stamper = DummyTimeStamper(
        tsa_cert=_asn1(cert),
        tsa_key=keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        certs_to_embed=[_asn1(root)],
    )
    directory = tmp_path_factory.mktemp("tsa")
    server_state = TimeStampServer(
        url="", root=_asn1(root), root_pem=_pem_file(directory / "tsa-root.pem", root)
    )

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if self.headers.get("Content-Type") != "application/timestamp-query":
                self.send_error(415)
                return
            reply = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            server_state.requests += 1
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args) -> None:  # keep the test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_state.url = f"http://127.0.0.1:{server.server_address[1]}/tsa"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server_state
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(params=["pkcs12", "pkcs11"])
def signer_kind(request):
    """Each time-stamp test runs with both signers."""
    if request.param == "pkcs11":
        request.getfixturevalue("hsm_signing")
    return request.param


def _closed_port_url() -> str:
    """A loopback URL where nothing listens: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/tsa"


def test_signature_carries_a_trusted_timestamp(
    signer_kind, tsa, settings, application, tmp_path
):
    settings.DOCUMENT_TSA_URL = tsa.url
    settings.DOCUMENT_SIGNING_TRUST_ROOTS = [tsa.root_pem]
    signing.reset_signer()
    before = tsa.requests
    started = dt.datetime.now(dt.UTC)

    document = _issue(application)
    data = stored_bytes(document)

    assert document.status == IssuedDocument.Status.ISSUED, document.last_error
    assert tsa.requests > before
    status = _validate(data, [*get_signer().trust_roots(), tsa.root])
    stamp = status.timestamp_validity
    assert stamp is not None, "no signature time-stamp"
    assert stamp.intact, stamp.summary()
    assert stamp.valid, stamp.summary()
    assert stamp.trusted, stamp.summary()
    assert started - dt.timedelta(seconds=5) <= stamp.timestamp
    assert stamp.timestamp <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)
    assert "TSA" in stamp.signing_cert.subject.native["common_name"]
    assert status.bottom_line, status.summary()
    # The project's verification accepts it with the TSA's root configured.
    assert verify_pdf(data).genuine
    assert "Signature is Valid." in _pdfsig(data, tmp_path)


def test_timestamp_from_an_untrusted_tsa_is_not_genuine(tsa, settings, application):
    # Why the TSA's root belongs in DOCUMENT_SIGNING_TRUST_ROOTS: pyHanko's
    # bottom line includes the time-stamp, and the page follows it.
    settings.DOCUMENT_TSA_URL = tsa.url
    settings.DOCUMENT_SIGNING_TRUST_ROOTS = []
    signing.reset_signer()

    data = stored_bytes(_issue(application))

    check = check_signature(data)
    assert check.intact
    assert check.trusted  # the signer is ours …
    assert not check.bottom_line  # … the time-stamp's issuer is unknown
    assert check.timestamp_unverified
    verification = verify_pdf(data)
    assert not verification.genuine
    # The page says why, not only that the signature is valid.
    assert "署名に付いた時刻証明（タイムスタンプ）を確認できません。" in (
        verification.messages
    )


def test_tsa_that_is_down_is_a_signing_error_at_once(signer_kind, settings):
    settings.DOCUMENT_TSA_URL = url = _closed_port_url()
    signing.reset_signer()

    started = time.monotonic()
    with pytest.raises(SigningError) as error:
        _sign(_minimal_pdf())
    elapsed = time.monotonic() - started

    assert str(error.value).startswith(f"Time-stamp service {url} failed")
    assert "ConnectionError" in str(error.value)
    assert elapsed < 3


def test_tsa_that_never_answers_times_out(signer_kind, settings):
    # It accepts the connection (the kernel's backlog) and says nothing.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        settings.DOCUMENT_TSA_URL = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        settings.DOCUMENT_TSA_TIMEOUT_SECONDS = 1
        signing.reset_signer()

        started = time.monotonic()
        with pytest.raises(SigningError) as error:
            _sign(_minimal_pdf())
        elapsed = time.monotonic() - started

    assert "times out after 1 s" in str(error.value)
    assert "ReadTimeout" in str(error.value)
    assert 0.9 <= elapsed < 4


def test_issuing_with_the_tsa_down_fails_for_retry_then_issues(
    tsa, settings, application
):
    from documents.services import document_issue

    settings.DOCUMENT_TSA_URL = _closed_port_url()
    settings.DOCUMENT_SIGNING_TRUST_ROOTS = [tsa.root_pem]
    signing.reset_signer()

    failed = _issue(application)

    assert failed.status == IssuedDocument.Status.FAILED
    assert failed.last_error.startswith("SigningError: Time-stamp service http://")
    assert failed.next_attempt_at is not None
    settings.DOCUMENT_TSA_URL = tsa.url  # the service is back
    signing.reset_signer()
    issued = document_issue(document=failed)
    assert issued.status == IssuedDocument.Status.ISSUED
    data = stored_bytes(issued)
    assert _validate(data, [*get_signer().trust_roots(), tsa.root]).timestamp_validity
    assert verify_pdf(data).genuine


def _minimal_pdf() -> bytes:
    """A one-page PDF (the TSA is asked before anything is rendered into it)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PdfFileWriter

    writer = PdfFileWriter()
    writer.insert_page(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/Page"),
                generic.NameObject("/MediaBox"): generic.ArrayObject(
                    [generic.NumberObject(n) for n in (0, 0, 595, 842)]
                ),
            }
        )
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

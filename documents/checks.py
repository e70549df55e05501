"""System checks: production must sign with a real, readable, valid certificate."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core import checks

from documents.signing import DEVELOPMENT_SUBJECT


@checks.register(checks.Tags.security, deploy=True)
def signing_certificate_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if not settings.DOCUMENT_SIGNER.endswith("Pkcs12Signer"):
        return []  # an HSM: its key never leaves it, nothing to read here
    if not settings.DOCUMENT_SIGNING_PKCS12:
        return [
            checks.Warning(
                "Official documents are signed with the development certificate.",
                hint="Set DOCUMENT_SIGNING_PKCS12 and DOCUMENT_SIGNING_PASSWORD "
                "(or DOCUMENT_SIGNER for an HSM).",
                id="documents.W001",
            )
        ]
    return _configured_certificate_problems(Path(settings.DOCUMENT_SIGNING_PKCS12))


def _configured_certificate_problems(path: Path) -> list[checks.CheckMessage]:
    """What would make the first issue fail, or print a signature nobody trusts."""
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    password = settings.DOCUMENT_SIGNING_PASSWORD
    try:
        key, cert, _others = pkcs12.load_key_and_certificates(
            path.read_bytes(), password.encode() if password else None
        )
    except (OSError, ValueError) as error:
        return [
            checks.Warning(
                f"DOCUMENT_SIGNING_PKCS12 ({path}) cannot be read: {error}",
                hint="Check the path, the file's owner and DOCUMENT_SIGNING_PASSWORD.",
                id="documents.W002",
            )
        ]
    if key is None or cert is None:
        return [
            checks.Warning(
                f"{path} holds no signing key and certificate.",
                id="documents.W002",
            )
        ]
    problems: list[checks.CheckMessage] = []
    names = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    if DEVELOPMENT_SUBJECT in names:
        problems.append(
            checks.Warning(
                f"{path} is a development certificate (NOT FOR PRODUCTION).",
                hint="Use the certificate issued for the prefecture's signer.",
                id="documents.W003",
            )
        )
    now = dt.datetime.now(dt.UTC)
    if cert.not_valid_after_utc < now + dt.timedelta(days=30):
        problems.append(
            checks.Warning(
                f"The signing certificate in {path} expires on "
                f"{cert.not_valid_after_utc:%Y-%m-%d}.",
                hint="Renew it: documents signed after that date do not verify.",
                id="documents.W004",
            )
        )
    return problems

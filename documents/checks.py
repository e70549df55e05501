"""System checks: production must not sign with the development certificate."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def signing_certificate_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if settings.DOCUMENT_SIGNING_PKCS12 or not settings.DOCUMENT_SIGNER.endswith(
        "Pkcs12Signer"
    ):
        return []
    return [
        checks.Warning(
            "Official documents are signed with the development certificate.",
            hint="Set DOCUMENT_SIGNING_PKCS12 and DOCUMENT_SIGNING_PASSWORD "
            "(or DOCUMENT_SIGNER for an HSM).",
            id="documents.W001",
        )
    ]

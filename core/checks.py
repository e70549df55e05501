"""System checks: the audit chain's key."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def audit_key_id_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    keys = settings.AUDIT_HMAC_KEYS
    if not keys:
        return []
    errors = []
    if settings.AUDIT_HMAC_KEY_ID not in keys:
        errors.append(
            checks.Error(
                "AUDIT_HMAC_KEY_ID names a key that AUDIT_HMAC_KEYS does not list.",
                id="core.E001",
            )
        )
    if any(not key_id or not secret for key_id, secret in keys.items()):
        errors.append(
            checks.Error(
                "AUDIT_HMAC_KEYS has an entry without an id or a secret.",
                hint='Write it as "id:secret,id:secret".',
                id="core.E002",
            )
        )
    return errors


@checks.register(checks.Tags.security, deploy=True)
def audit_key_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if settings.AUDIT_HMAC_KEYS:
        return []
    return [
        checks.Warning(
            "The audit log is keyed with a key derived from SECRET_KEY.",
            hint="Set AUDIT_HMAC_KEYS (and keep old ids listed after a rotation); "
            "rotating SECRET_KEY would otherwise leave older events unverifiable.",
            id="core.W001",
        )
    ]

"""Reads of issued documents and their templates."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404

from documents.models import DocumentTemplate, IssuedDocument


def document_for_application(application: Any) -> IssuedDocument | None:
    """The notice of an application (issued or still being made), if any."""
    return (
        IssuedDocument.objects.select_related(
            "department", "mailed_by", "first_downloaded_by"
        )
        .filter(application=application)
        .first()
    )


def document_for_applicant(*, public_id: uuid.UUID, user: Any) -> IssuedDocument:
    """The applicant's own stored document, or 404 for anyone else."""
    document = (
        IssuedDocument.objects.filter(
            public_id=public_id,
            application__applicant_id=getattr(user, "pk", None),
            status=IssuedDocument.Status.ISSUED,
            # A notice the applicant did not agree to receive electronically
            # is mailed (デジタル手続法第7条).
            electronic_delivery=True,
        )
        .select_related("department")
        .first()
    )
    if document is None:
        raise Http404
    return document


def document_by_token(token: str) -> IssuedDocument | None:
    """The document a QR code points at (only once it is issued)."""
    return (
        IssuedDocument.objects.filter(
            verification_token=token, status=IssuedDocument.Status.ISSUED
        )
        .select_related("department", "application__procedure_version")
        .first()
    )


def document_matching(
    *, sha256: str, signed_revision_sha256: str = "", signature_sha256: str = ""
) -> tuple[IssuedDocument | None, bool]:
    """Which issued document a file is, and whether it is that exact file.

    A file that is not byte-identical may still be ours: an appended update
    keeps the signed revision; an edit elsewhere keeps the signature itself.
    """
    issued = IssuedDocument.objects.filter(
        status=IssuedDocument.Status.ISSUED
    ).select_related("department")
    exact = issued.filter(sha256=sha256).first()
    if exact is not None:
        return exact, True
    if signed_revision_sha256:
        prefix = issued.filter(sha256=signed_revision_sha256).first()
        if prefix is not None:
            return prefix, False
    if signature_sha256:
        same_signature = issued.filter(signature_sha256=signature_sha256).first()
        if same_signature is not None:
            return same_signature, False
    return None, False


def template_for_version(procedure_version: Any) -> DocumentTemplate:
    """The version's template, or an unsaved default permit template."""
    try:
        return procedure_version.document_template
    except DocumentTemplate.DoesNotExist:
        from documents.defaults import PRESETS

        return DocumentTemplate(
            procedure_version=procedure_version,
            preset=DocumentTemplate.Preset.PERMIT,
            **PRESETS[DocumentTemplate.Preset.PERMIT],
        )

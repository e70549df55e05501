"""Background jobs of the documents app (queued through ``core.background``)."""

from __future__ import annotations

from core.background import background_task


@background_task
def issue_document(document_id: int) -> str:
    """Issue one requested document; a failure is retried at its back-off."""
    from documents.services import document_issue_by_id

    return document_issue_by_id(document_id=document_id)


@background_task
def issue_pending_documents() -> dict[str, int]:
    """Periodic: issue documents left pending, failed and due, or abandoned."""
    from documents.services import document_issue_pending

    return document_issue_pending()

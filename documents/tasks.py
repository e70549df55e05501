"""Background work of the documents app (Celery, or in-process without a broker)."""

from __future__ import annotations

from celery import shared_task


@shared_task(bind=True, max_retries=6, acks_late=True)
def issue_document(self, document_id: int) -> str:
    """Issue one requested document; retry with back-off while it fails."""
    from documents.models import IssuedDocument
    from documents.services import _backoff, document_issue

    document = (
        IssuedDocument.objects.select_related("department")
        .filter(pk=document_id)
        .first()
    )
    if document is None:
        return "missing"
    document = document_issue(document=document)
    if document.status == IssuedDocument.Status.FAILED and not self.request.is_eager:
        # Beyond these retries the periodic poller keeps trying at the capped
        # interval, so nothing is dropped.
        raise self.retry(countdown=_backoff(document.attempts).total_seconds())
    return document.status


@shared_task
def issue_pending_documents() -> dict[str, int]:
    """Periodic: pick up documents left pending or failed (beat schedule)."""
    from documents.services import document_issue_pending

    return document_issue_pending()

"""Files that residents and staff download: private, never rendered inline."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404


def private_download(
    open_file: Any, *, filename: str, content_type: str = "application/octet-stream"
) -> FileResponse:
    """A download of a stored file, or 404 when the storage cannot open it.

    Always an attachment with ``nosniff``: an uploaded HTML or SVG file can
    never run in the site's origin. Never cached: the caller has checked that
    this user may have the file, and a shared cache must not keep it.
    ``open_file`` is a callable that opens the file for reading.
    """
    try:
        handle = open_file()
    except (OSError, ValueError) as error:  # FileNotFoundError, S3 errors
        raise Http404 from error
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

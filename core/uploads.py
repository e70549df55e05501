"""Checks for uploaded files: type by content and an optional virus scan.

The scanner is chosen by the ``UPLOAD_SCANNER`` setting (a dotted path), as
Django chooses its password hashers; the default scans nothing.
"""

from __future__ import annotations

import socket
import struct
from functools import lru_cache
from typing import IO, Protocol

import magic
from django.conf import settings
from django.utils.module_loading import import_string

SNIFF_BYTES = 8192


class UploadRejected(Exception):
    """The file must not be stored; ``message`` is shown to the uploader."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UploadScanner(Protocol):
    def scan(self, file: IO[bytes]) -> None:
        """Raise UploadRejected when the file is infected."""


class NoScanner:
    """No virus scanning (the default: state this in the deployment docs)."""

    def scan(self, file: IO[bytes]) -> None:
        return None


class ClamdScanner:
    """Scan through a clamd daemon's INSTREAM command over TCP.

    Configure with ``CLAMD_HOST`` / ``CLAMD_PORT`` settings.
    """

    chunk_size = 64 * 1024

    def scan(self, file: IO[bytes]) -> None:
        from django.utils.translation import gettext as _

        host = getattr(settings, "CLAMD_HOST", "127.0.0.1")
        port = getattr(settings, "CLAMD_PORT", 3310)
        file.seek(0)
        with socket.create_connection((host, port), timeout=10) as conn:
            conn.sendall(b"zINSTREAM\0")
            while chunk := file.read(self.chunk_size):
                conn.sendall(struct.pack("!L", len(chunk)) + chunk)
            conn.sendall(struct.pack("!L", 0))
            reply = conn.recv(4096).rstrip(b"\0").decode(errors="replace")
        file.seek(0)
        if reply.endswith("FOUND"):
            raise UploadRejected(
                _("ファイルからウイルスが検出されたため、受け付けできません。")
            )
        if not reply.endswith("OK"):
            raise UploadRejected(
                _(
                    "ファイルを検査できませんでした。時間をおいてもう一度お試しください。"
                )
            )


@lru_cache(maxsize=1)
def get_scanner() -> UploadScanner:
    return import_string(settings.UPLOAD_SCANNER)()


def sniff_content_type(file: IO[bytes]) -> str:
    """The MIME type read from the file's bytes, never from its name."""
    position = file.tell()
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(position)
    return magic.from_buffer(head, mime=True)

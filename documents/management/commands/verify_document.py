"""Check a PDF file as the public verification page does.

Exit status 0 only for a genuine, unaltered document; 1 otherwise.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.japanese import format_wareki
from documents.verification import verify_pdf


class Command(BaseCommand):
    help = "Verify the signature and the issue record of an official document PDF."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options) -> None:
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from error
        result = verify_pdf(data)
        self.stdout.write(result.headline)
        for message in result.messages:
            self.stdout.write(f"- {message}")
        document = result.document
        if document is not None:
            self.stdout.write(f"文書番号: {document.number}")
            self.stdout.write(f"発行日: {format_wareki(document.issued_on)}")
            self.stdout.write(f"発行部局: {document.department.name}")
            self.stdout.write(f"記録のSHA-256: {document.sha256}")
        self.stdout.write(f"このファイルのSHA-256: {result.sha256}")
        if result.check.signer:
            self.stdout.write(f"署名者: {result.check.signer}")
        if not result.genuine:
            raise SystemExit(1)

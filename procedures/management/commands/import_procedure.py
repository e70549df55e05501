"""Import a procedure package file as a new draft version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from procedures import packages


class Command(BaseCommand):
    help = (
        "Import a procedure package (JSON) as a new draft version; "
        "a broken package changes nothing. Use - for stdin."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="package file, or - for standard input")

    def handle(self, *args: Any, **options: Any) -> None:
        import sys

        name = options["file"]
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {name}: {exc}") from exc
        try:
            version = packages.package_import(
                package=packages.package_loads(text), actor=None
            )
        except packages.PackageError as exc:
            raise CommandError(
                f"package refused, nothing changed: {exc.message}"
            ) from exc
        self.stdout.write(
            f"imported {version.procedure.code} as draft version {version.number}\n"
        )

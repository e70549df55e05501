"""Write a procedure's package (JSON) to standard output."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from procedures import packages
from procedures.models import Procedure


class Command(BaseCommand):
    help = "Write the package of procedure CODE (its published version) to stdout."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="procedure code")
        parser.add_argument(
            "--number", type=int, dest="number", help="a version number to export"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        procedure = Procedure.objects.filter(code=options["code"]).first()
        if procedure is None:
            raise CommandError(f"no procedure with code {options['code']!r}")
        try:
            if options["number"]:
                version = procedure.versions.filter(number=options["number"]).first()
                if version is None:
                    raise CommandError(f"no version {options['number']}")
                package = packages.package_export(version=version)
            else:
                package = packages.package_export_procedure(procedure=procedure)
        except packages.PackageError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(packages.package_dumps(package), ending="")

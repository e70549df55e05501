"""The seam between applications and the approval workflow.

Imports go one way (procedures <- workflow), yet submitting an application
must start its case in the same transaction. The engine that runs cases is
therefore chosen by the ``PROCEDURES_CASE_ENGINE`` setting, as Django
chooses its authentication backends.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from procedures.models import Application


class CaseEngine(Protocol):
    def start(self, application: Application) -> None:
        """Open the case of a just-submitted application (same transaction)."""

    def resubmit(self, application: Application) -> None:
        """Return an amended application to review (same transaction)."""

    def withdraw(self, application: Application) -> None:
        """Cancel the open case of a withdrawn application (same transaction)."""


@lru_cache(maxsize=1)
def get_case_engine() -> CaseEngine:
    return import_string(settings.PROCEDURES_CASE_ENGINE)()

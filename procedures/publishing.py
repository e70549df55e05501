"""Checks a procedure version must pass before it is published.

Imports go one way (procedures <- workflow), yet the route a version is
published with belongs to the workflow. The checks are therefore named by
the ``PROCEDURES_PUBLISH_CHECKS`` setting (dotted paths of functions taking
the version and returning :class:`PublishProblem`s), as the case engine is
named by ``PROCEDURES_CASE_ENGINE``. ``PROCEDURES_VERSION_PANELS`` names,
the same way, what the procedure's manage page shows of a version's route.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from procedures.models import ProcedureVersion


@dataclass(frozen=True)
class PublishProblem:
    """One finding: an error blocks publishing, a warning must be accepted.

    ``place`` names where the administrator fixes it, when the procedure's
    own pages hold it (``addressee_<role>``: that drop-down of the version's
    edit page); the refusal links there.
    """

    message: str
    warning: bool = False
    place: str = ""


def publish_problems(version: ProcedureVersion) -> list[PublishProblem]:
    """Every check's findings on ``version``, errors first."""
    problems: list[PublishProblem] = []
    for path in getattr(settings, "PROCEDURES_PUBLISH_CHECKS", ()):
        check: Any = import_string(path)
        problems.extend(check(version))
    return sorted(problems, key=lambda problem: problem.warning)


def version_panels(request: Any, version: ProcedureVersion) -> list[str]:
    """HTML the apps downstream show for ``version`` on the procedure's
    manage page (the workflow's picture of the route), from the functions
    ``PROCEDURES_VERSION_PANELS`` names; each returns safe HTML or ""."""
    panels = []
    for path in getattr(settings, "PROCEDURES_VERSION_PANELS", ()):
        html = import_string(path)(request, version)
        if html:
            panels.append(html)
    return panels

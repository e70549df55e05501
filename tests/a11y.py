"""axe-core, as shipped by axe-playwright-python, run on a page in Chromium."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

_AXE = Axe()
# WCAG 2.1 A and AA, plus axe's best practices (landmarks, one h1, ...).
_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


def axe_violations(page, *, skip: tuple[str, ...] = ()) -> str:
    """A readable report of the page's axe violations; empty when there are none.

    ``skip`` names rules not to run, for markup that is not ours to change.
    """
    options = {**_OPTIONS, "rules": {rule: {"enabled": False} for rule in skip}}
    results = _AXE.run(page, options=options)
    if not results.violations_count:
        return ""
    return f"{page.url}\n{results.generate_report()}"

"""The case engine procedures calls (settings.PROCEDURES_CASE_ENGINE)."""

from __future__ import annotations

from typing import Any

from workflow import services


class ViewflowCaseEngine:
    """Runs each application's case on the generic viewflow flow.

    Each method is called inside procedures' submit/resubmit/withdraw
    transaction, with the application row already locked.
    """

    def start(self, application: Any) -> None:
        services.case_start(application=application)

    def resubmit(self, application: Any) -> None:
        services.case_resubmit(application=application)

    def withdraw(self, application: Any) -> None:
        services.case_withdraw(application=application)

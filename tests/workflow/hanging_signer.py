"""A signer that never returns: the worker holding a document is killed meanwhile.

Used by tests/workflow/test_background_queue.py in a worker subprocess
(``DOCUMENT_SIGNER=tests.workflow.hanging_signer.HangingSigner``), to stop
a worker at a known point, in the middle of issuing.
"""

from __future__ import annotations

import time


class HangingSigner:
    def sign(self, pdf: bytes, *, reason: str, location: str) -> bytes:
        time.sleep(3600)
        raise AssertionError("the test kills this worker first")

    def trust_roots(self) -> list:
        return []

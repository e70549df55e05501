"""The workflow's organisation, procedure and submit fixtures, reused."""

from tests.workflow.conftest import absence, org, signing, submit, version  # noqa: F401

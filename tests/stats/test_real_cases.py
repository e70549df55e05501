"""Issue 13: the rollup of cases run through the real services (workflow,
documents): 専決, staff actions, and the pages of the PDFs not printed."""

from __future__ import annotations

import pytest
from django.utils import timezone

from stats.models import DailyRollup, DecidedCase
from stats.services import rollup_days
from tests.workflow.conftest import signing, submit, version  # noqa: F401
from tests.workflow.helpers import decide

pytestmark = pytest.mark.django_db


def test_a_case_decided_by_the_kacho_counts_as_senketsu_with_its_pages(
    submit,  # noqa: F811
    org,
    signing,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    people = org["people"]
    application = submit(500_000, plan=True)
    decide(application, people["tanto"])
    decide(application, people["kakaricho"])
    with django_capture_on_commit_callbacks(execute=True):
        decide(application, people["kacho"])
    application.refresh_from_db()
    assert application.status == "approved"

    today = timezone.localdate()
    rollup_days(days=[today])
    row = DailyRollup.objects.get(day=today, outcome="approved")
    assert row.decided == 1
    # 担当, 係長, 課長 each claimed and approved/decided.
    assert row.human_actions == 6
    # The route goes up to the 知事; the 課長 decided under 専決.
    assert row.delegated == 1
    # The one-page PDF attached and the notice, one page or more.
    assert row.pages >= 2
    fact = DecidedCase.objects.get(application=application)
    assert (fact.calendar_days, fact.within_period) == (0, True)
    volumes = DailyRollup.objects.get(day=today, outcome="")
    assert (volumes.started, volumes.submitted) == (1, 1)

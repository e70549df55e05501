"""Issue 13: the rollup of cases run through the real services (workflow,
documents): 専決, staff actions, and the pages of the PDFs not printed."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from documents.models import IssuedDocument
from documents.services import document_record_download
from procedures.models import Application
from procedures.services import application_extend_due_date
from stats.models import DailyRollup, DecidedCase, DurationHistogram
from stats.selectors import monthly_figures
from stats.services import rollup_days
from tests.factories import AdministratorFactory
from tests.second_factor import verified_login
from tests.workflow.conftest import signing, submit, version  # noqa: F401
from tests.workflow.helpers import decide
from workflow.models import CaseTask

pytestmark = pytest.mark.django_db


def test_a_case_decided_by_the_kacho_counts_as_senketsu_with_its_pages(
    client,
    submit,  # noqa: F811
    org,
    signing,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    people = org["people"]
    application = submit(500_000, plan=True)
    # The resident consented to electronic delivery (デジタル手続法第7条).
    Application.objects.filter(pk=application.pk).update(
        delivery_consent_at=timezone.now()
    )
    # 延長 while under review: counted on the volumes row of the day.
    application_extend_due_date(
        application=application,
        actor=people["tanto"],
        due_date=timezone.localdate() + dt.timedelta(days=90),
        reason="調査に時間を要するため",
    )
    decide(application, people["tanto"])
    decide(application, people["kakaricho"])
    with django_capture_on_commit_callbacks(execute=True):
        decide(application, people["kacho"])
    application.refresh_from_db()
    assert application.status == "approved"

    # The resident downloads the notice issued electronically.
    document = IssuedDocument.objects.get(application=application)
    assert document.electronic_delivery
    document_record_download(document=document, user=application.applicant)

    today = timezone.localdate()
    rollup_days(days=[today])
    # Decided with the version's modelled outcome: counted by its kind.
    outcome = application.outcome.kind if application.outcome_id else "approved"
    row = DailyRollup.objects.get(day=today, outcome=outcome)
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
    assert volumes.extensions == 1
    assert (volumes.notices_issued, volumes.notices_downloaded) == (1, 1)
    # Drafted and submitted the same day.
    assert volumes.draft_days == 0
    # Where the case waited: one review task at each of the three levels,
    # each finished within the hour.
    waits = dict(
        DurationHistogram.objects.filter(
            month=today.replace(day=1), measure__startswith="wait:"
        ).values_list("measure", "cases")
    )
    levels = sorted(
        CaseTask.objects.filter(application=application, kind="review")
        .exclude(level=None)
        .values_list("level", flat=True)
        .distinct()
    )
    assert len(levels) == 3
    assert waits == {f"wait:{level}": 1 for level in levels}
    (month,) = monthly_figures(start=today, end=today)
    assert month.download_share == 100.0
    assert all(month.wait(level) == (0, 0) for level in levels)
    # The dashboard shows them, each with its CSV.
    verified_login(client, AdministratorFactory())
    query = {"start": f"{today:%Y-%m}", "end": f"{today:%Y-%m}"}
    page = client.get("/manage/kpi/", query).content.decode()
    for chart in ("waits", "drafts", "notices", "extensions"):
        assert f'id="table-{chart}"' in page
    for chart, expected in (("notices", "100"), ("extensions", "1"), ("drafts", "0")):
        response = client.get("/manage/kpi/", {**query, "csv": chart})
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[1][:2] == [f"{today:%Y-%m}", expected], chart

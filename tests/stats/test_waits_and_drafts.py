"""Issue 13: where cases wait (per level of the chain) and where residents
give up (drafts abandoned, by page), each equal to a naive recomputation."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import override_settings
from django.utils import timezone

from procedures import services as procedure_services
from procedures.models import Application
from stats.figures import percentile
from stats.models import DailyRollup
from stats.selectors import monthly_figures
from stats.services import rollup_days
from tests.factories import AdministratorFactory, ResidentFactory
from tests.second_factor import verified_login
from tests.stats.conftest import at
from tests.workflow.conftest import published_version, signing, submit, version  # noqa: F401
from tests.workflow.helpers import decide
from workflow.demo import seed_demo_route
from workflow.models import CaseTask

pytestmark = pytest.mark.django_db

THREE_PAGES = {
    "version": 1,
    "pages": [
        {
            "key": f"p{n}",
            "title": {"ja": f"{n}ページ目"},
            "fields": [{"key": f"q{n}", "type": "text", "label": {"ja": f"質問{n}"}}],
        }
        for n in (1, 2, 3)
    ],
}


def csv_rows(client, chart, query):
    response = client.get("/manage/kpi/", {**query, "csv": chart})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_drafts_abandoned_are_counted_by_their_last_page(client, org):
    three = published_version(
        org,
        code="kpi-pages",
        prefix="KP",
        title="三ページの手続",
        definition=THREE_PAGES,
    )
    seed_demo_route(three)
    touched = dt.date(2026, 5, 1)

    def draft(answers, *, last_change=touched, submit_it=False):
        application = procedure_services.application_start(
            procedure=three.procedure, applicant=ResidentFactory()
        )
        application = procedure_services.application_save_answers(
            application=application, answers=answers, new_files={}
        )
        if submit_it:
            application = procedure_services.application_submit(application=application)
        Application.objects.filter(pk=application.pk).update(updated_at=at(last_change))
        return application

    # Last page with an answer: 2, 2, 3, and 1 (nothing answered yet).
    draft({"q1": "はい", "q2": "いいえ"})
    draft({"q2": "途中まで"})
    draft({"q1": "はい", "q3": "最後"})
    draft({})
    # Changed later, so not yet abandoned; submitted, so never abandoned.
    draft({"q1": "はい"}, last_change=touched + dt.timedelta(days=3))
    draft({"q1": "はい", "q2": "はい", "q3": "はい"}, submit_it=True)

    abandoned_on = touched + dt.timedelta(days=14)
    with override_settings(STATS_DRAFT_ABANDONED_DAYS=14):
        rollup_days(days=[abandoned_on])
    row = DailyRollup.objects.get(day=abandoned_on, outcome="")
    assert row.abandoned == 4
    (month,) = monthly_figures(start=abandoned_on, end=abandoned_on)
    assert month.abandoned_pages == {1: 1, 2: 2, 3: 1}

    verified_login(client, AdministratorFactory())
    page = client.get("/manage/kpi/", {"start": "2026-05", "end": "2026-05"})
    assert 'id="table-abandoned"' in page.content.decode()
    rows = csv_rows(client, "abandoned", {"start": "2026-05", "end": "2026-05"})
    assert rows[0][1:] == ["1ページ目", "2ページ目", "3ページ目"]
    assert rows[1] == ["2026-05", "1", "2", "1"]


def test_waits_per_level_are_the_median_and_p90_of_the_review_tasks(
    client,
    submit,  # noqa: F811
    org,
    signing,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    people = org["people"]
    applications = [submit(500_000) for _n in range(3)]
    for application in applications:
        for person in ("tanto", "kakaricho", "kacho"):
            with django_capture_on_commit_callbacks(execute=True):
                decide(application, people[person])
    # Each review task waited a different number of hours (moved back from
    # its completion: the history cannot wait hours in a test).
    tasks = list(
        CaseTask.objects.filter(kind="review", finished__isnull=False)
        .exclude(level=None)
        .order_by("pk")
    )
    assert len(tasks) == 9
    for number, task in enumerate(tasks):
        hours = (number * 7) % 11
        CaseTask.objects.filter(pk=task.pk).update(
            created=task.finished - dt.timedelta(hours=hours, minutes=10)
        )
    today = timezone.localdate()
    rollup_days(days=[today])

    waited: dict[int, list[int]] = {}
    for task in CaseTask.objects.filter(pk__in=[t.pk for t in tasks]):
        hours = int((task.finished - task.created).total_seconds() // 3600)
        waited.setdefault(task.level, []).append(hours)
    (month,) = monthly_figures(start=today, end=today)
    assert set(month.waits) == set(waited)
    for level, hours in waited.items():
        median, p90 = month.wait(level)
        assert median == pytest.approx(percentile(hours, 0.5))
        assert p90 == pytest.approx(percentile(hours, 0.9))

    verified_login(client, AdministratorFactory())
    query = {"start": f"{today:%Y-%m}", "end": f"{today:%Y-%m}"}
    rows = csv_rows(client, "waits", query)
    first = min(waited)
    assert rows[0][1] == f"第{first}段階 中央値"
    assert float(rows[1][1]) == pytest.approx(percentile(waited[first], 0.5))

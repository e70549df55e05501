"""Issue 13: the daily rollups equal a recomputation from the raw cases."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.japanese import is_office_holiday, processing_due_date
from procedures.models import Application, ApplicationEvent, Outcome
from stats.figures import percentile
from stats.models import (
    DailyHistogram,
    DailyRollup,
    DecidedCase,
    DurationHistogram,
    MonthlyRollup,
)
from stats.selectors import monthly_figures
from stats.services import rollup_days
from tests.factories import StaffFactory
from tests.stats.conftest import at, write_history

Kind = ApplicationEvent.Kind
# Golden Week (昭和の日, 憲法記念日 … 振替休日) falls inside the histories.
BASE = dt.date(2026, 4, 20)

middle_step = st.one_of(
    st.tuples(st.just("amend"), st.integers(0, 6), st.integers(0, 12)),
    st.tuples(st.just("send_back"), st.integers(0, 4), st.just(0)),
    st.tuples(st.just("consult"), st.integers(0, 4), st.just(0)),
    st.tuples(st.just("claim"), st.integers(0, 3), st.just(0)),
    st.tuples(st.just("extend"), st.integers(0, 3), st.just(0)),
)
case_plan = st.fixed_dictionaries(
    {
        "version": st.integers(0, 1),
        "created": st.integers(0, 25),
        "submit_after": st.none() | st.integers(0, 5),
        "middle": st.lists(middle_step, max_size=4),
        "end": st.sampled_from(["open", "withdraw", "approve", "reject"]),
        "end_after": st.integers(0, 20),
        # Decided with one of the version's modelled outcomes (by kind).
        "modelled": st.none()
        | st.sampled_from(["favourable", "partial", "unfavourable"]),
    }
)


def build(plan, version, staff):
    """The timeline of a plan, and what the oracle needs to know about it."""
    day = BASE + dt.timedelta(days=plan["created"])
    moments = iter(range(10_000))
    steps = [(Kind.CREATED, at(day))]

    def add(kind, when):
        steps.append((kind, at(when) + dt.timedelta(seconds=next(moments))))

    facts = {"created": day, "amendments": [], "staff_actions": 0}
    if plan["submit_after"] is None:
        return steps, "draft", facts
    day += dt.timedelta(days=plan["submit_after"])
    add(Kind.SUBMITTED, day)
    facts["submitted"] = day
    for name, after, pause in plan["middle"]:
        day += dt.timedelta(days=after)
        kind = {
            "amend": Kind.AMENDMENT_REQUESTED,
            "send_back": Kind.SENT_BACK,
            "consult": Kind.CONSULTED,
            "claim": Kind.CLAIMED,
            "extend": Kind.EXTENDED,
        }[name]
        add(kind, day)
        if name == "extend":
            facts.setdefault("extended", []).append(day)
            continue
        facts["staff_actions"] += 1
        facts.setdefault(name, 0)
        facts[name] += 1
        if name == "amend":
            requested = day
            day += dt.timedelta(days=pause)
            add(Kind.RESUBMITTED, day)
            facts["amendments"].append((day - requested).days)
    day += dt.timedelta(days=plan["end_after"])
    status = {
        "open": "under_review",
        "withdraw": "withdrawn",
        "approve": "approved",
        "reject": "rejected",
    }[plan["end"]]
    if plan["end"] == "withdraw":
        add(Kind.WITHDRAWN, day)
        facts["withdrawn"] = day
    elif plan["end"] in ("approve", "reject"):
        add(
            Kind.DECIDED_APPROVE if plan["end"] == "approve" else Kind.DECIDED_REJECT,
            day,
        )
        add(Kind.DOCUMENT_ISSUED, day)
        facts["staff_actions"] += 1
        facts["decided"] = day
        facts["outcome"] = plan["modelled"] or status
    return steps, status, facts


def office_days(start, end):
    return sum(
        1
        for n in range(1, (end - start).days + 1)
        if not is_office_holiday(start + dt.timedelta(days=n))
    )


def expected_figures(cases):
    """Recompute every figure naively, case by case, from the plans."""
    rows = defaultdict(lambda: defaultdict(int))
    decided = {}
    for application, version, facts in cases:
        procedure = version.procedure_id
        rows[(facts["created"], procedure, "")]["started"] += 1
        if "submitted" in facts:
            rows[(facts["submitted"], procedure, "")]["submitted"] += 1
            rows[(facts["submitted"], procedure, "")]["draft_days"] += (
                facts["submitted"] - facts["created"]
            ).days
        else:
            # Never submitted: abandoned once untouched for ABANDON_DAYS.
            abandoned = facts["created"] + dt.timedelta(days=ABANDON_DAYS)
            if abandoned in facts["rolled"]:
                rows[(abandoned, procedure, "")]["abandoned"] += 1
        for day in facts.get("extended", []):
            rows[(day, procedure, "")]["extensions"] += 1
        if "withdrawn" in facts:
            rows[(facts["withdrawn"], procedure, "")]["withdrawn"] += 1
        if "decided" in facts:
            received, day = facts["submitted"], facts["decided"]
            paused = sum(facts["amendments"])
            due = processing_due_date(
                received,
                version.processing_days,
                business_days=version.processing_in_business_days,
            ) + dt.timedelta(days=paused)
            row = rows[(day, procedure, facts["outcome"])]
            row["decided"] += 1
            row["within_period"] += day <= due
            row["amended"] += bool(facts["amendments"])
            row["amendment_rounds"] += len(facts["amendments"])
            row["amendment_days"] += paused
            row["human_actions"] += facts["staff_actions"]
            row["send_backs"] += facts.get("send_back", 0)
            row["consultations"] += facts.get("consult", 0)
            decided[application.pk] = (
                (day - received).days,
                office_days(received, day),
                paused,
                day <= due,
            )
    return (
        {key: {k: v for k, v in row.items() if v} for key, row in rows.items()},
        decided,
    )


FIELDS = [
    "started",
    "submitted",
    "withdrawn",
    "decided",
    "within_period",
    "amended",
    "amendment_rounds",
    "amendment_days",
    "human_actions",
    "send_backs",
    "consultations",
    "extensions",
    "draft_days",
    "abandoned",
]
ABANDON_DAYS = 10


def stored_figures():
    rows = {}
    for row in DailyRollup.objects.all():
        values = {field: getattr(row, field) for field in FIELDS if getattr(row, field)}
        if values:
            rows[(row.day, row.procedure_id, row.outcome)] = values
    decided = {
        fact.application_id: (
            fact.calendar_days,
            fact.business_days,
            fact.amendment_days,
            fact.within_period,
        )
        for fact in DecidedCase.objects.all()
    }
    return rows, decided


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plans=st.lists(case_plan, min_size=1, max_size=8))
def test_rollups_equal_a_recomputation_from_the_cases(procedures, plans):
    Application.objects.all().delete()
    Outcome.objects.all().delete()
    DailyRollup.objects.all().delete()
    MonthlyRollup.objects.all().delete()
    DurationHistogram.objects.all().delete()
    DailyHistogram.objects.all().delete()
    staff = StaffFactory()
    cases = []
    for plan in plans:
        version = procedures[plan["version"]]
        steps, status, facts = build(plan, version, staff)
        application = write_history(version, steps, status=status, staff=staff)
        if "decided" in facts and plan["modelled"]:
            outcome, _new = Outcome.objects.get_or_create(
                procedure_version=version,
                code=plan["modelled"],
                defaults={"kind": plan["modelled"], "label": plan["modelled"]},
            )
            Application.objects.filter(pk=application.pk).update(outcome=outcome)
        cases.append((application, version, facts))
    last = max(ApplicationEvent.objects.values_list("created_at", flat=True)).date()
    days = [BASE + dt.timedelta(days=n) for n in range((last - BASE).days + 2)]
    for _application, _version, facts in cases:
        facts["rolled"] = set(days)
    with override_settings(STATS_DRAFT_ABANDONED_DAYS=ABANDON_DAYS):
        call_command(
            "stats_rollup", *[f"--day={day}" for day in days], stdout=StringIO()
        )
        # Running a day again changes nothing (the job runs every hour).
        rollup_days(days=days[:5])
        rollup_days(days=days[-3:])
    expected_rows, expected_decided = expected_figures(cases)
    assert stored_figures() == (expected_rows, expected_decided)
    # The months the dashboard reads add up the days, and their medians are
    # the exact medians of the decided cases' durations.
    by_month = defaultdict(lambda: defaultdict(int))
    for (day, procedure, outcome), values in expected_rows.items():
        for name, value in values.items():
            by_month[(day.replace(day=1), procedure, outcome)][name] += value
    stored_months = {
        (row.month, row.procedure_id, row.outcome): {
            f: getattr(row, f) for f in FIELDS if getattr(row, f)
        }
        for row in MonthlyRollup.objects.all()
    }
    assert {k: v for k, v in stored_months.items() if v} == by_month
    for month in monthly_figures(start=BASE, end=days[-1]):
        durations = [
            values[0]
            for application, _version, facts in cases
            if application.pk in expected_decided
            and facts["decided"].replace(day=1) == month.start
            for values in [expected_decided[application.pk]]
        ]
        expected = statistics.median(durations) if durations else None
        assert month.median_days == expected, month.key
        # Days from the first draft to submission, by submission month.
        drafting = [
            (facts["submitted"] - facts["created"]).days
            for _application, _version, facts in cases
            if "submitted" in facts and facts["submitted"].replace(day=1) == month.start
        ]
        assert month.draft_median == (
            statistics.median(drafting) if drafting else None
        ), month.key
        if drafting:
            assert month.draft_p90 == pytest.approx(percentile(drafting, 0.9))
        # The abandoned drafts of the month, by their last page (one page).
        abandoned = sum(
            1
            for _application, _version, facts in cases
            if "submitted" not in facts
            and (facts["created"] + dt.timedelta(days=ABANDON_DAYS)).replace(day=1)
            == month.start
            and facts["created"] + dt.timedelta(days=ABANDON_DAYS) in set(days)
        )
        assert month.abandoned_pages == ({1: abandoned} if abandoned else {})
        assert month.totals["abandoned"] == abandoned


@pytest.mark.django_db
def test_paper_applications_count_towards_the_online_share(procedures, org):
    from stats.services import paper_application_register

    version = procedures[0]
    clerk = org["people"]["tanto"]
    received = dt.date(2026, 5, 7)
    paper = paper_application_register(
        procedure=version.procedure, received_on=received, actor=clerk
    )
    write_history(
        version,
        [(Kind.CREATED, at(received)), (Kind.SUBMITTED, at(received))],
        status="submitted",
    )
    rollup_days(days=[received])
    row = DailyRollup.objects.get(day=received, outcome="")
    assert (row.submitted, row.paper_received) == (1, 1)

    from stats.services import paper_application_decide

    paper_application_decide(
        paper=paper, decided_on=dt.date(2026, 5, 11), outcome="approved"
    )
    rollup_days(days=[dt.date(2026, 5, 11)])
    fact = DecidedCase.objects.get(paper=paper)
    # 5/7 → 5/11: four calendar days, two office days (5/8 Fri, 5/11 Mon).
    assert (fact.calendar_days, fact.business_days) == (4, 2)
    assert DailyRollup.objects.get(outcome="approved").paper_decided == 1


@pytest.mark.django_db
def test_a_paper_decision_before_its_receipt_is_refused(procedures, org):
    from stats.services import StatsError, paper_application_register

    with pytest.raises(StatsError) as error:
        paper_application_register(
            procedure=procedures[0].procedure,
            received_on=dt.date(2026, 5, 7),
            decided_on=dt.date(2026, 5, 1),
            outcome="approved",
            actor=org["people"]["tanto"],
        )
    assert error.value.field == "decided_on"


def test_the_rollup_runs_on_the_background_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["stats-rollup"]
    assert entry["task"] == "stats.tasks.rollup_recent_days"

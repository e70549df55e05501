"""Issue 13: open data at /opendata/ — suppression, DCAT, immutable releases."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDF, Graph, Namespace, URIRef

from stats import opendata
from stats.models import DailyRollup, OpenDataRelease
from stats.services import opendata_release_approve, opendata_release_prepare
from tests.factories import AdministratorFactory
from tests.second_factor import verified_login
from tests.stats.test_dashboard import DAY, decided_cases

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
MONTH = DAY.replace(day=1)
COUNTS = [opendata.STAT_HEADER[key] for key in opendata.STAT_COUNTS]
H = opendata.STAT_HEADER


def assert_no_disclosure(rows: list[dict[str, str]], limit: int) -> None:
    """No count below the limit, and no hidden count recoverable by subtraction."""

    def hidden(value: str) -> bool:
        return value == opendata.SUPPRESSED

    for row in rows:
        for column in COUNTS:
            value = row[column]
            assert hidden(value) or int(value) >= limit, (column, row)
        for total, parts in [
            ("received", ["received_online", "received_paper"]),
            ("decided", ["decided_approved", "decided_rejected", "decided_other"]),
        ]:
            cells = [row[H[total]], *(row[H[part]] for part in parts)]
            assert sum(map(hidden, cells)) != 1, (total, row)
            if not any(map(hidden, cells)):
                assert int(cells[0]) == sum(int(c) for c in cells[1:])
        if hidden(row[H["decided"]]):
            assert hidden(row[H["median_days"]])
        if hidden(row[H["decided_within_period"]]):
            assert hidden(row[H["within_period_share"]])
        if any(hidden(row[H[k]]) for k in ("received_online", "received_paper")):
            assert hidden(row[H["online_share"]])
    totals = [row for row in rows if row[H["procedure_code"]] == opendata.TOTAL_CODE]
    assert len(totals) == 1
    for column in COUNTS:
        cells = [row[column] for row in rows]
        assert sum(map(hidden, cells)) != 1, column


def csv_rows(content: bytes) -> list[dict[str, str]]:
    text = content.decode("utf-8")
    assert not text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


figures = st.fixed_dictionaries(
    {
        "submitted": st.integers(0, 12),
        "paper_received": st.integers(0, 8),
        "withdrawn": st.integers(0, 6),
        "approved": st.integers(0, 12),
        "rejected": st.integers(0, 8),
        "paper_approved": st.integers(0, 4),
        "late": st.integers(0, 6),
    }
)


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    per_procedure=st.tuples(figures, figures),
    limit=st.sampled_from([3, 5, 10]),
)
def test_no_published_statistic_reveals_a_small_count(
    procedures, per_procedure, limit, settings
):
    settings.OPENDATA_SUPPRESSION_THRESHOLD = limit
    DailyRollup.objects.all().delete()
    for version, numbers in zip(procedures, per_procedure, strict=True):
        common = {
            "day": DAY,
            "procedure": version.procedure,
            "section": version.section,
        }
        DailyRollup.objects.create(
            **common,
            submitted=numbers["submitted"],
            paper_received=numbers["paper_received"],
            withdrawn=numbers["withdrawn"],
        )
        approved = numbers["approved"]
        DailyRollup.objects.create(
            **common,
            outcome="approved",
            decided=approved,
            paper_decided=numbers["paper_approved"],
            within_period=max(0, approved - numbers["late"]),
        )
        DailyRollup.objects.create(
            **common, outcome="rejected", decided=numbers["rejected"]
        )
    files = opendata.release_files(MONTH, "https://example.jp")
    rows = csv_rows(files[("statistics", "csv")])
    assert_no_disclosure(rows, limit)
    # The JSON holds the same rows, a hidden value as null.
    document = json.loads(files[("statistics", "json")])
    for row, item in zip(rows, document["rows"], strict=True):
        for key, column in opendata.STAT_HEADER.items():
            if row[column] == opendata.SUPPRESSED:
                assert item[key] is None
                assert key in item["suppressed"]


@pytest.fixture
def released(procedures, org):
    """May's cases decided, and May released by an administrator."""
    decided_cases(procedures[0], 7, staff=org["people"]["tanto"])
    decided_cases(procedures[0], 2, outcome="rejected")
    decided_cases(procedures[1], 6)
    admin = AdministratorFactory()
    release = opendata_release_prepare(
        month=MONTH, actor=admin, base_url="http://testserver"
    )
    return opendata_release_approve(release=release, actor=admin)


@pytest.mark.django_db
def test_every_published_file_suppresses_small_counts(client, released):
    index = client.get("/opendata/")
    assert index.status_code == 200
    for stored in released.files.all():
        url = opendata.file_url(released, stored.dataset, stored.format)
        assert url in index.content.decode()
        if stored.dataset == "statistics" and stored.format == "csv":
            rows = csv_rows(client.get(url).content)
            assert_no_disclosure(rows, 5)
            first = next(r for r in rows if r[H["procedure_code"]] == "kpi-koyomi")
            assert first[H["decided_approved"]] == "7"
            assert first[H["decided_rejected"]] == opendata.SUPPRESSED
            assert first[H["month_wareki"]] == "令和8年5月"
            assert first[H["lg_code"]] == "990001"


@pytest.mark.django_db
def test_the_dcat_catalogue_parses_and_every_distribution_answers(client, released):
    response = client.get("/opendata/catalog.jsonld")
    assert response["Content-Type"] == "application/ld+json"
    graph = Graph().parse(data=response.content, format="json-ld")
    catalogs = list(graph.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogs) == 1
    catalog = catalogs[0]
    assert (catalog, DCT.license, URIRef(opendata_licence())) in graph
    assert graph.value(catalog, DCT.modified) is not None
    assert graph.value(catalog, DCT.publisher) is not None
    datasets = list(graph.objects(catalog, DCAT.dataset))
    assert len(datasets) == 2
    distributions = 0
    for dataset in datasets:
        assert (dataset, RDF.type, DCAT.Dataset) in graph
        for distribution in graph.objects(dataset, DCAT.distribution):
            distributions += 1
            assert (distribution, RDF.type, DCAT.Distribution) in graph
            media = str(graph.value(distribution, DCAT.mediaType)).rsplit(
                "media-types/", 1
            )[1]
            url = str(graph.value(distribution, DCAT.downloadURL))
            answer = client.get(url.removeprefix("http://testserver"))
            assert answer.status_code == 200
            assert answer["Content-Type"].split(";")[0] == media
    assert distributions == 4


def opendata_licence() -> str:
    return "https://creativecommons.org/licenses/by/4.0/"


@pytest.mark.django_db
def test_a_released_month_does_not_change_when_more_cases_are_decided(
    client, released, procedures
):
    url = opendata.file_url(released, "statistics", "csv")
    before = client.get(url).content
    decided_cases(procedures[1], 9, day=DAY + dt.timedelta(days=1))
    from stats.services import rollup_days

    rollup_days(days=[DAY + dt.timedelta(days=1)])
    assert client.get(url).content == before
    # Another month's first release has its own files under its own URL.
    april = opendata_release_prepare(
        month=dt.date(2026, 4, 1), actor=AdministratorFactory(), base_url=""
    )
    opendata_release_approve(release=april, actor=april.prepared_by)
    april_url = opendata.file_url(april, "statistics", "csv")
    april_file = client.get(april_url)
    assert april_file.status_code == 200
    assert "2026-04" in april_file.content.decode()
    assert client.get(url).content == before
    assert client.get(url.replace("2026-05", "2026-13")).status_code == 404
    # A correction is a new release; the first stays as it was.
    admin = AdministratorFactory()
    correction = opendata_release_prepare(
        month=MONTH, actor=admin, base_url="http://testserver", note="訂正"
    )
    assert correction.number == 2
    new_url = opendata.file_url(correction, "statistics", "csv")
    # Not public until approved.
    assert client.get(new_url).status_code == 404
    opendata_release_approve(release=correction, actor=admin)
    assert client.get(new_url).content != before
    assert client.get(url).content == before


@pytest.mark.django_db
def test_an_administrator_reviews_then_approves_a_month(client, procedures):
    decided_cases(procedures[0], 6)
    verified_login(client, AdministratorFactory())
    refused = client.post("/manage/opendata/", {"month": "2999-01"})
    assert refused.status_code == 400
    assert "終わった月だけ" in refused.content.decode()
    response = client.post("/manage/opendata/", {"month": "2026-05"})
    release = OpenDataRelease.objects.get()
    assert response.url == f"/manage/opendata/{release.pk}/"
    review = client.get(response.url).content.decode()
    assert "確認して公開する" in review
    assert client.get("/opendata/").content.decode().count("statistics") == 0
    client.post(f"/manage/opendata/{release.pk}/approve/")
    release.refresh_from_db()
    assert release.is_approved
    assert "statistics" in client.get("/opendata/").content.decode()


def test_the_prefecture_code_carries_its_check_digit():
    assert opendata.valid_lg_code("130001")  # 東京都
    assert opendata.valid_lg_code("010006")  # 北海道
    assert opendata.valid_lg_code("990001")  # the default, fictional
    assert not opendata.valid_lg_code("990002")


@pytest.mark.django_db
def test_modelled_outcomes_keep_the_open_data_columns(procedures):
    """認容 counts with the permits, 不認容 with the refusals, 一部認容 as other."""
    version = procedures[0]
    common = {"day": DAY, "procedure": version.procedure, "section": version.section}
    for outcome, decided in (("favourable", 6), ("unfavourable", 7), ("partial", 8)):
        DailyRollup.objects.create(**common, outcome=outcome, decided=decided)
    files = opendata.release_files(MONTH, "https://example.jp")
    rows = csv_rows(files[("statistics", "csv")])
    assert list(rows[0]) == list(opendata.STAT_HEADER.values())
    (row,) = [r for r in rows if r[H["procedure_code"]] == version.procedure.code]
    assert (
        row[H["decided"]],
        row[H["decided_approved"]],
        row[H["decided_rejected"]],
        row[H["decided_other"]],
    ) == ("21", "6", "7", "8")

"""The KPI rollup's day filters are served by indexes, not by reading whole
tables: every statement of a day's rollup, planned with sequential scans
priced out, touches the big tables only through an index (PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stats.services import rollup_day

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

DAY_COLUMNS = ("finished", "updated_at", "stored_at", "first_downloaded_at")
BIG_TABLES = ("workflow_casetask", "documents_issueddocument", "procedures_application")


def test_each_rollup_statement_reads_the_big_tables_through_an_index():
    with CaptureQueriesContext(connection) as captured:
        rollup_day(day=dt.date(2026, 11, 2))
    selects = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("SELECT")
        and any(f'FROM "{table}"' in q["sql"] for table in BIG_TABLES)
    ]
    assert len(selects) >= 4  # waits, drafts, notices stored and downloaded
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in selects:
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            for table in BIG_TABLES:
                assert f"Seq Scan on {table}" not in plan, plan
            # The day's bounds are the index's condition, not a filter.
            assert any(
                f"Index Cond: (({column} >= " in plan for column in DAY_COLUMNS
            ), plan

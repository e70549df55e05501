"""Issue 15: the staff case search, its CSV export, withdrawn cases."""

import csv
import datetime as dt
import io

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from organisation.selectors import user_slot_grants
from procedures.models import Application
from procedures.services import application_withdraw
from tests.second_factor import login_as
from workflow import selectors
from workflow.models import Case

from .helpers import approve_to_the_end, claim, decide

SEARCH = reverse("workflow:case_search")
EXPORT = reverse("workflow:case_search_export")


def _login(client, user):
    login_as(client, user)
    return client


def _receipts(response) -> list[str]:
    body = response.content.decode()
    return [
        number
        for number in Application.objects.values_list("receipt_number", flat=True)
        if number and f">{number}</a>" in body
    ]


def _csv(response) -> list[list[str]]:
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())  # the BOM Excel needs for UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_search_finds_open_decided_and_withdrawn_cases(client, submit, org):
    p = org["people"]
    open_case = submit(500_000)
    decided = submit(500_000)
    approve_to_the_end(decided, p)
    withdrawn = submit(500_000)
    claim(withdrawn, p["tanto"])
    application_withdraw(application=withdrawn, reason="事業を中止しました")

    c = _login(client, p["tanto"])
    response = c.get(SEARCH)
    assert response.status_code == 200
    assert set(_receipts(response)) == {
        open_case.receipt_number,
        decided.receipt_number,
        withdrawn.receipt_number,
    }
    body = c.get(SEARCH, {"status": "withdrawn"}).content.decode()
    assert withdrawn.receipt_number in body
    assert "取下げ" in body
    assert open_case.receipt_number not in body
    response = c.get(SEARCH, {"status": "issuing"})
    assert _receipts(response) == [decided.receipt_number]
    response = c.get(SEARCH, {"status": "open"})
    assert _receipts(response) == [open_case.receipt_number]
    # The withdrawn case's page opens and says so.
    page = c.get(reverse("workflow:case_detail", args=[withdrawn.public_id]))
    assert page.status_code == 200
    assert "申請者が取り下げました" in page.content.decode()


def test_inbox_tells_whoever_had_claimed_a_withdrawn_case(client, submit, org):
    p = org["people"]
    application = submit(500_000)
    claim(application, p["tanto"])
    application_withdraw(application=application, reason="不要")
    body = _login(client, p["tanto"]).get(reverse("workflow:inbox")).content.decode()
    assert "あなたが担当していた案件が取り下げられました" in body
    assert application.receipt_number in body
    assert reverse("workflow:case_search") in body
    other = _login(client, p["tanto2"]).get(reverse("workflow:inbox"))
    assert "取り下げられました" not in other.content.decode()


def test_search_filters_by_receipt_name_procedure_level_dates_and_overdue(
    client, submit, org
):
    p = org["people"]
    first = submit(500_000)
    second = submit(500_000)
    decide(second, p["tanto"])  # now at 係長 (level 2)
    Application.objects.filter(pk=second.pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=1)
    )
    Case.objects.filter(application=first).update(
        created=timezone.now() - dt.timedelta(days=10)
    )
    c = _login(client, p["kakaricho"])
    assert _receipts(c.get(SEARCH, {"q": first.receipt_number})) == [
        first.receipt_number
    ]
    assert _receipts(c.get(SEARCH, {"level": "2"})) == [second.receipt_number]
    assert _receipts(c.get(SEARCH, {"overdue": "on"})) == [second.receipt_number]
    today = timezone.localdate()
    since = (today - dt.timedelta(days=2)).isoformat()
    assert _receipts(c.get(SEARCH, {"submitted_from": since})) == [
        second.receipt_number
    ]
    until = (today - dt.timedelta(days=5)).isoformat()
    assert _receipts(c.get(SEARCH, {"submitted_to": until})) == [first.receipt_number]
    procedure = first.procedure_version.procedure_id
    assert set(_receipts(c.get(SEARCH, {"procedure": procedure}))) == {
        first.receipt_number,
        second.receipt_number,
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"submitted_from": "2026-02-30"}, "submitted_from"),
        ({"level": "ｘ"}, "level"),
        ({"status": "draft"}, "status"),
        ({"procedure": "999999999"}, "procedure"),
        ({"decided_from": "2026-05-02", "decided_to": "2026-05-01"}, "decided_to"),
    ],
)
def test_bad_filters_are_answered_next_to_the_field(client, org, params, field):
    response = _login(client, org["people"]["tanto"]).get(SEARCH, params)
    assert response.status_code == 400
    body = response.content.decode()
    assert f'href="#id_{field}"' in body
    assert _login(client, org["people"]["tanto"]).get(EXPORT, params).status_code == 400


def test_search_and_export_leave_out_every_case_the_user_may_not_open(
    client, submit, org
):
    p = org["people"]
    small = submit(500_000)  # 担当 → 係長 → 課長
    large = submit(50_000_000)  # up to 知事, 合議 with 財政課 課長
    decide(large, p["tanto"])
    visible: dict[str, set[str]] = {}
    for key, user in p.items():
        grants = user_slot_grants(user)
        expected = set()
        for application in (small, large):
            try:
                selectors.case_for_staff(
                    user=user, public_id=application.public_id, grants=grants
                )
                expected.add(application.receipt_number)
            except Http404:
                pass
        c = _login(client, user)
        assert set(_receipts(c.get(SEARCH))) == expected, key
        exported = {row[0] for row in _csv(c.get(EXPORT))[1:]}
        assert exported == expected, key
        visible[key] = expected
    # The rule has teeth: the 知事 and 財政課 see the large grant only, the
    # 財政課 担当 nothing.
    assert visible["chiji"] == {large.receipt_number}
    assert visible["zaisei_kacho"] == {large.receipt_number}
    assert visible["zaisei_tanto"] == set()
    assert visible["tanto"] == {small.receipt_number, large.receipt_number}


def test_a_colleague_who_acted_on_a_case_keeps_finding_it(client, submit, org):
    p = org["people"]
    application = submit(500_000)
    decide(application, p["tanto"])
    # 担当 moves away: the post is gone, the case they acted on stays theirs.
    p["tanto"].assignments.update(end_date=timezone.localdate() - dt.timedelta(1))
    response = _login(client, p["tanto"]).get(SEARCH)
    assert _receipts(response) == [application.receipt_number]


def test_csv_export_round_trips_japanese_text_with_the_ledger_fields(
    client, submit, org
):
    p = org["people"]
    application = submit(500_000)
    # The name as the resident wrote it: outside JIS X 0208 too.
    Application.objects.filter(pk=application.pk).update(applicant_name="髙橋 𠮷子")
    approve_to_the_end(application, p)
    response = _login(client, p["tanto"]).get(EXPORT, {"q": "髙橋"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, *rows = _csv(response)
    assert header[:5] == ["受付番号", "受付日", "手続", "申請者名", "状態"]
    assert "文書番号" in header
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["受付番号"] == application.receipt_number
    assert row["申請者名"] == "髙橋 𠮷子"
    assert row["手続"] == "福祉施設整備助成金"
    assert row["決定"] == "許可"
    assert row["文書番号"]
    assert row["決定日"] == timezone.localdate().isoformat()


def test_search_pages_with_a_cursor(client, submit, org):
    from workflow import search

    p = org["people"]
    numbers = [submit(500_000).receipt_number for _ in range(5)]
    grants = user_slot_grants(p["tanto"])
    seen = []
    cursor = ""
    while True:
        page = search.case_search_page(
            user=p["tanto"], grants=grants, filters={}, cursor=cursor, page_size=2
        )
        seen += [case.application.receipt_number for case in page.cases]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == list(reversed(numbers))
    response = _login(client, p["tanto"]).get(SEARCH, {"after": "x|²"})
    assert response.status_code == 200


@pytest.mark.parametrize("count", [2, 12])
def test_search_query_count_does_not_grow_with_cases(
    client, submit, org, count, django_assert_max_num_queries
):
    for _ in range(count):
        submit(500_000)
    c = _login(client, org["people"]["tanto"])
    # The same for 2 and 12 cases (the second factor's device is one of them).
    with django_assert_max_num_queries(9):
        response = c.get(SEARCH, {"status": "open"})
    assert len(_receipts(response)) == count
    # The export is audited (three statements on PostgreSQL).
    with django_assert_max_num_queries(13):
        rows = _csv(c.get(EXPORT))
    assert len(rows) == count + 1

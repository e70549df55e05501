"""The demo administrator walks the organisation screens in Chromium; axe-core
finds nothing on any of them (issue 12)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from demo.organisation import DEMO_PASSWORD
from organisation.models import Assignment
from tests.a11y import axe_violations
from tests.second_factor import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/manage/organisation/",
    "/manage/organisation/departments/",
    "/manage/organisation/sections/",
    "/manage/organisation/sections/new/",
    "/manage/organisation/positions/",
    "/manage/organisation/staff/",
    "/manage/organisation/assignments/?show=all",
    "/manage/organisation/absences/",
    "/manage/organisation/import/",
    "/manage/organisation/categories/",
]


def test_organisation_screens_have_no_axe_violations(live_server, page, tmp_path):
    call_command(
        "seed_demo", allow_demo_passwords_in_production=True, stdout=io.StringIO()
    )
    browser_login(
        page, live_server.url, "/manage/login/", "admin@example.jp", DEMO_PASSWORD
    )
    page.get_by_role("link", name="組織", exact=True).first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "組織の管理"

    # A move entered in advance through the form shows as scheduled.
    page.goto(live_server.url + "/manage/organisation/assignments/new/")
    page.get_by_label("職員").select_option(label="佐藤 花子（tanto@example.jp）")
    page.get_by_label("課室").select_option(label="総務部 財政課")
    page.get_by_label("職位").select_option(label="課長")
    start = dt.date.today() + dt.timedelta(days=40)
    page.get_by_label("開始日").fill(start.isoformat())
    page.get_by_role("button", name="保存する").click()
    assert page.get_by_role("heading", level=1).inner_text() == "配置（人事異動）"
    assert Assignment.objects.filter(start_date=start).exists()

    # An error is summarised at the top and shown next to the field.
    page.goto(live_server.url + "/manage/organisation/sections/new/")
    page.get_by_role("button", name="保存する").click()
    assert page.locator(".error-summary").is_visible()
    if report := axe_violations(page):
        pytest.fail(report)

    for path in PAGES:
        page.goto(live_server.url + path)
        if report := axe_violations(page):
            pytest.fail(report)

    # The CSV preview, with a row in error and changes listed.
    csv_file = tmp_path / "jinji.csv"
    csv_file.write_bytes(
        (
            "メールアドレス,氏名,部局コード,部局名,課室コード,課室名,職位コード,開始日,終了日\r\n"
            "new@example.jp,新人 職員,kenko-fukushi,健康福祉部,fukushi-seisaku,福祉政策課,"
            "tanto,2027-04-01,\r\n"
            "bad-address,誤り,kenko-fukushi,健康福祉部,fukushi-seisaku,福祉政策課,"
            "tanto,2027-04-01,\r\n"
        ).encode("cp932")
    )
    page.goto(live_server.url + "/manage/organisation/import/")
    page.get_by_label("CSV ファイル").set_input_files(str(csv_file))
    page.get_by_role("button", name="変更点を確かめる").click()
    assert page.get_by_role("cell", name="3 行目").is_visible()
    if report := axe_violations(page):
        pytest.fail(report)

"""The spring personnel CSV: preview, then one transaction (issue 12)."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from organisation.models import Assignment, Department, Section
from organisation.selectors import slot_key, user_slot_grants
from tests.factories import (
    AssignmentFactory,
    DepartmentFactory,
    PositionFactory,
    SectionFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

HEADER = (
    "メールアドレス,氏名,部局コード,部局名,課室コード,課室名,職位コード,開始日,終了日\n"
)


@pytest.fixture
def positions(db):
    return {
        "tanto": PositionFactory(code="tanto", name="担当", level=10),
        "kacho": PositionFactory(code="kacho", name="課長", level=40),
    }


def _preview(client, text: str, encoding: str = "utf-8"):
    upload = SimpleUploadedFile("jinji.csv", text.encode(encoding), "text/csv")
    return client.post(reverse("organisation:csv_import"), {"file": upload})


def _apply(client, preview):
    content = re.search(
        r'name="content" value="([^"]+)"', preview.content.decode()
    ).group(1)
    return client.post(reverse("organisation:csv_import"), {"content": content})


def test_valid_file_is_previewed_then_applied(org_client, positions):
    text = HEADER + (
        "kankyo1@example.jp,環境 一郎,kankyo,環境部,kankyo-seisaku,環境政策課,tanto,2026-04-01,\n"
        "kankyo2@example.jp,環境 二郎,kankyo,環境部,kankyo-seisaku,環境政策課,kacho,2026/4/1,\n"
    )
    preview = _preview(org_client, text)
    body = preview.content.decode()
    assert preview.status_code == 200
    assert "新しい部局" in body
    assert "環境部" in body
    assert "新しい課室" in body
    assert "環境政策課" in body
    assert "kankyo1@example.jp" in body
    # Nothing is written by the preview.
    assert not Department.objects.filter(code="kankyo").exists()
    assert not User.objects.filter(email="kankyo1@example.jp").exists()

    response = _apply(org_client, preview)
    assert response.status_code == 302
    section = Section.objects.get(code="kankyo-seisaku")
    assert section.department.name == "環境部"
    people = User.objects.filter(email__startswith="kankyo").order_by("email")
    assert [p.full_name for p in people] == ["環境 一郎", "環境 二郎"]
    assert all(p.is_staff and not p.has_usable_password() for p in people)
    assert Assignment.objects.filter(section=section).count() == 2


def test_rows_with_errors_are_listed_by_line_and_nothing_is_applied(
    org_client, positions
):
    text = HEADER + (
        "ok@example.jp,正しい 行,kankyo,環境部,kankyo-seisaku,環境政策課,tanto,2026-04-01,\n"
        "not-an-address,誤り 行,kankyo,環境部,kankyo-seisaku,環境政策課,tanto,2026-04-01,\n"
        "x@example.jp,誤り 行,kankyo,環境部,kankyo-seisaku,環境政策課,bucho,2026-04-01,\n"
        "y@example.jp,誤り 行,kankyo,環境部,kankyo-seisaku,環境政策課,tanto,4月1日,\n"
    )
    preview = _preview(org_client, text)
    body = preview.content.decode()
    assert "3 行目" in body
    assert "メールアドレスの形式" in body
    assert "4 行目" in body
    assert "bucho" in body
    assert "5 行目" in body
    assert "4月1日" in body
    assert "この内容で反映する" not in body
    # Applying the same bytes anyway (a forged second POST) writes nothing.
    content = base64.b64encode(text.encode()).decode()
    response = org_client.post(reverse("organisation:csv_import"), {"content": content})
    assert response.status_code == 200
    assert "何も変更していません" in response.content.decode()
    assert not Department.objects.filter(code="kankyo").exists()
    assert not User.objects.filter(email="ok@example.jp").exists()


def test_shift_jis_file_from_excel_is_read(org_client, positions):
    text = HEADER + (
        "takahashi@example.jp,髙橋 ①子,kankyo,環境部,kankyo-seisaku,環境政策課,tanto,2026-04-01,\n"
    )
    preview = _preview(org_client, text.replace("\n", "\r\n"), encoding="cp932")
    assert "髙橋 ①子" in preview.content.decode()
    assert _apply(org_client, preview).status_code == 302
    assert User.objects.get(email="takahashi@example.jp").full_name == "髙橋 ①子"


def test_utf8_with_bom_is_read(org_client, positions):
    text = (
        "\ufeff"
        + HEADER
        + (
            "bom@example.jp,ボム 太郎,kankyo,環境部,kankyo-seisaku,環境政策課,tanto,2026-04-01,\n"
        )
    )
    preview = _preview(org_client, text)
    assert "ボム 太郎" in preview.content.decode()


def test_future_move_ends_the_current_post_the_day_before(org_client, positions):
    old = AssignmentFactory(
        section=SectionFactory(code="zaisei", name="財政課"),
        position=positions["tanto"],
        start_date=dt.date(2020, 4, 1),
        user=StaffFactory(email="ido@example.jp", full_name="異動 太郎"),
    )
    target = SectionFactory(code="fukushi", name="福祉政策課")
    move = dt.date.today() + dt.timedelta(days=60)
    text = HEADER + (
        f"ido@example.jp,異動 太郎,{target.department.code},,fukushi,,kacho,"
        f"{move.isoformat()},\n"
    )
    preview = _preview(org_client, text)
    body = preview.content.decode()
    assert "終える配置" in body
    assert "財政課" in body
    assert _apply(org_client, preview).status_code == 302
    old.refresh_from_db()
    assert old.end_date == move - dt.timedelta(days=1)
    new = Assignment.objects.get(user=old.user, section=target)
    assert new.start_date == move
    user = old.user
    slot_old = slot_key(position=positions["tanto"], section=old.section)
    slot_new = slot_key(position=positions["kacho"], section=target)
    today = {g.slot for g in user_slot_grants(user, dt.date.today())}
    on_move = {g.slot for g in user_slot_grants(user, move)}
    assert slot_old in today
    assert slot_new not in today
    assert slot_new in on_move
    assert slot_old not in on_move


def test_reimporting_the_same_file_changes_nothing(org_client, positions):
    DepartmentFactory(code="kankyo", name="環境部")
    text = HEADER + (
        "same@example.jp,同じ 人,kankyo,環境部,kankyo-seisaku,環境政策課,tanto,2026-04-01,\n"
    )
    _apply(org_client, _preview(org_client, text))
    again = _preview(org_client, text).content.decode()
    assert "変更する内容はありません" in again
    assert Assignment.objects.count() == 1


def test_missing_columns_are_named(org_client):
    preview = _preview(org_client, "メールアドレス,氏名\na@example.jp,A\n")
    body = preview.content.decode()
    assert "部局コード" in body
    assert "error-summary" in body


def test_sample_file_reads_back_as_a_valid_import(org_client):
    from tests.factories import PositionFactory

    PositionFactory(code="kakaricho", name="係長", level=20)
    PositionFactory(code="tanto", name="担当", level=10)
    sample = org_client.get(reverse("organisation:csv_sample"))
    assert sample.content.startswith(b"\xef\xbb\xbf")
    upload = SimpleUploadedFile("sample.csv", sample.content, "text/csv")
    preview = org_client.post(reverse("organisation:csv_import"), {"file": upload})
    body = preview.content.decode()
    assert preview.context["plan"].errors == []
    assert "この内容で反映する" in body

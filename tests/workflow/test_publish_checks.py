"""Before a procedure version is published, its route is checked: rules
against the form (fields and types), bands, and the posts' holders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from organisation.models import Assignment, Position
from procedures.services import PublishRefused, procedure_version_publish
from tests.factories import AdministratorFactory, StaffFactory
from tests.second_factor import login_as
from workflow.models import FinalAuthorityRule


@pytest.fixture
def draft(version):
    version.status = "draft"
    version.save(update_fields=["status"])
    return version


def _refused(version) -> PublishRefused:
    with pytest.raises(PublishRefused) as refused:
        procedure_version_publish(version=version, actor=None)
    version.refresh_from_db()
    assert version.status == "draft"
    return refused.value


def _set_rules(version, *rules):
    route = version.route
    route.final_rules.all().delete()
    for order, (rule, position) in enumerate(rules):
        FinalAuthorityRule.objects.create(
            route=route, order=order, rule=rule, position=position, label=""
        )


def test_a_sound_route_publishes_without_a_word(draft):
    procedure_version_publish(version=draft, actor=None)
    draft.refresh_from_db()
    assert draft.status == "published"


def test_a_rule_on_an_unknown_field_is_refused(draft, org):
    _set_rules(draft, ({"<": [{"var": "nosuch"}, 5]}, org["positions"]["kacho"]))
    refused = _refused(draft)
    assert any("nosuch" in message for message in refused.errors), refused.errors


def test_a_number_compared_with_words_is_refused(draft, org):
    _set_rules(draft, ({"<": [{"var": "amount"}, "百万"]}, org["positions"]["kacho"]))
    refused = _refused(draft)
    assert (
        "専決の規則 1（課長）: 「補助金の申請額（円）」（数値）を「百万」（文字）と比べています。"
        in refused.errors
    )


def test_a_post_nobody_holds_is_refused(draft):
    vacant = Position.objects.create(code="shingikan", name="審議官", level=45)
    draft.route.levels.create(order=9, position=vacant)
    refused = _refused(draft)
    assert (
        "「審議官」には誰も配置されていません（代決する人もいません）。"
        "配置を登録するか、ルートを直してください。" in refused.errors
    )


def test_a_consulted_post_nobody_holds_is_refused(draft, org):
    Assignment.objects.filter(user=org["people"]["zaisei_kacho"]).delete()
    refused = _refused(draft)
    assert any("合議先 財政課 課長" in message for message in refused.errors)


def test_overlapping_bands_are_refused(draft, org):
    positions = org["positions"]
    _set_rules(
        draft,
        ({"<": [{"var": "amount"}, 10_000_000]}, positions["bucho"]),
        ({"<": [{"var": "amount"}, 1_000_000]}, positions["kacho"]),
    )
    refused = _refused(draft)
    assert any("金額の区分が重なっています" in message for message in refused.errors)


def test_bands_with_a_gap_are_refused(draft, org):
    positions = org["positions"]
    _set_rules(
        draft,
        ({"<": [{"var": "amount"}, 1_000_000]}, positions["kacho"]),
        ({"<": [{"var": "amount"}, 10_000_000]}, positions["bucho"]),
        ({">=": [{"var": "amount"}, 20_000_000]}, positions["chiji"]),
    )
    refused = _refused(draft)
    assert (
        "金額の区分にすき間があります: 最後の区分の上限は 10,000,000、"
        "「それ以外」は 20,000,000 からです。" in refused.errors
    )


def test_a_post_vacant_today_with_a_deputy_publishes_once_accepted(
    client, draft, absence
):
    absence("kacho", "kakaricho")
    refused = _refused(draft)
    assert refused.errors == []
    assert refused.warnings == ["「課長」は今日、全員不在です（代決: 鈴木 一郎）。"]

    login_as(client, AdministratorFactory())
    url = reverse(
        "procedures_manage:version_publish",
        args=[draft.procedure.code, draft.number],
    )
    shown = client.post(url)
    assert shown.status_code == 200
    body = shown.content.decode()
    assert "「課長」は今日、全員不在です（代決: 鈴木 一郎）。" in body
    assert 'name="accept_warnings" value="1"' in body
    draft.refresh_from_db()
    assert draft.status == "draft"

    accepted = client.post(url, {"accept_warnings": "1"})

    assert accepted.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"


def test_a_post_taken_up_after_the_april_transfer_is_a_warning(draft, org):
    Assignment.objects.filter(user=org["people"]["bucho"]).update(
        start_date=dt.date.today() + dt.timedelta(days=30)
    )
    refused = _refused(draft)
    assert refused.errors == []
    assert "「部長」は今日は空席です" in refused.warnings[0]
    procedure_version_publish(version=draft, actor=None, accept_warnings=True)


def test_the_publish_page_lists_the_errors_and_offers_no_way_round(client, draft, org):
    _set_rules(draft, ({"<": [{"var": "nosuch"}, 5]}, org["positions"]["kacho"]))
    StaffFactory()
    login_as(client, AdministratorFactory())
    url = reverse(
        "procedures_manage:version_publish",
        args=[draft.procedure.code, draft.number],
    )
    response = client.post(url, {"accept_warnings": "1"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "公開できません。次の問題を直してください。" in body
    assert "nosuch" in body.split('class="mb-0 publish-errors"', 1)[1]
    assert 'name="accept_warnings"' not in body


def test_the_route_page_lists_what_publishing_would_say(client, draft, absence):
    absence("kacho", "kakaricho")
    vacant = Position.objects.create(code="shingikan", name="審議官", level=45)
    draft.route.levels.create(order=9, position=vacant)
    login_as(client, AdministratorFactory())
    body = client.get(
        reverse("workflow_manage:route_edit", args=[draft.pk])
    ).content.decode()
    listed = body.split('class="mb-0 route-problems"', 1)[1].split("</ul>", 1)[0]
    assert (
        "<strong>公開できない問題:</strong> 「審議官」には誰も配置されていません"
        in listed
    )
    assert "注意: 「課長」は今日、全員不在です（代決: 鈴木 一郎）。" in listed

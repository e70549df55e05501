"""The route editor as an ordered list (no JavaScript): levels, 専決 rows,
amount bands, aggregates over repeating groups and 合議 rows."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.second_factor import login_as
from workflow.routes import chain_plan

from .test_routes import EDITOR, _page_form, equipment  # noqa: F401


def _editor(client, version):
    from tests.factories import AdministratorFactory

    version.status = "draft"
    version.save(update_fields=["status"])
    login_as(client, AdministratorFactory())
    return reverse("workflow_manage:route_edit", args=[version.pk])


def _press(client, url, data, action):
    response = client.post(url, {**data, "action": action})
    assert response.status_code in (200, 400), response.status_code
    return response, _page_form(
        response.content.decode(),
        EDITOR,
    )


def _levels(data, org):
    names = {str(p.pk): p.name for p in org["positions"].values()}
    count = int(data["levels-count"])
    return [names.get(data[f"level-{i}-position"], "") for i in range(count)]


def test_levels_are_added_moved_and_removed_without_javascript(client, version, org):
    url = _editor(client, version)
    page = client.get(url).content.decode()
    assert "順番" not in page  # no order numbers to type
    assert "data-unsaved hidden" in page  # nothing changed yet
    data = _page_form(page, EDITOR)
    assert _levels(data, org) == ["担当", "係長", "課長", "部長", "知事"]

    _r, data = _press(client, url, data, "level-up-2")
    assert _levels(data, org) == ["担当", "課長", "係長", "部長", "知事"]
    _r, data = _press(client, url, data, "level-down-0")
    assert _levels(data, org) == ["課長", "担当", "係長", "部長", "知事"]
    _r, data = _press(client, url, data, "level-remove-0")
    assert _levels(data, org) == ["担当", "係長", "部長", "知事"]
    # Nothing is stored until 保存する.
    assert version.route.levels.count() == 5
    response, data = _press(client, url, data, "level-add")
    assert "変更はまだ保存されていません" in response.content.decode()
    assert "data-unsaved hidden" not in response.content.decode()
    assert _levels(data, org) == ["担当", "係長", "部長", "知事", ""]
    # The 課長 rule now names a position off the chain: put 課長 back.
    data["level-4-position"] = str(org["positions"]["kacho"].pk)
    _r, data = _press(client, url, data, "level-up-4")
    _r, data = _press(client, url, data, "level-up-3")
    assert _levels(data, org) == ["担当", "係長", "課長", "部長", "知事"]
    _r, data = _press(client, url, data, "level-add")  # a blank row left blank

    response = client.post(url, {**data, "action": "save"})

    assert response.status_code == 302, response.content.decode().split(
        "error-summary-title", 1
    )[-1][:1500]
    stored = list(
        version.route.levels.order_by("order").values_list("position__name", flat=True)
    )
    assert stored == ["担当", "係長", "課長", "部長", "知事"]


def test_a_rule_on_a_position_off_the_chain_is_refused_next_to_it(client, version, org):
    url = _editor(client, version)
    data = _page_form(
        client.get(url).content.decode(),
        EDITOR,
    )
    _r, data = _press(client, url, data, "level-remove-2")  # 課長 off the chain

    response = client.post(url, {**data, "action": "save"})

    assert response.status_code == 400
    body = response.content.decode()
    summary = body.split('class="error-summary', 1)[1].split("</div>", 1)[0]
    assert "「課長」は審査の段階にありません" in summary
    assert 'aria-describedby="f-band-0-position-error"' in body
    assert version.route.levels.count() == 5


def test_the_demo_rules_read_as_an_amount_band(client, version, org):
    url = _editor(client, version)
    data = _page_form(
        client.get(url).content.decode(),
        EDITOR,
    )
    assert data["band"] == "1"
    assert data["band-subject"] == "field:amount"
    assert data["band-compare"] == "<="
    assert (data["band-0-bound"], data["band-1-bound"]) == ("1,000,000", "10,000,000")
    assert data["rules-count"] == "0"
    # Saved unchanged, the route decides as before.
    response = client.post(url, {**data, "action": "save"})
    assert response.status_code == 302
    for amount, final in [
        (1_000_000, "課長"),
        (1_000_001, "部長"),
        (10_000_001, "知事"),
    ]:
        plan = chain_plan(version=version, answers={"amount": amount})
        assert plan.chain[-1]["position"] == final


def _band_route(client, url, org, bounds=("1,000,000", "10,000,000")):
    """Build 申請額 < 1,000,000 → 課長; < 10,000,000 → 部長; otherwise 知事."""
    data = _page_form(
        client.get(url).content.decode(),
        EDITOR,
    )
    _r, data = _press(client, url, data, "band-remove")
    _r, data = _press(client, url, data, "band-add")
    positions = org["positions"]
    data.update(
        {
            "band-subject": "field:amount",
            "band-compare": "<",
            "band-0-bound": bounds[0],
            "band-0-position": str(positions["kacho"].pk),
            "band-1-bound": bounds[1],
            "band-1-position": str(positions["bucho"].pk),
            "band-otherwise": str(positions["chiji"].pk),
        }
    )
    return client.post(url, {**data, "action": "save"})


def test_an_amount_band_is_stored_as_rule_rows_chain_plan_reads(client, version, org):
    url = _editor(client, version)
    response = _band_route(client, url, org)
    assert response.status_code == 302, response.content.decode().split(
        "error-summary-title", 1
    )[-1][:1500]
    rules = list(version.route.final_rules.order_by("order"))
    assert [rule.rule for rule in rules] == [
        {"<": [{"var": "amount"}, 1_000_000]},
        {"<": [{"var": "amount"}, 10_000_000]},
        {">=": [{"var": "amount"}, 10_000_000]},
    ]
    assert rules[0].label == "補助金の申請額（円）が1,000,000未満は課長専決"
    # It reads back as the same band.
    data = _page_form(
        client.get(url).content.decode(),
        EDITOR,
    )
    assert data["band-otherwise"] == str(org["positions"]["chiji"].pk)
    assert data["band-compare"] == "<"


def test_band_bounds_must_rise(client, version, org):
    url = _editor(client, version)
    response = _band_route(client, url, org, bounds=("10,000,000", "1,000,000"))
    assert response.status_code == 400
    assert (
        "上限は前の行（10,000,000）より大きくしてください。"
        in response.content.decode()
    )


@pytest.fixture
def band_version(client, version, org):
    url = _editor(client, version)
    assert _band_route(client, url, org).status_code == 302
    version.status = "published"
    version.save(update_fields=["status"])
    return version


BOUNDS = [1_000_000, 10_000_000]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    amount=st.one_of(
        st.sampled_from([b + d for b in BOUNDS for d in (-1, 0, 1)]),
        st.integers(min_value=0, max_value=99_999_999),
    )
)
def test_a_band_route_decides_the_right_level_in_the_simulator_and_a_submission(
    client, band_version, submit, amount
):
    expected = (
        "課長" if amount < 1_000_000 else "部長" if amount < 10_000_000 else "知事"
    )
    plan = chain_plan(version=band_version, answers={"amount": amount})
    assert plan.chain[-1]["position"] == expected
    simulated = client.post(
        reverse("workflow_manage:route_simulate", args=[band_version.pk]),
        {"amount": str(amount)},
    )
    body = simulated.content.decode()
    chain = body.split('class="workflow-chain"', 1)[1].split("</ol>", 1)[0]
    assert chain.rsplit("<strong>", 1)[1].split("</strong>", 1)[0] == expected
    application = submit(amount)
    case = application.case
    assert case.chain[-1]["position"] == expected


def test_an_aggregate_rule_counts_rows_and_sums_a_column(client, equipment, org):  # noqa: F811
    url = _editor(client, equipment)
    data = _page_form(
        client.get(url).content.decode(),
        EDITOR,
    )
    # The stored sum over items reads back as a row on the aggregate.
    assert data["consult-0-cond-0-subject"] == "sum:items.cost"
    assert data["consult-0-cond-0-op"] == ">"
    assert data["consult-0-cond-0-value"] == "1,000,000"
    _r, data = _press(client, url, data, "rule-add")
    _r, data = _press(client, url, data, "rule-1-cond-add")
    data.update(
        {
            "rule-1-label": "3台以上かつ合計500万円以下は部長専決",
            "rule-1-position": str(org["positions"]["bucho"].pk),
            "rule-1-match": "and",
            "rule-1-cond-0-subject": "count:items",
            "rule-1-cond-0-op": ">=",
            "rule-1-cond-0-value": "3",
            "rule-1-cond-1-subject": "sum:items.cost",
            "rule-1-cond-1-op": "<=",
            "rule-1-cond-1-value": "5,000,000",
        }
    )
    response = client.post(url, {**data, "action": "save"})
    assert response.status_code == 302, response.content.decode()[:4000]
    rule = equipment.route.final_rules.get(order=1)
    assert rule.rule == {
        "and": [
            {
                ">=": [
                    {
                        "reduce": [
                            {"var": "items"},
                            {"+": [{"var": "accumulator"}, 1]},
                            0,
                        ]
                    },
                    3,
                ]
            },
            {
                "<=": [
                    {
                        "reduce": [
                            {"var": "items"},
                            {"+": [{"var": "accumulator"}, {"var": "current.cost"}]},
                            0,
                        ]
                    },
                    5_000_000,
                ]
            },
        ]
    }
    rows = lambda costs: [{"what": f"機器{i}", "cost": c} for i, c in enumerate(costs)]  # noqa: E731
    assert (
        chain_plan(version=equipment, answers={"items": rows([1, 1, 1])}).chain[-1][
            "position"
        ]
        == "部長"
    )
    # Three machines over 5,000,000: no 専決, the last level (部長) and 財政課 合議.
    over = chain_plan(version=equipment, answers={"items": rows([2_000_000] * 3)})
    assert [c["label"] for c in over.consultations] == ["財政課 課長"]
    # Two machines: the 課長 (first rule, the computed count).
    assert (
        chain_plan(version=equipment, answers={"items": rows([1, 1])}).chain[-1][
            "position"
        ]
        == "課長"
    )


def test_a_number_compared_with_words_is_refused_next_to_the_value(
    client, version, org
):
    url = _editor(client, version)
    data = _page_form(
        client.get(url).content.decode(),
        EDITOR,
    )
    _r, data = _press(client, url, data, "rule-add")
    data.update(
        {
            "rule-0-position": str(org["positions"]["kakaricho"].pk),
            "rule-0-cond-0-subject": "field:amount",
            "rule-0-cond-0-op": "<",
            "rule-0-cond-0-value": "十万",
        }
    )
    response = client.post(url, {**data, "action": "save"})
    assert response.status_code == 400
    body = response.content.decode()
    assert (
        'href="#f-rule-0-cond-0-value">専決の規則 1の条件 1: 数値を入力してください'
        in body
    )
    assert 'id="f-rule-0-cond-0-value-error"' in body


def test_a_rule_switches_to_json_and_back(client, version, org):
    url = _editor(client, version)
    data = _page_form(
        client.get(url).content.decode(),
        EDITOR,
    )
    _r, data = _press(client, url, data, "rule-add")
    data.update(
        {
            "rule-0-position": str(org["positions"]["kakaricho"].pk),
            "rule-0-cond-0-subject": "field:name",
            "rule-0-cond-0-op": "==",
            "rule-0-cond-0-value": "緊急",
        }
    )
    _r, data = _press(client, url, data, "rule-0-advanced")
    assert data["rule-0-mode"] == "json"
    assert data["rule-0-json"] == '{"and": [{"==": [{"var": "name"}, "緊急"]}]}'
    _r, data = _press(client, url, data, "rule-0-rows")
    assert data["rule-0-cond-0-value"] == "緊急"
    _r, data = _press(client, url, data, "rule-0-advanced")
    data["rule-0-json"] = '{"==": [{"var": "nosuch"}, 1]}'
    response = client.post(url, {**data, "action": "save"})
    assert response.status_code == 400
    assert "nosuch" in response.content.decode()


def test_the_route_page_shows_the_picture_and_its_text(client, version):
    url = _editor(client, version)
    body = client.get(url).content.decode()
    svg = body.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in svg
    assert 'aria-describedby="route-picture-text"' in svg
    assert svg.count("<rect") == 6  # five levels and one 合議
    text = body.split('id="route-picture-text"', 1)[1].split("</ol>", 1)[0]
    assert "<strong>課長</strong>（課室）: 決裁する場合 — 1,000,000 以下" in text
    assert "<strong>知事</strong>（県全体）: 決裁する場合 — 10,000,000 超" in text
    assert "この段階の前に 財政課 課長 に合議（条件つき）" in text


def test_the_procedure_page_shows_the_route_picture(client, version):
    _editor(client, version)
    body = client.get(
        reverse("procedures_manage:detail", args=[version.procedure.code])
    ).content.decode()
    assert 'aria-describedby="route-picture-text"' in body
    text = body.split('id="route-picture-text"', 1)[1].split("</ol>", 1)[0]
    assert (
        "<strong>部長</strong>（部局）: 決裁する場合 — 1,000,000〜10,000,000 以下"
        in text
    )
    assert reverse("workflow_manage:route_edit", args=[version.pk]) in body


def test_the_simulator_shows_who_holds_each_post_today_and_after_the_transfer(
    client, version, org
):
    import datetime as dt

    from organisation.models import Assignment
    from tests.factories import StaffFactory
    from workflow.forms import next_april_first

    april = next_april_first()
    Assignment.objects.filter(user=org["people"]["kacho"]).update(
        end_date=april - dt.timedelta(days=1)
    )
    Assignment.objects.create(
        user=StaffFactory(full_name="新井 光"),
        section=org["sections"]["fukushi"],
        position=org["positions"]["kacho"],
        start_date=april,
    )
    _editor(client, version)
    url = reverse("workflow_manage:route_simulate", args=[version.pk])
    page = client.get(url).content.decode()
    assert f'value="{april.isoformat()}"' in page  # the next 1 April by default

    response = client.post(url, {"amount": "500000", "_holders_on": april.isoformat()})

    body = response.content.decode()
    table = body.split('class="table table-sm workflow-holders"', 1)[1].split(
        "</table>", 1
    )[0]
    row = table.split('<th scope="row">課長</th>', 1)[1].split("</tr>", 1)[0]
    today_cell, later_cell = row.split("</td>")[:2]
    assert "髙橋 美咲" in today_cell
    assert "新井 光" not in today_cell
    assert "新井 光" in later_cell
    assert "髙橋 美咲" not in later_cell


def test_a_band_route_round_trips_through_a_package(client, version, org):
    from procedures import packages

    url = _editor(client, version)
    assert _band_route(client, url, org).status_code == 302
    package = packages.package_loads(
        packages.package_dumps(packages.package_export(version=version))
    )
    package["procedure"].update(code="band-copy", receipt_prefix="BC")

    copy = packages.package_import(package=package, actor=None)

    stored = lambda v: list(  # noqa: E731
        v.route.final_rules.order_by("order").values_list(
            "rule", "position__code", "label"
        )
    )
    assert stored(copy) == stored(version)
    data = _page_form(
        client.get(
            reverse("workflow_manage:route_edit", args=[copy.pk])
        ).content.decode(),
        EDITOR,
    )
    assert (data["band"], data["band-0-bound"], data["band-1-bound"]) == (
        "1",
        "1,000,000",
        "10,000,000",
    )
    assert data["band-otherwise"] == str(org["positions"]["chiji"].pk)


def test_the_simulator_sits_beside_the_editor(client, version):
    url = _editor(client, version)
    body = client.get(url).content.decode()
    side = body.split('aria-labelledby="side-simulate-title"', 1)[1].split(
        "</aside>", 1
    )[0]
    simulate = reverse("workflow_manage:route_simulate", args=[version.pk])
    assert f'action="{simulate}"' in side
    assert 'name="amount"' in side
    assert 'name="_holders_on"' in side


def test_a_row_not_yet_right_stays_a_row_when_switching_to_json(client, version, org):
    url = _editor(client, version)
    data = _page_form(client.get(url).content.decode(), EDITOR)
    _r, data = _press(client, url, data, "rule-add")
    data.update({"rule-0-cond-0-subject": "field:amount", "rule-0-cond-0-op": "<"})
    response, data = _press(client, url, data, "rule-0-advanced")
    assert data["rule-0-mode"] == "rows"
    assert data["rule-0-cond-0-subject"] == "field:amount"
    assert "この規則の条件 1: 値を入力してください。" in response.content.decode()


def test_a_consultation_is_written_as_rows(client, version, org):
    url = _editor(client, version)
    data = _page_form(client.get(url).content.decode(), EDITOR)
    _r, data = _press(client, url, data, "consult-add")
    _r, data = _press(client, url, data, "consult-1-cond-add")
    positions = org["positions"]
    data.update(
        {
            "consult-1-section": str(org["sections"]["hisho"].pk),
            "consult-1-position": str(positions["kacho"].pk),
            "consult-1-before": str(positions["bucho"].pk),
            "consult-1-match": "or",
            "consult-1-cond-0-subject": "field:amount",
            "consult-1-cond-0-op": ">=",
            "consult-1-cond-0-value": "5,000,000",
            "consult-1-cond-1-subject": "field:plan",
            "consult-1-cond-1-op": ">=",
            "consult-1-cond-1-value": "3",
        }
    )
    response = client.post(url, {**data, "action": "save"})
    assert response.status_code == 302, response.content.decode()[-3000:]
    added = version.route.consultations.get(section=org["sections"]["hisho"])
    assert added.rule == {
        "or": [
            {">=": [{"var": "amount"}, 5_000_000]},
            {">=": [{"var": "plan"}, 3]},
        ]
    }
    labels = lambda amount: [  # noqa: E731
        c["label"]
        for c in chain_plan(version=version, answers={"amount": amount}).consultations
    ]
    assert labels(5_000_000) == ["秘書課 課長"]
    assert labels(4_999_999) == []


def test_a_button_press_lands_on_the_row_it_changed(client, version):
    url = _editor(client, version)
    data = _page_form(client.get(url).content.decode(), EDITOR)
    moved, _data = _press(client, url, data, "level-up-2")
    assert 'name="level-1-position" aria-invalid' not in moved.content.decode()
    assert 'id="f-level-1-position" name="level-1-position" autofocus' in (
        moved.content.decode()
    )
    added, _data = _press(client, url, data, "band-row-add")
    assert 'name="band-2-bound" value="" autofocus' in added.content.decode()


def test_a_stored_band_with_a_gap_is_shown_as_it_is(client, version, org):
    positions = org["positions"]
    route = version.route
    route.final_rules.all().delete()
    for order, (rule, position) in enumerate(
        [
            ({"<": [{"var": "amount"}, 1_000_000]}, positions["kacho"]),
            ({">=": [{"var": "amount"}, 2_000_000]}, positions["bucho"]),
        ]
    ):
        route.final_rules.create(order=order, rule=rule, position=position, label="")
    url = _editor(client, version)
    data = _page_form(client.get(url).content.decode(), EDITOR)
    assert "band" not in data
    assert data["rule-1-cond-0-op"] == ">="
    assert data["rule-1-cond-0-value"] == "2,000,000"


def test_a_choice_is_named_by_its_label_and_stored_by_its_value(client, org):
    from .conftest import published_version

    definition = {
        "version": 1,
        "pages": [
            {
                "key": "main",
                "title": {"ja": "申請内容"},
                "fields": [
                    {
                        "key": "kind",
                        "type": "choice",
                        "label": {"ja": "区分"},
                        "options": [
                            {"value": "new", "label": {"ja": "新設"}},
                            {"value": "repair", "label": {"ja": "改修"}},
                        ],
                    }
                ],
            }
        ],
    }
    version = published_version(
        org, code="kubun", prefix="KB", title="区分つき", definition=definition
    )
    from workflow.models import Route

    route = Route.objects.create(procedure_version=version)
    route.levels.create(order=0, position=org["positions"]["tanto"])
    route.levels.create(order=1, position=org["positions"]["kacho"])
    url = _editor(client, version)
    data = _page_form(client.get(url).content.decode(), EDITOR)
    _r, data = _press(client, url, data, "rule-add")
    data.update(
        {
            "rule-0-position": str(org["positions"]["tanto"].pk),
            "rule-0-cond-0-subject": "field:kind",
            "rule-0-cond-0-op": "==",
            "rule-0-cond-0-value": "増築",
        }
    )
    refused = client.post(url, {**data, "action": "save"})
    assert (
        "選択肢にありません。選べるのは 新設、改修 です。" in refused.content.decode()
    )
    data["rule-0-cond-0-value"] = "改修"
    assert client.post(url, {**data, "action": "save"}).status_code == 302
    assert route.final_rules.get().rule == {
        "and": [{"==": [{"var": "kind"}, "repair"]}]
    }
    data = _page_form(client.get(url).content.decode(), EDITOR)
    assert data["rule-0-cond-0-value"] == "改修"


def test_the_route_picture_prints_a_long_label_whole_on_wrapped_lines(
    client, version, org
):
    # QA walk N4: 「運搬車両の最大積載量（kg）の合計が20,000未満は課長専決」
    # was cut to 「…20,000未…」 and ran into the next level's label.
    import re

    from workflow.models import FinalAuthorityRule
    from workflow.picture import LINE_EMS, _ems, wrap_label

    label = "運搬車両の最大積載量（kg）の合計が20,000未満は課長専決"
    FinalAuthorityRule.objects.create(
        route=version.route,
        order=0,
        label=label,
        rule={"<": [{"var": "amount"}, 20000]},
        position=org["positions"]["kacho"],
    )
    lines = wrap_label(label)
    assert len(lines) > 1
    assert "".join(lines) == label
    assert all(_ems(line) <= LINE_EMS for line in lines)
    assert not any(line.startswith(",") or line.endswith("20") for line in lines)

    _editor(client, version)
    body = client.get(
        reverse("procedures_manage:detail", args=[version.procedure.code])
    ).content.decode()
    svg = body.split("<svg", 1)[1].split("</svg>", 1)[0]
    texts = re.findall(r'fill="#8a1c1c">([^<]*)</text>', svg)
    assert "…" not in "".join(texts)
    assert "".join(lines) in "".join(texts)
    height = int(re.search(r'height="(\d+)"', svg).group(1))
    last_y = max(int(y) for y in re.findall(r'y="(\d+)" text-anchor', svg))
    assert last_y < height

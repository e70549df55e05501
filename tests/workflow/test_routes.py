import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.second_factor import login_as
from workflow.models import FinalAuthorityRule, Route, RouteConsultation
from workflow.routes import RouteMissing, chain_plan

from .conftest import published_version
from .helpers import steps


@pytest.mark.parametrize(
    ("amount", "chain", "final"),
    [
        (1_000_000, ["担当", "係長", "課長"], "課長"),
        (1_000_001, ["担当", "係長", "課長", "部長"], "部長"),
        (10_000_000, ["担当", "係長", "課長", "部長"], "部長"),
        (10_000_001, ["担当", "係長", "課長", "部長", "知事"], "知事"),
    ],
)
def test_delegated_authority_rule_picks_the_final_level(version, amount, chain, final):
    plan = chain_plan(version=version, answers={"amount": amount})
    assert [step["position"] for step in plan.chain] == chain
    assert [step["position"] for step in plan.chain if step["final"]] == [final]


def test_no_matching_rule_goes_to_the_top_level_with_a_reason(version):
    plan = chain_plan(version=version, answers={})
    assert plan.chain[-1]["position"] == "知事"
    assert "最上位" in plan.reason


def test_consultation_rule_applies_only_when_it_holds(version):
    small = chain_plan(version=version, answers={"amount": 2_000_000})
    large = chain_plan(version=version, answers={"amount": 20_000_000})
    assert small.consultations == []
    assert [c["label"] for c in large.consultations] == ["財政課 課長"]
    # Held before the 知事 (index 4) decides.
    assert large.consultations[0]["before_level"] == 4


def test_consultation_before_an_unreached_level_is_held_before_the_final_one(
    version, org
):
    route = Route.objects.get(procedure_version=version)
    RouteConsultation.objects.filter(route=route).update(rule={})
    plan = chain_plan(version=version, answers={"amount": 10})
    assert plan.consultations[0]["before_level"] == 2  # 課長, the final level


def test_first_matching_rule_wins(version, org):
    route = Route.objects.get(procedure_version=version)
    FinalAuthorityRule.objects.create(
        route=route,
        order=0,
        label="緊急案件は係長専決",
        rule={"==": [{"var": "name"}, "緊急"]},
        position=org["positions"]["kakaricho"],
    )
    FinalAuthorityRule.objects.filter(route=route).exclude(
        label__startswith="緊急"
    ).update(order=5)
    plan = chain_plan(version=version, answers={"amount": 50, "name": "緊急"})
    assert [s["position"] for s in plan.chain] == ["担当", "係長"]


def test_procedure_without_route_is_refused(version):
    Route.objects.filter(procedure_version=version).delete()
    with pytest.raises(RouteMissing):
        chain_plan(version=version, answers={"amount": 1})


def test_route_is_snapshotted_into_the_case(submit, version, org):
    application = submit(500_000)
    Route.objects.get(procedure_version=version).final_rules.all().delete()
    assert steps(application) == ["担当", "係長", "課長"]


# --- The route editor, the package import and a form with repeating rows ----
# Issue 11, items 4 and 6.

EQUIPMENT = {
    "version": 1,
    "pages": [
        {
            "key": "main",
            "title": {"ja": "申請内容"},
            "fields": [
                {"key": "name", "type": "text", "label": {"ja": "氏名"}},
                {"key": "start", "type": "date", "label": {"ja": "事業開始日"}},
                {
                    "key": "items",
                    "type": "repeat",
                    "label": {"ja": "購入する機器"},
                    "max_rows": 8,
                    "fields": [
                        {
                            "key": "what",
                            "type": "text",
                            "label": {"ja": "品名"},
                            "required": True,
                        },
                        {"key": "cost", "type": "amount", "label": {"ja": "金額"}},
                    ],
                },
                {
                    "key": "item_count",
                    "type": "computed",
                    "label": {"ja": "機器の数"},
                    "format": "integer",
                    "expression": {
                        "reduce": [
                            {"var": "items"},
                            {"+": [{"var": "accumulator"}, 1]},
                            0,
                        ]
                    },
                },
            ],
        }
    ],
}
COUNT_RULE = {"<=": [{"var": "item_count"}, 2]}
# 合議 with 財政課 when the machines cost more than 1,000,000 yen together.
ITEMS_TOTAL = {
    "reduce": [
        {"var": "items"},
        {"+": [{"var": "accumulator"}, {"var": "current.cost"}]},
        0,
    ]
}
SUM_RULE = {">": [ITEMS_TOTAL, 1_000_000]}


@pytest.fixture
def equipment(org):
    """A published procedure whose route counts and sums repeating rows:
    up to two machines the 課長 decides (専決), more go to the 部長; 財政課 is
    consulted above 1,000,000 yen."""
    version = published_version(
        org, code="kiki", prefix="KK", title="機器購入補助金", definition=EQUIPMENT
    )
    positions = org["positions"]
    route = Route.objects.create(procedure_version=version)
    for order, code in enumerate(["tanto", "kakaricho", "kacho", "bucho"]):
        route.levels.create(order=order, position=positions[code])
    FinalAuthorityRule.objects.create(
        route=route,
        order=0,
        label="2台までは課長専決",
        rule=COUNT_RULE,
        position=positions["kacho"],
    )
    RouteConsultation.objects.create(
        route=route,
        section=org["sections"]["zaisei"],
        position=positions["kacho"],
        before_position=positions["bucho"],
        rule=SUM_RULE,
    )
    return version


class _FormFields(HTMLParser):
    """What a browser posts for the first form of a page, as it stands."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "input" and name and attributes.get("type") != "checkbox":
            self.data[name] = attributes.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self.data[name] = ""
        elif tag == "option" and self._select and "selected" in attributes:
            self.data[self._select] = attributes.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += data.strip()


def _page_form(body: str, marker: str = "<form") -> dict[str, str]:
    """The fields of the form that starts at ``marker`` (the last form)."""
    parser = _FormFields()
    form = marker + body.rsplit(marker, 1)[1]
    parser.feed(form.split("</form>", 1)[0])
    return parser.data


def _editor(client, version):
    from tests.factories import AdministratorFactory

    version.status = "draft"
    version.save(update_fields=["status"])
    login_as(client, AdministratorFactory())
    return reverse("workflow_manage:route_edit", args=[version.pk])


EDITOR = '<form method="post" novalidate class="workflow-route-editor"'


def test_route_editor_saves_with_the_blank_added_rows_left_empty(client, version):
    url = _editor(client, version)
    data = _page_form(client.get(url).content.decode(), EDITOR)
    # Rows added and left blank, as anyone might: they are dropped on saving.
    data.update(levels_count_plus_one(data))
    data["rules-count"] = "1"
    data["rule-0-conds"] = "1"
    data["consult-count"] = "2"
    data["consult-1-conds"] = "1"

    response = client.post(url, {**data, "action": "save"})

    assert response.status_code == 302, response.content.decode()[-2000:]
    route = Route.objects.get(procedure_version=version)
    assert route.final_rules.count() == 2
    assert route.consultations.count() == 1
    assert route.levels.count() == 5


def levels_count_plus_one(data: dict[str, str]) -> dict[str, str]:
    count = int(data["levels-count"])
    return {"levels-count": str(count + 1), f"level-{count}-position": ""}


def test_route_editor_summarises_errors_at_the_top_linking_to_each_field(
    client, version
):
    url = _editor(client, version)
    data = _page_form(client.get(url).content.decode(), EDITOR)
    data["rules-count"] = "1"  # a new rule, without a position
    data["rule-0-label"] = "緊急は係長専決"
    data["rule-0-mode"] = "json"
    data["rule-0-json"] = '{"==": [{"var": "name"}, "緊急"]}'

    response = client.post(url, {**data, "action": "save"})

    assert response.status_code == 400
    body = response.content.decode()
    summary = body.split('class="error-summary', 1)[1].split("</div>", 1)[0]
    assert body.index('class="error-summary') < body.index("<h1")
    assert (
        '<a href="#f-rule-0-position">専決の規則 1: 職を選んでください。</a>' in summary
    )
    # Next to the field too, and the field says so.
    assert 'id="f-rule-0-position-error"><div>職を選んでください。</div>' in body
    assert 'aria-describedby="f-rule-0-position-error"' in body
    assert summary.count("<li>") == 1


def test_route_editor_accepts_reduce_over_a_repeating_group(client, equipment, org):
    url = _editor(client, equipment)
    page = client.get(url).content.decode()
    # The columns a rule may read inside reduce are listed with the group.
    assert "<code>cost</code>（金額）" in page
    data = _page_form(page, EDITOR)
    data["rules-count"] = "2"
    data["rule-1-label"] = "合計500万円以下は部長専決"
    data["rule-1-mode"] = "json"
    data["rule-1-json"] = json.dumps({"<=": [ITEMS_TOTAL, 5_000_000]})
    data["rule-1-position"] = str(org["positions"]["bucho"].pk)

    response = client.post(url, {**data, "action": "save"})

    assert response.status_code == 302, response.content.decode()[-3000:]
    assert equipment.route.final_rules.count() == 2
    # A column the group does not have is still refused, next to the rule.
    data = _page_form(client.get(url).content.decode(), EDITOR)
    wrong = json.dumps(ITEMS_TOTAL).replace("current.cost", "current.price")
    data["rule-1-mode"] = "json"
    data["rule-1-json"] = json.dumps({"<=": [json.loads(wrong), 5_000_000]})
    refused = client.post(url, {**data, "action": "save"})
    assert refused.status_code == 400
    assert "「current.price」は繰り返し「items」の列ではありません" in (
        refused.content.decode()
    )


def test_admin_checks_route_rules_against_the_form_too(client, equipment, settings):
    from tests.factories import StaffFactory

    settings.DJANGO_ADMIN_ENABLED = True
    login_as(client, StaffFactory(is_superuser=True))
    url = f"/django-admin/workflow/route/{equipment.route.pk}/change/"
    data = _page_form(client.get(url).content.decode(), 'id="route_form"')
    assert json.loads(data["consultations-0-rule"]) == SUM_RULE
    data["final_rules-0-rule"] = json.dumps({"<=": [ITEMS_TOTAL, 5_000_000]})
    data["_save"] = "保存"

    assert client.post(url, data).status_code == 302
    assert equipment.route.final_rules.get().rule == {"<=": [ITEMS_TOTAL, 5_000_000]}

    data["final_rules-0-rule"] = json.dumps({"<=": [{"var": "no_such"}, 1]})
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "存在しない項目「no_such」" in refused.content.decode()


def test_package_with_reduce_in_route_rules_imports(equipment):
    from procedures import packages

    package = packages.package_export(version=equipment)
    assert package["sections"]["route"]["consultations"][0]["rule"] == SUM_RULE

    version = packages.package_import(package=package, actor=None)

    assert version.route.final_rules.get().rule == COUNT_RULE
    assert version.route.consultations.get().rule == SUM_RULE
    # And a column the group does not have still refuses the package.
    package["sections"]["route"]["consultations"][0]["rule"] = {
        "some": [{"var": "items"}, {">": [{"var": "price"}, 1]}]
    }
    version.delete()
    with pytest.raises(packages.PackageError) as refused:
        packages.package_import(package=package, actor=None)
    assert "合議の条件に誤りがあります" in refused.value.message


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda route: route["final_rules"][0].pop("rule"), "専決の条件に誤り"),
        (lambda route: route["final_rules"][0].update(rule="amount"), "専決の条件"),
        (lambda route: route.update(consultations=["財政課"]), "{ } の並び"),
    ],
)
def test_a_package_with_a_malformed_route_rule_is_refused_in_words(
    equipment, breakage, message
):
    from procedures import packages

    package = packages.package_export(version=equipment)
    breakage(package["sections"]["route"])

    with pytest.raises(packages.PackageError) as refused:
        packages.package_import(package=package, actor=None)

    assert message in refused.value.message


# --- The route simulator reads the answers as a submission does --------------
# Issue 11, item 5.


def _simulate(client, version, data):
    from tests.factories import AdministratorFactory

    login_as(client, AdministratorFactory())
    url = reverse("workflow_manage:route_simulate", args=[version.pk])
    return client.post(url, data)


def _simulated_chain(response) -> tuple[list[str], list[str]]:
    body = response.content.decode()
    chain = body.split('<ol class="workflow-chain">', 1)[1].split("</ol>", 1)[0]
    consulted = body.split('<ul class="workflow-consultations">', 1)[-1]
    consulted = consulted.split("</ul>", 1)[0] if "</ul>" in consulted else ""
    return (
        re.findall(r"<strong>([^<]+)</strong>（", chain),
        re.findall(r"<li>([^<:]+):", consulted),
    )


def _rows(costs: list[int | None]) -> dict[str, str]:
    data = {"items-rows": str(max(len(costs), 1))}
    for index, cost in enumerate(costs):
        data[f"items-{index}-what"] = f"機器{index + 1}"
        data[f"items-{index}-cost"] = "" if cost is None else f"{cost:,}"
    return data


def test_route_simulator_computes_the_count_from_sample_rows(client, equipment):
    from tests.factories import AdministratorFactory

    login_as(client, AdministratorFactory())
    url = reverse("workflow_manage:route_simulate", args=[equipment.pk])
    page = client.get(url).content.decode()
    # The rule reads a computed count: the rows it counts are asked, the
    # count itself is not a box to type in.
    assert 'name="item_count"' not in page
    assert 'name="items-0-what"' in page
    assert 'name="items-2-cost"' in page

    two = _simulate(client, equipment, _rows([300_000, 200_000]))
    three = _simulate(client, equipment, _rows([300_000, 200_000, 600_000]))

    assert two.status_code == three.status_code == 200
    assert _simulated_chain(two) == (["担当", "係長", "課長"], [])
    assert _simulated_chain(three) == (
        ["担当", "係長", "課長", "部長"],
        ["財政課 課長"],
    )
    assert "<dt>機器の数（計算結果）</dt><dd>3</dd>" in three.content.decode()


def test_route_simulator_adds_a_row_without_simulating(client, equipment):
    response = _simulate(client, equipment, {**_rows([1, 2, 3]), "_add_row": "items"})

    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="items-3-what"' in body
    assert 'value="機器3"' in body
    assert "この回答で適用される順路" not in body


DATE_RULE = {"<": [{"var": "start"}, "2027-04-01"]}
costs = st.lists(st.one_of(st.none(), st.integers(0, 900_000)), max_size=6)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    costs=costs,
    start=st.one_of(st.none(), st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 31))),
)
def test_simulator_gives_the_chain_a_real_submission_gets(
    client, equipment, org, costs, start
):
    from procedures import services as procedure_services
    from tests.factories import ResidentFactory

    RouteConsultation.objects.get_or_create(
        route=equipment.route,
        section=org["sections"]["hisho"],
        position=org["positions"]["kacho"],
        before_position=org["positions"]["kacho"],
        rule=DATE_RULE,
    )
    rows = [{"what": f"機器{n + 1}", "cost": cost} for n, cost in enumerate(costs)]
    application = procedure_services.application_start(
        procedure=equipment.procedure, applicant=ResidentFactory()
    )
    application = procedure_services.application_save_answers(
        application=application,
        answers={"name": "山田 太郎", "items": rows, "start": start and str(start)},
        new_files={},
    )
    application = procedure_services.application_submit(application=application)
    case = application.case
    real = (
        [step["position"] for step in case.chain],
        [item["label"] for item in case.consultations],
    )

    data = {**_rows(costs), "start": "" if start is None else start.isoformat()}
    simulated = _simulated_chain(_simulate(client, equipment, data))

    assert simulated == real


def test_simulator_asks_what_a_computed_value_and_its_visibility_depend_on(client, org):
    from tests.forms_builder.conftest import SAMPLE

    version = published_version(
        org, code="setai", prefix="ST", title="世帯の申請", definition=SAMPLE
    )
    route = Route.objects.create(procedure_version=version)
    for order, code in enumerate(["tanto", "kacho"]):
        route.levels.create(order=order, position=org["positions"][code])
    RouteConsultation.objects.create(
        route=route,
        section=org["sections"]["zaisei"],
        position=org["positions"]["kacho"],
        before_position=org["positions"]["kacho"],
        rule={">": [{"var": "household_income"}, 3_000_000]},
    )
    rows = {
        "members-rows": "2",
        "members-0-name": "山田 花子",
        "members-0-relationship": "spouse",
        "members-0-income": "2,000,000",
        "members-1-name": "山田 一郎",
        "members-1-income": "1,500,000",
    }

    page = _simulate(client, version, {}).content.decode()
    shown = _simulate(client, version, {**rows, "has_household": "yes"})
    hidden = _simulate(client, version, {**rows, "has_household": "no"})

    # The total is computed from the members' incomes, which count only
    # while the members are asked (同居の家族がいますか: はい).
    assert 'name="has_household"' in page
    assert 'name="members-0-income"' in page
    assert 'name="household_income"' not in page
    assert 'name="purpose"' not in page
    assert _simulated_chain(shown) == (["担当", "課長"], ["財政課 課長"])
    assert "<dd>3,500,000円</dd>" in shown.content.decode()
    assert _simulated_chain(hidden) == (["担当", "課長"], [])


def test_route_editor_summarises_a_duplicate_level_and_stores_nothing(
    client, version, org
):
    url = _editor(client, version)
    data = _page_form(client.get(url).content.decode(), EDITOR)
    data["levels-count"] = "6"
    data["level-5-position"] = str(org["positions"]["kacho"].pk)  # twice

    response = client.post(url, {**data, "action": "save"})

    assert response.status_code == 400
    summary = response.content.decode().split('class="error-summary', 1)[1]
    summary = summary.split("</div>", 1)[0]
    assert (
        '<a href="#f-level-5-position">段階 6: 「課長」はすでに段階にあります。'
        in summary
    )
    assert Route.objects.get(procedure_version=version).levels.count() == 5

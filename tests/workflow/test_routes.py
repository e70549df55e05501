import pytest

from workflow.models import FinalAuthorityRule, Route, RouteConsultation
from workflow.routes import RouteMissing, chain_plan

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
        rule={"==": [{"var": "urgent"}, True]},
        position=org["positions"]["kakaricho"],
    )
    FinalAuthorityRule.objects.filter(route=route).exclude(
        label__startswith="緊急"
    ).update(order=5)
    plan = chain_plan(version=version, answers={"amount": 50, "urgent": True})
    assert [s["position"] for s in plan.chain] == ["担当", "係長"]


def test_procedure_without_route_is_refused(version):
    Route.objects.filter(procedure_version=version).delete()
    with pytest.raises(RouteMissing):
        chain_plan(version=version, answers={"amount": 1})


def test_route_is_snapshotted_into_the_case(submit, version, org):
    application = submit(500_000)
    Route.objects.get(procedure_version=version).final_rules.all().delete()
    assert steps(application) == ["担当", "係長", "課長"]

"""The demo procedure's route (called by demo's seed_demo)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from organisation.models import Position, Section
from workflow.models import FinalAuthorityRule, Route, RouteConsultation, RouteLevel

LEVELS = ["tanto", "kakaricho", "kacho", "bucho", "chiji"]
# 専決: up to 1,000,000 yen the 課長 decides, up to 10,000,000 the 部長; above
# that the 知事 (the route's top level, no rule needed).
FINAL_RULES = [
    ("100万円以下は課長専決", {"<=": [{"var": "amount"}, 1_000_000]}, "kacho"),
    ("1,000万円以下は部長専決", {"<=": [{"var": "amount"}, 10_000_000]}, "bucho"),
]


@transaction.atomic
def seed_demo_route(procedure_version: Any) -> Route:
    """Give ``procedure_version`` the demo route (idempotent): 担当→係長→課長→部長→知事."""
    positions = {p.code: p for p in Position.objects.filter(code__in=LEVELS)}
    route, _ = Route.objects.get_or_create(procedure_version=procedure_version)
    route.levels.all().delete()
    route.final_rules.all().delete()
    route.consultations.all().delete()
    RouteLevel.objects.bulk_create(
        RouteLevel(route=route, order=index, position=positions[code])
        for index, code in enumerate(LEVELS)
        if code in positions
    )
    FinalAuthorityRule.objects.bulk_create(
        FinalAuthorityRule(
            route=route, order=index, label=label, rule=rule, position=positions[code]
        )
        for index, (label, rule, code) in enumerate(FINAL_RULES)
    )
    finance = Section.objects.filter(code="zaisei").first()
    if finance is not None:
        # 合議 with 財政課 before the 知事 decides a grant above 10,000,000 yen.
        RouteConsultation.objects.create(
            route=route,
            section=finance,
            position=positions["kacho"],
            before_position=positions["chiji"],
            rule={">": [{"var": "amount"}, 10_000_000]},
        )
    return route

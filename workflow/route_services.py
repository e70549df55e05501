"""Saving a route from the route editor (a service: the view parses, calls
this, responds). Kept apart from ``services.py``, which runs cases."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from core.audit import audit_record
from workflow.models import FinalAuthorityRule, Route, RouteConsultation, RouteLevel
from workflow.route_editor import Compiled


class RouteLocked(Exception):
    """The version is published: its route is what running cases were given."""


@transaction.atomic
def route_save(
    *, route: Route, compiled: Compiled, actor: Any, request: Any = None
) -> Route:
    """Replace the route's levels, 専決 rules and 合議 by ``compiled`` (the
    editor's checked lists, in order), in one transaction."""
    route = (
        Route.objects.select_for_update()
        .select_related("procedure_version")
        .get(pk=route.pk)
    )
    if not route.procedure_version.is_editable:
        raise RouteLocked
    route.levels.all().delete()
    route.final_rules.all().delete()
    route.consultations.all().delete()
    RouteLevel.objects.bulk_create(
        RouteLevel(route=route, order=order, position_id=position)
        for order, position in enumerate(compiled.levels)
    )
    FinalAuthorityRule.objects.bulk_create(
        FinalAuthorityRule(
            route=route, order=order, label=label, rule=rule, position_id=position
        )
        for order, (label, rule, position) in enumerate(compiled.rules)
    )
    RouteConsultation.objects.bulk_create(
        RouteConsultation(
            route=route,
            section_id=section,
            position_id=position,
            before_position_id=before,
            rule=rule,
        )
        for section, position, before, rule in compiled.consultations
    )
    audit_record(
        action="workflow.route_edit",
        actor=actor,
        target=route,
        request=request,
        data={
            "levels": len(compiled.levels),
            "rules": len(compiled.rules),
            "consultations": len(compiled.consultations),
        },
    )
    return route

"""Scope rules for after-care assets.

Staff see the assets of compounds they hold entirely; a property company those of the
compounds it manages (``whole_compounds`` matches its managed compounds) and of the assets it is
the responsible unit or the maintenance contractor for; residents those of their own compound
(whether the elevator's maintenance is up to date is the residents' business).
"""

from __future__ import annotations

from django.db.models import Q

from linli.aftercare import models as m
from linli.core.scoping import MATCH_NONE, Scope, register
from linli.registry.models import Dwelling
from linli.registry.scoping import COMPOUND_OF_DWELLING, whole_compounds


def _own_compounds(scope: Scope) -> Q:
    if not scope.dwelling_ids:
        return MATCH_NONE
    return Q(
        compound__in=Dwelling.objects.filter(pk__in=sorted(scope.dwelling_ids)).values(
            f"{COMPOUND_OF_DWELLING}_id"
        )
    )


def asset_rule(scope: Scope) -> Q:
    q = whole_compounds(scope, "compound__") | _own_compounds(scope)
    if scope.organisation_ids:
        orgs = sorted(scope.organisation_ids)
        q |= Q(responsible_organisation_id__in=orgs) | Q(
            pk__in=m.MaintenanceContract.objects.filter(contractor_organisation_id__in=orgs).values(
                "asset_id"
            )
        )
    return q


def _by_asset(scope: Scope) -> Q:
    return Q(asset__in=m.Asset.objects.filter(asset_rule(scope)).values("pk"))


def record_rule(scope: Scope) -> Q:
    return Q(schedule__in=m.Schedule.objects.filter(_by_asset(scope)).values("pk"))


def register_rules() -> None:
    register(m.Asset, asset_rule)
    register(m.MaintenanceContract, _by_asset)
    register(m.Schedule, _by_asset)
    register(m.ScheduleRecord, record_rule)

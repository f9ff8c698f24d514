"""Scope rules for elevator retrofit cases.

Staff see the cases of compounds they hold entirely; property companies do not (the owners
decide and pay; the manager meets the elevator once it is handed over, as an after-care asset).
A resident sees the cases whose pool holds one of their dwellings, and only their own
dwelling's row: the public notice gives everyone's amounts without names.
"""

from __future__ import annotations

from django.db.models import Q

from linli.consultation.scoping import staff_compounds
from linli.core.scoping import Scope, any_of, register
from linli.elevators import models as m


def case_rule(scope: Scope) -> Q:
    q = staff_compounds(scope, "compound__")
    if scope.dwelling_ids:
        q |= Q(
            pk__in=m.CaseDwelling.objects.filter(dwelling_id__in=sorted(scope.dwelling_ids)).values(
                "case_id"
            )
        )
    return q


def pool_rule(scope: Scope) -> Q:
    return staff_compounds(scope, "case__compound__") | any_of(("dwelling_id", scope.dwelling_ids))


def staff_rule(scope: Scope) -> Q:
    # Votes links, documents and running-cost years: the organisers' records.
    return staff_compounds(scope, "case__compound__")


def reference_rule(scope: Scope) -> Q:
    # Subsidy rules are published city policy.
    return Q()


def register_rules() -> None:
    register(m.ElevatorCase, case_rule)
    register(m.CaseDwelling, pool_rule)
    register(m.CaseVote, staff_rule)
    register(m.ConsentDocument, staff_rule)
    register(m.RunningCostYear, staff_rule)
    register(m.SubsidyRule, reference_rule)

"""Fixtures shared by the case page tests: two adjacent stairwells of a 6-storey building, the
community worker who opens the case, a colleague, an outsider, a resident of the pool, a
property company and a zone lead (sees, may not change), and a draft case made through the
services."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from linli.accounts.roles import Role
from linli.consultation.tests.factories import stairwell_with_owners
from linli.elevators.services.cases import create_case
from linli.elevators.services.workflow import start_votes
from linli.elevators.tests.factories import (
    NOW,
    SubsidyRuleFactory,
    community_worker,
    resident_of,
    shared_stairwells,
    user_with_role,
)
from linli.registry.models import OrganisationKind
from linli.registry.tests import factories as rf

#: The fixtures, for ``from ... import *`` in the page tests (helpers are imported by name).
__all__ = [
    "case",
    "colleague",
    "compound",
    "desk",
    "outsider",
    "property_company",
    "resident",
    "stairwells",
    "worker",
    "zone_lead",
]

COSTS = {"equipment": "300000.00", "civil_works": "50000.00", "design": "20000.00"}
WEEK = datetime.timedelta(days=7)


def url(name: str, *args: Any) -> str:
    return reverse(f"elevators:{name}", args=args)


def make_case(stairwells: Any, worker: Any, **kw: Any) -> Any:
    return create_case(
        by=worker,
        title=kw.pop("title", "1号楼加装电梯"),
        stairwells=stairwells,
        costs=kw.pop("costs", COSTS),
        subsidy_rule=kw.pop("subsidy_rule", SubsidyRuleFactory()),
        coefficients=kw.pop("coefficients", "half_step"),
        **kw,
    )


def another_stairwell(compound: Any) -> Any:
    """A small stairwell of a new building in the same compound."""
    return stairwell_with_owners(compound=compound, storeys=3, per_floor=1)


def voting(case: Any, worker: Any) -> Any:
    start_votes(case, by=worker, opens_at=NOW, closes_at=NOW + WEEK, now=NOW)
    return case


@pytest.fixture
def stairwells() -> Any:
    return shared_stairwells(2)


@pytest.fixture
def compound(stairwells: Any) -> Any:
    return stairwells[0].building.compound


@pytest.fixture
def worker(compound: Any) -> Any:
    return community_worker(compound)


@pytest.fixture
def colleague(compound: Any) -> Any:
    return community_worker(compound)


@pytest.fixture
def outsider() -> Any:
    return community_worker(rf.CompoundFactory())


@pytest.fixture
def case(stairwells: Any, worker: Any) -> Any:
    return make_case(stairwells, worker)


@pytest.fixture
def resident(case: Any) -> Any:
    return resident_of(case.pool.first().dwelling)


@pytest.fixture
def property_company(compound: Any) -> Any:
    org = rf.OrganisationFactory(kind=OrganisationKind.PROPERTY)
    compound.property_company = org
    compound.save()
    return user_with_role(Role.PROPERTY_COMPANY, organisation=org)


@pytest.fixture
def zone_lead(compound: Any) -> Any:
    zone = rf.ZoneFactory()
    compound.zone = zone
    compound.save()
    return user_with_role(Role.ZONE_LEAD, zone=zone)


@pytest.fixture
def desk(client: Any, worker: Any) -> Any:
    client.force_login(worker)
    return client


TOTAL = Decimal("270000.00")

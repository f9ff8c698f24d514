"""Factories and small builders for consultation tests.

``stairwell_with_owners`` builds the usual case: a stairwell of a 6-storey building with two
dwellings per floor, each owned by its own person; pass ``compound=`` to put several in one
compound. Votes, electors and ballots are made through the services (their rules are the
point), not by factories.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory

from linli.accounts.roles import Role
from linli.accounts.tests.factories import user_with_role
from linli.consultation import models as m
from linli.registry import models as rm
from linli.registry.tests import factories as rf

__all__ = [
    "OptionFactory",
    "QuestionFactory",
    "SurveyFactory",
    "SurveyVersionFactory",
    "community_worker",
    "resident_of",
    "stairwell_with_owners",
    "user_with_role",
]


def stairwell_with_owners(
    *,
    compound: rm.Compound | None = None,
    storeys: int = 6,
    per_floor: int = 2,
    area: str = "60.00",
) -> rm.Stairwell:
    """A stairwell with ``storeys * per_floor`` dwellings, one owner each."""
    building = rf.BuildingFactory(
        storeys=storeys, **({"compound": compound} if compound is not None else {})
    )
    stairwell = rf.StairwellFactory(building=building)
    for floor in range(1, storeys + 1):
        for n in range(1, per_floor + 1):
            dwelling = rf.DwellingFactory(
                stairwell=stairwell, floor=floor, number=f"{floor}0{n}", area=Decimal(area)
            )
            rf.OwnershipFactory(dwelling=dwelling)
    return stairwell


def community_worker(compound: rm.Compound, **kwargs: Any) -> Any:
    """A community (社区) user bound to the compound's community."""
    return user_with_role(Role.COMMUNITY, community=compound.community, **kwargs)


def resident_of(dwelling: rm.Dwelling, **kwargs: Any) -> Any:
    """A resident user bound to ``dwelling``."""
    return user_with_role(Role.RESIDENT, dwelling=dwelling, **kwargs)


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Survey

    title = factory.Sequence(lambda n: f"改造意愿调查{n + 1}")

    @factory.post_generation
    def compounds(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.compounds.set(extracted)


class SurveyVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.SurveyVersion

    survey = factory.SubFactory(SurveyFactory)
    number = 1


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Question

    version = factory.SubFactory(SurveyVersionFactory)
    position = factory.Sequence(lambda n: n + 1)
    kind = m.QuestionKind.SINGLE
    text = factory.Sequence(lambda n: f"问题{n + 1}")


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Option

    question = factory.SubFactory(QuestionFactory)
    position = factory.Sequence(lambda n: n + 1)
    value = factory.Sequence(lambda n: f"opt{n + 1}")
    label = factory.Sequence(lambda n: f"选项{n + 1}")

"""factory_boy factories for the registry; every fake identifier has a valid checksum."""

from __future__ import annotations

import random
from decimal import Decimal

import factory

from linli.core.ids import fake_mobile, fake_resident_id
from linli.registry import models

_rng = random.Random(20261127)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.District
        django_get_or_create = ("code",)

    code = "410303"
    name = "西工区"


class SubdistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Subdistrict

    district = factory.SubFactory(DistrictFactory)
    # Wraps at 999: a 9-digit code however many tests ran in this process before.
    code = factory.Sequence(lambda n: f"410303{n % 999 + 1:03d}")
    name = factory.Sequence(lambda n: f"测试街道{n + 1}")


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Community

    subdistrict = factory.SubFactory(SubdistrictFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.subdistrict.code}{n % 999 + 1:03d}")
    name = factory.Sequence(lambda n: f"测试社区{n + 1}")


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Zone

    district = factory.SubFactory(DistrictFactory)
    code = factory.Sequence(lambda n: f"Z{n + 1:02d}")
    name = factory.Sequence(lambda n: f"第{n + 1}片区")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organisation

    kind = models.OrganisationKind.PROPERTY
    name = factory.Sequence(lambda n: f"测试物业公司{n + 1}")
    district = factory.SubFactory(DistrictFactory)


class CompoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Compound

    code = factory.Sequence(lambda n: f"T{n + 1:05d}")
    name = factory.Sequence(lambda n: f"测试路{n + 1}号院")
    community = factory.SubFactory(CommunityFactory)
    zone = factory.SubFactory(
        ZoneFactory, district=factory.SelfAttribute("..community.subdistrict.district")
    )
    year_built = 1990
    longitude = Decimal("112.430000")
    latitude = Decimal("34.670000")


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Building

    compound = factory.SubFactory(CompoundFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    storeys = 6


class StairwellFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Stairwell

    building = factory.SubFactory(BuildingFactory)
    number = factory.Sequence(lambda n: str(n + 1))


class DwellingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Dwelling

    stairwell = factory.SubFactory(StairwellFactory)
    floor = 1
    number = factory.Sequence(lambda n: f"{n + 101}")
    area = Decimal("72.50")


class OwnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Owner

    kind = models.OwnerKind.PERSON
    name = factory.Sequence(lambda n: f"业主{n + 1}")
    id_number = factory.LazyFunction(lambda: fake_resident_id(_rng))
    phone = factory.LazyFunction(lambda: fake_mobile(_rng))


class OwnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Ownership

    owner = factory.SubFactory(OwnerFactory)
    dwelling = factory.SubFactory(DwellingFactory)


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Household

    dwelling = factory.SubFactory(DwellingFactory)
    head_name = factory.Sequence(lambda n: f"户主{n + 1}")


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Resident

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"居民{n + 1}")
    id_number = factory.LazyFunction(lambda: fake_resident_id(_rng))
    gender = models.Gender.FEMALE
    birth_year = 1960

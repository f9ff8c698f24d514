"""The Xigong demo: deterministic, plausible, valid, and guarded against clobbering data."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from linli.core.crypto import reveal
from linli.core.geo import XIGONG_EXTENT
from linli.core.ids import (
    FAKE_MOBILE_PREFIX,
    check_credit_code,
    check_division_code,
    check_resident_id,
)
from linli.registry import demo
from linli.registry.demo_generate import Plan, apportion
from linli.registry.demo_rows import DEMO_YEAR
from linli.registry.models import (
    Building,
    Compound,
    Dwelling,
    Household,
    Owner,
    OwnerKind,
    Ownership,
    Resident,
    SaleStatus,
    Subdistrict,
)
from linli.registry.tests.factories import CompoundFactory

SMALL = 20


def small_build(seed: int = demo.DEFAULT_SEED, *, reset: bool = False) -> demo.BuildSummary:
    return demo.build(seed=seed, compounds=SMALL, reset=reset)


def renovated_households(compound: Compound) -> int:
    return Household.objects.filter(dwelling__stairwell__building__compound=compound).count()


# --- pure generation -----------------------------------------------------------------------


def test_apportion_splits_exactly_and_respects_minimums():
    weights = [85, 75, 75, 70, 65, 70, 55, 25, 17]
    assert apportion(30, weights, [1] * 9) == [5, 4, 4, 4, 4, 4, 3, 1, 1]
    parts = apportion(5, [100, 1, 1], [0, 1, 1])
    assert parts == [3, 1, 1]


def test_small_plan_scales_the_seed_figures_by_compound_count():
    plan = Plan.for_size(SMALL)
    assert plan.renovated == round(259 * SMALL / 537)
    assert plan.households == round(38_000 * SMALL / 537)
    assert plan.people == round(152_000 * SMALL / 537)


def test_plan_refuses_a_size_outside_the_range():
    with pytest.raises(ValueError, match="compounds must be between"):
        Plan.for_size(538)


def test_generation_is_repeatable_for_a_seed():
    first = demo.generate(seed=7, compounds=SMALL)
    second = demo.generate(seed=7, compounds=SMALL)
    assert first == second


def test_small_demo_hits_its_renovated_targets_exactly():
    data = demo.generate(compounds=SMALL)
    plan = Plan.for_size(SMALL)
    renovated = {i for i, c in enumerate(data.compounds) if c.renovation_status == "renovated"}
    compound_of = [data.buildings[data.stairwells[d.stairwell][0]].compound for d in data.dwellings]
    households = [h for h in data.households if compound_of[h.dwelling] in renovated]
    assert len(renovated) == plan.renovated
    assert len(households) == plan.households
    assert sum(len(h.members) for h in households) == plan.people


# --- building into the database ------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.xdist_group("demo")
def test_two_builds_with_the_same_seed_have_the_same_content_hash():
    small_build()
    first = demo.content_hash()
    small_build(reset=True)
    assert demo.content_hash() == first


@pytest.mark.django_db
@pytest.mark.xdist_group("demo")
def test_a_different_seed_gives_a_different_content_hash():
    small_build()
    first = demo.content_hash()
    small_build(seed=1, reset=True)
    assert demo.content_hash() != first


@pytest.mark.django_db
@pytest.mark.xdist_group("demo")
def test_content_hash_changes_when_one_business_field_changes():
    small_build()
    before = demo.content_hash()
    dwelling = Dwelling.objects.order_by("pk").first()
    dwelling.area += Decimal("0.01")
    dwelling.save()
    assert demo.content_hash() != before


@pytest.mark.django_db
@pytest.mark.xdist_group("demo")
def test_daonan_road_70_has_seven_buildings_and_about_270_elderly_households():
    small_build()
    compound = Compound.objects.get(name="道南路70号院")
    assert compound.renovation_status == "renovated"
    assert compound.buildings.count() == 7
    assert 250 <= renovated_households(compound) <= 290
    ages = [
        DEMO_YEAR - year
        for year in Resident.objects.filter(
            household__dwelling__stairwell__building__compound=compound
        ).values_list("birth_year", flat=True)
    ]
    assert sum(age >= 60 for age in ages) > len(ages) / 2


@pytest.mark.django_db
@pytest.mark.xdist_group("demo")
def test_kaixuan_east_road_43_has_professional_property_management():
    small_build()
    compound = Compound.objects.get(name="凯旋东路43号院")
    assert compound.management_mode == "professional"
    assert compound.community.subdistrict.name == "凯旋东路街道"


@pytest.mark.django_db
@pytest.mark.xdist_group("demo")
def test_every_id_number_in_the_demo_passes_its_checksum():
    small_build()
    ids = [reveal(v) for v in Resident.objects.values_list("id_number", flat=True)]
    ids += [
        reveal(v)
        for v in Owner.objects.filter(kind=OwnerKind.PERSON).values_list("id_number", flat=True)
    ]
    assert ids
    assert all(check_resident_id(value) == value for value in ids)
    assert all(value[:4] == "4103" for value in ids)


@pytest.mark.django_db
@pytest.mark.xdist_group("demo")
def test_demo_phones_are_all_in_the_fake_range():
    small_build()
    phones = {reveal(v) for v in Resident.objects.exclude(phone="").values_list("phone", flat=True)}
    phones |= {reveal(v) for v in Owner.objects.exclude(phone="").values_list("phone", flat=True)}
    assert phones
    assert all(phone.startswith(FAKE_MOBILE_PREFIX) for phone in phones)


@pytest.mark.django_db
@pytest.mark.xdist_group("demo")
def test_division_codes_nest_under_xigong():
    small_build()
    for sub in Subdistrict.objects.prefetch_related("communities"):
        assert check_division_code(sub.code, "subdistrict").startswith("410303")
        for community in sub.communities.all():
            assert check_division_code(community.code, "community").startswith(sub.code)


@pytest.mark.django_db
@pytest.mark.xdist_group("demo")
def test_every_compound_lies_inside_xigongs_extent():
    small_build()
    min_lon, min_lat, max_lon, max_lat = XIGONG_EXTENT
    for lon, lat in Compound.objects.values_list("longitude", "latitude"):
        assert min_lon <= lon <= max_lon
        assert min_lat <= lat <= max_lat


@pytest.mark.django_db
@pytest.mark.xdist_group("demo")
def test_demo_rows_pass_model_validation():
    small_build()
    rows = [
        *Compound.objects.all(),
        *Building.objects.all(),
        *Dwelling.objects.select_related("stairwell__building"),
        *Owner.objects.all(),
        *Resident.objects.all()[:500],
    ]
    for row in rows:
        row.full_clean(validate_unique=False, validate_constraints=False)


@pytest.mark.django_db
@pytest.mark.xdist_group("demo")
def test_unsold_dwellings_belong_to_a_developer_with_a_valid_credit_code():
    small_build(seed=11)
    held = Ownership.objects.exclude(dwelling__sale_status=SaleStatus.SOLD).select_related("owner")
    for ownership in held:
        assert ownership.owner.kind == OwnerKind.DEVELOPER
        assert check_credit_code(ownership.owner.credit_code) == ownership.owner.credit_code
        assert not ownership.dwelling.households.exists()


@pytest.mark.django_db
@pytest.mark.xdist_group("demo")
def test_build_refuses_a_registry_that_already_holds_data():
    CompoundFactory(name="已有小区")
    with pytest.raises(CommandError, match="--reset"):
        call_command("demo", "build", "--compounds", str(SMALL))
    assert list(Compound.objects.values_list("name", flat=True)) == ["已有小区"]


@pytest.mark.django_db
@pytest.mark.xdist_group("demo")
def test_build_with_reset_replaces_existing_data():
    CompoundFactory(name="已有小区")
    call_command("demo", "build", "--compounds", str(SMALL), "--reset", stdout=StringIO())
    assert not Compound.objects.filter(name="已有小区").exists()
    assert Compound.objects.count() == SMALL


@pytest.mark.django_db
@pytest.mark.xdist_group("demo")
def test_if_empty_does_nothing_quietly_when_data_exists():
    CompoundFactory(name="已有小区")
    out = StringIO()
    call_command("demo", "build", "--if-empty", "--compounds", str(SMALL), stdout=out)
    assert out.getvalue() == ""
    assert Compound.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.xdist_group("demo")
def test_if_empty_builds_into_an_empty_registry_and_prints_a_summary():
    out = StringIO()
    call_command("demo", "build", "--if-empty", "--compounds", str(SMALL), stdout=out)
    plan = Plan.for_size(SMALL)
    assert Compound.objects.count() == SMALL
    assert f"households in renovated: {plan.households}" in out.getvalue()
    assert f"people in renovated: {plan.people}" in out.getvalue()


@pytest.mark.django_db
def test_build_refuses_a_compound_count_out_of_range():
    with pytest.raises(CommandError, match="compounds must be between"):
        call_command("demo", "build", "--compounds", "1")


# --- the full demo -------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.xdist_group("demo")
def test_full_demo_matches_the_seed_figures():
    summary = demo.build()
    assert summary.compounds == 537
    assert summary.zones == 30
    assert summary.renovated == 259
    assert abs(summary.households_renovated - 38_000) <= 380
    assert abs(summary.people_renovated - 152_000) <= 1_520
    assert Compound.objects.filter(year_built__lt=2000).count() >= 0.95 * 537
    assert Compound.objects.filter(zone__isnull=True).count() == 0
    daonan = Compound.objects.get(name="道南路70号院")
    assert daonan.buildings.count() == 7
    assert 250 <= renovated_households(daonan) <= 290

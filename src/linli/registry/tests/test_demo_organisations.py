"""Organisations in the Xigong demo: property companies, departments, utilities, contractors."""

from __future__ import annotations

import pytest

from linli.core.ids import check_credit_code
from linli.registry import demo
from linli.registry.demo_data import HOUSING_DEPARTMENT, KAIXUAN_COMPOUND, KAIXUAN_PROPERTY
from linli.registry.models import Compound, ManagementMode, Organisation, OrganisationKind

SMALL = 20


@pytest.fixture(scope="module")
def data() -> demo.DemoData:
    return demo.generate(compounds=SMALL)


def kinds(data: demo.DemoData) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for row in data.organisations:
        found.setdefault(row.kind, []).append(row.name)
    return found


def test_every_organisation_credit_code_passes_its_checksum_and_is_unique(data):
    codes = [row.credit_code for row in data.organisations]
    assert all(check_credit_code(code) == code for code in codes)
    assert len(set(codes)) == len(codes)


def test_departments_are_registered_as_government_bodies(data):
    departments = [row for row in data.organisations if row.kind == OrganisationKind.DEPARTMENT]
    assert HOUSING_DEPARTMENT in [row.name for row in departments]
    assert {"西工区财政局", "西工区应急管理局", "西工区市场监督管理局"} <= {
        r.name for r in departments
    }
    assert all(row.credit_code.startswith("11410303") for row in departments)


def test_there_are_utilities_and_each_kind_of_contractor(data):
    found = kinds(data)
    assert len(found[OrganisationKind.UTILITY]) == 5
    for kind in (
        OrganisationKind.DESIGN,
        OrganisationKind.CONSTRUCTION,
        OrganisationKind.SUPERVISION,
    ):
        assert found[kind]


def test_kaixuan_road_43s_company_manages_it_and_nothing_else(data):
    company = next(i for i, r in enumerate(data.organisations) if r.name == KAIXUAN_PROPERTY)
    managed = [row.name for row in data.compounds if row.property_company == company]
    assert managed == [KAIXUAN_COMPOUND]


def test_exactly_the_professionally_managed_compounds_have_a_property_company(data):
    for row in data.compounds:
        professional = row.management_mode == ManagementMode.PROFESSIONAL
        assert (row.property_company is not None) is professional
        if professional:
            assert data.organisations[row.property_company].kind == OrganisationKind.PROPERTY


def test_organisations_are_the_same_for_the_same_seed_and_differ_for_another(data):
    assert demo.generate(compounds=SMALL).organisations == data.organisations
    other = demo.generate(seed=7, compounds=SMALL).organisations
    assert [r.credit_code for r in other] != [r.credit_code for r in data.organisations]


@pytest.mark.django_db
def test_the_build_writes_the_organisations_and_links_the_compounds():
    demo.build(compounds=2)
    kaixuan = Compound.objects.get(name=KAIXUAN_COMPOUND)
    assert kaixuan.property_company.name == KAIXUAN_PROPERTY
    assert Organisation.objects.filter(name=HOUSING_DEPARTMENT).exists()
    assert not Compound.objects.get(name="道南路70号院").property_company


@pytest.mark.django_db
def test_a_reset_build_replaces_the_organisations_too():
    demo.build(compounds=2)
    demo.build(compounds=2, reset=True)
    assert Organisation.objects.filter(name=KAIXUAN_PROPERTY).count() == 1

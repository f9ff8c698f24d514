"""The seeded catalogue, the review-rule seeding command and the rules' own validation."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from linli.registry.models import OrganisationKind
from linli.registry.tests.factories import DistrictFactory
from linli.renewal.models import (
    CatalogueItem,
    ContentCategory,
    LocalTag,
    OutputIndicator,
    ReviewRule,
    RuleScope,
)
from linli.renewal.seed import DEPARTMENTS, INDICATORS, ITEMS, TAGS
from linli.renewal.tests import factories as f

pytestmark = pytest.mark.django_db


def test_every_install_has_the_catalogue_from_the_migration():
    assert CatalogueItem.objects.count() == len(ITEMS)
    assert OutputIndicator.objects.count() == len(INDICATORS)
    assert LocalTag.objects.count() == len(TAGS)


def test_the_catalogue_covers_the_three_national_categories():
    counts = {c: CatalogueItem.objects.filter(category=c).count() for c in ContentCategory.values}
    assert all(n >= 8 for n in counts.values()), counts


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("燃气管道改造", "basic"),
        ("消防设施改造", "basic"),
        ("加装电梯", "improvement"),
        ("拆除违法建设", "improvement"),
        ("养老服务设施", "upgrade"),
        ("城市书房", "upgrade"),
    ],
)
def test_the_catalogue_holds_the_items_of_the_national_list(name, category):
    assert CatalogueItem.objects.get(name=name).category == category


def test_every_output_indicator_of_the_seed_figures_is_fed_by_an_item():
    for indicator in OutputIndicator.objects.all():
        assert indicator.items.exists(), indicator.name


def test_the_seed_figures_indicators_carry_their_units():
    units = dict(OutputIndicator.objects.values_list("name", "unit"))
    assert units["背街小巷"] == "strip"
    assert units["新增绿化"] == "m2"
    assert units["改造道路"] == "km"
    assert units["新增停车位"] == "piece"
    assert units["加装电梯"] == "elevator"


def test_the_two_demolitions_three_renovations_one_preservation_are_tagged():
    tagged = {t.name: t.items.count() for t in LocalTag.objects.all()}
    assert set(tagged) == {
        "拆违建",
        "拆违墙",
        "改基础设施",
        "改居住环境",
        "改服务功能",
        "留历史建筑",
    }
    assert all(n >= 1 for n in tagged.values()), tagged


def test_seeding_the_catalogue_again_keeps_the_district_offices_edits():
    item = CatalogueItem.objects.get(code="B04")
    item.name = "燃气管道及设施改造"
    item.save()
    out = StringIO()
    call_command("renewal", "seed-catalogue", stdout=out)
    assert CatalogueItem.objects.get(code="B04").name == "燃气管道及设施改造"
    assert "items 0" in out.getvalue()


def test_seeding_review_rules_names_the_departments_that_exist_and_those_missing():
    district = DistrictFactory()
    housing = f.OrganisationFactory(name="西工区住房和城乡建设局", district=district)
    gas = f.OrganisationFactory(
        name="洛阳新奥燃气有限公司", kind=OrganisationKind.UTILITY, district=district
    )
    market = f.OrganisationFactory(name="西工区市场监督管理局", district=district)
    f.OrganisationFactory(name="某燃气设计院", kind=OrganisationKind.DESIGN, district=district)
    out = StringIO()
    call_command("renewal", "seed-review-rules", stdout=out)
    assert ReviewRule.objects.get(applies_to=RuleScope.ALL).department == housing
    assert ReviewRule.objects.get(item__code="B04").department == gas
    assert ReviewRule.objects.get(item__code="I14", department=market)
    text = out.getvalue()
    assert "finance: 未找到 (not found)" in text
    assert f"新增联审规则 (review rules created): {ReviewRule.objects.count()}" in text


def test_seeding_review_rules_twice_creates_nothing_new():
    f.OrganisationFactory(name="西工区财政局")
    call_command("renewal", "seed-review-rules", stdout=StringIO())
    before = ReviewRule.objects.count()
    call_command("renewal", "seed-review-rules", stdout=StringIO())
    assert ReviewRule.objects.count() == before == 1


def test_every_department_seed_names_items_that_exist():
    codes = set(CatalogueItem.objects.values_list("code", flat=True))
    for seed in DEPARTMENTS:
        assert set(seed.items) <= codes, seed.key


def test_an_item_rule_must_name_its_item():
    rule = ReviewRule(applies_to=RuleScope.ITEM, department=f.OrganisationFactory())
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert "item" in caught.value.message_dict


def test_a_category_rule_must_name_its_category_and_no_item():
    rule = ReviewRule(
        applies_to=RuleScope.CATEGORY,
        item=f.CatalogueItemFactory(),
        department=f.OrganisationFactory(),
    )
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert {"item", "category"} <= set(caught.value.message_dict)


def test_only_departments_and_utilities_review():
    designer = f.OrganisationFactory(kind=OrganisationKind.DESIGN)
    rule = ReviewRule(applies_to=RuleScope.ALL, department=designer)
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert "department" in caught.value.message_dict


def test_the_same_rule_cannot_be_entered_twice():
    department = f.OrganisationFactory()
    f.ReviewRuleFactory(applies_to=RuleScope.ALL, item=None, department=department)
    duplicate = ReviewRule(applies_to=RuleScope.ALL, department=department)
    with pytest.raises(ValidationError) as caught:
        duplicate.full_clean()
    assert "the same review rule already exists" in str(caught.value)

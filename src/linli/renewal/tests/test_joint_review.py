"""Which departments must sign off a project: rules by item, by category and for all."""

from __future__ import annotations

from linli.renewal.joint_review import ItemFact, RuleFact, required_reviews

GAS = ItemFact(1, "燃气管道改造", "basic")
ELEVATOR = ItemFact(2, "加装电梯", "improvement")
STUDY_ROOM = ItemFact(3, "城市书房", "upgrade")
HOUSING, GAS_CO, MARKET, PLANNING = 10, 20, 30, 40


def by_department(requirements):
    return {r.department_id: (r.workdays, r.reasons) for r in requirements}


def test_an_item_rule_requires_its_department_when_the_project_has_the_item():
    rules = [RuleFact(GAS_CO, 5, "item", item_id=GAS.item_id)]
    assert by_department(required_reviews([GAS], rules)) == {GAS_CO: (5, ["燃气管道改造"])}


def test_an_item_rule_is_ignored_when_the_project_lacks_the_item():
    rules = [RuleFact(GAS_CO, 5, "item", item_id=GAS.item_id)]
    assert required_reviews([ELEVATOR], rules) == []


def test_a_category_rule_lists_every_item_of_that_category():
    rules = [RuleFact(PLANNING, 7, "category", category="upgrade")]
    items = [GAS, STUDY_ROOM, ItemFact(4, "卫生服务站", "upgrade")]
    assert by_department(required_reviews(items, rules)) == {
        PLANNING: (7, ["城市书房", "卫生服务站"])
    }


def test_a_rule_for_every_project_applies_to_any_project_with_items():
    rules = [RuleFact(HOUSING, 5, "all", label="所有项目")]
    assert by_department(required_reviews([GAS], rules)) == {HOUSING: (5, ["所有项目"])}


def test_a_department_named_by_several_rules_reviews_once_with_the_longest_limit():
    rules = [
        RuleFact(MARKET, 5, "item", item_id=ELEVATOR.item_id),
        RuleFact(MARKET, 10, "category", category="improvement"),
    ]
    assert by_department(required_reviews([ELEVATOR], rules)) == {MARKET: (10, ["加装电梯"])}


def test_departments_come_in_a_stable_order():
    rules = [
        RuleFact(MARKET, 5, "item", item_id=ELEVATOR.item_id),
        RuleFact(HOUSING, 5, "all", label="所有项目"),
        RuleFact(GAS_CO, 5, "item", item_id=GAS.item_id),
    ]
    found = required_reviews([GAS, ELEVATOR], rules)
    assert [r.department_id for r in found] == [HOUSING, GAS_CO, MARKET]

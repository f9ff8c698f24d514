"""Subsidy rules as data: fixed, percentage (capped or not) and by storeys."""

from __future__ import annotations

from decimal import Decimal

import pytest

from linli.core.errors import Invalid
from linli.elevators.subsidy import SubsidyRule, residents_total, subsidy_for

D = Decimal


def test_a_fixed_subsidy_is_the_same_amount_for_every_elevator():
    rule = SubsidyRule("fixed", amount=D("150000"), city="西安")
    assert subsidy_for(rule, total_cost=D("480000.00"), storeys=6) == D("150000.00")
    assert subsidy_for(rule, total_cost=D("600000.00"), storeys=11) == D("150000.00")


def test_a_subsidy_is_never_more_than_the_total_cost():
    rule = SubsidyRule("fixed", amount=D("150000"))
    assert subsidy_for(rule, total_cost=D("120000.00"), storeys=6) == D("120000.00")
    table = SubsidyRule("storeys", by_storeys={4: D("200000")})
    assert subsidy_for(table, total_cost=D("99.99"), storeys=6) == D("99.99")


def test_a_percentage_subsidy_without_a_cap_takes_its_share_of_the_cost_rounded_half_up():
    rule = SubsidyRule("percent", percent=D("40"))
    assert subsidy_for(rule, total_cost=D("500000.00"), storeys=6) == D("200000.00")
    # 33% of 100.05 = 33.0165 -> 33.02
    odd = SubsidyRule("percent", percent=D("33"))
    assert subsidy_for(odd, total_cost=D("100.05"), storeys=6) == D("33.02")
    # 10% of 0.05 = 0.005 -> 0.01 (half up)
    assert subsidy_for(SubsidyRule("percent", percent="10"), total_cost=D("0.05"), storeys=6) == D(
        "0.01"
    )


def test_a_percentage_subsidy_with_a_cap_stops_at_the_cap():
    rule = SubsidyRule("percent", percent=D("50"), cap=D("250000"))
    assert subsidy_for(rule, total_cost=D("400000.00"), storeys=6) == D("200000.00")
    assert subsidy_for(rule, total_cost=D("600000.00"), storeys=6) == D("250000.00")


def test_a_hundred_percent_subsidy_leaves_nothing_for_the_residents():
    rule = SubsidyRule("percent", percent=D("100"))
    grant = subsidy_for(rule, total_cost=D("480000.00"), storeys=6)
    assert residents_total(D("480000.00"), grant) == D("0.00")


def test_a_subsidy_by_storeys_takes_the_entry_for_the_highest_key_not_above_the_storeys():
    rule = SubsidyRule(
        "storeys", by_storeys={"4": "100000", 6: D("150000"), 9: D("200000")}, city="杭州"
    )
    cost = D("900000.00")
    assert subsidy_for(rule, total_cost=cost, storeys=3) == D("0.00")  # below the table
    assert subsidy_for(rule, total_cost=cost, storeys=4) == D("100000.00")  # at a key
    assert subsidy_for(rule, total_cost=cost, storeys=5) == D("100000.00")  # between keys
    assert subsidy_for(rule, total_cost=cost, storeys=6) == D("150000.00")
    assert subsidy_for(rule, total_cost=cost, storeys=9) == D("200000.00")
    assert subsidy_for(rule, total_cost=cost, storeys=18) == D("200000.00")  # above the table
    assert rule.by_storeys == {4: D("100000.00"), 6: D("150000.00"), 9: D("200000.00")}


def test_the_residents_total_is_what_remains_after_the_subsidy():
    rule = SubsidyRule("fixed", amount=D("150000"))
    grant = subsidy_for(rule, total_cost=D("420000.00"), storeys=6)
    assert residents_total(D("420000.00"), grant) == D("270000.00")


def test_a_subsidy_above_the_cost_cannot_be_subtracted():
    with pytest.raises(Invalid) as caught:
        residents_total(D("100.00"), D("100.01"))
    assert caught.value.code == "subsidy_above_cost"


@pytest.mark.parametrize(
    ("kwargs", "code", "en"),
    [
        ({"kind": "lottery"}, "unknown_subsidy_kind", "unknown subsidy kind 'lottery'"),
        ({"kind": "fixed"}, "missing_amount", "fixed subsidy needs its amount"),
        (
            {"kind": "fixed", "amount": D("-1")},
            "negative_amount",
            "subsidy amount cannot be negative",
        ),
        ({"kind": "percent"}, "missing_percent", "needs its percentage"),
        ({"kind": "percent", "percent": D("-5")}, "bad_percent", "between 0 and 100"),
        ({"kind": "percent", "percent": D("100.5")}, "bad_percent", "between 0 and 100"),
        ({"kind": "percent", "percent": D("20"), "cap": D("-1")}, "negative_amount", "subsidy cap"),
        ({"kind": "storeys"}, "missing_table", "needs its table"),
        ({"kind": "storeys", "by_storeys": {}}, "missing_table", "needs its table"),
        ({"kind": "storeys", "by_storeys": {0: D("1")}}, "bad_storeys", "positive whole numbers"),
        ({"kind": "storeys", "by_storeys": {6: D("-1")}}, "negative_amount", "6 storeys"),
    ],
)
def test_a_broken_rule_is_refused_with_both_texts(kwargs, code, en):
    with pytest.raises(Invalid) as caught:
        SubsidyRule(**kwargs)
    assert caught.value.code == code
    assert en in caught.value.en
    assert caught.value.zh


def test_the_city_is_named_in_the_refusal():
    with pytest.raises(Invalid) as caught:
        SubsidyRule("percent", percent=D("120"), city="洛阳")
    assert "洛阳" in caught.value.zh and "洛阳" in caught.value.en


def test_a_negative_cost_or_storeys_below_one_is_refused():
    rule = SubsidyRule("fixed", amount=D("1000"))
    with pytest.raises(Invalid) as caught:
        subsidy_for(rule, total_cost=D("-1"), storeys=6)
    assert caught.value.code == "negative_amount" and "total cost" in caught.value.en
    with pytest.raises(Invalid) as caught:
        subsidy_for(rule, total_cost=D("1000"), storeys=0)
    assert caught.value.code == "bad_storeys"

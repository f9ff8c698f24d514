"""The cost-sharing engine on worked examples and on every input it must refuse."""

from __future__ import annotations

from decimal import Decimal

import pytest

from linli.core.errors import Invalid
from linli.elevators.allocation import (
    Allocation,
    DwellingInput,
    allocate,
    provident_fund_limit,
    running_costs,
)

D = Decimal


def stairwell(
    floors: int = 6,
    per_floor: int = 2,
    area: str = "80.00",
    stairwell_id: int = 1,
    first_id: int = 1,
) -> list[DwellingInput]:
    """Dwellings numbered floor by floor: ids first_id, first_id+1 on floor 1, and so on."""
    ids = iter(range(first_id, first_id + floors * per_floor))
    return [
        DwellingInput(id=next(ids), floor=floor, area=D(area), stairwell=stairwell_id)
        for floor in range(1, floors + 1)
        for _ in range(per_floor)
    ]


def by_id(result: Allocation, field: str = "construction_share") -> dict[int, Decimal]:
    return {share.dwelling: getattr(share, field) for share in result.shares}


def total(result: Allocation, field: str = "construction_share") -> Decimal:
    return sum((getattr(share, field) for share in result.shares), D(0))


def refused(code: str, **kwargs: object) -> Invalid:
    with pytest.raises(Invalid) as caught:
        allocate(**kwargs)  # type: ignore[arg-type]
    assert caught.value.code == code
    assert caught.value.zh and caught.value.en
    return caught.value


# --- the example ---------------------------------------------------------------------


def test_half_step_six_storeys_two_per_floor_gives_ten_thousand_at_the_bottom_and_35_at_the_top():
    result = allocate(
        dwellings=stairwell(), residents_total=D("270000.00"), coefficients="half_step"
    )
    shares = by_id(result)
    assert shares[1] == shares[2] == D("10000.00")
    assert shares[11] == shares[12] == D("35000.00")
    assert [shares[i] for i in (3, 5, 7, 9)] == [
        D("15000.00"),
        D("20000.00"),
        D("25000.00"),
        D("30000.00"),
    ]
    assert total(result) == D("270000.00")
    assert result.total_weight == D("27.0")


def test_allocation_as_json_gives_decimal_strings_with_two_places_for_money():
    result = allocate(dwellings=stairwell(), residents_total=D("270000"), coefficients="half_step")
    data = result.as_json()
    assert data["residents_total"] == "270000.00"
    top = data["shares"][-1]
    assert top == {
        "dwelling": 12,
        "floor": 6,
        "coefficient": "3.5",
        "weight": "3.5",
        "construction_share": "35000.00",
        "compensation_paid": "0.00",
        "compensation_received": "0.00",
        "net": "35000.00",
    }


def test_shares_keep_the_order_of_the_input_dwellings():
    dwellings = list(reversed(stairwell()))
    result = allocate(dwellings=dwellings, residents_total=D("100"), coefficients="equal")
    assert [s.dwelling for s in result.shares] == [d.id for d in dwellings]


# --- rounding --------------------------------------------------------------------------------


def test_three_equal_dwellings_sharing_100_give_the_extra_fen_to_the_smallest_id():
    # Equal remainders on the same floor: the tie goes to the smaller dwelling id.
    dwellings = [DwellingInput(id=i, floor=3, area=D("60")) for i in (7, 5, 9)]
    result = allocate(dwellings=dwellings, residents_total=D("100.00"), coefficients="equal")
    assert by_id(result) == {5: D("33.34"), 7: D("33.33"), 9: D("33.33")}


def test_equal_remainders_on_different_floors_give_the_extra_fen_to_the_higher_floor():
    dwellings = [DwellingInput(id=i, floor=f, area=D("60")) for i, f in ((1, 1), (2, 2), (3, 3))]
    result = allocate(dwellings=dwellings, residents_total=D("100.00"), coefficients="equal")
    assert by_id(result) == {1: D("33.33"), 2: D("33.33"), 3: D("33.34")}


def test_two_fen_left_over_go_to_the_two_largest_remainders():
    # Weights 1, 1, 1, 1, 1, 1, 1 over 1.00: 14.28571… each, 2 fen left; floors 7 and 6 take them.
    dwellings = [DwellingInput(id=i, floor=i, area=D("50")) for i in range(1, 8)]
    result = allocate(dwellings=dwellings, residents_total=D("1.00"), coefficients="equal")
    shares = by_id(result)
    assert shares[7] == shares[6] == D("0.15")
    assert all(shares[i] == D("0.14") for i in range(1, 6))
    assert total(result) == D("1.00")


def test_the_largest_remainder_wins_over_floor_and_id():
    # Weights 1 and 2 over 0.10: exact 3.33… and 6.66… fen; the remainder 0.66 of the floor-1
    # dwelling (weight 2 by custom table) beats the higher floor.
    dwellings = [
        DwellingInput(id=1, floor=1, area=D("50")),
        DwellingInput(id=2, floor=2, area=D("50")),
    ]
    result = allocate(
        dwellings=dwellings, residents_total=D("0.10"), coefficients={1: D("2"), 2: D("1")}
    )
    assert by_id(result) == {1: D("0.07"), 2: D("0.03")}


def test_a_zero_total_gives_everyone_zero():
    result = allocate(dwellings=stairwell(), residents_total=D("0"), coefficients="half_step")
    assert set(by_id(result).values()) == {D("0.00")}


# --- exemptions, area, presets, custom tables ------------------------------------------------


def test_exempt_dwellings_pay_nothing_and_the_others_share_the_whole_total():
    result = allocate(
        dwellings=stairwell(),
        residents_total=D("270000.00"),
        coefficients="half_step",
        exempt={1, 2},
    )
    shares = by_id(result)
    assert shares[1] == shares[2] == D("0.00")
    assert result.share_of(1).weight == 0
    assert result.share_of(1).coefficient == D("1.0")
    # Weight 25 left: 10,800 per unit of coefficient.
    assert shares[3] == D("16200.00")
    assert shares[12] == D("37800.00")
    assert total(result) == D("270000.00")


def test_area_weighting_multiplies_each_coefficient_by_the_dwellings_area():
    dwellings = [
        DwellingInput(id=1, floor=1, area=D("50.00")),
        DwellingInput(id=2, floor=2, area=D("100.00")),
    ]
    result = allocate(
        dwellings=dwellings,
        residents_total=D("1000.00"),
        coefficients="half_step",
        area_weighted=True,
    )
    # Weights 1 × 50 = 50 and 1.5 × 100 = 150.
    assert by_id(result) == {1: D("250.00"), 2: D("750.00")}
    assert result.share_of(2).weight == D("150.000")


def test_the_area_preset_shares_by_exclusive_area_even_without_area_weighting():
    dwellings = [
        DwellingInput(id=1, floor=1, area=D("60.00")),
        DwellingInput(id=2, floor=6, area=D("60.00")),
        DwellingInput(id=3, floor=6, area=D("120.00")),
    ]
    result = allocate(dwellings=dwellings, residents_total=D("240000.00"), coefficients="area")
    assert by_id(result) == {1: D("60000.00"), 2: D("60000.00"), 3: D("120000.00")}
    assert {s.coefficient for s in result.shares} == {D(1)}


def test_the_equal_preset_ignores_floor_and_area():
    dwellings = [
        DwellingInput(id=1, floor=1, area=D("40")),
        DwellingInput(id=2, floor=6, area=D("140")),
    ]
    result = allocate(dwellings=dwellings, residents_total=D("500.00"), coefficients="equal")
    assert by_id(result) == {1: D("250.00"), 2: D("250.00")}


def test_the_hangzhou_table_0_0_1_2_3_4_frees_the_two_lowest_floors():
    table = {"1": "0", "2": "0", "3": "1", "4": "2", "5": "3", "6": "4"}
    result = allocate(dwellings=stairwell(), residents_total=D("200000.00"), coefficients=table)
    shares = by_id(result)
    assert shares[1] == shares[2] == shares[3] == shares[4] == D("0.00")
    assert shares[5] == D("10000.00")
    assert shares[12] == D("40000.00")
    assert total(result) == D("200000.00")
    assert result.share_of(1).coefficient == D("0")


def test_custom_tables_accept_string_keys_and_decimal_values_alike():
    as_json = allocate(
        dwellings=stairwell(),
        residents_total=D("999.99"),
        coefficients={"1": "1", "2": "1.2", "3": "1.4", "4": "1.6", "5": "1.8", "6": "2"},
    )
    as_python = allocate(
        dwellings=stairwell(),
        residents_total=D("999.99"),
        coefficients={1: D(1), 2: D("1.2"), 3: D("1.4"), 4: D("1.6"), 5: D("1.8"), 6: D(2)},
    )
    assert by_id(as_json) == by_id(as_python)
    assert total(as_json) == D("999.99")


def test_a_custom_table_may_list_floors_no_dwelling_has():
    dwellings = [
        DwellingInput(id=1, floor=1, area=D("50")),
        DwellingInput(id=2, floor=2, area=D("50")),
    ]
    result = allocate(
        dwellings=dwellings, residents_total=D("30.00"), coefficients={1: D(1), 2: D(2), 9: D(9)}
    )
    assert by_id(result) == {1: D("10.00"), 2: D("20.00")}


# --- a shared elevator ---------------------------------------------------------------------


def test_an_elevator_shared_by_two_stairwells_is_one_pool():
    east = stairwell(stairwell_id=1, first_id=1)
    west = stairwell(floors=5, stairwell_id=2, first_id=101)
    result = allocate(
        dwellings=east + west, residents_total=D("500000.00"), coefficients="half_step"
    )
    # Weights: 27 for the 6-storey stairwell, 2 × (1 + 1.5 + 2 + 2.5 + 3) = 20 for the 5-storey one.
    assert result.total_weight == D("47.0")
    assert total(result) == D("500000.00")
    shares = by_id(result)
    assert shares[1] == shares[101]  # same floor, same coefficient, one pool
    east_total = sum(shares[d.id] for d in east)
    west_total = sum(shares[d.id] for d in west)
    assert east_total + west_total == D("500000.00")
    assert abs(east_total - D("500000") * 27 / 47) < D("0.01") * len(east)


# --- compensation ----------------------------------------------------------------------------


def test_compensation_is_funded_by_the_others_in_proportion_to_their_shares():
    result = allocate(
        dwellings=stairwell(),
        residents_total=D("270000.00"),
        coefficients="half_step",
        exempt={1, 2},
        compensation={1: D("5000.00"), 2: D("5000.00")},
    )
    received = by_id(result, "compensation_received")
    paid = by_id(result, "compensation_paid")
    assert received[1] == received[2] == D("5000.00")
    assert paid[1] == paid[2] == D("0.00")
    # Funders weigh 25: 400 per unit of coefficient.
    assert paid[3] == D("600.00")
    assert paid[12] == D("1400.00")
    assert total(result, "compensation_paid") == D("10000.00")
    assert result.share_of(1).net == D("-5000.00")
    assert result.share_of(12).net == D("37800.00") + D("1400.00")


def test_a_compensated_dwelling_that_still_pays_its_share_does_not_fund_itself():
    result = allocate(
        dwellings=stairwell(),
        residents_total=D("270000.00"),
        coefficients="half_step",
        compensation=[(3, D("1000.00"))],
    )
    comp = result.share_of(3)
    assert comp.construction_share == D("15000.00")
    assert comp.compensation_paid == D("0.00")
    assert comp.net == D("14000.00")
    assert total(result, "compensation_paid") == D("1000.00")
    assert sum(s.net for s in result.shares) == D("270000.00")


def test_compensation_rounding_adds_up_to_the_fen():
    dwellings = [DwellingInput(id=i, floor=i, area=D("50")) for i in range(1, 5)]
    result = allocate(
        dwellings=dwellings,
        residents_total=D("100.00"),
        coefficients="equal",
        compensation={1: D("1.00")},
    )
    paid = by_id(result, "compensation_paid")
    assert paid == {1: D("0.00"), 2: D("0.33"), 3: D("0.33"), 4: D("0.34")}


def test_a_fully_subsidised_elevator_can_still_compensate_the_ground_floor():
    result = allocate(
        dwellings=stairwell(),
        residents_total=D("0.00"),
        coefficients="half_step",
        exempt={1, 2},
        compensation={1: D("2500.00"), 2: D("2500.00")},
    )
    assert total(result) == D("0.00")
    assert total(result, "compensation_paid") == D("5000.00")
    assert sum(s.net for s in result.shares) == D("0.00")


# --- refusals --------------------------------------------------------------------------------


def test_a_negative_residents_total_is_refused():
    error = refused(
        "negative_amount", dwellings=stairwell(), residents_total=D("-1"), coefficients="equal"
    )
    assert "居民分摊总额" in error.zh and "residents' total" in error.en


def test_a_residents_total_below_the_fen_is_refused():
    refused("sub_fen", dwellings=stairwell(), residents_total=D("10.005"), coefficients="equal")


def test_a_float_total_is_refused():
    refused("not_a_number", dwellings=stairwell(), residents_total=100.0, coefficients="equal")


def test_negative_compensation_is_refused_naming_the_dwelling():
    error = refused(
        "negative_amount",
        dwellings=stairwell(),
        residents_total=D("100"),
        coefficients="equal",
        compensation={2: D("-5")},
    )
    assert "2" in error.zh and "dwelling 2" in error.en


def test_a_custom_table_missing_a_dwellings_floor_is_refused_as_unknown_floor():
    error = refused(
        "unknown_floor",
        dwellings=stairwell(),
        residents_total=D("100"),
        coefficients={"1": "1", "2": "1", "3": "1", "4": "1", "5": "1"},
    )
    assert "第6层" in error.zh
    assert "unknown floor 6" in error.en and "dwelling 11" in error.en


def test_a_negative_coefficient_is_refused_naming_the_floor():
    error = refused(
        "negative_coefficient",
        dwellings=stairwell(floors=2),
        residents_total=D("100"),
        coefficients={1: D("-0.5"), 2: D("1")},
    )
    assert "第1层" in error.zh and "floor 1" in error.en


def test_a_table_of_zero_coefficients_is_refused_when_there_is_something_to_share():
    error = refused(
        "zero_weights",
        dwellings=stairwell(floors=2),
        residents_total=D("100"),
        coefficients={1: "0", 2: "0"},
    )
    assert "零" in error.zh and "zero" in error.en


def test_everyone_exempt_is_refused_when_there_is_something_to_share():
    dwellings = stairwell(floors=2)
    refused(
        "zero_weights",
        dwellings=dwellings,
        residents_total=D("100"),
        coefficients="equal",
        exempt={d.id for d in dwellings},
    )


def test_all_zero_weights_are_accepted_when_there_is_nothing_to_share():
    result = allocate(
        dwellings=stairwell(floors=2), residents_total=D("0"), coefficients={1: "0", 2: "0"}
    )
    assert result.total_weight == 0
    assert total(result) == 0


def test_an_exempt_dwelling_outside_the_pool_is_refused():
    error = refused(
        "unknown_dwelling",
        dwellings=stairwell(),
        residents_total=D("100"),
        coefficients="equal",
        exempt={99},
    )
    assert "99" in error.zh and "exempt dwelling 99" in error.en


def test_a_compensated_dwelling_outside_the_pool_is_refused():
    error = refused(
        "unknown_dwelling",
        dwellings=stairwell(),
        residents_total=D("100"),
        coefficients="equal",
        compensation={99: D("10")},
    )
    assert "compensated dwelling 99" in error.en


def test_an_unknown_preset_is_refused():
    error = refused(
        "unknown_preset", dwellings=stairwell(), residents_total=D("100"), coefficients="by_age"
    )
    assert "by_age" in error.zh and "half_step" in error.en


def test_a_floor_key_that_is_not_a_whole_number_is_refused():
    refused("bad_floor", dwellings=stairwell(), residents_total=D("100"), coefficients={"1.5": "1"})


def test_a_table_naming_the_same_floor_twice_is_refused():
    refused(
        "duplicate_floor",
        dwellings=stairwell(floors=1),
        residents_total=D("100"),
        coefficients={1: "1", "1": "2"},
    )


def test_a_dwelling_listed_twice_is_refused():
    dwellings = [*stairwell(floors=1), DwellingInput(id=1, floor=1, area=D("50"))]
    error = refused(
        "duplicate_dwelling", dwellings=dwellings, residents_total=D("100"), coefficients="equal"
    )
    assert "dwelling 1" in error.en


def test_compensation_listed_twice_for_one_dwelling_is_refused():
    refused(
        "duplicate_compensation",
        dwellings=stairwell(),
        residents_total=D("100"),
        coefficients="equal",
        compensation=[(1, D("5")), (1, D("6"))],
    )


def test_compensation_with_no_one_left_to_fund_it_is_refused():
    dwellings = stairwell(floors=2)
    error = refused(
        "no_funders",
        dwellings=dwellings,
        residents_total=D("100"),
        coefficients="equal",
        exempt={1, 2},
        compensation={3: D("10"), 4: D("10")},
    )
    assert "20" in error.zh and "no one is left to fund" in error.en


def test_a_floor_below_one_is_refused():
    refused(
        "bad_floor",
        dwellings=[DwellingInput(id=1, floor=0, area=D("50"))],
        residents_total=D("100"),
        coefficients="equal",
    )


def test_a_negative_area_is_refused_naming_the_dwelling():
    error = refused(
        "negative_area",
        dwellings=[DwellingInput(id=4, floor=1, area=D("-50"))],
        residents_total=D("100"),
        coefficients="area",
    )
    assert "dwelling 4" in error.en


# --- provident fund and running costs --------------------------------------------------------


def test_the_provident_fund_covers_at_most_the_owners_own_construction_share():
    assert provident_fund_limit(D("35000.00")) == D("35000.00")
    assert provident_fund_limit(D("35000.00"), D("20000.00")) == D("20000.00")
    assert provident_fund_limit(D("10000.00"), D("20000.00")) == D("10000.00")
    assert provident_fund_limit(D("0")) == D("0.00")


def test_the_provident_fund_limit_refuses_negative_amounts():
    with pytest.raises(Invalid):
        provident_fund_limit(D("-1"))
    with pytest.raises(Invalid):
        provident_fund_limit(D("100"), D("-1"))


def test_running_costs_are_shared_by_the_same_engine_with_their_own_table():
    result = running_costs(
        dwellings=stairwell(), annual_total=D("12000.00"), coefficients="equal", exempt={1, 2}
    )
    assert set(by_id(result).values()) - {D("0.00")} == {D("1200.00")}
    assert total(result) == D("12000.00")
    assert total(result, "compensation_paid") == 0


def test_negative_running_costs_are_refused_as_running_costs():
    with pytest.raises(Invalid) as caught:
        running_costs(dwellings=stairwell(), annual_total=D("-5"), coefficients="equal")
    assert "年度运行费用" in caught.value.zh and "annual running costs" in caught.value.en

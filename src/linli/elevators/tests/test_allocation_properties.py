"""Invariants of the cost-sharing engine over generated pools of dwellings."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linli.core.errors import Invalid
from linli.elevators.allocation import Allocation, DwellingInput, allocate

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass
class Pool:
    dwellings: list[DwellingInput]
    total: Decimal
    coefficients: str | dict[str, str]
    area_weighted: bool
    exempt: set[int]
    compensation: dict[int, Decimal]


money = st.integers(min_value=0, max_value=10**9).map(lambda fen: Decimal(fen) / 100)
areas = st.integers(min_value=0, max_value=30000).map(lambda hundredths: Decimal(hundredths) / 100)
coefficient_texts = st.sampled_from(["0", "0.5", "1", "1", "1.2", "1.5", "2", "3.75", "0.333"])


@st.composite
def pools(draw: st.DrawFn) -> Pool:
    """Up to 24 dwellings on up to 9 floors in 1–2 stairwells, any preset or a custom table,
    some exempt, some compensated. Drawn in few, large draws to keep 300 examples fast."""
    top = draw(st.integers(min_value=1, max_value=9))
    rows = draw(
        st.lists(
            st.tuples(
                st.integers(min_value=1, max_value=top),
                areas,
                st.sampled_from([1, 2]),
                st.sampled_from(["pays", "pays", "pays", "exempt", "compensated"]),
            ),
            min_size=1,
            max_size=24,
        )
    )
    ids = draw(
        st.lists(
            st.integers(min_value=1, max_value=10**6),
            min_size=len(rows),
            max_size=len(rows),
            unique=True,
        )
    )
    dwellings = [
        DwellingInput(id=i, floor=floor, area=area, stairwell=well)
        for i, (floor, area, well, _) in zip(ids, rows, strict=True)
    ]
    coefficients: str | dict[str, str] = draw(
        st.one_of(
            st.sampled_from(["equal", "area", "half_step"]),
            st.lists(coefficient_texts, min_size=top, max_size=top).map(
                lambda values: {str(f): v for f, v in enumerate(values, start=1)}
            ),
        )
    )
    amounts = draw(st.lists(money, min_size=len(rows), max_size=len(rows)))
    return Pool(
        dwellings=dwellings,
        total=draw(money),
        coefficients=coefficients,
        area_weighted=draw(st.booleans()),
        exempt={i for i, row in zip(ids, rows, strict=True) if row[3] == "exempt"},
        compensation={
            i: amount
            for i, row, amount in zip(ids, rows, amounts, strict=True)
            if row[3] == "compensated"
        },
    )


def run(pool: Pool, dwellings: list[DwellingInput] | None = None) -> Allocation | None:
    """The allocation, or None when the pool is one the engine must refuse (all weights zero,
    or compensation nobody can fund): those refusals are tested on worked examples."""
    try:
        return allocate(
            dwellings=dwellings if dwellings is not None else pool.dwellings,
            residents_total=pool.total,
            coefficients=pool.coefficients,
            area_weighted=pool.area_weighted,
            exempt=pool.exempt,
            compensation=pool.compensation,
        )
    except Invalid as error:
        assert error.code in {"zero_weights", "no_funders"}, error.message
        return None


@SETTINGS
@given(pools())
def test_shares_add_up_to_the_fen_and_each_is_non_negative_and_within_a_fen_of_exact(pool: Pool):
    result = run(pool)
    if result is None:
        return
    assert sum(s.construction_share for s in result.shares) == pool.total
    for s in result.shares:
        assert s.construction_share.as_tuple().exponent == -2
        assert s.construction_share >= 0
        assert s.compensation_paid >= 0
        if s.dwelling in pool.exempt:
            assert s.construction_share == 0
        if result.total_weight:
            exact = pool.total * s.weight / result.total_weight
            assert abs(s.construction_share - exact) < Decimal("0.01")


@SETTINGS
@given(pools())
def test_compensation_paid_always_adds_up_to_compensation_received(pool: Pool):
    result = run(pool)
    if result is None:
        return
    received = sum(s.compensation_received for s in result.shares)
    assert received == sum(pool.compensation.values())
    assert sum(s.compensation_paid for s in result.shares) == received
    assert sum(s.net for s in result.shares) == pool.total
    for s in result.shares:
        assert s.net == s.construction_share + s.compensation_paid - s.compensation_received
        if s.dwelling in pool.exempt or s.dwelling in pool.compensation:
            assert s.compensation_paid == 0


@SETTINGS
@given(pools())
def test_a_higher_coefficient_never_pays_less_than_a_lower_one_at_equal_area(pool: Pool):
    result = run(pool)
    if result is None:
        return
    area = {d.id: d.area for d in pool.dwellings}
    paying = [s for s in result.shares if s.dwelling not in pool.exempt]
    for a in paying:
        for b in paying:
            if a.coefficient > b.coefficient and area[a.dwelling] == area[b.dwelling]:
                assert a.construction_share >= b.construction_share
            if a.weight > b.weight:
                assert a.construction_share >= b.construction_share


@SETTINGS
@given(pools(), st.randoms(use_true_random=False))
def test_permuting_the_input_order_gives_the_same_result_per_dwelling(
    pool: Pool, rng: random.Random
):
    shuffled = list(pool.dwellings)
    rng.shuffle(shuffled)
    first, second = run(pool), run(pool, shuffled)
    if first is None or second is None:
        assert first is None and second is None
        return
    assert {s.dwelling: s for s in first.shares} == {s.dwelling: s for s in second.shares}

"""Invariants of the vote-counting engine and of voter keys, over generated electorates."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linli.consultation import profiles
from linli.consultation.tally import (
    ABSTAIN,
    CHOICES,
    DEVELOPER_KEY,
    NO,
    YES,
    DwellingOwners,
    ElectorRow,
    Rule,
    tally,
    voter_keys,
)

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

RULE_FIELDS = (
    "participation_area",
    "participation_owners",
    "approval_area",
    "approval_owners",
    "approval_strict",
    "approval_base",
    "no_objection",
    "affected_consent",
)
RULES = [
    Rule.from_texts(**{k: row[k] for k in RULE_FIELDS if k in row}) for row in profiles.PROFILES
]


@dataclass
class World:
    electors: list[ElectorRow]
    ballots: dict[int, str]
    choice_of_key: dict[str, str]


@st.composite
def worlds(draw: st.DrawFn, lean_yes: bool = False) -> World:
    """Up to 14 dwellings over a few voter keys; each key votes one way (or not at all) and
    casts that ballot on some of its dwellings. ``lean_yes`` draws mostly yes voters, high
    turnout and few affected dwellings, so that many generated votes pass."""
    n = draw(st.integers(min_value=0, max_value=14))
    keys = draw(st.integers(min_value=1, max_value=max(1, n)))
    choices: tuple[str | None, ...] = (*CHOICES, None)
    if lean_yes:
        choices = (YES, YES, YES, YES, YES, YES, NO, ABSTAIN, None)

    def often(weight: int) -> bool:
        # True with probability weight/10 when leaning yes, else one half.
        return draw(st.integers(min_value=0, max_value=9)) < (weight if lean_yes else 5)

    electors = []
    for dwelling in range(1, n + 1):
        cents = draw(st.integers(min_value=1, max_value=30_000))
        electors.append(
            ElectorRow(
                dwelling=dwelling,
                area=Decimal(cents) / 100,
                voter_key=f"k{draw(st.integers(min_value=0, max_value=keys - 1))}",
                affected=often(1),
            )
        )
    choice_of_key = {
        f"k{k}": choice for k in range(keys) if (choice := draw(st.sampled_from(choices)))
    }
    ballots = {
        e.dwelling: choice_of_key[e.voter_key]
        for e in electors
        if e.voter_key in choice_of_key and often(9)
    }
    return World(electors, ballots, choice_of_key)


rules = st.sampled_from(RULES)


@SETTINGS
@given(worlds(), rules)
def test_ratios_lie_between_nought_and_one(world, rule):
    result = tally(world.electors, world.ballots, rule)
    for measure in (result.participation, result.approval):
        assert 0 <= measure.area_ratio <= 1
        assert 0 <= measure.owners_ratio <= 1


@SETTINGS
@given(worlds(), rules)
def test_approval_never_exceeds_participation_and_counts_sum_to_ballots(world, rule):
    result = tally(world.electors, world.ballots, rule)
    assert result.approval.area <= result.participation.area <= result.electorate_area
    assert result.approval.owners <= result.participation.owners <= result.electorate_owners
    assert sum(result.counts.values()) == len(world.ballots)
    assert result.objections == result.counts[NO]


@SETTINGS
@given(worlds(), rules, st.randoms(use_true_random=False))
def test_the_order_of_electors_and_ballots_does_not_change_the_result(world, rule, rnd):
    shuffled = list(world.electors)
    rnd.shuffle(shuffled)
    ballots = list(world.ballots.items())
    rnd.shuffle(ballots)
    assert (
        tally(shuffled, dict(ballots), rule).as_json()
        == tally(world.electors, world.ballots, rule).as_json()
    )


@SETTINGS
@given(worlds(lean_yes=True), rules, st.data())
def test_turning_an_owner_from_no_or_abstain_to_yes_never_makes_a_passing_vote_fail(
    world, rule, data
):
    before = tally(world.electors, world.ballots, rule)
    turnable = sorted(k for k, c in world.choice_of_key.items() if c != YES)
    if not before.passed or not turnable:
        return
    key = data.draw(st.sampled_from(turnable))
    keys = {e.dwelling: e.voter_key for e in world.electors}
    turned = {d: YES if keys[d] == key else c for d, c in world.ballots.items()}
    assert tally(world.electors, turned, rule).passed


@SETTINGS
@given(worlds(lean_yes=True), rules, st.data())
def test_a_further_yes_ballot_never_makes_a_passing_vote_fail(world, rule, data):
    before = tally(world.electors, world.ballots, rule)
    # A dwelling that has not voted, whose owner has not voted or voted yes.
    open_ = [
        e.dwelling
        for e in world.electors
        if e.dwelling not in world.ballots and world.choice_of_key.get(e.voter_key, YES) == YES
    ]
    if not before.passed or not open_:
        return
    dwelling = data.draw(st.sampled_from(open_))
    assert tally(world.electors, {**world.ballots, dwelling: YES}, rule).passed


@SETTINGS
@given(worlds(lean_yes=True), rules)
def test_a_vote_passes_only_with_quorum_and_approval(world, rule):
    result = tally(world.electors, world.ballots, rule)
    if result.passed:
        assert result.participation.met and result.approval.met
        assert result.participation.area_ratio >= rule.participation_area
        assert result.participation.owners_ratio >= rule.participation_owners
        assert result.approval.owners > 0
    if not world.ballots:
        assert not result.passed


@st.composite
def ownerships(draw: st.DrawFn) -> list[DwellingOwners]:
    n = draw(st.integers(min_value=1, max_value=15))
    rows = []
    for dwelling in range(1, n + 1):
        owners = draw(st.lists(st.integers(min_value=1, max_value=8), max_size=3, unique=True))
        rows.append(
            DwellingOwners(
                dwelling=dwelling, owner_ids=tuple(owners), developer=draw(st.booleans())
            )
        )
    return rows


@SETTINGS
@given(ownerships())
def test_dwellings_sharing_an_owner_share_a_key_and_the_developer_has_one(rows):
    keys = voter_keys(rows)
    assert set(keys) == {row.dwelling for row in rows}
    people = [row for row in rows if not row.developer]
    for a in people:
        for b in people:
            if set(a.owner_ids) & set(b.owner_ids):
                assert keys[a.dwelling] == keys[b.dwelling]
    developer = {keys[row.dwelling] for row in rows if row.developer}
    assert developer <= {DEVELOPER_KEY}
    for row in people:
        assert keys[row.dwelling] != DEVELOPER_KEY
        if not row.owner_ids:
            assert keys[row.dwelling] == f"dwelling:{row.dwelling}"


@SETTINGS
@given(ownerships())
def test_dwellings_with_no_owner_in_common_keep_apart(rows):
    # Two people-owned dwellings share a key exactly when a chain of shared owners links them.
    keys = voter_keys(rows)
    people = [row for row in rows if not row.developer and row.owner_ids]
    parent = {row.dwelling: row.dwelling for row in people}

    def find(d: int) -> int:
        while parent[d] != d:
            d = parent[d]
        return d

    for a in people:
        for b in people:
            if set(a.owner_ids) & set(b.owner_ids):
                parent[find(a.dwelling)] = find(b.dwelling)
    for a in people:
        for b in people:
            assert (keys[a.dwelling] == keys[b.dwelling]) == (find(a.dwelling) == find(b.dwelling))


@SETTINGS
@given(ownerships(), st.randoms(use_true_random=False))
def test_voter_keys_do_not_depend_on_the_order_of_dwellings(rows, rnd):
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert voter_keys(shuffled) == voter_keys(rows)


def test_generated_worlds_reach_both_outcomes():
    # Guard against a strategy that never produces a passing (or failing) vote.
    rnd = random.Random(5)
    outcomes = set()
    for _ in range(200):
        n = rnd.randint(1, 10)
        electors = [ElectorRow(d, Decimal("60.00"), f"k{d}") for d in range(1, n + 1)]
        ballots = {d: rnd.choice(CHOICES) for d in range(1, n + 1) if rnd.random() < 0.9}
        outcomes.add(tally(electors, ballots, RULES[0]).passed)
    assert outcomes == {True, False}
    assert Fraction(2, 3) == RULES[0].participation_area

"""The pure vote-counting engine, under the rule profiles Linli ships (``profiles.PROFILES``).

Each threshold is tested alone at, just above and just below its line, with every other
measure comfortably met, for the ordinary (过半数: more than half) and major (3/4 以上: at
least three quarters) rules; then who counts as one owner, abstentions, the local profiles,
the empty electorate and display rounding.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import pytest

from linli.consultation import profiles
from linli.consultation.tally import (
    ABSTAIN,
    DEVELOPER_KEY,
    NO,
    YES,
    DwellingOwners,
    ElectorRow,
    Rule,
    parse_fraction,
    ratio_text,
    tally,
    voter_keys,
)
from linli.core.errors import Invalid

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


def rule(code: str) -> Rule:
    """The shipped profile ``code`` as an engine rule (the data the migration seeds)."""
    row = next(p for p in profiles.PROFILES if p["code"] == code)
    return Rule.from_texts(**{k: row[k] for k in RULE_FIELDS if k in row})


ORDINARY = "civil-code-ordinary"
MAJOR = "civil-code-major"


def world(
    *groups: tuple[int, str, str | None],
) -> tuple[list[ElectorRow], dict[int, str]]:
    """Electors and ballots from groups of (how many dwellings, area each, choice or None);
    every dwelling has its own owner."""
    electors: list[ElectorRow] = []
    ballots: dict[int, str] = {}
    for count, area, choice in groups:
        for _ in range(count):
            n = len(electors) + 1
            electors.append(ElectorRow(dwelling=n, area=Decimal(area), voter_key=f"owner:{n}"))
            if choice is not None:
                ballots[n] = choice
    return electors, ballots


# --- Each threshold alone at its line ----------------------------------------------------------


def participation_area_world(position: str) -> tuple[list[ElectorRow], dict[int, str]]:
    # Four small dwellings vote yes (4 of 5 owners: headcount comfortably above 2/3), one big
    # one does not vote; 40 of 60 m² is exactly 2/3.
    big = {"at": "20.00", "above": "19.99", "below": "20.01"}[position]
    return world((4, "10.00", YES), (1, big, None))


def participation_owners_world(position: str) -> tuple[list[ElectorRow], dict[int, str]]:
    # 200 of 300 owners vote yes, holding almost all the area (area comfortably above 2/3).
    voting = {"at": 200, "above": 201, "below": 199}[position]
    return world((voting, "100.00", YES), (300 - voting, "1.00", None))


def approval_area_world(position: str, profile: str) -> tuple[list[ElectorRow], dict[int, str]]:
    # Nine small owners say yes (9 of 10: headcount comfortably met under both rules), one big
    # owner says no; everyone votes. The big area puts the yes area exactly on the line.
    if profile == ORDINARY:
        big = {"at": "90.00", "above": "89.99", "below": "90.01"}[position]  # 90 of 180 = 1/2
    else:
        big = {"at": "30.00", "above": "29.99", "below": "30.01"}[position]  # 90 of 120 = 3/4
    return world((9, "10.00", YES), (1, big, NO))


def approval_owners_world(position: str, profile: str) -> tuple[list[ElectorRow], dict[int, str]]:
    # 100 owners all vote; the yes voters hold almost all the area (area comfortably met).
    line = 50 if profile == ORDINARY else 75
    yes = line + {"at": 0, "above": 1, "below": -1}[position]
    return world((yes, "100.00", YES), (100 - yes, "1.00", NO))


# Expected outcome at each position: 以上 includes the line, 过半数 (strict) does not.
INCLUSIVE = {"at": True, "above": True, "below": False}
STRICT = {"at": False, "above": True, "below": False}


@pytest.mark.parametrize("profile", [ORDINARY, MAJOR])
@pytest.mark.parametrize("position", ["at", "above", "below"])
def test_participation_area_of_two_thirds_includes_the_line(profile, position):
    electors, ballots = participation_area_world(position)
    result = tally(electors, ballots, rule(profile))
    assert result.participation.owners_ratio == Fraction(4, 5)
    assert result.approval.met
    assert result.participation.met is INCLUSIVE[position]
    assert result.passed is INCLUSIVE[position]
    if position == "at":
        assert result.participation.area_ratio == Fraction(2, 3)


@pytest.mark.parametrize("profile", [ORDINARY, MAJOR])
@pytest.mark.parametrize("position", ["at", "above", "below"])
def test_participation_headcount_of_two_thirds_includes_the_line(profile, position):
    electors, ballots = participation_owners_world(position)
    result = tally(electors, ballots, rule(profile))
    assert result.participation.area_ratio > Fraction(9, 10)
    assert result.approval.met
    assert result.participation.met is INCLUSIVE[position]
    assert result.passed is INCLUSIVE[position]
    if position == "at":
        assert result.participation.owners_ratio == Fraction(2, 3)


@pytest.mark.parametrize("position", ["at", "above", "below"])
def test_ordinary_approval_by_area_needs_more_than_half(position):
    electors, ballots = approval_area_world(position, ORDINARY)
    result = tally(electors, ballots, rule(ORDINARY))
    assert result.participation.met
    assert result.approval.owners_ratio == Fraction(9, 10)
    assert result.approval.met is STRICT[position]
    assert result.passed is STRICT[position]
    if position == "at":
        assert result.approval.area_ratio == Fraction(1, 2)


@pytest.mark.parametrize("position", ["at", "above", "below"])
def test_major_approval_by_area_needs_at_least_three_quarters(position):
    electors, ballots = approval_area_world(position, MAJOR)
    result = tally(electors, ballots, rule(MAJOR))
    assert result.participation.met
    assert result.approval.owners_ratio == Fraction(9, 10)
    assert result.approval.met is INCLUSIVE[position]
    assert result.passed is INCLUSIVE[position]
    if position == "at":
        assert result.approval.area_ratio == Fraction(3, 4)


@pytest.mark.parametrize("position", ["at", "above", "below"])
def test_ordinary_approval_by_headcount_needs_more_than_half(position):
    electors, ballots = approval_owners_world(position, ORDINARY)
    result = tally(electors, ballots, rule(ORDINARY))
    assert result.participation.met
    assert result.approval.area_ratio > Fraction(9, 10)
    assert result.approval.met is STRICT[position]
    assert result.passed is STRICT[position]


@pytest.mark.parametrize("position", ["at", "above", "below"])
def test_major_approval_by_headcount_needs_at_least_three_quarters(position):
    electors, ballots = approval_owners_world(position, MAJOR)
    result = tally(electors, ballots, rule(MAJOR))
    assert result.participation.met
    assert result.approval.area_ratio > Fraction(9, 10)
    assert result.approval.met is INCLUSIVE[position]
    assert result.passed is INCLUSIVE[position]
    if position == "at":
        assert result.approval.owners_ratio == Fraction(3, 4)


def test_exactly_half_fails_an_ordinary_vote_but_three_quarters_passes_a_major_one():
    half = world((2, "50.00", YES), (2, "50.00", NO))
    assert not tally(*half, rule(ORDINARY)).passed
    quarter = world((3, "50.00", YES), (1, "50.00", NO))
    assert tally(*quarter, rule(MAJOR)).passed


# --- Who counts as one owner -------------------------------------------------------------------


def rows_for(
    owners: Sequence[DwellingOwners], areas: dict[int, str], affected: Sequence[int] = ()
) -> list[ElectorRow]:
    keys = voter_keys(owners)
    return [
        ElectorRow(
            dwelling=o.dwelling,
            area=Decimal(areas[o.dwelling]),
            voter_key=keys[o.dwelling],
            affected=o.dwelling in affected,
        )
        for o in owners
    ]


def test_co_owners_of_one_dwelling_count_once():
    owners = [
        DwellingOwners(1, (10, 11)),  # a couple
        DwellingOwners(2, (12,)),
        DwellingOwners(3, (13,)),
    ]
    electors = rows_for(owners, {1: "60.00", 2: "60.00", 3: "60.00"})
    result = tally(electors, {1: YES, 2: YES}, rule(ORDINARY))
    assert result.electorate_owners == 3
    assert result.participation.owners == 2
    assert result.participation.owners_ratio == Fraction(2, 3)
    assert result.passed


def test_one_owner_with_several_dwellings_counts_once_by_head_but_with_all_their_area():
    owners = [
        DwellingOwners(1, (10,)),
        DwellingOwners(2, (10,)),
        DwellingOwners(3, (10,)),
        DwellingOwners(4, (11,)),
    ]
    electors = rows_for(owners, {1: "50.00", 2: "50.00", 3: "50.00", 4: "50.00"})
    result = tally(electors, {1: YES, 2: YES, 3: YES}, rule(ORDINARY))
    assert result.electorate_owners == 2
    assert result.electorate_area == Decimal("200.00")
    assert result.participation.owners == 1
    assert result.participation.owners_ratio == Fraction(1, 2)
    assert result.participation.area == Decimal("150.00")
    assert result.approval.area == Decimal("150.00")
    # Three quarters of the area took part but only half of the owners: no quorum.
    assert not result.participation.met
    assert result.counts == {YES: 3, NO: 0, ABSTAIN: 0}


def test_all_developer_dwellings_count_as_one_owner():
    owners = [
        DwellingOwners(1, (), developer=True),  # unsold
        DwellingOwners(2, (90,), developer=True),  # sold, not delivered
        DwellingOwners(3, (91,), developer=True),  # owned by the developer
        DwellingOwners(4, (10,)),
        DwellingOwners(5, (11,)),
    ]
    keys = voter_keys(owners)
    assert keys[1] == keys[2] == keys[3] == DEVELOPER_KEY
    electors = rows_for(owners, dict.fromkeys(range(1, 6), "60.00"))
    result = tally(electors, {4: YES, 5: YES}, rule(ORDINARY))
    assert result.electorate_owners == 3
    assert result.participation.owners_ratio == Fraction(2, 3)
    # Two of five dwellings by area: the developer's 180 m² still count in the area test.
    assert result.participation.area_ratio == Fraction(2, 5)
    assert not result.passed


def test_dwellings_without_owner_each_count_once_and_chains_of_co_owners_join():
    owners = [
        DwellingOwners(1, ()),
        DwellingOwners(2, ()),
        DwellingOwners(3, (10, 11)),
        DwellingOwners(4, (11,)),
        DwellingOwners(5, (12, 10)),
    ]
    keys = voter_keys(owners)
    assert keys[1] == "dwelling:1" and keys[2] == "dwelling:2"
    assert keys[3] == keys[4] == keys[5] == "owner:10"


def test_abstentions_take_part_but_do_not_approve():
    electors, ballots = world((3, "60.00", YES), (3, "60.00", ABSTAIN), (3, "60.00", None))
    result = tally(electors, ballots, rule(ORDINARY))
    assert result.participation.met  # 6 of 9
    assert result.approval.owners_ratio == Fraction(1, 2)
    assert not result.approval.met
    assert not result.passed
    turned = dict(ballots)
    turned[4] = YES
    assert tally(electors, turned, rule(ORDINARY)).passed


def test_an_owner_voting_two_ways_on_two_dwellings_is_refused():
    owners = [DwellingOwners(1, (10,)), DwellingOwners(2, (10,))]
    electors = rows_for(owners, {1: "60.00", 2: "60.00"})
    with pytest.raises(Invalid) as caught:
        tally(electors, {1: YES, 2: NO}, rule(ORDINARY))
    assert caught.value.code == "conflicting_ballots"


def test_ballots_outside_the_electorate_or_with_unknown_choices_are_refused():
    electors, _ = world((2, "60.00", None))
    with pytest.raises(Invalid) as outside:
        tally(electors, {99: YES}, rule(ORDINARY))
    assert outside.value.code == "not_elector"
    with pytest.raises(Invalid) as bad:
        tally(electors, {1: "maybe"}, rule(ORDINARY))
    assert bad.value.code == "choice"


# --- Local profiles ----------------------------------------------------------------------------


def test_unanimous_stairwell_passes_only_when_every_owner_says_yes():
    unanimous = rule("stairwell-unanimous")
    assert tally(*world((12, "60.00", YES)), unanimous).passed
    assert not tally(*world((11, "60.00", YES), (1, "60.00", ABSTAIN)), unanimous).passed
    missing = tally(*world((11, "60.00", YES), (1, "60.00", None)), unanimous)
    assert not missing.participation.met
    assert not missing.approval.met
    assert not missing.passed


@pytest.mark.parametrize(("yes", "expected"), [(8, True), (9, True), (7, False)])
def test_eighty_percent_profile_counts_against_the_whole_electorate(yes, expected):
    # Only the yes voters take part: of the participants it is 100 %, of the electorate not.
    result = tally(*world((yes, "60.00", YES), (10 - yes, "60.00", None)), rule("luoyang-80"))
    assert result.participation.met
    assert result.approval.owners_ratio == Fraction(yes, 10)
    assert result.passed is expected
    assert tally(*world((yes, "60.00", YES), (10 - yes, "60.00", None)), rule(MAJOR)).passed


def test_no_objection_profile_fails_on_a_single_no():
    beijing = rule("beijing-no-objection")
    objected = tally(*world((9, "60.00", YES), (1, "60.00", NO)), beijing)
    assert objected.participation.met and objected.approval.met
    assert objected.objections == 1
    assert not objected.objection_met
    assert not objected.passed
    assert tally(*world((9, "60.00", YES), (1, "60.00", ABSTAIN)), beijing).passed
    # The same ballots pass the plain major rule.
    assert tally(*world((9, "60.00", YES), (1, "60.00", NO)), rule(MAJOR)).passed


@pytest.mark.parametrize(("choice", "expected"), [(YES, True), (NO, False), (ABSTAIN, False)])
def test_affected_consent_profile_needs_the_affected_dwelling_to_say_yes(choice, expected):
    owners = [DwellingOwners(n, (100 + n,)) for n in range(1, 11)]
    electors = rows_for(owners, dict.fromkeys(range(1, 11), "60.00"), affected=[1])
    ballots = {n: YES for n in range(2, 11)} | {1: choice}
    result = tally(electors, ballots, rule("elevator-affected-consent"))
    assert result.approval.met
    assert result.passed is expected
    assert result.missing_consents == (() if expected else (1,))
    assert result.as_json()["consent"] == {
        "required": True,
        "missing_dwellings": [] if expected else [1],
        "met": expected,
    }


def test_affected_dwelling_that_does_not_vote_is_a_missing_consent():
    owners = [DwellingOwners(n, (100 + n,)) for n in range(1, 11)]
    electors = rows_for(owners, dict.fromkeys(range(1, 11), "60.00"), affected=[1, 2])
    ballots = {n: YES for n in range(2, 11)}
    result = tally(electors, ballots, rule("elevator-affected-consent"))
    assert result.missing_consents == (1,)
    assert not result.passed
    # Under a profile without the consent rule, the same count passes.
    assert tally(electors, ballots, rule(MAJOR)).passed


# --- Edges and display -------------------------------------------------------------------------


def test_an_empty_electorate_never_passes():
    result = tally([], {}, rule(ORDINARY))
    assert not result.participation.met
    assert not result.approval.met
    assert not result.passed
    shown = result.as_json()
    assert shown["electorate"] == {"area": "0.00", "owners": 0}
    assert shown["participation"]["area_ratio"] == "0.0000"
    assert shown["ballots"] == {YES: 0, NO: 0, ABSTAIN: 0}


def test_no_ballots_means_no_quorum():
    result = tally(*world((5, "60.00", None)), rule(ORDINARY))
    assert not result.participation.met
    assert not result.approval.met
    assert result.approval.owners_ratio == 0


def test_ratios_show_four_places_half_up_and_areas_two():
    # 1 m² of 20000 m² is 0.00005: half-up shows 0.0001 (banker's rounding would show 0.0000).
    electors, ballots = world((1, "1.00", YES), (1, "19999.00", None))
    shown = tally(electors, ballots, rule(ORDINARY)).as_json()
    assert shown["participation"]["area_ratio"] == "0.0001"
    assert shown["participation"]["area"] == "1.00"
    assert shown["electorate"]["area"] == "20000.00"
    assert ratio_text(Fraction(2, 3)) == "0.6667"
    assert ratio_text(Fraction(1, 8)) == "0.1250"
    assert ratio_text(Fraction(0)) == "0.0000"
    assert ratio_text(Fraction(1)) == "1.0000"


def test_comparisons_stay_exact_although_the_display_rounds():
    electors, ballots = world((2, "60.00", YES), (1, "60.00", None))
    exact = tally(electors, ballots, rule(ORDINARY))
    assert exact.participation.area_ratio == Fraction(2, 3)
    assert exact.participation.met
    # A threshold written as the rounded figure 0.6667 lies above 2/3: the same ballots fail,
    # though both show 0.6667.
    rounded = Rule.from_texts(participation_area="0.6667", participation_owners="0.6667")
    almost = tally(electors, ballots, rounded)
    assert almost.as_json()["participation"]["area_ratio"] == "0.6667"
    assert not almost.participation.met


def test_the_json_names_the_rule_and_the_counts():
    shown = tally(*world((3, "60.00", YES), (1, "60.00", NO)), rule(MAJOR)).as_json()
    assert shown["rule"] == {
        "participation": "2/3",
        "approval": "3/4",
        "approval_strict": False,
        "approval_base": "participants",
        "no_objection": False,
        "affected_consent": False,
    }
    assert shown["ballots"] == {YES: 3, NO: 1, ABSTAIN: 0}
    assert shown["approval"] == {
        "area": "180.00",
        "area_ratio": "0.7500",
        "owners": 3,
        "owners_ratio": "0.7500",
        "met": True,
    }
    assert shown["passed"] is True


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2/3", Fraction(2, 3)),
        (" 3 / 4 ", Fraction(3, 4)),
        ("80%", Fraction(4, 5)),
        ("0.8", Fraction(4, 5)),
        ("1", Fraction(1)),
        ("0", Fraction(0)),
    ],
)
def test_thresholds_read_as_exact_fractions(text, value):
    assert parse_fraction(text) == value


@pytest.mark.parametrize("text", ["abc", "1/0", "3/2", "120%", "-0.1", ""])
def test_unreadable_or_out_of_range_thresholds_are_refused(text):
    with pytest.raises(Invalid) as caught:
        parse_fraction(text)
    assert caught.value.code == "fraction"


def test_every_shipped_profile_reads_as_a_rule():
    for row in profiles.PROFILES:
        made = rule(row["code"])
        assert 0 <= made.participation_area <= 1
        assert made.approval_base in ("participants", "electorate")

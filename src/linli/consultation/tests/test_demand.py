"""The demand-ranking engine (居民点单): weights by question kind, one vote per household and
code, first choices, shares and the tie-breaking order."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from linli.consultation.demand import OptionRow, ResponseRow, rank

SINGLE, MULTI, RANKED, MATRIX = 1, 2, 3, 4

OPTIONS = [
    OptionRow(SINGLE, "single", "roof", "屋面防水", "R01"),
    OptionRow(SINGLE, "single", "pipe", "管网改造", "P01"),
    OptionRow(SINGLE, "single", "none", "都不需要", ""),
    OptionRow(MULTI, "multiple", "roof", "屋面修缮", "R01"),
    OptionRow(MULTI, "multiple", "lift", "加装电梯", "E01"),
    OptionRow(MULTI, "multiple", "park", "停车位", "C01"),
    OptionRow(RANKED, "ranking", "lift", "电梯", "E01"),
    OptionRow(RANKED, "ranking", "park", "停车", "C01"),
    OptionRow(RANKED, "ranking", "light", "照明", "L01"),
    OptionRow(RANKED, "ranking", "other", "其他", ""),
    OptionRow(MATRIX, "matrix", "good", "好", "R01"),
]


def by_code(entries):
    return {e.menu_code: e for e in entries}


def test_single_and_multiple_choices_weigh_one_each():
    entries = by_code(
        rank(
            [ResponseRow(1, {SINGLE: "roof", MULTI: ["lift", "park"]})],
            OPTIONS,
        )
    )
    assert {c: e.score for c, e in entries.items()} == {
        "R01": Decimal("1.00"),
        "E01": Decimal("1.00"),
        "C01": Decimal("1.00"),
    }
    assert entries["R01"].first_choices == 1
    assert entries["E01"].first_choices == 0


def test_a_ranking_weighs_borda_normalised_over_all_its_options():
    (lift, park, light) = rank([ResponseRow(1, {RANKED: ["lift", "park", "light"]})], OPTIONS)
    # Four options (one uncoded): 4/4, 3/4, 2/4.
    assert [(e.menu_code, e.exact_score) for e in (lift, park, light)] == [
        ("E01", Fraction(1)),
        ("C01", Fraction(3, 4)),
        ("L01", Fraction(1, 2)),
    ]
    assert (lift.first_choices, park.first_choices) == (1, 0)
    assert light.score == Decimal("0.50")


def test_a_household_counts_once_per_code_with_its_highest_weight():
    responses = [
        # Two questions and two surveys name the lift for dwelling 1.
        ResponseRow(1, {MULTI: ["lift"], RANKED: ["park", "lift"]}),
        ResponseRow(1, {RANKED: ["light", "lift"]}),
    ]
    entries = by_code(rank(responses, OPTIONS))
    assert entries["E01"].exact_score == Fraction(1)
    assert entries["E01"].households == 1
    assert entries["C01"].exact_score == Fraction(1)
    assert entries["L01"].first_choices == 1


def test_matrix_answers_and_uncoded_options_are_not_counted():
    entries = rank([ResponseRow(1, {MATRIX: {"0": "good"}, SINGLE: "none"})], OPTIONS)
    assert entries == []


def test_shares_count_every_respondent_and_the_order_breaks_ties():
    responses = [
        ResponseRow(1, {SINGLE: "roof"}),
        ResponseRow(2, {MULTI: ["roof", "lift"]}),
        ResponseRow(3, {MULTI: ["lift"], RANKED: ["park"]}),
        ResponseRow(4, {SINGLE: "none"}),  # a respondent who named nothing
    ]
    entries = rank(responses, OPTIONS)
    # R01 and E01 both score 2 with 2 households; R01 has a first choice (single), so first.
    assert [(e.rank, e.menu_code, e.score, e.households) for e in entries] == [
        (1, "R01", Decimal("2.00"), 2),
        (2, "E01", Decimal("2.00"), 2),
        (3, "C01", Decimal("1.00"), 1),
    ]
    assert entries[0].share == Decimal("50.00")
    assert entries[2].share == Decimal("25.00")
    assert entries[0].label == "屋面防水"  # the first option naming the code


def test_equal_entries_fall_back_to_the_code():
    entries = rank([ResponseRow(1, {MULTI: ["park", "lift"]})], OPTIONS)
    assert [e.menu_code for e in entries] == ["C01", "E01"]


def test_scores_round_half_up_to_two_places_and_first_choices_break_ties():
    options = [OptionRow(9, "ranking", v, v, v.upper()) for v in ("a", "b", "c")]
    entries = rank(
        [ResponseRow(1, {9: ["b", "a", "c"]}), ResponseRow(2, {9: ["c", "a", "b"]})], options
    )
    # Every code scores 4/3 from two households; B and C were each someone's first choice.
    assert [(e.menu_code, e.exact_score, e.first_choices) for e in entries] == [
        ("B", Fraction(4, 3), 1),
        ("C", Fraction(4, 3), 1),
        ("A", Fraction(4, 3), 0),
    ]
    assert entries[0].score == Decimal("1.33")
    assert [e.rank for e in entries] == [1, 2, 3]


# --- compute_ranking: loading answers from the database and storing the ranking ----------------

import pytest  # noqa: E402
from django.core.exceptions import PermissionDenied  # noqa: E402
from django.utils import timezone  # noqa: E402

from linli.consultation import models as m  # noqa: E402
from linli.consultation.services.demand import compute_ranking  # noqa: E402
from linli.consultation.tests.factories import (  # noqa: E402
    OptionFactory,
    QuestionFactory,
    SurveyFactory,
    SurveyVersionFactory,
    community_worker,
    resident_of,
    stairwell_with_owners,
)
from linli.core.errors import Invalid  # noqa: E402
from linli.registry.tests import factories as rf  # noqa: E402


def survey_with_menu(compound, status=m.SurveyStatus.OPEN):
    survey = SurveyFactory(compounds=[compound], status=status)
    version = SurveyVersionFactory(survey=survey, published_at=timezone.now())
    multi = QuestionFactory(version=version, kind=m.QuestionKind.MULTIPLE, position=1)
    for position, (value, label, code) in enumerate(
        [("roof", "屋面防水", "R01"), ("lift", "加装电梯", "E01"), ("none", "都不要", "")], 1
    ):
        OptionFactory(question=multi, position=position, value=value, label=label, menu_code=code)
    ranked = QuestionFactory(version=version, kind=m.QuestionKind.RANKING, position=2)
    for position, (value, label, code) in enumerate(
        [("lift", "电梯", "E01"), ("park", "停车", "C01")], 1
    ):
        OptionFactory(question=ranked, position=position, value=value, label=label, menu_code=code)
    return survey, version, multi, ranked


def answer(survey, version, dwelling, answers):
    response = m.Response.objects.create(
        survey=survey,
        version=version,
        dwelling=dwelling,
        channel=m.ResponseChannel.VISIT,
        submitted_at=timezone.now(),
    )
    for question, value in answers.items():
        m.Answer.objects.create(response=response, question=question, value=value)
    return response


@pytest.mark.django_db
def test_compute_ranking_stores_the_entries_of_the_compounds_answers():
    compound = rf.CompoundFactory()
    dwellings = list(
        stairwell_with_owners(compound=compound, storeys=2, per_floor=1).dwellings.all()
    )
    survey, version, multi, ranked = survey_with_menu(compound)
    answer(survey, version, dwellings[0], {multi: ["roof", "lift"], ranked: ["park", "lift"]})
    answer(survey, version, dwellings[1], {multi: ["none"], ranked: ["lift"]})
    # A dwelling of another compound answering the same survey is not counted here.
    elsewhere = rf.CompoundFactory()
    survey.compounds.add(elsewhere)
    outside = stairwell_with_owners(compound=elsewhere, storeys=1, per_floor=1).dwellings.get()
    answer(survey, version, outside, {multi: ["roof"]})
    SurveyFactory(compounds=[compound])  # a draft: not counted by default
    worker = community_worker(compound)

    ranking = compute_ranking(compound=compound, by=worker)

    assert ranking.respondents == 2
    assert list(ranking.surveys.all()) == [survey]
    rows = [
        (e.rank, e.menu_code, e.label, str(e.score), e.households, str(e.share), e.first_choices)
        for e in ranking.entries.all()
    ]
    assert rows == [
        (1, "E01", "加装电梯", "2.00", 2, "100.00", 1),
        (2, "C01", "停车", "1.00", 1, "50.00", 1),
        (3, "R01", "屋面防水", "1.00", 1, "50.00", 0),
    ]
    assert ranking.computed_by == worker


@pytest.mark.django_db
def test_compute_ranking_needs_the_permission_and_surveys_of_the_compound():
    compound = rf.CompoundFactory()
    dwelling = stairwell_with_owners(compound=compound, storeys=1, per_floor=1).dwellings.get()
    survey_with_menu(compound)
    with pytest.raises(PermissionDenied):
        compute_ranking(compound=compound, by=resident_of(dwelling))
    with pytest.raises(PermissionDenied):
        compute_ranking(compound=compound, by=community_worker(rf.CompoundFactory()))
    other_survey = SurveyFactory(compounds=[rf.CompoundFactory()], status=m.SurveyStatus.OPEN)
    with pytest.raises(Invalid) as info:
        compute_ranking(compound=compound, by=community_worker(compound), surveys=[other_survey])
    assert info.value.code == "survey_outside_compound"
    bare = rf.CompoundFactory()
    with pytest.raises(Invalid) as info:
        compute_ranking(compound=bare, by=community_worker(bare))
    assert info.value.code == "no_surveys"
    assert not m.DemandRanking.objects.exists()

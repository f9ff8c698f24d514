"""The pure answer engine: every question kind and rule, with no database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from linli.consultation.answers import (
    AnswersInvalid,
    QuestionSpec,
    chosen_values,
    is_blank,
    validate_answers,
)

OPTS = ("a", "b", "c", "d")


def q(id: int, kind: str, **kw):
    kw.setdefault("options", OPTS if kind in ("single", "multiple", "ranking", "matrix") else ())
    return QuestionSpec(id=id, number=kw.pop("number", id), kind=kind, **kw)


def problems(questions, answers):
    with pytest.raises(AnswersInvalid) as info:
        validate_answers(questions, answers)
    return [(p.number, p.code) for p in info.value.problems]


# --- single -----------------------------------------------------------------------------------


def test_single_accepts_a_known_value():
    assert validate_answers([q(1, "single")], {1: "b"}) == {1: "b"}


def test_single_refuses_an_unknown_value_and_a_list():
    assert problems([q(1, "single")], {1: "z"}) == [(1, "unknown_option")]
    assert problems([q(1, "single")], {1: ["a"]}) == [(1, "type")]


# --- multiple ---------------------------------------------------------------------------------


def test_multiple_keeps_option_order():
    assert validate_answers([q(1, "multiple")], {1: ["c", "a"]}) == {1: ["a", "c"]}


def test_multiple_refuses_duplicates_unknowns_and_too_many():
    assert problems([q(1, "multiple")], {1: ["a", "a"]}) == [(1, "duplicate")]
    assert problems([q(1, "multiple")], {1: ["a", "x"]}) == [(1, "unknown_option")]
    assert problems([q(1, "multiple", max_choices=2)], {1: ["a", "b", "c"]}) == [(1, "max_choices")]
    assert validate_answers([q(1, "multiple", max_choices=2)], {1: ["a", "b"]}) == {1: ["a", "b"]}


def test_multiple_must_be_a_list():
    assert problems([q(1, "multiple")], {1: "a"}) == [(1, "type")]


def test_an_empty_list_is_no_answer_so_required_is_reported():
    assert problems([q(1, "multiple")], {1: []}) == [(1, "required")]


# --- ranking ----------------------------------------------------------------------------------


def test_ranking_keeps_the_given_order():
    assert validate_answers([q(1, "ranking")], {1: ["d", "a", "b"]}) == {1: ["d", "a", "b"]}


def test_ranking_caps_at_max_choices_or_number_of_options():
    assert problems([q(1, "ranking", max_choices=3)], {1: ["a", "b", "c", "d"]}) == [
        (1, "max_choices")
    ]
    assert validate_answers([q(1, "ranking")], {1: list(OPTS)}) == {1: list(OPTS)}
    assert problems([q(1, "ranking")], {1: ["a", "b", "a"]}) == [(1, "duplicate")]


# --- number -----------------------------------------------------------------------------------


def test_number_is_stored_as_a_plain_decimal_string():
    spec = [q(1, "number")]
    assert validate_answers(spec, {1: "3.50"}) == {1: "3.5"}
    assert validate_answers(spec, {1: 12}) == {1: "12"}
    assert validate_answers(spec, {1: "1e2"}) == {1: "100"}


def test_number_bounds_are_inclusive():
    spec = [q(1, "number", min_value=Decimal("0"), max_value=Decimal("10"))]
    assert validate_answers(spec, {1: "0"}) == {1: "0"}
    assert validate_answers(spec, {1: "10"}) == {1: "10"}
    assert problems(spec, {1: "-0.01"}) == [(1, "min_value")]
    assert problems(spec, {1: "10.01"}) == [(1, "max_value")]


def test_number_refuses_words_booleans_and_infinity():
    spec = [q(1, "number")]
    assert problems(spec, {1: "三"}) == [(1, "number")]
    assert problems(spec, {1: True}) == [(1, "number")]
    assert problems(spec, {1: "Infinity"}) == [(1, "number")]


# --- text -------------------------------------------------------------------------------------


def test_text_is_stripped_and_limited_to_2000_characters():
    spec = [q(1, "text")]
    assert validate_answers(spec, {1: "  加装电梯  "}) == {1: "加装电梯"}
    assert validate_answers(spec, {1: "字" * 2000}) == {1: "字" * 2000}
    assert problems(spec, {1: "字" * 2001}) == [(1, "max_length")]
    assert problems(spec, {1: 5}) == [(1, "type")]


def test_whitespace_text_counts_as_unanswered():
    assert problems([q(1, "text")], {1: "   "}) == [(1, "required")]
    assert validate_answers([q(1, "text", required=False)], {1: "   "}) == {}


# --- matrix -----------------------------------------------------------------------------------


def test_matrix_maps_row_index_to_option_value():
    spec = [q(1, "matrix", rows=("楼道", "屋面"))]
    assert validate_answers(spec, {1: {"1": "b", "0": "a"}}) == {1: {"0": "a", "1": "b"}}
    assert validate_answers(spec, {1: {0: "a", 1: "c"}}) == {1: {"0": "a", "1": "c"}}


def test_required_matrix_needs_every_row():
    spec = [q(1, "matrix", rows=("楼道", "屋面"))]
    assert problems(spec, {1: {"0": "a"}}) == [(1, "rows_required")]


def test_optional_matrix_accepts_some_rows():
    spec = [q(1, "matrix", rows=("楼道", "屋面"), required=False)]
    assert validate_answers(spec, {1: {"1": "d"}}) == {1: {"1": "d"}}


def test_matrix_refuses_unknown_rows_and_values():
    spec = [q(1, "matrix", rows=("楼道", "屋面"))]
    assert problems(spec, {1: {"2": "a", "0": "a"}}) == [(1, "unknown_row")]
    assert problems(spec, {1: {"x": "a"}}) == [(1, "unknown_row")]
    assert problems(spec, {1: {"0": "a", "1": "z"}}) == [(1, "unknown_option")]
    assert problems(spec, {1: ["a", "b"]}) == [(1, "type")]


# --- required, unknown ids, many problems -------------------------------------------------------


def test_required_questions_must_be_answered_and_optional_ones_may_be_left_out():
    spec = [q(1, "single"), q(2, "text", required=False)]
    assert problems(spec, {}) == [(1, "required")]
    assert validate_answers(spec, {"1": "a"}) == {1: "a"}


def test_unknown_question_ids_are_errors():
    assert problems([q(1, "single")], {1: "a", 99: "x", "abc": 1}) == [
        (None, "unknown_question"),
        (None, "unknown_question"),
    ]


def test_every_problem_is_listed_with_its_question_number_in_both_languages():
    spec = [q(1, "single"), q(2, "number", max_value=Decimal(5)), q(3, "text")]
    with pytest.raises(AnswersInvalid) as info:
        validate_answers(spec, {1: "z", 2: "9"})
    exc = info.value
    assert [p.number for p in exc.problems] == [1, 2, 3]
    assert "第 1 题" in exc.zh and "第 2 题" in exc.zh and "第 3 题" in exc.zh
    assert "question 2: must be at most 5" in exc.en
    assert exc.code == "answers"
    assert set(exc.by_question()) == {1, 2, 3}


# --- conditions -------------------------------------------------------------------------------


def conditional():
    return [
        q(1, "single", options=("yes", "no")),
        q(2, "text", show_if=1, show_if_values=("yes",)),
        q(3, "number", show_if=2, show_if_values=("x",), required=False),
    ]


def test_a_shown_conditional_question_is_required():
    assert problems(conditional(), {1: "yes"}) == [(2, "required")]
    assert validate_answers(conditional(), {1: "yes", 2: "因为楼层高"}) == {
        1: "yes",
        2: "因为楼层高",
    }


def test_a_hidden_conditional_question_is_not_required_and_must_be_left_empty():
    assert validate_answers(conditional(), {1: "no"}) == {1: "no"}
    assert validate_answers(conditional(), {1: "no", 2: ""}) == {1: "no"}
    assert problems(conditional(), {1: "no", 2: "多余"}) == [(2, "not_shown")]


def test_a_condition_on_an_unanswered_question_hides_the_question():
    spec = [q(1, "single", options=("yes", "no"), required=False), *conditional()[1:]]
    assert validate_answers(spec, {}) == {}


def test_conditions_on_multiple_choice_match_any_chosen_value():
    spec = [q(1, "multiple"), q(2, "text", show_if=1, show_if_values=("c", "d"))]
    assert problems(spec, {1: ["a", "d"]}) == [(2, "required")]
    assert validate_answers(spec, {1: ["a", "b"]}) == {1: ["a", "b"]}


def test_conditions_on_matrix_and_ranking_answers():
    spec = [
        q(1, "matrix", rows=("r1", "r2")),
        q(2, "text", show_if=1, show_if_values=("d",)),
        q(3, "ranking"),
        q(4, "text", show_if=3, show_if_values=("b",), required=False),
    ]
    assert problems(spec, {1: {"0": "a", "1": "d"}, 3: ["a"], 4: "x"}) == [
        (2, "required"),
        (4, "not_shown"),
    ]


def test_helpers_for_blanks_and_chosen_values():
    assert is_blank(None) and is_blank("") and is_blank({}) and not is_blank(0)
    assert chosen_values("single", "a") == {"a"}
    assert chosen_values("ranking", ["a", "b"]) == {"a", "b"}
    assert chosen_values("matrix", {"0": "a"}) == {"a"}
    assert chosen_values("text", "a") == set()

"""The demand ranking (居民点单): which catalogue items a compound's households asked for.

A pure engine over plain rows, no ORM. Answers to choice questions whose options carry a
``menu_code`` (the catalogue item the option stands for) vote for that code:

* single and multiple choice: weight 1 for each chosen option;
* ranking: the option at position k (1-based) of a question with N options weighs
  (N − k + 1) / N — first place 1, last place 1/N (a Borda count normalised to 1);
* matrix, number and text questions are not counted.

Per household (dwelling) a code counts at most once, with the highest weight any of its
answers gave it (several questions or surveys naming the same item do not add up), so one
talkative household cannot outweigh its neighbours. For each code:

* ``score``: the sum of the households' weights (exact; shown with 2 places);
* ``households``: the dwellings that named it;
* ``first_choices``: the dwellings for which it was the answer of a single-choice question or
  the first place of a ranking;
* ``share``: households / respondents × 100 (2 places), respondents being every dwelling with
  a response, whether or not it named an item.

Order: score (exact) descending, then households, then first choices (descending), then the
code ascending; ranks run 1..n without gaps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

SINGLE = "single"
MULTIPLE = "multiple"
RANKING = "ranking"
COUNTED_KINDS = frozenset({SINGLE, MULTIPLE, RANKING})

TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class OptionRow:
    """An option of a choice question: its question, the question's kind, value, label and
    the catalogue code it stands for ("" for none). Pass every option of a ranking question,
    coded or not: N counts them all."""

    question_id: int
    kind: str
    value: str
    label: str
    menu_code: str = ""


@dataclass(frozen=True)
class ResponseRow:
    """One household's response: the dwelling and its answers keyed by question id
    (an option value, a list of them, or for a ranking the values in order)."""

    dwelling_id: int
    answers: Mapping[int, Any]


@dataclass(frozen=True)
class Entry:
    """One catalogue code's place in the ranking."""

    rank: int
    menu_code: str
    label: str
    score: Decimal
    households: int
    first_choices: int
    share: Decimal
    exact_score: Fraction


def _chosen(kind: str, value: Any) -> list[str]:
    if kind == SINGLE:
        return [value] if isinstance(value, str) and value else []
    if isinstance(value, list | tuple):
        seen: list[str] = []
        for item in value:
            if isinstance(item, str) and item not in seen:
                seen.append(item)
        return seen
    return []


def household_weights(
    answers: Mapping[int, Any],
    questions: Mapping[int, tuple[str, int]],
    codes: Mapping[tuple[int, str], str],
) -> tuple[dict[str, Fraction], set[str]]:
    """One household's best weight per code, and the codes that were its first choice.

    ``questions`` maps a question id to (kind, number of options); ``codes`` maps
    (question id, option value) to the option's menu code.
    """
    weights: dict[str, Fraction] = {}
    first: set[str] = set()
    for question_id, value in answers.items():
        question = questions.get(question_id)
        if question is None:
            continue
        kind, size = question
        if kind not in COUNTED_KINDS:
            continue
        for position, choice in enumerate(_chosen(kind, value), start=1):
            code = codes.get((question_id, choice), "")
            if kind == RANKING:
                weight = Fraction(size - position + 1, size) if size else Fraction(0)
                is_first = position == 1
            else:
                weight = Fraction(1)
                is_first = kind == SINGLE
            if not code or weight <= 0:
                continue
            if weight > weights.get(code, Fraction(0)):
                weights[code] = weight
            if is_first:
                first.add(code)
    return weights, first


def rank(responses: Iterable[ResponseRow], options: Iterable[OptionRow]) -> list[Entry]:
    """The ranked entries of every code named in ``responses`` (see the module docstring)."""
    questions: dict[int, tuple[str, int]] = {}
    codes: dict[tuple[int, str], str] = {}
    labels: dict[str, str] = {}
    for option in options:
        kind, size = questions.get(option.question_id, (option.kind, 0))
        questions[option.question_id] = (kind, size + 1)
        if option.menu_code:
            codes[option.question_id, option.value] = option.menu_code
            labels.setdefault(option.menu_code, option.label)

    # A household answering several surveys is one household: merge before weighing.
    per_dwelling: dict[int, tuple[dict[str, Fraction], set[str]]] = {}
    for response in responses:
        weights, first = household_weights(response.answers, questions, codes)
        best, firsts = per_dwelling.setdefault(response.dwelling_id, ({}, set()))
        for code, weight in weights.items():
            if weight > best.get(code, Fraction(0)):
                best[code] = weight
        firsts |= first
    respondents = len(per_dwelling)

    scores: dict[str, Fraction] = {}
    households: dict[str, int] = {}
    first_choices: dict[str, int] = {}
    for best, firsts in per_dwelling.values():
        for code, weight in best.items():
            scores[code] = scores.get(code, Fraction(0)) + weight
            households[code] = households.get(code, 0) + 1
        for code in firsts:
            first_choices[code] = first_choices.get(code, 0) + 1

    order = sorted(
        scores,
        key=lambda c: (-scores[c], -households[c], -first_choices.get(c, 0), c),
    )
    return [
        Entry(
            rank=position,
            menu_code=code,
            label=labels.get(code, code),
            score=_two_places(scores[code]),
            households=households[code],
            first_choices=first_choices.get(code, 0),
            share=_two_places(Fraction(households[code] * 100, respondents)),
            exact_score=scores[code],
        )
        for position, code in enumerate(order, start=1)
    ]


def _two_places(value: Fraction) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)

"""The demand ranking (居民点单): load a compound's survey answers, rank them with the pure
engine :mod:`linli.consultation.demand`, and store the ranking as computed."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from linli.consultation import demand as engine
from linli.consultation.models import (
    Answer,
    DemandEntry,
    DemandRanking,
    Option,
    Response,
    Survey,
    SurveyStatus,
)
from linli.consultation.visit_selectors import may
from linli.core.errors import Invalid
from linli.registry.models import Compound

ADD_RANKING = "consultation.add_demandranking"


def default_surveys(compound: Compound) -> list[Survey]:
    """Every survey of the compound past its draft (open or closed)."""
    return list(compound.surveys.exclude(status=SurveyStatus.DRAFT).order_by("pk"))


def load_rows(
    compound: Compound, surveys: Sequence[Survey]
) -> tuple[list[engine.ResponseRow], list[engine.OptionRow]]:
    """The responses of ``surveys`` from the compound's dwellings, and the options of the
    surveys' choice questions, as the engine's plain rows (three queries)."""
    responses = Response.objects.filter(
        survey__in=surveys, dwelling__stairwell__building__compound=compound
    )
    answers: dict[int, dict[int, Any]] = defaultdict(dict)
    dwelling_of: dict[int, int] = dict(responses.values_list("pk", "dwelling_id"))
    for response_id, question_id, value in Answer.objects.filter(
        response__in=responses
    ).values_list("response_id", "question_id", "value"):
        answers[response_id][question_id] = value
    options = [
        engine.OptionRow(
            question_id=question_id, kind=kind, value=value, label=label, menu_code=code
        )
        for question_id, kind, value, label, code in Option.objects.filter(
            question__version__survey__in=surveys
        )
        .order_by(
            "question__version__survey_id",
            "question__version__number",
            "question__position",
            "position",
        )
        .values_list("question_id", "question__kind", "value", "label", "menu_code")
    ]
    rows = [
        engine.ResponseRow(dwelling_id=dwelling_id, answers=answers.get(pk, {}))
        for pk, dwelling_id in sorted(dwelling_of.items())
    ]
    return rows, options


def compute_ranking(
    *,
    compound: Compound,
    by: Any,
    surveys: Sequence[Survey] | None = None,
    now: datetime.datetime | None = None,
) -> DemandRanking:
    """Rank the catalogue items the compound's households asked for and store the ranking.

    ``surveys`` default to every non-draft survey of the compound; each given one must cover
    the compound. Needs ``consultation.add_demandranking`` over the compound. The entries'
    labels are the options' labels (the first option naming a code).
    """
    with transaction.atomic():
        if by is None or not may(by, ADD_RANKING, compound):
            raise PermissionDenied(
                "您没有计算该小区居民点单的权限 (you may not rank this compound's demand)"
            )
        if surveys is None:
            chosen = default_surveys(compound)
        else:
            chosen = list(dict.fromkeys(surveys))
            covering = set(compound.surveys.values_list("pk", flat=True))
            for survey in chosen:
                if survey.pk not in covering:
                    raise Invalid(
                        f"问卷“{survey}”不涉及小区“{compound}”",
                        f"survey {survey.pk} does not cover compound {compound.pk}",
                        "survey_outside_compound",
                    )
        if not chosen:
            raise Invalid(
                f"小区“{compound}”还没有已发布的问卷,无法计算居民点单",
                f"compound {compound.pk} has no published survey to rank",
                "no_surveys",
            )
        responses, options = load_rows(compound, chosen)
        entries = engine.rank(responses, options)
        ranking = DemandRanking.objects.create(
            compound=compound,
            computed_at=now or timezone.now(),
            respondents=len({r.dwelling_id for r in responses}),
            computed_by=by,
        )
        ranking.surveys.set(chosen)
        for entry in entries:
            # One by one (not bulk_create) so each entry is in the audit trail.
            DemandEntry.objects.create(
                ranking=ranking,
                rank=entry.rank,
                menu_code=entry.menu_code,
                label=entry.label[:128],
                score=entry.score,
                households=entry.households,
                share=entry.share,
                first_choices=entry.first_choices,
            )
        return ranking

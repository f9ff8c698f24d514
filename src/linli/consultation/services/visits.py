"""Door-to-door visits (入户走访): recording one call at a dwelling during a survey."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from linli.consultation.models import Survey, Visit, VisitOutcome
from linli.consultation.visit_selectors import may
from linli.core.errors import Invalid
from linli.registry.models import Dwelling

ADD_VISIT = "consultation.add_visit"


def record_visit(
    *,
    survey: Survey,
    dwelling: Dwelling,
    outcome: str,
    by: Any,
    visited_at: datetime.datetime | None = None,
    notes: str = "",
) -> Visit:
    """Record a visit to ``dwelling`` for ``survey``.

    Needs ``consultation.add_visit`` over the dwelling's compound; the dwelling must lie in
    one of the survey's compounds; ``visited_at`` (default: now) may not lie in the future.
    """
    with transaction.atomic():
        compound_id = dwelling.stairwell.building.compound_id
        if by is None or not may(by, ADD_VISIT, compound_id):
            raise PermissionDenied("您没有登记该房屋走访的权限 (you may not record visits here)")
        if outcome not in VisitOutcome.values:
            raise Invalid(
                f"走访结果“{outcome}”无效", f"unknown visit outcome {outcome!r}", "outcome"
            )
        if not survey.compounds.filter(pk=compound_id).exists():
            raise Invalid(
                f"房屋“{dwelling}”不在问卷“{survey}”的调查小区内",
                f"dwelling {dwelling.pk} lies outside the compounds of survey {survey.pk}",
                "dwelling_outside_survey",
            )
        now = timezone.now()
        at = now if visited_at is None else visited_at
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
        if at > now:
            raise Invalid("走访时间不能晚于当前时间", "the visit time lies in the future", "future")
        return Visit.objects.create(
            survey=survey,
            dwelling=dwelling,
            outcome=outcome,
            visited_at=at,
            visitor=by,
            notes=notes.strip(),
        )

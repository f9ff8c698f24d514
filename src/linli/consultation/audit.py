"""The consultation app's part in the audit trail: every model is tracked, each row placed in
its compound so the trail is scoped like the rows (a survey over several compounds is placed
in its first one). Ballots are also chained by hashes (``chain``): the trail says who entered
a ballot, the chain proves it was not changed since."""

from __future__ import annotations

from typing import Any

from linli.consultation import models as m
from linli.core.audit import memo, track


def _compound_of_dwelling(dwelling_id: int | None) -> int | None:
    if dwelling_id is None:
        return None
    from linli.registry.models import Dwelling

    return memo(
        (Dwelling, dwelling_id, "compound"),
        lambda: (
            Dwelling.objects.filter(pk=dwelling_id)
            .values_list("stairwell__building__compound_id", flat=True)
            .first()
        ),
    )


def _compound_of_survey(survey_id: int | None) -> int | None:
    if survey_id is None:
        return None
    return memo(
        (m.Survey, survey_id, "compound"),
        lambda: (
            m.Survey.compounds.through.objects.filter(survey_id=survey_id)
            .order_by("compound_id")
            .values_list("compound_id", flat=True)
            .first()
        ),
    )


def _compound_of(model: Any, pk: int | None, path: str) -> int | None:
    if pk is None:
        return None
    return memo(
        (model, pk, path),
        lambda: model.objects.filter(pk=pk).values_list(path, flat=True).first(),
    )


def track_consultation() -> None:
    """Audit every consultation model (called from ``ConsultationConfig.ready``)."""
    track(m.Survey, locate=lambda o: _compound_of_survey(o.pk))
    track(m.SurveyVersion, locate=lambda o: _compound_of_survey(o.survey_id))
    track(
        m.Question,
        locate=lambda o: _compound_of_survey(
            _compound_of(m.SurveyVersion, o.version_id, "survey_id")
        ),
    )
    track(
        m.Option,
        locate=lambda o: _compound_of_survey(
            _compound_of(m.Question, o.question_id, "version__survey_id")
        ),
    )
    track(m.Response, locate=lambda o: _compound_of_dwelling(o.dwelling_id))
    track(
        m.Answer,
        locate=lambda o: _compound_of_dwelling(
            _compound_of(m.Response, o.response_id, "dwelling_id")
        ),
    )
    track(m.Visit, locate=lambda o: _compound_of_dwelling(o.dwelling_id))
    track(m.DemandRanking, locate=lambda o: o.compound_id)
    track(
        m.DemandEntry, locate=lambda o: _compound_of(m.DemandRanking, o.ranking_id, "compound_id")
    )
    track(m.Meeting, locate=lambda o: o.compound_id)
    track(m.Attendance, locate=lambda o: _compound_of(m.Meeting, o.meeting_id, "compound_id"))
    track(
        m.MeetingAttachment, locate=lambda o: _compound_of(m.Meeting, o.meeting_id, "compound_id")
    )
    track(m.Vote, locate=lambda o: o.compound_id)
    track(m.Elector, locate=lambda o: _compound_of(m.Vote, o.vote_id, "compound_id"))
    track(m.Ballot, locate=lambda o: _compound_of(m.Vote, o.vote_id, "compound_id"))
    track(m.RuleProfile)

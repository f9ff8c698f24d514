"""The elevator app's part in the audit trail: every row is placed in its case's compound."""

from __future__ import annotations

from linli.core.audit import memo, track
from linli.elevators import models as m


def _compound_of_case(case_id: int | None) -> int | None:
    if case_id is None:
        return None
    return memo(
        (m.ElevatorCase, case_id, "compound"),
        lambda: (
            m.ElevatorCase.objects.filter(pk=case_id).values_list("compound_id", flat=True).first()
        ),
    )


def track_elevators() -> None:
    """Audit every elevator model (called from ``ElevatorsConfig.ready``)."""
    track(m.SubsidyRule)
    track(m.ElevatorCase, locate=lambda o: o.compound_id)
    for model in (m.CaseDwelling, m.CaseVote, m.ConsentDocument, m.RunningCostYear):
        track(model, locate=lambda o: _compound_of_case(o.case_id))

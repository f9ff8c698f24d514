"""Renewal writes. Pages, the API and commands all call these functions; none of them
reimplements a rule.

Every function takes keyword arguments only, runs in one transaction, validates with the
models' ``full_clean()`` (raising Django ``ValidationError`` with bilingual messages) and
leaves the stage rules to :mod:`linli.renewal.gates` (raising ``TransitionRefused``).
``projects`` holds the writes of a project's facts and records, ``stages`` the transitions and
the joint review.
"""

from linli.renewal.gates import TransitionRefused
from linli.renewal.services.common import APPROVE, DECIDING, PLANNING, REJECT, as_of
from linli.renewal.services.progress import (
    add_progress_photo,
    derive_project_progress,
    raise_problem,
    record_progress_report,
    resolve_problem,
)
from linli.renewal.services.projects import (
    add_item,
    create_project,
    plan_stage,
    record_acceptance,
    record_decision,
    remove_item,
    set_funding,
    update_item,
    update_project,
)
from linli.renewal.services.stages import (
    advance_stage,
    can_decide,
    decide_review,
    project_facts,
    request_joint_review,
    required_departments,
)

__all__ = [
    "APPROVE",
    "DECIDING",
    "PLANNING",
    "REJECT",
    "TransitionRefused",
    "add_item",
    "add_progress_photo",
    "advance_stage",
    "as_of",
    "can_decide",
    "create_project",
    "decide_review",
    "derive_project_progress",
    "plan_stage",
    "project_facts",
    "raise_problem",
    "record_acceptance",
    "record_decision",
    "record_progress_report",
    "remove_item",
    "request_joint_review",
    "required_departments",
    "resolve_problem",
    "set_funding",
    "update_item",
    "update_project",
]

"""Scope rules for consultation models.

Staff see the consultation of compounds their jurisdiction covers entirely (district, zone,
sub-district, community, compound assignments). Property companies do not: owners vote on
hiring and firing the manager, and answer surveys about its service, so the manager reads
neither ballots nor answers (decision 0004). Departments read the district like everywhere.

A resident sees, for their own dwellings: the published surveys and the votes that include
them (and the rule profiles), their own response, elector row and ballot, the meetings and
demand rankings of their compound. Never a neighbour's ballot, answer or visit.
"""

from __future__ import annotations

from dataclasses import replace

from django.db.models import Q

from linli.consultation import models as m
from linli.core.scoping import Scope, any_of, register
from linli.registry.models import Dwelling
from linli.registry.scoping import COMPOUND_OF_DWELLING, whole_compounds

DWELLING_COMPOUND = f"dwelling__{COMPOUND_OF_DWELLING}"


def staff_compounds(scope: Scope, prefix: str = "") -> Q:
    """Compounds covered entirely, leaving out the property company's managed compounds."""
    return whole_compounds(replace(scope, organisation_ids=frozenset()), prefix)


def _own_compounds(scope: Scope) -> list[int]:
    if not scope.dwelling_ids:
        return []
    return list(
        Dwelling.objects.filter(pk__in=sorted(scope.dwelling_ids)).values_list(
            f"{COMPOUND_OF_DWELLING}_id", flat=True
        )
    )


def survey_rule(scope: Scope) -> Q:
    staff = m.Survey.objects.filter(staff_compounds(scope, "compounds__")).values("pk")
    q = Q(pk__in=staff)
    own = _own_compounds(scope)
    if own:
        residents = m.Survey.objects.filter(compounds__in=own).exclude(status=m.SurveyStatus.DRAFT)
        q |= Q(pk__in=residents.values("pk"))
    return q


def version_rule(scope: Scope) -> Q:
    visible = m.Survey.objects.filter(survey_rule(scope)).values("pk")
    staff = m.Survey.objects.filter(staff_compounds(scope, "compounds__")).values("pk")
    # Residents see published versions only; staff also the drafts they are building.
    return Q(survey__in=staff) | Q(survey__in=visible, published_at__isnull=False)


def question_rule(scope: Scope) -> Q:
    return Q(version__in=m.SurveyVersion.objects.filter(version_rule(scope)).values("pk"))


def option_rule(scope: Scope) -> Q:
    return Q(question__in=m.Question.objects.filter(question_rule(scope)).values("pk"))


def response_rule(scope: Scope) -> Q:
    return staff_compounds(scope, f"{DWELLING_COMPOUND}__") | any_of(
        ("dwelling_id", scope.dwelling_ids)
    )


def answer_rule(scope: Scope) -> Q:
    return staff_compounds(scope, f"response__{DWELLING_COMPOUND}__") | any_of(
        ("response__dwelling_id", scope.dwelling_ids)
    )


def visit_rule(scope: Scope) -> Q:
    # Visit notes are the worker's: residents do not read them, even of their own dwelling.
    return staff_compounds(scope, f"{DWELLING_COMPOUND}__")


def _by_compound(scope: Scope, prefix: str = "") -> Q:
    return staff_compounds(scope, f"{prefix}compound__") | any_of(
        (f"{prefix}compound_id", _own_compounds(scope))
    )


def ranking_rule(scope: Scope) -> Q:
    return _by_compound(scope)


def entry_rule(scope: Scope) -> Q:
    return _by_compound(scope, "ranking__")


def meeting_rule(scope: Scope) -> Q:
    return _by_compound(scope)


def attachment_rule(scope: Scope) -> Q:
    return _by_compound(scope, "meeting__")


def attendance_rule(scope: Scope) -> Q:
    # Who came is for the organisers; residents see the minutes and decisions.
    return staff_compounds(scope, "meeting__compound__")


def vote_rule(scope: Scope) -> Q:
    q = staff_compounds(scope, "compound__")
    if scope.dwelling_ids:
        q |= Q(
            pk__in=m.Elector.objects.filter(dwelling_id__in=sorted(scope.dwelling_ids)).values(
                "vote_id"
            )
        )
    return q


def elector_rule(scope: Scope) -> Q:
    return staff_compounds(scope, "vote__compound__") | any_of(("dwelling_id", scope.dwelling_ids))


def ballot_rule(scope: Scope) -> Q:
    return staff_compounds(scope, "vote__compound__") | any_of(("dwelling_id", scope.dwelling_ids))


def reference_rule(scope: Scope) -> Q:
    # Rule profiles are reference data (filter_for_scope answers none() to an empty scope).
    return Q()


def register_rules() -> None:
    register(m.Survey, survey_rule)
    register(m.SurveyVersion, version_rule)
    register(m.Question, question_rule)
    register(m.Option, option_rule)
    register(m.Response, response_rule)
    register(m.Answer, answer_rule)
    register(m.Visit, visit_rule)
    register(m.DemandRanking, ranking_rule)
    register(m.DemandEntry, entry_rule)
    register(m.Meeting, meeting_rule)
    register(m.Attendance, attendance_rule)
    register(m.MeetingAttachment, attachment_rule)
    register(m.Vote, vote_rule)
    register(m.Elector, elector_rule)
    register(m.Ballot, ballot_rule)
    register(m.RuleProfile, reference_rule)

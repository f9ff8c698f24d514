"""Scope rules for renewal models: which projects (and their parts) a Scope covers.

A project is in scope when any of its compounds is wholly in scope (district, zone,
sub-district, community, compound assignments, and property companies for the compounds they
manage), when the scope's organisation is its design, construction or supervision firm, or
when the organisation has a joint review of the project (departments and utilities). Residents
do not see the ledger (funding, staff, sign-offs): what residents learn of a renovation comes
through published notices. Everything hanging off a project follows the project (progress
report lines and photos follow their report's project). An issued report is seen by its author.

The catalogue, output indicators, local tags and review rules are reference data: any user
with a role sees them (changing them is the district office's permission).
"""

from __future__ import annotations

from django.db.models import Model, Q

from linli.core.scoping import MATCH_NONE, Scope, any_of, register
from linli.registry.scoping import whole_compounds
from linli.renewal import models as m


def project_rule(scope: Scope) -> Q:
    by_place = m.Project.objects.filter(whole_compounds(scope, "compounds__")).values("pk")
    q = Q(pk__in=by_place) | any_of(
        ("pk", scope.project_ids),
        ("design_firm_id", scope.organisation_ids),
        ("construction_firm_id", scope.organisation_ids),
        ("supervision_firm_id", scope.organisation_ids),
    )
    if scope.organisation_ids:
        reviewed = m.Review.objects.filter(department_id__in=sorted(scope.organisation_ids)).values(
            "project_id"
        )
        q |= Q(pk__in=reviewed)
    return q


def _of_visible_projects(scope: Scope) -> Q:
    return Q(project__in=m.Project.objects.filter(project_rule(scope)).values("pk"))


def _of_visible_reports(scope: Scope) -> Q:
    visible = m.Project.objects.filter(project_rule(scope)).values("pk")
    return Q(report__project__in=visible)


def _issued_reports(scope: Scope) -> Q:
    # A report holds the figures of its author's scope: the author sees it (the district-wide
    # view, filter_for_scope's "everything", sees every issued report).
    return Q(generated_by_id=scope.user_id) if scope.user_id else MATCH_NONE


def _reference(scope: Scope) -> Q:
    # filter_for_scope already answers none() for an empty scope.
    return Q()


def register_rules() -> None:
    register(m.Project, project_rule)
    parts: tuple[type[Model], ...] = (
        m.ProjectItem,
        m.FundingLine,
        m.StageRecord,
        m.Transition,
        m.DecisionRecord,
        m.Review,
        m.AcceptanceRecord,
        m.ProgressReport,
        m.ProgressProblem,
        m.SupervisionItem,
    )
    for part in parts:
        register(part, _of_visible_projects)
    for report_part in (m.ProgressLine, m.ProgressPhoto):
        register(report_part, _of_visible_reports)
    register(m.IssuedReport, _issued_reports)
    reference: tuple[type[Model], ...] = (
        m.LocalTag,
        m.OutputIndicator,
        m.CatalogueItem,
        m.ReviewRule,
    )
    for model in reference:
        register(model, _reference)

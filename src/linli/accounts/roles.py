"""Roles, what each may do, and which kind of jurisdiction each is bound to.

The table is the spec of "write permissions follow the role" (PRODUCT.md, "The people who
use it"). Reading is allowed inside the assignment's scope for every model that declares a
scope rule (``linli.core.scoping.register``); the permissions below say which changes a role
may make there. Patterns use fnmatch syntax over Django permission names
(``app_label.action_model``).
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.scoping import registered_models


class Role(models.TextChoices):
    DISTRICT_OFFICE = "district_office", _("区百城办")
    ZONE_LEAD = "zone_lead", _("片区分包领导")
    SUBDISTRICT_OFFICE = "subdistrict_office", _("街道办事处")
    COMMUNITY = "community", _("社区")
    DEPARTMENT = "department", _("职能部门")
    CONTRACTOR = "contractor", _("设计/施工/监理单位")
    PROPERTY_COMPANY = "property_company", _("物业企业")
    RESIDENT = "resident", _("居民/业主")


class Jurisdiction(models.TextChoices):
    DISTRICT = "district", _("区")
    ZONE = "zone", _("片区")
    SUBDISTRICT = "subdistrict", _("街道")
    COMMUNITY = "community", _("社区")
    COMPOUND = "compound", _("小区")
    ORGANISATION = "organisation", _("单位")
    DWELLING = "dwelling", _("房屋")


#: Which jurisdiction kinds each role may be bound to.
ROLE_JURISDICTIONS: dict[str, frozenset[str]] = {
    Role.DISTRICT_OFFICE: frozenset({Jurisdiction.DISTRICT}),
    Role.ZONE_LEAD: frozenset({Jurisdiction.ZONE}),
    Role.SUBDISTRICT_OFFICE: frozenset({Jurisdiction.SUBDISTRICT}),
    Role.COMMUNITY: frozenset({Jurisdiction.COMMUNITY, Jurisdiction.COMPOUND}),
    Role.DEPARTMENT: frozenset({Jurisdiction.ORGANISATION}),
    Role.CONTRACTOR: frozenset({Jurisdiction.ORGANISATION}),
    Role.PROPERTY_COMPANY: frozenset({Jurisdiction.ORGANISATION}),
    Role.RESIDENT: frozenset({Jurisdiction.DWELLING}),
}

#: For roles bound to an organisation: the kinds of organisation (registry.OrganisationKind
#: values) the role fits. A property-company role bound to a design firm makes no sense.
ROLE_ORGANISATION_KINDS: dict[str, frozenset[str]] = {
    Role.DEPARTMENT: frozenset({"department", "utility"}),
    Role.CONTRACTOR: frozenset({"design", "construction", "supervision"}),
    Role.PROPERTY_COMPANY: frozenset({"property"}),
}

_REGISTRY_BELOW_COMPOUND = (
    "registry.add_building",
    "registry.change_building",
    "registry.add_stairwell",
    "registry.change_stairwell",
    "registry.add_dwelling",
    "registry.change_dwelling",
    "registry.add_owner",
    "registry.change_owner",
    "registry.add_ownership",
    "registry.change_ownership",
    "registry.delete_ownership",
    "registry.add_household",
    "registry.change_household",
    "registry.delete_household",
    "registry.add_resident",
    "registry.change_resident",
    "registry.delete_resident",
)

#: Sub-district and community staff record the residents' decisions they organised.
_RENEWAL_DECISIONS = ("renewal.add_decisionrecord", "renewal.change_decisionrecord")

#: Sub-district and community staff run the consultation: surveys and visits, meetings, owner
#: votes and the paper or proxy ballots handed to them. Ballots and electors are never changed
#: or deleted (the services refuse it; the hash chain would show it).
_CONSULTATION = (
    "consultation.add_*",
    "consultation.change_survey",
    "consultation.change_surveyversion",
    "consultation.change_question",
    "consultation.change_option",
    "consultation.change_response",
    "consultation.change_answer",
    "consultation.change_visit",
    "consultation.change_meeting",
    "consultation.change_vote",
    "consultation.delete_question",
    "consultation.delete_option",
    "consultation.delete_attendance",
    "consultation.delete_meetingattachment",
)

#: What a resident does for their own dwelling: answer surveys and cast an online ballot.
_RESIDENT_CONSULTATION = (
    "consultation.add_response",
    "consultation.change_response",
    "consultation.add_answer",
    "consultation.change_answer",
    "consultation.add_ballot",
)

#: Sub-district and community staff run elevator retrofit cases with the residents and keep the
#: handed-over assets' schedules; the district office sets the subsidy rules (city policy).
_ELEVATORS = (
    "elevators.add_elevatorcase",
    "elevators.change_elevatorcase",
    "elevators.add_casedwelling",
    "elevators.change_casedwelling",
    "elevators.add_consentdocument",
    "elevators.add_runningcostyear",
    "elevators.change_runningcostyear",
)
_AFTERCARE = ("aftercare.add_*", "aftercare.change_*")

#: The changes each role may make inside its scope (viewing is implied by any assignment).
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    # Programme staff keep the registry (every change, including deletes and imports) and
    # decide who holds which role in their district.
    Role.DISTRICT_OFFICE: (
        "registry.*",
        "accounts.add_roleassignment",
        "accounts.change_roleassignment",
        "accounts.delete_roleassignment",
        # The renovation ledger: catalogue, projects, funding, stages, and joint-review
        # sign-offs recorded on a department's behalf (renewal.decide_for_department).
        "renewal.*",
        *_CONSULTATION,
        "consultation.add_ruleprofile",
        "consultation.change_ruleprofile",
        "elevators.*",
        "aftercare.*",
    ),
    # Zone leads chase work (督办); they read the registry, they do not edit it.
    Role.ZONE_LEAD: (),
    # Street offices maintain compounds and everything below them in their sub-district.
    Role.SUBDISTRICT_OFFICE: (
        "registry.add_compound",
        "registry.change_compound",
        *_REGISTRY_BELOW_COMPOUND,
        *_RENEWAL_DECISIONS,
        *_CONSULTATION,
        *_ELEVATORS,
        *_AFTERCARE,
    ),
    # Community workers keep dwellings, owners and households current after their visits.
    Role.COMMUNITY: (
        "registry.change_compound",
        *_REGISTRY_BELOW_COMPOUND,
        *_RENEWAL_DECISIONS,
        *_CONSULTATION,
        *_ELEVATORS,
        *_AFTERCARE,
    ),
    # Departments sign the joint reviews of their own organisation (linli.renewal.services.
    # can_decide narrows the scope to reviews assigned to it).
    Role.DEPARTMENT: ("renewal.change_review",),
    Role.CONTRACTOR: (),
    # Property companies keep the household and resident lists of the compounds they manage.
    Role.PROPERTY_COMPANY: (
        "registry.add_household",
        "registry.change_household",
        "registry.add_resident",
        "registry.change_resident",
        # They log the maintenance visits and inspections of the assets they look after.
        "aftercare.add_schedulerecord",
    ),
    Role.RESIDENT: _RESIDENT_CONSULTATION,
}

#: Granted per assignment (RoleAssignment.can_view_personal_data), never by role alone.
VIEW_PERSONAL_DATA = "registry.view_personal_data"


def scoped_view_permissions() -> frozenset[str]:
    """``app_label.view_model`` of every model with a scope rule: what any role may read."""
    return frozenset(
        f"{model._meta.app_label}.view_{model._meta.model_name}" for model in registered_models()
    )


def role_grants(role: str, permission: str) -> bool:
    """Whether ``role`` may use ``permission``.

    Viewing a model that has a scope rule is granted to every role (the rule then limits the
    rows); viewing anything else (users, API tokens) is not, nor is the personal-data grant,
    which comes with an assignment, never with a role.
    """
    if permission == VIEW_PERSONAL_DATA:
        return False
    if permission in scoped_view_permissions():
        return True
    return any(fnmatchcase(permission, pattern) for pattern in ROLE_PERMISSIONS.get(role, ()))

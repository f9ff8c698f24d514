"""Reads of supervision (督办) for pages and the API: the items a user sees, "mine" (assigned
to me, or to my level of the chain, inside my scope) and the counts of lights."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from linli.core.scoping import scoped
from linli.renewal.models import Project, SupervisionItem, SupervisionStatus
from linli.renewal.services.supervision import assess_project
from linli.renewal.supervision import ChainLevel, Light


def chain_levels_of(user: Any) -> set[str]:
    """The levels of the chain the user's roles stand for (district office, zone lead,
    sub-district, community)."""
    from linli.accounts.roles import Role
    from linli.accounts.scopes import assignments_of

    by_role: dict[str, ChainLevel] = {
        Role.DISTRICT_OFFICE: ChainLevel.DISTRICT,
        Role.ZONE_LEAD: ChainLevel.ZONE_LEAD,
        Role.SUBDISTRICT_OFFICE: ChainLevel.SUBDISTRICT,
        Role.COMMUNITY: ChainLevel.COMMUNITY,
    }
    if user is None or not user.is_authenticated:
        return set()
    return {str(by_role[a.role]) for a in assignments_of(user) if a.role in by_role}


def mine_q(user: Any) -> Q:
    """Items assigned to the user, or to a level of the chain the user stands for (the
    queryset is already narrowed to the user's scope)."""
    return Q(assignee_id=user.pk) | Q(level__in=sorted(chain_levels_of(user)))


def items_for(user: Any) -> QuerySet[SupervisionItem]:
    """The supervision items of the projects the user sees, with what lists show."""
    queryset = SupervisionItem.objects.select_related(
        "project", "project__zone", "assignee", "resolved_by"
    )
    return scoped(queryset, user)


def days_late(item: SupervisionItem, today: datetime.date | None = None) -> int:
    """Days past the item's due date (as of its closing, once closed)."""
    end = item.resolved_on or today or timezone.localdate()
    return max((end - item.due_on).days, 0)


def light_counts(user: Any) -> dict[str, int]:
    """How many of the user's projects show each light (one query)."""
    rows = scoped(Project, user).order_by().values("light").annotate(n=Count("pk"))
    counts = {row["light"]: row["n"] for row in rows}
    return {light.value: counts.get(light.value, 0) for light in Light}


def project_supervision(project: Any) -> dict[str, Any]:
    """What the project page shows of supervision: the live light with its reasons (in the
    page's language) and the project's open items (five queries)."""
    assessment = assess_project(project)
    english = (get_language() or "").startswith("en")
    return {
        "supervision": assessment,
        "supervision_reasons": [
            (reason.light, reason.en if english else reason.zh) for reason in assessment.reasons
        ],
        "supervision_items": list(
            SupervisionItem.objects.filter(project=project, status=SupervisionStatus.OPEN)
            .select_related("assignee")
            .order_by("due_on", "pk")
        ),
    }

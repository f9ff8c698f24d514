"""Read helpers of owner votes shared by the vote API and the vote pages: counts annotated
on the vote queryset, the share of area voted, short dwelling labels, the compounds a user
runs votes in, owner names masked for users without the personal data grant (``NameGate``),
and the elector and ballot querysets with their related rows selected.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from linli.consultation import models as m
from linli.consultation.scoping import staff_compounds
from linli.core.scoping import scope_for
from linli.registry.exporter import VIEW_PERSONAL_DATA
from linli.registry.models import Compound, Dwelling, Stairwell
from linli.registry.scoping import whole_compounds_of


def _per_vote(queryset: QuerySet[Any], aggregate: Any, output: Any) -> Any:
    """A correlated subquery: ``aggregate`` over ``queryset``'s rows of the outer vote."""
    rows = queryset.filter(vote=OuterRef("pk")).order_by().values("vote").annotate(total=aggregate)
    return Coalesce(
        Subquery(rows.values("total"), output_field=output), Value(0), output_field=output
    )


_AREA = DecimalField(max_digits=12, decimal_places=2)


def with_counts(queryset: QuerySet[m.Vote]) -> QuerySet[m.Vote]:
    """Votes with ``electors_count``, ``ballots_count``, ``electorate_area`` and
    ``voted_area`` annotated (subqueries: no join fan-out, no query per row)."""
    electors = m.Elector.objects.all()
    return queryset.annotate(
        electors_count=_per_vote(electors, Count("pk"), IntegerField()),
        ballots_count=_per_vote(m.Ballot.objects.all(), Count("pk"), IntegerField()),
        electorate_area=_per_vote(electors, Sum("area"), _AREA),
        voted_area=_per_vote(
            electors.filter(Exists(m.Ballot.objects.filter(elector=OuterRef("pk")))),
            Sum("area"),
            _AREA,
        ),
    )


def area_share(vote: m.Vote) -> Decimal | None:
    """Share of the electorate's area voted so far (annotated votes), for display."""
    total = getattr(vote, "electorate_area", None)
    if not total:
        return None
    return Decimal(vote.voted_area) / Decimal(total)  # type: ignore[attr-defined]


def stairwell_label(stairwell: Stairwell) -> str:
    """'3号楼2单元': select ``building``."""
    return f"{stairwell.building.number}号楼{stairwell.number}单元"


def dwelling_label(dwelling: Dwelling) -> str:
    """'3号楼2单元101室' (the vote names the compound): select ``stairwell__building``."""
    return f"{stairwell_label(dwelling.stairwell)}{dwelling.number}室"


def vote_compounds(user: Any, permission: str | None = None) -> QuerySet[Compound]:
    """Compounds whose consultation ``user`` runs (staff; the property company never)."""
    scope = scope_for(user, permission)
    if scope.everything:
        return Compound.objects.all()
    if scope.is_empty:
        return Compound.objects.none()
    return Compound.objects.filter(staff_compounds(scope))


_NAME_SEPARATORS = re.compile(r"([、,,;;/\s]+)")


def mask_names(names: str) -> str:
    """'张三、李四' as '张*、李*': the first character of each name."""
    parts = _NAME_SEPARATORS.split(names)
    return "".join(
        part if _NAME_SEPARATORS.fullmatch(part) or not part else part[0] + "*" * (len(part) - 1)
        for part in parts
    )


class NameGate:
    """Whether ``user`` may read owner names of a compound (``registry.view_personal_data``
    over the whole compound); computed once per request."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self._granted: set[int] | None = None
        self._everything = bool(getattr(user, "is_superuser", False))

    def allows(self, compound_id: int) -> bool:
        if self._everything:
            return True
        if self._granted is None:
            self._granted = set(
                whole_compounds_of(self.user, VIEW_PERSONAL_DATA).values_list("pk", flat=True)
            )
        return compound_id in self._granted

    def show(self, names: str, compound_id: int) -> str:
        return names if self.allows(compound_id) else mask_names(names)


def electors_queryset() -> QuerySet[m.Elector]:
    return m.Elector.objects.select_related("vote", "dwelling__stairwell__building").annotate(
        voted=Exists(m.Ballot.objects.filter(elector=OuterRef("pk")))
    )


def ballots_queryset() -> QuerySet[m.Ballot]:
    return m.Ballot.objects.select_related("vote", "dwelling__stairwell__building")

"""Plumbing shared by the vote services: opening a vote and the small helpers around it.

Opening snapshots the electorate (one ``Elector`` per dwelling in scope, with its area,
owners, voter key and developer flag) and is reached both from ``services/votes.py``
(creating, opening, advancing) and from ``services/ballots.py`` (a ballot cast into a
scheduled vote whose opening time has come opens it first). The rest are the lock,
permission and time helpers both modules use.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Q
from django.utils import timezone

from linli.consultation.models import Elector, Vote, VoteScope, VoteStatus
from linli.consultation.tally import DwellingOwners, voter_keys
from linli.core.audit import event_builder, record_many, suppressed, tracking_for
from linli.core.audit_values import json_value
from linli.core.errors import Invalid
from linli.core.models import AuditAction
from linli.registry.models import Dwelling, OwnerKind, Ownership, SaleStatus
from linli.registry.scoping import require_in_compound

#: Developer-held: unsold or sold but not delivered (SPC interpretation Art. 9).
DEVELOPER_SALE_STATUSES = (SaleStatus.UNSOLD, SaleStatus.UNDELIVERED)


def when(moment: datetime.datetime) -> str:
    """``moment`` in local time, as the messages show it."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def now_or(now: datetime.datetime | None) -> datetime.datetime:
    """``now`` when given (tests, the beat job), else the current time."""
    return now if now is not None else timezone.now()


def require(by: Any, permission: str, compound_id: int, zh: str, en: str) -> None:
    """PermissionDenied unless ``by`` holds ``permission`` over the compound (None: system)."""
    require_in_compound(by, permission, compound_id, zh, en)


def lock(vote: Vote) -> Vote:
    """The vote row, locked until the transaction ends (gapless ballot numbers)."""
    return Vote.objects.select_for_update().select_related("profile").get(pk=vote.pk)


def refresh(target: Vote, source: Vote) -> Vote:
    """Copy the stored state of ``source`` onto the caller's object and return it."""
    for f in Vote._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    return target


def dwellings_in_scope(vote: Vote) -> Any:
    """The vote's dwellings with a registered area (whole compound, buildings or stairwells)."""
    if vote.scope_kind == VoteScope.BUILDINGS:
        where = Q(stairwell__building__in=vote.buildings.all())
    elif vote.scope_kind == VoteScope.STAIRWELLS:
        where = Q(stairwell__in=vote.stairwells.all())
    else:
        where = Q(stairwell__building__compound_id=vote.compound_id)
    return Dwelling.objects.filter(where, area__gt=0)


def empty_electorate() -> Invalid:
    """The refusal to open a vote whose scope holds no dwelling with an area."""
    return Invalid(
        "表决范围内没有登记面积的房屋,无法开始表决",
        "the vote's scope holds no dwelling with a registered area; it cannot open",
        "empty_electorate",
    )


def _snapshot(vote: Vote) -> list[Elector]:
    """The electors of ``vote`` as the registry stands now (bulk, with one event each)."""
    dwellings = list(
        dwellings_in_scope(vote)
        .order_by("stairwell_id", "pk")
        .values("pk", "stairwell_id", "area", "sale_status")
    )
    if not dwellings:
        raise empty_electorate()
    ids = [d["pk"] for d in dwellings]
    owners: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for dwelling_id, owner_id, name, kind in (
        Ownership.objects.filter(dwelling_id__in=ids)
        .order_by("dwelling_id", "owner_id")
        .values_list("dwelling_id", "owner_id", "owner__name", "owner__kind")
    ):
        owners[dwelling_id].append((owner_id, name, kind))
    developer = {
        d["pk"]
        for d in dwellings
        if d["sale_status"] in DEVELOPER_SALE_STATUSES
        or any(kind == OwnerKind.DEVELOPER for _, _, kind in owners[d["pk"]])
    }
    keys = voter_keys(
        DwellingOwners(
            dwelling=d["pk"],
            owner_ids=tuple(o for o, _, _ in owners[d["pk"]]),
            developer=d["pk"] in developer,
        )
        for d in dwellings
    )
    affected = set(vote.affected_dwellings.values_list("pk", flat=True))
    electors = [
        Elector(
            vote=vote,
            dwelling_id=d["pk"],
            stairwell_id=d["stairwell_id"],
            area=d["area"],
            voter_key=keys[d["pk"]],
            owner_ids=[o for o, _, _ in owners[d["pk"]]],
            owner_names="、".join(name for _, name, _ in owners[d["pk"]])[:255],
            is_developer=d["pk"] in developer,
            affected=d["pk"] in affected,
        )
        for d in dwellings
    ]
    with suppressed():
        created = Elector.objects.bulk_create(electors, batch_size=500)
    tracking = tracking_for(Elector)
    if tracking is not None:
        build = event_builder()
        record_many(
            build(
                action=AuditAction.CREATE,
                model_label=Elector._meta.label_lower,
                object_id=e.pk,
                object_repr=f"{vote} · 房屋 {e.dwelling_id}",
                changes={
                    f.name: [None, json_value(f.name, getattr(e, f.attname))]
                    for f in tracking.fields
                },
                compound_id=vote.compound_id,
            )
            for e in created
        )
    return created


def open_locked(vote: Vote, now: datetime.datetime) -> Vote:
    """Snapshot the electorate and open ``vote`` (locked by the caller, or freshly made)."""
    _snapshot(vote)
    vote.status = VoteStatus.OPEN
    vote.opened_at = now
    if now < vote.opens_at:
        # Opened ahead of the announced time: the record says when voting really began.
        vote.opens_at = now
    vote.save(update_fields=["status", "opened_at", "opens_at", "updated_at"])
    return vote

"""Owner votes (业主共同决定): creating, opening, casting ballots, closing, finalising.

The life of a vote: ``scheduled`` → ``open`` (the electorate is snapshotted) → ``notice``
(closed: the result is stored with its hash and published) → ``final`` once the notice
period ends; ``cancelled`` only while no ballot has been cast. ``advance_votes`` makes the
due transitions (Celery beat); casting into a scheduled vote whose opening time has come
opens it first.

Counting is the pure engine ``linli.consultation.tally``; ballots are chained by
``linli.consultation.chain``. See ``docs/consultation/votes.md``.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import os
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from linli.consultation import chain
from linli.consultation.models import (
    MAJOR_MATTERS,
    MAJOR_PROFILE,
    ORDINARY_PROFILE,
    Ballot,
    BallotChannel,
    Choice,
    Elector,
    Matter,
    RuleProfile,
    Vote,
    VoteScope,
    VoteStatus,
)
from linli.consultation.scoping import staff_compounds
from linli.consultation.tally import DwellingOwners, voter_keys
from linli.consultation.vote_selectors import (
    ballot_content,
    live_tally,
    result_digest,
    utc_iso,
)
from linli.core.audit import event_builder, record_many, suppressed, tracking_for
from linli.core.audit_values import json_value
from linli.core.errors import Invalid
from linli.core.models import AuditAction
from linli.core.scoping import scope_for, scoped
from linli.registry.models import (
    Building,
    Compound,
    Dwelling,
    OwnerKind,
    Ownership,
    SaleStatus,
    Stairwell,
)

log = logging.getLogger(__name__)

__all__ = [
    "BallotRefused",
    "advance_votes",
    "cancel_vote",
    "cast_ballot",
    "close_vote",
    "create_vote",
    "default_profile",
    "finalise_vote",
    "open_vote",
]

#: Developer-held: unsold or sold but not delivered (SPC interpretation Art. 9).
DEVELOPER_SALE_STATUSES = (SaleStatus.UNSOLD, SaleStatus.UNDELIVERED)


class BallotRefused(Invalid):
    """A ballot the rules refuse; ``code`` is one of not_open, closed, not_elector,
    already_voted, conflicting_choice, channel, document_required, choice."""


def _when(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now if now is not None else timezone.now()


def _require(by: Any, permission: str, compound_id: int, zh: str, en: str) -> None:
    """PermissionDenied unless ``by`` holds ``permission`` over the compound (None: system)."""
    if by is None:
        return
    if not scoped(Compound, by, permission).filter(pk=compound_id).exists():
        raise PermissionDenied(f"{zh} ({en})")


def _lock(vote: Vote) -> Vote:
    """The vote row, locked until the transaction ends (gapless ballot numbers)."""
    return Vote.objects.select_for_update().select_related("profile").get(pk=vote.pk)


def _refresh(target: Vote, source: Vote) -> Vote:
    """Copy the stored state of ``source`` onto the caller's object and return it."""
    for f in Vote._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    return target


# --- Creating --------------------------------------------------------------------------------


def default_profile(matter: str) -> RuleProfile:
    """The Civil Code profile for ``matter``: major (双四分之三) for Art. 278 (6)–(8), else
    ordinary (双过半)."""
    code = MAJOR_PROFILE if matter in MAJOR_MATTERS else ORDINARY_PROFILE
    profile = RuleProfile.objects.filter(code=code).first()
    if profile is None:
        raise Invalid(
            f"缺少表决规则“{code}”(请运行数据库迁移)",
            f"the rule profile {code!r} is missing (run the migrations)",
            "profile",
        )
    return profile


def _scope_of(
    compound: Compound | None, buildings: Sequence[Building], stairwells: Sequence[Stairwell]
) -> tuple[str, Compound]:
    given = [bool(compound), bool(buildings), bool(stairwells)]
    if sum(given) != 1:
        raise Invalid(
            "请在全小区、楼栋、单元中选择且只选择一种表决范围",
            "give exactly one scope: the whole compound, some buildings or some stairwells",
            "scope",
        )
    if compound is not None:
        return VoteScope.COMPOUND, compound
    if buildings:
        compound_ids = {b.compound_id for b in buildings}
        kind = VoteScope.BUILDINGS
    else:
        compound_ids = set(
            Stairwell.objects.filter(pk__in=[s.pk for s in stairwells]).values_list(
                "building__compound_id", flat=True
            )
        )
        kind = VoteScope.STAIRWELLS
    if len(compound_ids) != 1:
        raise Invalid(
            "表决范围内的楼栋或单元须属于同一小区",
            "the buildings or stairwells of a vote must all belong to one compound",
            "scope",
        )
    return kind, Compound.objects.get(pk=compound_ids.pop())


def _dwellings_in_scope(vote: Vote) -> Any:
    """The vote's dwellings with a registered area (whole compound, buildings or stairwells)."""
    if vote.scope_kind == VoteScope.BUILDINGS:
        where = Q(stairwell__building__in=vote.buildings.all())
    elif vote.scope_kind == VoteScope.STAIRWELLS:
        where = Q(stairwell__in=vote.stairwells.all())
    else:
        where = Q(stairwell__building__compound_id=vote.compound_id)
    return Dwelling.objects.filter(where, area__gt=0)


def _empty_electorate() -> Invalid:
    return Invalid(
        "表决范围内没有登记面积的房屋,无法开始表决",
        "the vote's scope holds no dwelling with a registered area; it cannot open",
        "empty_electorate",
    )


def create_vote(
    *,
    by: Any,
    title: str,
    matter: str,
    compound: Compound | None = None,
    buildings: Sequence[Building] = (),
    stairwells: Sequence[Stairwell] = (),
    profile: RuleProfile | None = None,
    opens_at: datetime.datetime | None = None,
    closes_at: datetime.datetime,
    notice_days: int = 7,
    description: str = "",
    affected_dwellings: Sequence[Dwelling] = (),
    now: datetime.datetime | None = None,
) -> Vote:
    """A vote over exactly one of: the compound, some of its buildings, some stairwells.

    Opens at once (snapshotting the electorate) when ``opens_at`` is now or past, otherwise
    waits as ``scheduled`` for ``advance_votes``. ``profile`` defaults by matter.
    """
    now = _now(now)
    with transaction.atomic():
        kind, home = _scope_of(compound, list(buildings), list(stairwells))
        _require(
            by,
            "consultation.add_vote",
            home.pk,
            f"您无权在“{home}”发起业主表决",
            f"you may not start a vote in {home}",
        )
        title = (title or "").strip()
        if not title:
            raise Invalid("请填写表决事项", "the title of the vote is required", "title")
        if matter not in Matter.values:
            raise Invalid(f"事项类型“{matter}”无效", f"unknown matter {matter!r}", "matter")
        profile = profile or default_profile(matter)
        if not profile.active:
            raise Invalid(
                f"表决规则“{profile}”已停用",
                f"the rule profile {profile.code} is inactive",
                "profile",
            )
        opens_at = opens_at or now
        if closes_at <= opens_at:
            raise Invalid(
                "截止时间须晚于开始时间",
                "the vote must close after it opens",
                "closes_at",
            )
        if closes_at <= now:
            raise Invalid(
                "截止时间须晚于当前时间", "the closing time must lie in the future", "closes_at"
            )
        if notice_days < 0:
            raise Invalid("公示天数不能为负数", "notice days cannot be negative", "notice_days")
        vote = Vote(
            title=title,
            description=description,
            matter=matter,
            profile=profile,
            compound=home,
            scope_kind=kind,
            opens_at=opens_at,
            closes_at=closes_at,
            notice_days=notice_days,
            status=VoteStatus.SCHEDULED,
            created_by=by if by is not None and by.is_authenticated else None,
        )
        vote.full_clean()
        vote.save()
        if kind == VoteScope.BUILDINGS:
            vote.buildings.set(buildings)
        elif kind == VoteScope.STAIRWELLS:
            vote.stairwells.set(stairwells)
        in_scope = _dwellings_in_scope(vote)
        affected_ids = {d.pk for d in affected_dwellings}
        if affected_ids:
            outside = affected_ids - set(
                in_scope.filter(pk__in=affected_ids).values_list("pk", flat=True)
            )
            if outside:
                names = "、".join(
                    str(d) for d in Dwelling.objects.filter(pk__in=outside).order_by("pk")
                )
                raise Invalid(
                    f"受影响房屋不在表决范围内:{names}",
                    f"affected dwellings outside the vote's scope: {names}",
                    "affected_dwellings",
                )
            vote.affected_dwellings.set(sorted(affected_ids))
        if not in_scope.exists():
            raise _empty_electorate()
        if opens_at <= now:
            _open(vote, now)
        return vote


# --- Opening ---------------------------------------------------------------------------------


def _snapshot(vote: Vote) -> list[Elector]:
    """The electors of ``vote`` as the registry stands now (bulk, with one event each)."""
    dwellings = list(
        _dwellings_in_scope(vote)
        .order_by("stairwell_id", "pk")
        .values("pk", "stairwell_id", "area", "sale_status")
    )
    if not dwellings:
        raise _empty_electorate()
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


def _open(vote: Vote, now: datetime.datetime) -> Vote:
    """Snapshot the electorate and open ``vote`` (locked by the caller, or freshly made)."""
    _snapshot(vote)
    vote.status = VoteStatus.OPEN
    vote.opened_at = now
    if now < vote.opens_at:
        # Opened ahead of the announced time: the record says when voting really began.
        vote.opens_at = now
    vote.save(update_fields=["status", "opened_at", "opens_at", "updated_at"])
    return vote


def open_vote(vote: Vote, *, by: Any = None, now: datetime.datetime | None = None) -> Vote:
    """Open a scheduled vote now (early if its time has not come), snapshotting the electors."""
    now = _now(now)
    with transaction.atomic():
        locked = _lock(vote)
        _require(
            by,
            "consultation.change_vote",
            locked.compound_id,
            f"您无权开启表决“{locked}”",
            f"you may not open the vote {locked}",
        )
        if locked.status != VoteStatus.SCHEDULED:
            raise Invalid(
                f"表决“{locked}”当前为{locked.get_status_display()},只有待开始的表决可以开启",
                f"the vote is {locked.status}; only a scheduled vote can open",
                "status",
            )
        _open(locked, now)
        return _refresh(vote, locked)


# --- Ballots ---------------------------------------------------------------------------------


def _sha256(document: File) -> str:
    digest = hashlib.sha256()
    if hasattr(document, "seek"):
        document.seek(0)
    for chunk in document.chunks():
        digest.update(chunk)
    document.seek(0)
    return digest.hexdigest()


def _ballot_permission(by: Any, dwelling: Dwelling, compound_id: int) -> tuple[bool, bool]:
    """(own, staff): whether ``by`` may cast for ``dwelling`` as its owner-resident, and as
    staff over its compound; PermissionDenied when neither."""
    scope = scope_for(by, "consultation.add_ballot")
    own = dwelling.pk in scope.dwelling_ids
    staff = scope.everything or (
        not scope.is_empty
        and Compound.objects.filter(staff_compounds(scope), pk=compound_id).exists()
    )
    if not own and not staff:
        raise PermissionDenied(
            f"您无权为房屋“{dwelling}”投票 (you may not cast a ballot for {dwelling})"
        )
    return own, staff


def _check_open(vote: Vote, now: datetime.datetime) -> None:
    if vote.status == VoteStatus.SCHEDULED:
        if now >= vote.opens_at:
            _open(vote, now)
        else:
            raise BallotRefused(
                f"表决尚未开始(开始时间 {_when(vote.opens_at)})",
                f"the vote has not opened yet (it opens at {_when(vote.opens_at)})",
                "not_open",
            )
    if vote.status == VoteStatus.CANCELLED:
        raise BallotRefused("表决已撤销", "the vote was cancelled", "closed")
    if vote.status != VoteStatus.OPEN or now >= vote.closes_at:
        raise BallotRefused(
            f"表决已于 {_when(vote.closes_at)} 截止",
            f"the vote closed at {_when(vote.closes_at)}",
            "closed",
        )


def _check_channel(
    channel: str,
    *,
    own: bool,
    staff: bool,
    document: File | None,
    proxy_name: str,
) -> None:
    if channel == BallotChannel.ONLINE:
        if not own:
            raise BallotRefused(
                "线上投票只能由业主本人为自己的房屋提交;工作人员请录入纸质票或委托票",
                "an online ballot is cast only by the owner for their own dwelling; "
                "staff enter paper or proxy ballots",
                "channel",
            )
        return
    if channel not in (BallotChannel.PAPER, BallotChannel.PROXY):
        raise BallotRefused(
            f"投票方式“{channel}”无效(应为线上、纸质或委托)",
            f"invalid channel {channel!r} (expected online, paper or proxy)",
            "channel",
        )
    if not staff:
        raise BallotRefused(
            "纸质票和委托票须由负责本小区的工作人员录入",
            "paper and proxy ballots are entered by staff responsible for the compound",
            "channel",
        )
    if channel == BallotChannel.PAPER and document is None:
        raise BallotRefused(
            "纸质票须上传表决票扫描件",
            "a paper ballot needs the scanned ballot sheet",
            "document_required",
        )
    if channel == BallotChannel.PROXY:
        if document is None:
            raise BallotRefused(
                "委托投票须上传授权委托书",
                "a proxy ballot needs the signed authorisation",
                "document_required",
            )
        if not proxy_name.strip():
            raise BallotRefused(
                "委托投票须填写受托人姓名",
                "a proxy ballot needs the name of the proxy",
                "document_required",
            )


def _check_unique(vote: Vote, elector: Elector, dwelling: Dwelling, choice: str) -> None:
    earlier = Ballot.objects.filter(vote=vote, dwelling=dwelling).first()
    if earlier is not None:
        raise BallotRefused(
            f"房屋“{dwelling}”已于 {_when(earlier.cast_at)} 通过"
            f"{earlier.get_channel_display()}方式投票(第 {earlier.seq} 张),不能重复投票",
            f"the dwelling {dwelling} already voted by {earlier.channel} at "
            f"{_when(earlier.cast_at)} (ballot {earlier.seq}); one ballot per dwelling",
            "already_voted",
        )
    other = (
        Ballot.objects.filter(vote=vote, elector__voter_key=elector.voter_key)
        .exclude(choice=choice)
        .select_related("dwelling__stairwell__building__compound")
        .first()
    )
    if other is not None:
        raise BallotRefused(
            f"同一业主已在房屋“{other.dwelling}”投了“{other.get_choice_display()}”,"
            f"各房屋的意见须一致",
            f"the same owner voted {other.choice} on {other.dwelling}; an owner's dwellings "
            f"must vote the same way",
            "conflicting_choice",
        )


def cast_ballot(
    *,
    vote: Vote,
    dwelling: Dwelling,
    choice: str,
    channel: str,
    by: Any,
    voter_name: str = "",
    proxy_name: str = "",
    document: File | None = None,
    now: datetime.datetime | None = None,
) -> Ballot:
    """Record one dwelling's ballot at the end of the vote's hash chain.

    Online ballots come from the owner-resident for their own dwelling; paper (with the
    scanned sheet) and proxy ballots (with the authorisation and the proxy's name) from staff
    holding ``consultation.add_ballot`` over the compound. Refusals raise ``BallotRefused``.
    """
    now = _now(now)
    with transaction.atomic():
        locked = _lock(vote)
        own, staff = _ballot_permission(by, dwelling, locked.compound_id)
        _check_open(locked, now)
        elector = Elector.objects.filter(vote=locked, dwelling=dwelling).first()
        if elector is None:
            raise BallotRefused(
                f"房屋“{dwelling}”不在本次表决范围内",
                f"the dwelling {dwelling} is not in this vote's electorate",
                "not_elector",
            )
        if choice not in Choice.values:
            raise BallotRefused(
                f"意见“{choice}”无效(应为同意、反对或弃权)",
                f"invalid choice {choice!r} (expected yes, no or abstain)",
                "choice",
            )
        _check_channel(channel, own=own, staff=staff, document=document, proxy_name=proxy_name)
        _check_unique(locked, elector, dwelling, choice)

        voter_name = voter_name.strip()
        if channel == BallotChannel.ONLINE and not voter_name:
            voter_name = (by.get_full_name() or by.get_username())[:64]
        last = Ballot.objects.filter(vote=locked).order_by("-seq").first()
        seq = last.seq + 1 if last else 1
        prev_hash = last.hash if last else chain.GENESIS
        document_sha256 = _sha256(document) if document is not None else ""
        cast_by_id = by.pk if by is not None and by.is_authenticated else None
        cast_at = now
        content = ballot_content(
            vote_id=locked.pk,
            seq=seq,
            dwelling_id=dwelling.pk,
            choice=choice,
            channel=channel,
            voter_name=voter_name,
            proxy_name=proxy_name.strip(),
            document_sha256=document_sha256,
            cast_by_id=cast_by_id,
            cast_at=cast_at,
        )
        ballot = Ballot(
            vote=locked,
            elector=elector,
            dwelling=dwelling,
            choice=choice,
            channel=channel,
            voter_name=voter_name,
            proxy_name=proxy_name.strip(),
            document_sha256=document_sha256,
            cast_by_id=cast_by_id,
            cast_at=cast_at,
            seq=seq,
            prev_hash=prev_hash,
            hash=chain.ballot_hash(prev_hash, content),
        )
        if document is not None:
            ext = os.path.splitext(document.name or "")[1].lower()[:10]
            ballot.document.save(f"vote{locked.pk}-{seq:05d}{ext}", document, save=False)
        ballot.save()
        _refresh(vote, locked)
        return ballot


# --- Closing ---------------------------------------------------------------------------------


def close_vote(vote: Vote, *, by: Any = None, now: datetime.datetime | None = None) -> Vote:
    """Count and close an open vote at or after its closing time: the result is stored with
    its SHA-256 and the chain head it covers; the notice period (公示) starts."""
    now = _now(now)
    with transaction.atomic():
        locked = _lock(vote)
        _require(
            by,
            "consultation.change_vote",
            locked.compound_id,
            f"您无权结束表决“{locked}”",
            f"you may not close the vote {locked}",
        )
        if locked.status != VoteStatus.OPEN:
            raise Invalid(
                f"表决“{locked}”当前为{locked.get_status_display()},只有投票中的表决可以结束",
                f"the vote is {locked.status}; only an open vote can close",
                "status",
            )
        if now < locked.closes_at:
            raise Invalid(
                f"表决须到截止时间 {_when(locked.closes_at)} 才能结束,不能提前结束",
                f"the vote cannot close before {_when(locked.closes_at)}; no early close",
                "too_early",
            )
        counted = live_tally(locked)
        last = Ballot.objects.filter(vote=locked).order_by("-seq").values("hash").first()
        total = Ballot.objects.filter(vote=locked).count()
        result = {
            **counted.as_json(),
            "chain_head": last["hash"] if last else chain.GENESIS,
            "ballots_total": total,
            "closed_at": utc_iso(now),
        }
        locked.result = result
        locked.result_hash = result_digest(result)
        locked.passed = counted.passed
        locked.closed_at = now
        locked.notice_ends_at = now + datetime.timedelta(days=locked.notice_days)
        if locked.notice_days == 0:
            locked.status = VoteStatus.FINAL
            locked.finalised_at = now
        else:
            locked.status = VoteStatus.NOTICE
        locked.save()
        return _refresh(vote, locked)


def finalise_vote(vote: Vote, *, by: Any = None, now: datetime.datetime | None = None) -> Vote:
    """Make a closed vote final once its notice period has ended."""
    now = _now(now)
    with transaction.atomic():
        locked = _lock(vote)
        _require(
            by,
            "consultation.change_vote",
            locked.compound_id,
            f"您无权确认表决“{locked}”生效",
            f"you may not finalise the vote {locked}",
        )
        if locked.status != VoteStatus.NOTICE:
            raise Invalid(
                f"表决“{locked}”当前为{locked.get_status_display()},只有公示中的表决可以生效",
                f"the vote is {locked.status}; only a vote in its notice period can be finalised",
                "status",
            )
        assert locked.notice_ends_at is not None
        if now < locked.notice_ends_at:
            raise Invalid(
                f"公示期至 {_when(locked.notice_ends_at)} 结束,届时方可生效",
                f"the notice period runs until {_when(locked.notice_ends_at)}",
                "too_early",
            )
        locked.status = VoteStatus.FINAL
        locked.finalised_at = now
        locked.save(update_fields=["status", "finalised_at", "updated_at"])
        return _refresh(vote, locked)


def cancel_vote(vote: Vote, *, by: Any) -> Vote:
    """Withdraw a scheduled or open vote in which no ballot has been cast."""
    with transaction.atomic():
        locked = _lock(vote)
        if by is None:
            raise PermissionDenied("撤销表决须由工作人员操作 (a vote is cancelled by staff)")
        _require(
            by,
            "consultation.change_vote",
            locked.compound_id,
            f"您无权撤销表决“{locked}”",
            f"you may not cancel the vote {locked}",
        )
        if locked.status not in (VoteStatus.SCHEDULED, VoteStatus.OPEN):
            raise Invalid(
                f"表决“{locked}”当前为{locked.get_status_display()},不能撤销",
                f"the vote is {locked.status}; it can no longer be cancelled",
                "status",
            )
        cast = Ballot.objects.filter(vote=locked).count()
        if cast:
            raise Invalid(
                f"已有 {cast} 张表决票,不能撤销表决",
                f"{cast} ballots have been cast; the vote can no longer be cancelled",
                "has_ballots",
            )
        locked.status = VoteStatus.CANCELLED
        locked.save(update_fields=["status", "updated_at"])
        return _refresh(vote, locked)


def advance_votes(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Open, close and finalise every vote that is due (the Celery beat job).

    Each transition is its own transaction; a vote that cannot open (its electorate became
    empty) is logged and counted under ``failed`` and tried again on the next run.
    """
    now = _now(now)
    counts = {"opened": 0, "closed": 0, "finalised": 0, "failed": 0}
    due = Vote.objects.filter(status=VoteStatus.SCHEDULED, opens_at__lte=now).order_by("pk")
    for vote in due:
        try:
            open_vote(vote, now=now)
            counts["opened"] += 1
        except Invalid as exc:
            log.warning("vote %s could not open: %s", vote.pk, exc.message)
            counts["failed"] += 1
    for vote in Vote.objects.filter(status=VoteStatus.OPEN, closes_at__lte=now).order_by("pk"):
        close_vote(vote, now=now)
        counts["closed"] += 1
    for vote in Vote.objects.filter(status=VoteStatus.NOTICE, notice_ends_at__lte=now).order_by(
        "pk"
    ):
        finalise_vote(vote, now=now)
        counts["finalised"] += 1
    return counts

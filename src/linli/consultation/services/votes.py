"""Owner votes (业主共同决定): creating, opening, closing, finalising, cancelling.

The life of a vote: ``scheduled`` → ``open`` (the electorate is snapshotted) → ``notice``
(closed: the result is stored with its hash and published) → ``final`` once the notice
period ends; ``cancelled`` only while no ballot has been cast. ``advance_votes`` makes the
due transitions (Celery beat); casting into a scheduled vote whose opening time has come
opens it first.

Casting ballots lives in ``services/ballots.py`` (re-exported here), the electorate snapshot
in ``services/electorate.py``. Counting is the pure engine ``linli.consultation.tally``;
ballots are chained by ``linli.consultation.chain``. See ``docs/consultation/votes.md``.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from linli.consultation import chain
from linli.consultation.models import (
    MAJOR_MATTERS,
    MAJOR_PROFILE,
    ORDINARY_PROFILE,
    Ballot,
    Matter,
    RuleProfile,
    Vote,
    VoteScope,
    VoteStatus,
)
from linli.consultation.services.ballots import BallotRefused, cast_ballot
from linli.consultation.services.electorate import (
    dwellings_in_scope,
    empty_electorate,
    lock,
    now_or,
    open_locked,
    refresh,
    require,
    when,
)
from linli.consultation.vote_selectors import live_tally, result_digest, utc_iso
from linli.core.errors import Invalid
from linli.registry.models import Building, Compound, Dwelling, Stairwell

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
    now = now_or(now)
    with transaction.atomic():
        kind, home = _scope_of(compound, list(buildings), list(stairwells))
        require(
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
        in_scope = dwellings_in_scope(vote)
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
            raise empty_electorate()
        if opens_at <= now:
            open_locked(vote, now)
        return vote


# --- Opening ---------------------------------------------------------------------------------


def _locked_in(
    vote: Vote,
    *,
    by: Any,
    statuses: tuple[str, ...],
    denied_zh: str,
    denied_en: str,
    refused_zh: str,
    refused_en: str,
) -> Vote:
    """The vote locked for a status change, once ``by`` may change it and its status is one
    of ``statuses``. The ``denied_*`` texts take ``{vote}``; ``refused_*`` end the status
    message (“表决“…”当前为…,” / “the vote is …; ”)."""
    locked = lock(vote)
    require(
        by,
        "consultation.change_vote",
        locked.compound_id,
        denied_zh.format(vote=locked),
        denied_en.format(vote=locked),
    )
    if locked.status not in statuses:
        raise Invalid(
            f"表决“{locked}”当前为{locked.get_status_display()},{refused_zh}",
            f"the vote is {locked.status}; {refused_en}",
            "status",
        )
    return locked


def open_vote(vote: Vote, *, by: Any = None, now: datetime.datetime | None = None) -> Vote:
    """Open a scheduled vote now (early if its time has not come), snapshotting the electors."""
    now = now_or(now)
    with transaction.atomic():
        locked = _locked_in(
            vote,
            by=by,
            statuses=(VoteStatus.SCHEDULED,),
            denied_zh="您无权开启表决“{vote}”",
            denied_en="you may not open the vote {vote}",
            refused_zh="只有待开始的表决可以开启",
            refused_en="only a scheduled vote can open",
        )
        open_locked(locked, now)
        return refresh(vote, locked)


# --- Closing ---------------------------------------------------------------------------------


def close_vote(vote: Vote, *, by: Any = None, now: datetime.datetime | None = None) -> Vote:
    """Count and close an open vote at or after its closing time: the result is stored with
    its SHA-256 and the chain head it covers; the notice period (公示) starts."""
    now = now_or(now)
    with transaction.atomic():
        locked = _locked_in(
            vote,
            by=by,
            statuses=(VoteStatus.OPEN,),
            denied_zh="您无权结束表决“{vote}”",
            denied_en="you may not close the vote {vote}",
            refused_zh="只有投票中的表决可以结束",
            refused_en="only an open vote can close",
        )
        if now < locked.closes_at:
            raise Invalid(
                f"表决须到截止时间 {when(locked.closes_at)} 才能结束,不能提前结束",
                f"the vote cannot close before {when(locked.closes_at)}; no early close",
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
        return refresh(vote, locked)


def finalise_vote(vote: Vote, *, by: Any = None, now: datetime.datetime | None = None) -> Vote:
    """Make a closed vote final once its notice period has ended."""
    now = now_or(now)
    with transaction.atomic():
        locked = _locked_in(
            vote,
            by=by,
            statuses=(VoteStatus.NOTICE,),
            denied_zh="您无权确认表决“{vote}”生效",
            denied_en="you may not finalise the vote {vote}",
            refused_zh="只有公示中的表决可以生效",
            refused_en="only a vote in its notice period can be finalised",
        )
        assert locked.notice_ends_at is not None
        if now < locked.notice_ends_at:
            raise Invalid(
                f"公示期至 {when(locked.notice_ends_at)} 结束,届时方可生效",
                f"the notice period runs until {when(locked.notice_ends_at)}",
                "too_early",
            )
        locked.status = VoteStatus.FINAL
        locked.finalised_at = now
        locked.save(update_fields=["status", "finalised_at", "updated_at"])
        return refresh(vote, locked)


def cancel_vote(vote: Vote, *, by: Any) -> Vote:
    """Withdraw a scheduled or open vote in which no ballot has been cast."""
    with transaction.atomic():
        if by is None:
            raise PermissionDenied("撤销表决须由工作人员操作 (a vote is cancelled by staff)")
        locked = _locked_in(
            vote,
            by=by,
            statuses=(VoteStatus.SCHEDULED, VoteStatus.OPEN),
            denied_zh="您无权撤销表决“{vote}”",
            denied_en="you may not cancel the vote {vote}",
            refused_zh="不能撤销",
            refused_en="it can no longer be cancelled",
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
        return refresh(vote, locked)


def advance_votes(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Open, close and finalise every vote that is due (the Celery beat job).

    Each transition is its own transaction; a vote that cannot open (its electorate became
    empty) is logged and counted under ``failed`` and tried again on the next run.
    """
    now = now_or(now)
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

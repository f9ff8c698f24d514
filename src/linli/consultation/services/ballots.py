"""Casting a ballot into an owner vote, and the rules a ballot must pass.

One dwelling, one ballot, appended to the vote's hash chain (``linli.consultation.chain``)
under a row lock so the numbers stay gapless. Online ballots come from the owner-resident;
paper and proxy ballots from staff, with the scanned sheet or the signed authorisation.
A refusal raises ``BallotRefused`` with a machine-readable code. ``services/votes.py``
re-exports both names.
"""

from __future__ import annotations

import datetime
import hashlib
import os
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.db import transaction

from linli.consultation import chain
from linli.consultation.models import Ballot, BallotChannel, Choice, Elector, Vote, VoteStatus
from linli.consultation.scoping import staff_compounds
from linli.consultation.services.electorate import lock, now_or, open_locked, refresh, when
from linli.consultation.vote_selectors import ballot_content
from linli.core.errors import Invalid
from linli.core.scoping import scope_for
from linli.registry.models import Compound, Dwelling

__all__ = ["BallotRefused", "cast_ballot"]


class BallotRefused(Invalid):
    """A ballot the rules refuse; ``code`` is one of not_open, closed, not_elector,
    already_voted, conflicting_choice, channel, document_required, choice."""


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
            open_locked(vote, now)
        else:
            raise BallotRefused(
                f"表决尚未开始(开始时间 {when(vote.opens_at)})",
                f"the vote has not opened yet (it opens at {when(vote.opens_at)})",
                "not_open",
            )
    if vote.status == VoteStatus.CANCELLED:
        raise BallotRefused("表决已撤销", "the vote was cancelled", "closed")
    if vote.status != VoteStatus.OPEN or now >= vote.closes_at:
        raise BallotRefused(
            f"表决已于 {when(vote.closes_at)} 截止",
            f"the vote closed at {when(vote.closes_at)}",
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
            f"房屋“{dwelling}”已于 {when(earlier.cast_at)} 通过"
            f"{earlier.get_channel_display()}方式投票(第 {earlier.seq} 张),不能重复投票",
            f"the dwelling {dwelling} already voted by {earlier.channel} at "
            f"{when(earlier.cast_at)} (ballot {earlier.seq}); one ballot per dwelling",
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
    now = now_or(now)
    with transaction.atomic():
        locked = lock(vote)
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
        refresh(vote, locked)
        return ballot

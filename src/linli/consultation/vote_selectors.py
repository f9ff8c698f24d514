"""Reads of owner votes: the tally (live or stored), the rule of a profile, the verification
of a vote's ballot chain and stored result.

Pure counting lives in ``linli.consultation.tally`` and hashing in ``chain``; this module
loads the stored rows and hands them over.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from linli.consultation import chain
from linli.consultation.models import Ballot, Elector, RuleProfile, Vote, VoteStatus
from linli.consultation.tally import ElectorRow, Rule, Tally, tally


def rule_of(profile: RuleProfile) -> Rule:
    """The exact rule of a stored profile."""
    return Rule.from_texts(
        participation_area=profile.participation_area,
        participation_owners=profile.participation_owners,
        approval_area=profile.approval_area,
        approval_owners=profile.approval_owners,
        approval_strict=profile.approval_strict,
        approval_base=profile.approval_base,
        no_objection=profile.no_objection,
        affected_consent=profile.affected_consent,
    )


def live_tally(vote: Vote) -> Tally:
    """The count over the stored electors and ballots of ``vote`` (two queries)."""
    electors = [
        ElectorRow(dwelling=dwelling, area=area, voter_key=key, affected=affected)
        for dwelling, area, key, affected in Elector.objects.filter(vote=vote)
        .order_by("pk")
        .values_list("dwelling_id", "area", "voter_key", "affected")
    ]
    ballots = dict(Ballot.objects.filter(vote=vote).values_list("dwelling_id", "choice"))
    return tally(electors, ballots, rule_of(vote.profile))


def tally_for(vote: Vote) -> dict[str, Any]:
    """The API's tally JSON: the result stored at close once the vote is closed, else live."""
    if vote.result is not None:
        return dict(vote.result)
    return live_tally(vote).as_json()


def result_digest(result: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a stored result (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(result, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def utc_iso(moment: datetime.datetime) -> str:
    """A time as the UTC ISO-8601 string the chain hashes."""
    return moment.astimezone(datetime.UTC).isoformat()


def ballot_content(
    *,
    vote_id: int,
    seq: int,
    dwelling_id: int,
    choice: str,
    channel: str,
    voter_name: str,
    proxy_name: str,
    document_sha256: str,
    cast_by_id: int | None,
    cast_at: datetime.datetime,
) -> dict[str, Any]:
    """A ballot's hashed content (keys ``chain.FIELDS``), from its stored values."""
    return {
        "vote": vote_id,
        "seq": seq,
        "dwelling": dwelling_id,
        "choice": choice,
        "channel": channel,
        "voter_name": voter_name,
        "proxy_name": proxy_name,
        "document_sha256": document_sha256,
        "cast_by": cast_by_id,
        "cast_at": utc_iso(cast_at),
    }


_ROW_FIELDS = (
    "pk",
    "vote_id",
    "seq",
    "dwelling_id",
    "choice",
    "channel",
    "voter_name",
    "proxy_name",
    "document",
    "document_sha256",
    "cast_by_id",
    "cast_at",
    "prev_hash",
    "hash",
)


def _chain_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        content = ballot_content(
            vote_id=row["vote_id"],
            seq=row["seq"],
            dwelling_id=row["dwelling_id"],
            choice=row["choice"],
            channel=row["channel"],
            voter_name=row["voter_name"],
            proxy_name=row["proxy_name"],
            document_sha256=row["document_sha256"],
            cast_by_id=row["cast_by_id"],
            cast_at=row["cast_at"],
        )
        out.append({**content, "prev_hash": row["prev_hash"], "hash": row["hash"]})
    return out


def _document_problems(vote: Vote, rows: Iterable[dict[str, Any]]) -> list[str]:
    """Stored files whose bytes no longer match the hash recorded (and chained) at casting."""
    storage = Ballot._meta.get_field("document").storage  # type: ignore[attr-defined]
    problems = []
    for row in rows:
        name = row["document"]
        if not name:
            continue
        seq = row["seq"]
        if not storage.exists(name):
            problems.append(
                f"表决 {vote.pk} 第 {seq} 张票:附件文件缺失 "
                f"(vote {vote.pk}, ballot {seq}: the attached file is missing)"
            )
            continue
        digest = hashlib.sha256()
        with storage.open(name, "rb") as handle:
            for chunk in iter(lambda: handle.read(65536), b""):
                digest.update(chunk)
        if digest.hexdigest() != row["document_sha256"]:
            problems.append(
                f"表决 {vote.pk} 第 {seq} 张票:附件文件与登记的哈希不符 "
                f"(vote {vote.pk}, ballot {seq}: the attached file does not match its hash)"
            )
    return problems


def verify_vote(vote: Vote) -> list[str]:
    """Problems found in ``vote``'s stored ballots and result, each naming the vote and the
    ballot; ``[]`` when the chain, the attached files and (once closed) the result hold."""
    rows = list(Ballot.objects.filter(vote=vote).order_by("seq").values(*_ROW_FIELDS))
    problems: list[str] = []
    broken = chain.verify(_chain_rows(rows))
    if broken is not None:
        problems.append(
            f"表决 {vote.pk} 第 {broken.seq} 张票:{broken.reason_zh} "
            f"(vote {vote.pk}, ballot {broken.seq}: {broken.reason_en})"
        )
    problems.extend(_document_problems(vote, rows))
    if vote.status in (VoteStatus.NOTICE, VoteStatus.FINAL) or vote.result is not None:
        result = vote.result or {}
        head = rows[-1]["hash"] if rows else chain.GENESIS
        if not vote.result or result_digest(result) != vote.result_hash:
            problems.append(
                f"表决 {vote.pk}:存储的表决结果与其哈希不符 "
                f"(vote {vote.pk}: the stored result does not match its hash)"
            )
        if result.get("chain_head") != head:
            problems.append(
                f"表决 {vote.pk}:结果记录的最后一票哈希与现存表决票不符 "
                f"(vote {vote.pk}: the result's chain head is not the last stored ballot)"
            )
        if result.get("ballots_total") != len(rows):
            problems.append(
                f"表决 {vote.pk}:结果记录 {result.get('ballots_total')} 张票,现存 {len(rows)} 张 "
                f"(vote {vote.pk}: the result counts {result.get('ballots_total')} ballots, "
                f"{len(rows)} are stored)"
            )
    return problems


def open_votes_for_dwellings(dwelling_ids: Iterable[int]) -> QuerySet[Vote]:
    """Open votes whose electorate includes one of the dwellings."""
    ids = sorted(set(dwelling_ids))
    return (
        Vote.objects.filter(status=VoteStatus.OPEN, electors__dwelling_id__in=ids)
        .distinct()
        .order_by("closes_at", "pk")
    )

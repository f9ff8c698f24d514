"""What the residents' pages (``resident.py``) show, read for one resident: their dwellings,
per dwelling the open surveys and votes with their response, ballot and (after close) the
aggregate result, the votes scheduled to include it, the compound's latest meeting decisions,
and a vote's rule and scope in words a resident can read. Reads only; every queryset goes
through :func:`linli.core.scoping.scoped`, and a result carries aggregate figures, never a
household's ballot or name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from linli.consultation.models import (
    Ballot,
    Elector,
    Meeting,
    Response,
    RuleProfile,
    Survey,
    SurveyStatus,
    Vote,
    VoteScope,
    VoteStatus,
)
from linli.consultation.survey_selectors import open_surveys_for_dwellings
from linli.consultation.tally import parse_fraction
from linli.consultation.vote_selectors import tally_for
from linli.core.scoping import scope_for, scoped
from linli.registry.models import Compound, Dwelling

#: How many meetings with decisions the home page lists per compound.
MEETINGS_SHOWN = 3

#: Fractions as residents read them (anything else is shown as a percentage).
_FRACTION_WORDS: dict[Fraction, Any] = {
    Fraction(1, 2): _("二分之一"),
    Fraction(2, 3): _("三分之二"),
    Fraction(3, 4): _("四分之三"),
    Fraction(4, 5): _("五分之四"),
    Fraction(1, 3): _("三分之一"),
    Fraction(1, 4): _("四分之一"),
}


# --- Who the resident is -----------------------------------------------------------------------


def resident_dwellings(user: Any) -> list[Dwelling]:
    """The dwellings the user holds a resident assignment for, with their addresses."""
    ids = scope_for(user).dwelling_ids
    if not ids:
        return []
    return list(
        Dwelling.objects.filter(pk__in=sorted(ids))
        .select_related("stairwell__building__compound")
        .order_by("stairwell__building__compound__name", "stairwell", "floor", "number")
    )


def display_name(user: Any) -> str:
    """The name a ballot or response records: the full name, else the username."""
    return (user.get_full_name() or user.get_username()).strip()[:64]


# --- Rules and results in words ----------------------------------------------------------------


def fraction_words(text: str) -> str:
    """``"2/3"`` as 三分之二, ``"1"`` as 全部, others as a percentage (``"0.8"`` → 80%)."""
    value = parse_fraction(text)
    if value == 1:
        return pgettext("share of the owners", "全部")
    if value in _FRACTION_WORDS:
        return str(_FRACTION_WORDS[value])
    percent = Decimal(value.numerator) * 100 / Decimal(value.denominator)
    return f"{percent.normalize():f}%"


def _at_least(text: str) -> str:
    """``"2/3"`` as 三分之二以上; ``"1"`` as 全部 (nothing lies above it)."""
    if parse_fraction(text) == 1:
        return pgettext("share of the owners", "全部")
    return gettext("%(share)s以上") % {"share": fraction_words(text)}


def rule_sentences(profile: RuleProfile) -> list[str]:
    """The thresholds of a rule profile, as sentences a resident can read."""
    out: list[str] = []
    p_area, p_owners = profile.participation_area, profile.participation_owners
    if parse_fraction(p_area) or parse_fraction(p_owners):
        if parse_fraction(p_area) == parse_fraction(p_owners):
            out.append(
                gettext("参与表决的业主,专有部分面积和人数都须占%(share)s。")
                % {"share": _at_least(p_area)}
            )
        else:
            out.append(
                gettext("参与表决的业主,专有部分面积须占%(area)s,人数须占%(owners)s。")
                % {"area": _at_least(p_area), "owners": _at_least(p_owners)}
            )
    base = (
        gettext("全体业主") if profile.approval_base == "electorate" else gettext("参与表决的业主")
    )
    a_area, a_owners = profile.approval_area, profile.approval_owners
    if parse_fraction(a_area) or parse_fraction(a_owners):

        def bar(text: str) -> str:
            if profile.approval_strict:
                return gettext("超过%(share)s") % {"share": fraction_words(text)}
            return _at_least(text)

        if parse_fraction(a_area) == parse_fraction(a_owners):
            out.append(
                gettext("同意的业主,专有部分面积和人数都须占%(base)s的%(bar)s。")
                % {"base": base, "bar": bar(a_area)}
            )
        else:
            out.append(
                gettext("同意的业主,专有部分面积须占%(base)s的%(area)s,人数须占%(owners)s。")
                % {"base": base, "area": bar(a_area), "owners": bar(a_owners)}
            )
    if profile.no_objection:
        out.append(gettext("不得有业主投反对票:有一票反对即不通过。"))
    if profile.affected_consent:
        out.append(gettext("专有部分受影响的业主须全部同意。"))
    out.append(gettext("弃权算作参与表决,但不算同意。一人持有多套房屋,人数只计一次。"))
    return out


def scope_words(vote: Vote) -> str:
    """Where the vote is held: 全小区, the buildings or the stairwells."""
    if vote.scope_kind == VoteScope.BUILDINGS:
        names = [f"{b.number}号楼" for b in vote.buildings.all()]
        return gettext("%(compound)s %(places)s") % {
            "compound": vote.compound.name,
            "places": "、".join(names),
        }
    if vote.scope_kind == VoteScope.STAIRWELLS:
        names = [
            f"{s.building.number}号楼{s.number}单元"
            for s in vote.stairwells.select_related("building")
        ]
        return gettext("%(compound)s %(places)s") % {
            "compound": vote.compound.name,
            "places": "、".join(names),
        }
    return gettext("%(compound)s 全小区") % {"compound": vote.compound.name}


def percent(ratio: str | None) -> str:
    """A tally ratio (``"0.7123"``) as ``71.23%``."""
    try:
        value = Decimal(str(ratio)) * 100
    except (InvalidOperation, TypeError):
        return "—"
    return f"{value.quantize(Decimal('0.01'))}%"


@dataclass(frozen=True)
class Result:
    """A closed vote's result, aggregate figures only (no dwelling, no name)."""

    passed: bool
    participation_area: str
    participation_owners: str
    participation_met: bool
    approval_area: str
    approval_owners: str
    approval_met: bool
    electorate_owners: int
    participants: int
    yes: int
    no: int
    abstain: int
    objection_required: bool
    objection_met: bool
    consent_required: bool
    consent_met: bool
    missing_consents: int


def result_of(vote: Vote) -> Result | None:
    """The stored result of a vote in notice or final, else ``None``."""
    if vote.status not in (VoteStatus.NOTICE, VoteStatus.FINAL):
        return None
    data = tally_for(vote)
    ballots = data.get("ballots", {})
    objection = data.get("objection", {})
    consent = data.get("consent", {})
    return Result(
        passed=bool(data.get("passed")),
        participation_area=percent(data["participation"]["area_ratio"]),
        participation_owners=percent(data["participation"]["owners_ratio"]),
        participation_met=bool(data["participation"]["met"]),
        approval_area=percent(data["approval"]["area_ratio"]),
        approval_owners=percent(data["approval"]["owners_ratio"]),
        approval_met=bool(data["approval"]["met"]),
        electorate_owners=int(data["electorate"]["owners"]),
        participants=int(data["participation"]["owners"]),
        yes=int(ballots.get("yes", 0)),
        no=int(ballots.get("no", 0)),
        abstain=int(ballots.get("abstain", 0)),
        objection_required=bool(objection.get("required")),
        objection_met=bool(objection.get("met", True)),
        consent_required=bool(consent.get("required")),
        consent_met=bool(consent.get("met", True)),
        missing_consents=len(consent.get("missing_dwellings", [])),
    )


# --- The home page's cards ---------------------------------------------------------------------


@dataclass
class SurveyRow:
    survey: Survey
    response: Response | None


@dataclass
class VoteRow:
    vote: Vote
    ballot: Ballot | None
    result: Result | None = None


@dataclass
class DwellingCard:
    dwelling: Dwelling
    surveys: list[SurveyRow] = field(default_factory=list)
    votes: list[VoteRow] = field(default_factory=list)
    scheduled: list[Vote] = field(default_factory=list)


@dataclass
class CompoundMeetings:
    compound: Compound
    meetings: list[Meeting]


def compound_of(dwelling: Dwelling) -> Compound:
    """The compound the dwelling lies in."""
    return dwelling.stairwell.building.compound


def scheduled_votes_for(dwelling: Dwelling) -> QuerySet[Vote]:
    """Votes not yet open whose scope will include the dwelling.

    Their electorate is snapshotted only when they open, so the scope rule (elector rows)
    does not cover them yet; the home page shows title and opening time, nothing more.
    """
    stairwell = dwelling.stairwell
    return (
        Vote.objects.filter(status=VoteStatus.SCHEDULED, compound_id=stairwell.building.compound_id)
        .filter(
            Q(scope_kind=VoteScope.COMPOUND)
            | Q(scope_kind=VoteScope.BUILDINGS, buildings=stairwell.building_id)
            | Q(scope_kind=VoteScope.STAIRWELLS, stairwells=stairwell.pk)
        )
        .distinct()
        .order_by("opens_at", "pk")
    )


def home_cards(user: Any, dwellings: Sequence[Dwelling]) -> list[DwellingCard]:
    """Per dwelling: its open surveys (with its response), its votes (with its ballot and, once
    closed, the result) and the votes scheduled to include it."""
    ids = [d.pk for d in dwellings]
    cards = {d.pk: DwellingCard(dwelling=d) for d in dwellings}

    surveys = list(
        scoped(open_surveys_for_dwellings(ids), user)
        .filter(status=SurveyStatus.OPEN)
        .prefetch_related("compounds")
        .distinct()
    )
    responses = {
        (r.survey_id, r.dwelling_id): r
        for r in scoped(Response, user).filter(survey__in=surveys, dwelling_id__in=ids)
    }
    for survey in surveys:
        compound_ids = {c.pk for c in survey.compounds.all()}
        for d in dwellings:
            if compound_of(d).pk in compound_ids:
                cards[d.pk].surveys.append(SurveyRow(survey, responses.get((survey.pk, d.pk))))

    electors = (
        scoped(Elector, user)
        .filter(dwelling_id__in=ids, vote__in=scoped(Vote, user))
        .exclude(vote__status__in=[VoteStatus.CANCELLED, VoteStatus.SCHEDULED])
        .select_related("vote", "ballot")
        .order_by("-vote__opens_at", "vote_id")
    )
    results: dict[int, Result | None] = {}
    for elector in electors:
        vote = elector.vote
        if vote.pk not in results:
            results[vote.pk] = result_of(vote)
        ballot = getattr(elector, "ballot", None)
        cards[elector.dwelling_id].votes.append(VoteRow(vote, ballot, results[vote.pk]))

    for d in dwellings:
        cards[d.pk].scheduled = list(scheduled_votes_for(d))
    return [cards[d.pk] for d in dwellings]


def compound_meetings(user: Any, dwellings: Iterable[Dwelling]) -> list[CompoundMeetings]:
    """The latest meetings with decisions of each compound the resident lives in."""
    out: list[CompoundMeetings] = []
    seen: set[int] = set()
    for d in dwellings:
        compound = compound_of(d)
        if compound.pk in seen:
            continue
        seen.add(compound.pk)
        meetings = list(
            scoped(Meeting, user)
            .filter(compound=compound)
            .exclude(decisions="")
            .order_by("-held_at", "-pk")[:MEETINGS_SHOWN]
        )
        if meetings:
            out.append(CompoundMeetings(compound, meetings))
    return out

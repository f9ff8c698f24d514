"""The residents' pages on the phone (我的房屋/我的议事): what a resident may decide for the
dwellings they hold — open surveys to answer, owner votes to cast, results after close.

A resident's dwellings are the dwelling ids of their view scope (their resident role
assignments). Every read goes through :func:`linli.core.scoping.scoped`; every write goes
through the consultation services (``cast_ballot(channel="online")`` and
``submit_response(channel="online")``), which check again that the dwelling is the user's own.
The pages never show another household's ballot, answer or name: after a vote closes they
show the aggregate result only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, TemplateView

from linli.consultation import answers as engine
from linli.consultation.models import (
    Ballot,
    BallotChannel,
    Choice,
    Elector,
    Meeting,
    Question,
    QuestionKind,
    Response,
    RuleProfile,
    Survey,
    SurveyStatus,
    SurveyVersion,
    Vote,
    VoteScope,
    VoteStatus,
)
from linli.consultation.services.surveys import question_specs, submit_response
from linli.consultation.services.votes import cast_ballot
from linli.consultation.survey_selectors import current_version, open_surveys_for_dwellings
from linli.consultation.tally import parse_fraction
from linli.consultation.vote_selectors import tally_for
from linli.core.errors import Invalid
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
        return gettext("全部")
    if value in _FRACTION_WORDS:
        return str(_FRACTION_WORDS[value])
    percent = Decimal(value.numerator) * 100 / Decimal(value.denominator)
    return f"{percent.normalize():f}%"


def _at_least(text: str) -> str:
    """``"2/3"`` as 三分之二以上; ``"1"`` as 全部 (nothing lies above it)."""
    if parse_fraction(text) == 1:
        return gettext("全部")
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


# --- The home page -----------------------------------------------------------------------------


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


def _compound_of(dwelling: Dwelling) -> Compound:
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
            if _compound_of(d).pk in compound_ids:
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
        compound = _compound_of(d)
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


class ResidentHomeView(LoginRequiredMixin, TemplateView):
    """我的议事: the resident's dwellings with what there is to answer and to vote on."""

    template_name = "web/resident/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        dwellings = resident_dwellings(user)
        return {
            **super().get_context_data(**kwargs),
            "dwellings": dwellings,
            "cards": home_cards(user, dwellings) if dwellings else [],
            "compound_meetings": compound_meetings(user, dwellings),
        }


# --- A vote ------------------------------------------------------------------------------------


@dataclass
class BallotForm:
    """One of the resident's dwellings in a vote: its ballot, or the choice to make."""

    elector: Elector
    ballot: Ballot | None
    error: str = ""


def refusal_message(exc: Exception) -> str:
    """A service refusal as the bilingual sentence shown to the resident."""
    if isinstance(exc, Invalid):
        return exc.message
    return str(exc) or gettext("操作未完成 (the request was refused)")


class ResidentVoteView(LoginRequiredMixin, DetailView):
    """One owner vote: the matter, the rule in words, the dates, and per dwelling of the
    resident the ballot cast or the choice buttons (with a confirmation step); after close,
    the aggregate result."""

    model = Vote
    template_name = "web/resident/vote.html"
    context_object_name = "vote"

    def get_queryset(self) -> QuerySet[Vote]:
        return scoped(Vote, self.request.user).select_related("profile", "compound")

    def my_electors(self, vote: Vote) -> list[Elector]:
        ids = scope_for(self.request.user).dwelling_ids
        if not ids:
            return []
        return list(
            scoped(Elector, self.request.user)
            .filter(vote=vote, dwelling_id__in=sorted(ids))
            .select_related("dwelling__stairwell__building__compound", "ballot")
            .order_by("stairwell", "dwelling__floor", "dwelling__number")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        vote: Vote = self.object
        errors: Mapping[int, str] = kwargs.pop("errors", {})
        forms = [
            BallotForm(e, getattr(e, "ballot", None), errors.get(e.dwelling_id, ""))
            for e in self.my_electors(vote)
        ]
        return {
            **super().get_context_data(**kwargs),
            "forms": forms,
            "is_open": vote.status == VoteStatus.OPEN,
            "several": len(forms) > 1,
            "rules": rule_sentences(vote.profile),
            "where": scope_words(vote),
            "result": result_of(vote),
            "choices": Choice.choices,
            "is_resident": bool(scope_for(self.request.user).dwelling_ids),
            "top_errors": [message for message in errors.values() if message],
        }

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = vote = self.get_object()
        electors = {e.dwelling_id: e for e in self.my_electors(vote)}
        try:
            dwelling_id = int(request.POST.get("dwelling", ""))
        except ValueError:
            dwelling_id = 0
        elector = electors.get(dwelling_id)
        choice = request.POST.get("choice", "")
        if elector is None:
            messages.error(
                request,
                gettext("这户不在本次表决范围内,或不是您的房屋 (not your dwelling in this vote)"),
            )
            return redirect("web:resident_vote", pk=vote.pk)
        if choice not in Choice.values:
            return self.render_to_response(
                self.get_context_data(
                    errors={
                        dwelling_id: gettext("请选择同意、反对或弃权 (choose yes, no or abstain)")
                    }
                )
            )
        if request.POST.get("confirm") != "yes":
            context = self.get_context_data()
            context.update(
                confirming=elector,
                confirm_choice=choice,
                confirm_label=Choice(choice).label,
            )
            return self.render_to_response(context)
        try:
            cast_ballot(
                vote=vote,
                dwelling=elector.dwelling,
                choice=choice,
                channel=BallotChannel.ONLINE,
                by=request.user,
                voter_name=display_name(request.user),
            )
        except (Invalid, PermissionDenied) as exc:
            return self.render_to_response(
                self.get_context_data(errors={dwelling_id: refusal_message(exc)})
            )
        messages.success(
            request,
            gettext("已投票:%(dwelling)s,%(choice)s。")
            % {"dwelling": elector.dwelling, "choice": Choice(choice).label},
        )
        return redirect("web:resident_vote", pk=vote.pk)


# --- A survey ----------------------------------------------------------------------------------


@dataclass
class OptionView:
    value: str
    label: str
    checked: bool = False


@dataclass
class Slot:
    """One place of a ranking question (第1位, 第2位…) and the option chosen for it."""

    number: int
    name: str
    selected: str


@dataclass
class RowView:
    """One row of a matrix question, with its radio name and the chosen option."""

    index: int
    label: str
    name: str
    options: list[OptionView]


@dataclass
class QuestionView:
    """What the template needs to draw one question for touch."""

    question: Question
    name: str
    value: Any
    options: list[OptionView]
    slots: list[Slot]
    rows: list[RowView]
    errors: list[str]
    condition: str
    answer_text: str


def field_name(question: Question) -> str:
    return f"q{question.pk}"


def parse_answers(
    questions: Sequence[Question], specs: Sequence[engine.QuestionSpec], data: QueryDict
) -> dict[int, Any]:
    """The raw answers of a posted form, keyed by question id, in the engine's shapes.

    Answers to a conditional question whose condition the same form does not meet are left
    out (without JavaScript every question is on the page; the household is not asked it).
    """
    raw: dict[int, Any] = {}
    for q in questions:
        name = field_name(q)
        if q.kind == QuestionKind.MULTIPLE:
            value: Any = [v for v in data.getlist(name) if v]
        elif q.kind == QuestionKind.RANKING:
            value = [data.get(f"{name}_{n}", "") for n in range(1, ranking_places(q) + 1)]
            value = [v for v in value if v]
        elif q.kind == QuestionKind.MATRIX:
            value = {
                str(i): data.get(f"{name}_{i}", "")
                for i in range(len(q.rows))
                if data.get(f"{name}_{i}", "")
            }
        else:
            value = data.get(name, "")
        raw[q.pk] = value
    kinds = {q.pk: q.kind for q in questions}
    kept: dict[int, Any] = {}
    by_id = {s.id: s for s in specs}
    for q in sorted(questions, key=lambda q: q.position):
        if engine.is_blank(raw[q.pk]) or q.pk not in by_id:
            continue
        if engine.shown(by_id[q.pk], kept, kinds):
            kept[q.pk] = raw[q.pk]
    return kept


def ranking_places(question: Question) -> int:
    n = len(question.options.all())
    return min(question.max_choices, n) if question.max_choices else n


def answer_words(question: Question, value: Any) -> str:
    """A stored answer in words (option labels, not values)."""
    if engine.is_blank(value):
        return ""
    labels = {o.value: o.label for o in question.options.all()}
    if question.kind == QuestionKind.SINGLE:
        return labels.get(value, str(value))
    if question.kind == QuestionKind.MULTIPLE:
        return "、".join(labels.get(v, str(v)) for v in value)
    if question.kind == QuestionKind.RANKING:
        return " > ".join(f"{i}. {labels.get(v, str(v))}" for i, v in enumerate(value, start=1))
    if question.kind == QuestionKind.MATRIX and isinstance(value, dict):
        rows = list(question.rows)
        parts = []
        for key, chosen in value.items():
            row = rows[int(key)] if str(key).isdigit() and int(key) < len(rows) else key
            parts.append(f"{row}:{labels.get(chosen, str(chosen))}")
        return ";".join(parts)
    return str(value)


def condition_words(question: Question, by_id: Mapping[int, Question]) -> str:
    if question.show_if_id is None or question.show_if_id not in by_id:
        return ""
    parent = by_id[question.show_if_id]
    labels = {o.value: o.label for o in parent.options.all()}
    wanted = "”或“".join(labels.get(v, v) for v in question.show_if_values)
    return gettext("仅当第 %(number)s 题选择“%(options)s”时作答") % {
        "number": parent.position,
        "options": wanted,
    }


def question_views(
    questions: Sequence[Question],
    values: Mapping[int, Any],
    errors: Mapping[int | None, list[str]],
) -> list[QuestionView]:
    by_id = {q.pk: q for q in questions}
    out: list[QuestionView] = []
    for q in questions:
        name = field_name(q)
        value = values.get(q.pk)
        options = list(q.options.all())
        if q.kind == QuestionKind.MULTIPLE:
            chosen = set(value or [])
        elif q.kind == QuestionKind.SINGLE:
            chosen = {value} if isinstance(value, str) else set()
        else:
            chosen = set()
        slots: list[Slot] = []
        if q.kind == QuestionKind.RANKING:
            ranked = list(value or [])
            slots = [
                Slot(n, f"{name}_{n}", ranked[n - 1] if n <= len(ranked) else "")
                for n in range(1, ranking_places(q) + 1)
            ]
        rows: list[RowView] = []
        if q.kind == QuestionKind.MATRIX:
            matrix = value if isinstance(value, dict) else {}
            rows = [
                RowView(
                    i,
                    label,
                    f"{name}_{i}",
                    [OptionView(o.value, o.label, matrix.get(str(i)) == o.value) for o in options],
                )
                for i, label in enumerate(q.rows)
            ]
        out.append(
            QuestionView(
                question=q,
                name=name,
                value="" if value is None or isinstance(value, list | dict) else value,
                options=[OptionView(o.value, o.label, o.value in chosen) for o in options],
                slots=slots,
                rows=rows,
                errors=list(errors.get(q.pk, [])),
                condition=condition_words(q, by_id),
                answer_text=answer_words(q, value),
            )
        )
    return out


class ResidentSurveyView(LoginRequiredMixin, DetailView):
    """One survey for one of the resident's dwellings: the current version's questions drawn
    for touch, the answers sent as an online response, a thank-you state with the answers,
    and amending them while the survey is open."""

    model = Survey
    template_name = "web/resident/survey.html"
    context_object_name = "survey"

    def get_queryset(self) -> QuerySet[Survey]:
        # Residents' scope holds no drafts; staff may look at any survey in their scope.
        return scoped(Survey, self.request.user)

    def eligible(self, survey: Survey) -> list[Dwelling]:
        """The resident's dwellings in the survey's compounds."""
        compounds = set(survey.compounds.values_list("pk", flat=True))
        return [d for d in resident_dwellings(self.request.user) if _compound_of(d).pk in compounds]

    def chosen(self, dwellings: Sequence[Dwelling], raw: str | None) -> Dwelling | None:
        for d in dwellings:
            if str(d.pk) == (raw or ""):
                return d
        return dwellings[0] if dwellings else None

    def questions(self, version: SurveyVersion | None) -> list[Question]:
        if version is None:
            return []
        return list(version.questions.prefetch_related("options").order_by("position"))

    def build(
        self,
        *,
        dwelling_raw: str | None,
        values: Mapping[int, Any] | None = None,
        errors: Mapping[int | None, list[str]] | None = None,
        editing: bool = False,
        general: str = "",
    ) -> dict[str, Any]:
        survey: Survey = self.object
        dwellings = self.eligible(survey)
        dwelling = self.chosen(dwellings, dwelling_raw)
        version = current_version(survey)
        questions = self.questions(version)
        response = (
            scoped(Response, self.request.user)
            .filter(survey=survey, dwelling=dwelling)
            .select_related("version")
            .first()
            if dwelling is not None
            else None
        )
        stored: dict[int, Any] = {}
        if response is not None:
            stored = {a.question_id: a.value for a in response.answers.all()}
        same_version = response is not None and response.version_id == getattr(version, "pk", None)
        answered_views: list[QuestionView] = []
        if response is not None:
            answered = self.questions(response.version)
            answered_views = [v for v in question_views(answered, stored, {}) if v.answer_text]
        if values is None:
            values = stored if same_version else {}
        is_open = survey.status == SurveyStatus.OPEN
        showing_form = is_open and dwelling is not None and (editing or response is None)
        return {
            **super().get_context_data(object=survey),
            "dwellings": dwellings,
            "dwelling": dwelling,
            "version": version,
            "response": response,
            "answered": answered_views,
            "questions": question_views(questions, values, errors or {}),
            "unplaced_errors": list((errors or {}).get(None, [])),
            "general_error": general,
            "is_open": is_open,
            "showing_form": showing_form,
            "outdated": response is not None and not same_version,
            "kinds": QuestionKind,
        }

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        context = self.build(
            dwelling_raw=request.GET.get("dwelling"), editing=request.GET.get("edit") == "1"
        )
        return self.render_to_response(context)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = survey = self.get_object()
        dwellings = self.eligible(survey)
        dwelling = self.chosen(dwellings, request.POST.get("dwelling"))
        if dwelling is None or str(dwelling.pk) != request.POST.get("dwelling"):
            messages.error(request, gettext("请选择您的一户房屋 (choose one of your dwellings)"))
            return redirect("web:resident_survey", pk=survey.pk)
        version = current_version(survey)
        questions = self.questions(version)
        specs = question_specs(version) if version is not None else []
        answers = parse_answers(questions, specs, request.POST)
        try:
            submit_response(
                survey=survey,
                dwelling=dwelling,
                answers=answers,
                by=request.user,
                channel="online",
                respondent_name=display_name(request.user),
            )
        except engine.AnswersInvalid as exc:
            context = self.build(
                dwelling_raw=str(dwelling.pk),
                values=answers,
                errors=exc.by_question(),
                editing=True,
                general=gettext("有 %(n)s 处需要修改,请看标红的题目 (%(n)s answers need a fix)")
                % {"n": len(exc.problems)},
            )
            return self.render_to_response(context)
        except (Invalid, PermissionDenied) as exc:
            context = self.build(
                dwelling_raw=str(dwelling.pk),
                values=answers,
                editing=True,
                general=refusal_message(exc),
            )
            return self.render_to_response(context)
        messages.success(request, gettext("感谢参与!您的答卷已提交。"))
        url = reverse("web:resident_survey", kwargs={"pk": survey.pk})
        return redirect(f"{url}?dwelling={dwelling.pk}")

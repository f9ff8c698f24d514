"""Vote pages: the list, a new vote, a vote's desk (timeline, rule, tally, stairwells, ballots,
actions, chain check), staff entry of paper and proxy ballots, the printable public notice
(公示), and ballot documents served by scope (media is not public).

Every page needs a login; votes and ballots are looked up through the scoping layer (outside
the user's scope: 404); a page that changes something also needs the permission's scope
(visible but not writable: 403). Views are thin: forms validate, services write.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django_filters.views import FilterView

from linli.consultation import models as m
from linli.consultation import vote_reads as read
from linli.consultation import vote_selectors
from linli.consultation.services import votes as services
from linli.consultation.tally import parse_fraction
from linli.consultation.vote_forms import BallotForm, VoteForm
from linli.core.errors import Invalid
from linli.core.scoping import get_scoped_or_404, scoped
from linli.registry.models import Compound, Dwelling, Stairwell

PAGE_SIZE = 50


def may(user: Any, permission: str, vote: m.Vote) -> bool:
    """Whether ``user`` may use ``permission`` on ``vote`` (role and scope)."""
    return scoped(m.Vote, user, permission).filter(pk=vote.pk).exists()


def may_enter_ballots(user: Any, vote: m.Vote) -> bool:
    """Staff entry of paper and proxy ballots: ``add_ballot`` over the whole compound (a
    resident's ``add_ballot`` covers only their own dwelling, online)."""
    compounds = read.vote_compounds(user, "consultation.add_ballot")
    return compounds.filter(pk=vote.compound_id).exists()


# --- Words and figures -------------------------------------------------------------------------


def _fraction(text: str) -> Fraction:
    try:
        return parse_fraction(text)
    except Invalid:
        return Fraction(0)


def rule_in_words(profile: m.RuleProfile) -> list[str]:
    """The profile as sentences: '参与表决:专有面积 ≥ 2/3 且 人数 ≥ 2/3', '同意:...'."""
    lines = []
    area, owners = _fraction(profile.participation_area), _fraction(profile.participation_owners)
    if area or owners:
        lines.append(
            gettext("参与表决:专有面积 ≥ %(area)s 且 人数 ≥ %(owners)s")
            % {"area": area, "owners": owners}
        )
    else:
        lines.append(gettext("参与表决:不设最低比例"))
    op = ">" if profile.approval_strict else "≥"
    base = (
        gettext("全体") if profile.approval_base == m.ApprovalBase.ELECTORATE else gettext("参与")
    )
    lines.append(
        gettext("同意:%(base)s面积 %(op)s %(area)s 且 %(base)s人数 %(op)s %(owners)s")
        % {
            "base": base,
            "op": op,
            "area": _fraction(profile.approval_area),
            "owners": _fraction(profile.approval_owners),
        }
    )
    if profile.no_objection:
        lines.append(gettext("且无业主投反对票"))
    if profile.affected_consent:
        lines.append(gettext("且专有部分受影响的业主均须同意"))
    return lines


def _percent(ratio: str) -> str:
    return f"{(Decimal(ratio) * 100).quantize(Decimal('0.01'))}%"


@dataclass(frozen=True)
class TallyRow:
    """One line of the tally table: participation or approval, by area and by headcount."""

    label: str
    area: str
    area_percent: str
    owners: int
    owners_percent: str
    threshold: str
    met: bool


def tally_rows(tally: dict[str, Any]) -> list[TallyRow]:
    rule = tally["rule"]
    rows = []
    for key, label, threshold in (
        ("participation", gettext("参与表决"), rule["participation"]),
        ("approval", gettext("同意"), rule["approval"]),
    ):
        part = tally[key]
        rows.append(
            TallyRow(
                label=label,
                area=part["area"],
                area_percent=_percent(part["area_ratio"]),
                owners=part["owners"],
                owners_percent=_percent(part["owners_ratio"]),
                threshold=threshold,
                met=part["met"],
            )
        )
    return rows


@dataclass(frozen=True)
class Step:
    """A moment of the vote's life: when planned, when it happened."""

    label: str
    planned: Any
    actual: Any


def timeline(vote: m.Vote) -> list[Step]:
    steps = [
        Step(gettext("开始"), vote.opens_at, vote.opened_at),
        Step(gettext("截止"), vote.closes_at, vote.closed_at),
        Step(gettext("公示截止"), vote.notice_ends_at, None),
        Step(gettext("结果生效"), None, vote.finalised_at),
    ]
    if vote.status == m.VoteStatus.CANCELLED:
        steps.append(Step(gettext("已撤销"), None, vote.updated_at))
    return steps


@dataclass(frozen=True)
class StairwellRow:
    stairwell: str
    electors: int
    voted: int
    yes: int
    area: Decimal


def stairwell_rows(vote: m.Vote, user: Any) -> list[StairwellRow]:
    """Electors, ballots and yes per stairwell, over the electors the user may see."""
    counts = list(
        scoped(m.Elector.objects.filter(vote=vote), user)
        .values("stairwell")
        .annotate(
            n=Count("pk"),
            voted=Count("ballot"),
            yes=Count("ballot", filter=Q(ballot__choice=m.Choice.YES)),
            total_area=Sum("area"),
        )
        .order_by("stairwell")
    )
    names = {
        s.pk: f"{s.building.number}号楼{s.number}单元"
        for s in Stairwell.objects.filter(pk__in=[c["stairwell"] for c in counts]).select_related(
            "building"
        )
    }
    return [
        StairwellRow(names[c["stairwell"]], c["n"], c["voted"], c["yes"], c["total_area"])
        for c in counts
    ]


@dataclass(frozen=True)
class BallotRow:
    """A ballot as the desk lists it: dwelling label, names masked unless granted."""

    ballot: m.Ballot
    label: str
    voter: str
    proxy: str


def scope_text(vote: m.Vote) -> str:
    """'全小区', or the buildings or stairwells voting."""
    if vote.scope_kind == m.VoteScope.BUILDINGS:
        return "、".join(f"{b.number}号楼" for b in vote.buildings.all())
    if vote.scope_kind == m.VoteScope.STAIRWELLS:
        return "、".join(
            f"{s.building.number}号楼{s.number}单元"
            for s in vote.stairwells.select_related("building")
        )
    return gettext("全小区")


def _vote_queryset() -> QuerySet[m.Vote]:
    return read.with_counts(m.Vote.objects.select_related("compound", "profile"))


# --- List --------------------------------------------------------------------------------------


class VoteListFilter(django_filters.FilterSet):
    """Filters of the vote list."""

    q = django_filters.CharFilter(
        field_name="title",
        lookup_expr="icontains",
        label=_("搜索(事项)"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = django_filters.ChoiceFilter(
        choices=m.VoteStatus.choices, label=_("状态"), empty_label=_("全部")
    )
    matter = django_filters.ChoiceFilter(
        choices=m.Matter.choices, label=_("事项类型"), empty_label=_("全部")
    )
    compound = django_filters.ModelChoiceFilter(
        queryset=Compound.objects.none(),
        label=_("小区"),
        empty_label=_("全部"),
    )

    class Meta:
        model = m.Vote
        fields: list[str] = []

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        compounds = Compound.objects.filter(
            pk__in=scoped(m.Vote, user).values("compound_id")
        ).order_by("name")
        self.filters["compound"].queryset = compounds  # type: ignore[attr-defined]


class VoteListView(LoginRequiredMixin, FilterView):
    """The user's votes with status, matter, compound, closing time and participation."""

    model = m.Vote
    template_name = "consultation/vote_list.html"
    context_object_name = "votes"
    filterset_class = VoteListFilter
    paginate_by = PAGE_SIZE

    def get_queryset(self) -> QuerySet[m.Vote]:
        return scoped(_vote_queryset(), self.request.user)

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_without_page"] = query.urlencode()
        context["can_add"] = read.vote_compounds(
            self.request.user, "consultation.add_vote"
        ).exists()
        for vote in context["votes"]:
            vote.area_share = read.area_share(vote)
        return context


# --- New vote ----------------------------------------------------------------------------------


class VoteCreateView(LoginRequiredMixin, View):
    """A new vote in one of the user's compounds (``consultation.add_vote``)."""

    def _compounds(self) -> QuerySet[Any]:
        compounds = read.vote_compounds(self.request.user, "consultation.add_vote")
        if not compounds.exists():
            raise PermissionDenied
        return compounds

    def _render(self, form: VoteForm) -> HttpResponse:
        return render(self.request, "consultation/vote_form.html", {"form": form})

    def get(self, request: HttpRequest) -> HttpResponse:
        form = VoteForm(
            compounds=self._compounds(), initial={"compound": request.GET.get("compound")}
        )
        return self._render(form)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = VoteForm(request.POST, compounds=self._compounds())
        if not form.is_valid():
            return self._render(form)
        try:
            vote = services.create_vote(by=request.user, **form.service_kwargs())
        except Invalid as exc:
            form.add_error(None, exc.message)
            return self._render(form)
        messages.success(request, gettext("表决已创建"))
        return redirect("consultation:vote_detail", pk=vote.pk)


# --- A vote ------------------------------------------------------------------------------------


class VoteDetailView(LoginRequiredMixin, View):
    """A vote's desk: timeline, rule, tally, stairwells, ballots, actions, chain check."""

    model = m.Vote

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request.user
        vote = get_scoped_or_404(
            _vote_queryset().prefetch_related("buildings", "stairwells"), user, pk=pk
        )
        gate = read.NameGate(user)
        ballots = [
            BallotRow(
                ballot=ballot,
                label=read.dwelling_label(ballot.dwelling),
                voter=gate.show(ballot.voter_name, vote.compound_id),
                proxy=gate.show(ballot.proxy_name, vote.compound_id),
            )
            for ballot in scoped(read.ballots_queryset().filter(vote=vote), user)
        ]
        tally = vote_selectors.tally_for(vote) if vote.status != m.VoteStatus.SCHEDULED else None
        now = timezone.now()
        can_change = may(user, "consultation.change_vote", vote)
        status = vote.status
        actions = []
        if can_change:
            if status == m.VoteStatus.SCHEDULED:
                actions.append(("open", gettext("立即开始")))
            if status == m.VoteStatus.OPEN and now >= vote.closes_at:
                actions.append(("close", gettext("结束投票并计票")))
            if status == m.VoteStatus.NOTICE and vote.notice_ends_at and now >= vote.notice_ends_at:
                actions.append(("finalise", gettext("公示期满,结果生效")))
            if status in (m.VoteStatus.SCHEDULED, m.VoteStatus.OPEN) and not vote.ballots_count:  # type: ignore[attr-defined]
                actions.append(("cancel", gettext("撤销表决")))
        context = {
            "vote": vote,
            "scope_text": scope_text(vote),
            "timeline": timeline(vote),
            "rule_words": rule_in_words(vote.profile),
            "tally": tally,
            "tally_rows": tally_rows(tally) if tally else [],
            "stairwells": stairwell_rows(vote, user),
            "ballots": ballots,
            "actions": actions,
            "can_enter": status == m.VoteStatus.OPEN and may_enter_ballots(user, vote),
            "problems": vote_selectors.verify_vote(vote) if vote.ballots_count else [],  # type: ignore[attr-defined]
            "area_share": read.area_share(vote),
        }
        return render(request, "consultation/vote_detail.html", context)


class VoteActionView(LoginRequiredMixin, View):
    """POST ``action`` = open, close, finalise or cancel; refusals shown as messages."""

    model = m.Vote
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        vote = get_scoped_or_404(m.Vote, request.user, pk=pk)
        if not may(request.user, "consultation.change_vote", vote):
            raise PermissionDenied
        run = {
            "open": (services.open_vote, gettext("表决已开始,表决业主名册已锁定")),
            "close": (services.close_vote, gettext("投票已结束,结果进入公示")),
            "finalise": (services.finalise_vote, gettext("公示期满,表决结果已生效")),
            "cancel": (services.cancel_vote, gettext("表决已撤销")),
        }.get(request.POST.get("action", ""))
        if run is None:
            messages.error(request, gettext("未知操作 (unknown action)"))
            return redirect("consultation:vote_detail", pk=vote.pk)
        service, done = run
        try:
            service(vote, by=request.user)
        except Invalid as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done)
        return redirect("consultation:vote_detail", pk=vote.pk)


class VoteBallotView(LoginRequiredMixin, View):
    """Staff entry of a paper or proxy ballot with its document."""

    model = m.Vote

    def _setup(self, pk: int) -> m.Vote:
        vote = get_scoped_or_404(
            m.Vote.objects.select_related("compound"), self.request.user, pk=pk
        )
        if not may_enter_ballots(self.request.user, vote):
            raise PermissionDenied
        return vote

    def _form(self, vote: m.Vote, data: Any = None, files: Any = None) -> BallotForm:
        not_voted = m.Elector.objects.filter(vote=vote, ballot__isnull=True).values("dwelling_id")
        dwellings = Dwelling.objects.filter(pk__in=not_voted).select_related("stairwell__building")
        return BallotForm(data, files, dwellings=dwellings)

    def _render(self, vote: m.Vote, form: BallotForm) -> HttpResponse:
        context = {"vote": vote, "form": form, "is_open": vote.status == m.VoteStatus.OPEN}
        return render(self.request, "consultation/vote_ballot.html", context)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        vote = self._setup(pk)
        return self._render(vote, self._form(vote))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        vote = self._setup(pk)
        form = self._form(vote, request.POST, request.FILES)
        if not form.is_valid():
            return self._render(vote, form)
        data = form.cleaned_data
        try:
            ballot = services.cast_ballot(
                vote=vote,
                dwelling=data["dwelling"],
                choice=data["choice"],
                channel=data["channel"],
                by=request.user,
                voter_name=data["voter_name"],
                proxy_name=data["proxy_name"],
                document=data["document"],
            )
        except Invalid as exc:
            form.add_error(None, exc.message)
            return self._render(vote, form)
        messages.success(
            request,
            gettext("第 %(seq)s 张票已录入:%(dwelling)s")
            % {"seq": ballot.seq, "dwelling": read.dwelling_label(data["dwelling"])},
        )
        return redirect("consultation:vote_detail", pk=vote.pk)


class VoteNoticeView(LoginRequiredMixin, View):
    """The printable public notice (公示) of the result: no personal data."""

    model = m.Vote

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        vote = get_scoped_or_404(
            m.Vote.objects.select_related("compound", "profile"), request.user, pk=pk
        )
        closed = vote.status in (m.VoteStatus.NOTICE, m.VoteStatus.FINAL)
        tally = vote_selectors.tally_for(vote) if closed else None
        context = {
            "vote": vote,
            "closed": closed,
            "scope_text": scope_text(vote),
            "rule_words": rule_in_words(vote.profile),
            "tally": tally,
            "tally_rows": tally_rows(tally) if tally else [],
        }
        return render(request, "consultation/vote_notice.html", context)


class BallotDocumentView(LoginRequiredMixin, View):
    """A ballot's scanned sheet or proxy authorisation, for whoever sees the ballot."""

    model = m.Ballot

    def get(self, request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
        ballot = get_scoped_or_404(m.Ballot.objects.select_related("vote"), request.user, pk=pk)
        if ballot.document:
            try:
                handle = ballot.document.open("rb")
            except FileNotFoundError:
                pass
            else:
                return FileResponse(handle, filename=Path(ballot.document.name or "ballot").name)
        # An online ballot has no document: say so (the ballot itself is visible to the user).
        context = {"ballot": ballot, "label": read.dwelling_label(ballot.dwelling)}
        return render(request, "consultation/vote_no_document.html", context)

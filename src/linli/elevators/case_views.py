"""Staff pages of elevator cases: the list, a new case, the case page (plan, cost table per
dwelling, votes per stairwell, documents, the handed-over asset, running costs) and uploaded
documents served by scope. The forms posted from the case page live in ``case_actions``.

Every page needs a login and staff standing over whole compounds (community, sub-district,
district): residents and property companies get 403 on the list and 404 on a case, like the
consultation desk. Cases are read through the scoping layer; writes go through the services.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django_filters.views import FilterView

from linli.aftercare.models import Asset, MaintenanceContract, Schedule
from linli.consultation.vote_reads import NameGate, dwelling_label, stairwell_label, vote_compounds
from linli.core.errors import Invalid
from linli.core.scoping import get_scoped_or_404, scoped
from linli.elevators import allocation
from linli.elevators.allocation import Share
from linli.elevators.case_forms import CaseForm, CompoundChoiceForm, DocumentForm
from linli.elevators.models import (
    CaseDwelling,
    CaseStatus,
    CaseVote,
    ConsentDocument,
    CostPart,
    ElevatorCase,
    RunningCostYear,
    SubsidyRule,
)
from linli.elevators.selectors import (
    BillLine,
    StairwellVote,
    bill_lines,
    pool_rows,
    running_statement,
    stairwell_votes,
)
from linli.elevators.services.cases import create_case
from linli.registry.models import Compound, Ownership, Stairwell

PAGE_SIZE = 30
CHANGE = "elevators.change_elevatorcase"
ADD_DOCUMENT = "elevators.add_consentdocument"
ADD_RUNNING = "elevators.add_runningcostyear"


# --- Access ----------------------------------------------------------------------------------


def staff_compounds(user: Any, permission: str | None = None) -> QuerySet[Compound]:
    """Compounds the user runs as staff (never a property company's, never a resident's)."""
    return vote_compounds(user, permission)


def require_staff(user: Any) -> None:
    if not staff_compounds(user).exists():
        raise PermissionDenied


def staff_cases(
    user: Any, queryset: QuerySet[ElevatorCase] | None = None
) -> QuerySet[ElevatorCase]:
    """The cases ``user`` sees as staff: scoped, and in compounds the user runs (a resident
    sees their own case on their phone pages, not here)."""
    queryset = ElevatorCase.objects.all() if queryset is None else queryset
    return scoped(queryset, user).filter(compound__in=staff_compounds(user).values("pk"))


def get_case(user: Any, pk: int, queryset: QuerySet[ElevatorCase] | None = None) -> ElevatorCase:
    case = staff_cases(user, queryset).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def may(user: Any, permission: str, case: ElevatorCase) -> bool:
    """Whether ``user`` holds ``permission`` over the case's compound."""
    return staff_compounds(user, permission).filter(pk=case.compound_id).exists()


def show_error(form: forms.Form, exc: Invalid) -> None:
    """A service's refusal on the field it names, or at the top of the form."""
    form.add_error(exc.code if exc.code in form.fields else None, exc.message)


def subsidy_rules(user: Any) -> QuerySet[SubsidyRule]:
    return scoped(SubsidyRule.objects.filter(active=True), user)


# --- List ------------------------------------------------------------------------------------


class CaseListFilter(django_filters.FilterSet):
    """Filters of the case list: compound and status."""

    compound = django_filters.ModelChoiceFilter(
        queryset=Compound.objects.none(), label=_("小区"), empty_label=_("全部")
    )
    status = django_filters.ChoiceFilter(
        choices=CaseStatus.choices, label=_("状态"), empty_label=_("全部")
    )

    class Meta:
        model = ElevatorCase
        fields: list[str] = []

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        compounds = Compound.objects.filter(
            pk__in=staff_cases(user).values("compound_id")
        ).order_by("name")
        self.filters["compound"].queryset = compounds  # type: ignore[attr-defined]


@dataclass(frozen=True)
class VoteSummary:
    """How the stairwells of a case stand in their votes."""

    stairwells: int
    passed: int
    failed: int
    running: int

    @property
    def not_started(self) -> int:
        return self.stairwells - self.passed - self.failed - self.running


def vote_summary(case: ElevatorCase) -> VoteSummary:
    """From the prefetched stairwells and vote links (no query)."""
    latest = {link.stairwell_id: link.vote for link in case.case_votes.all()}
    votes = [StairwellVote(stairwell=s, vote=latest.get(s.pk)) for s in case.stairwells.all()]
    passed = sum(1 for v in votes if v.passed)
    failed = sum(1 for v in votes if v.failed)
    running = sum(1 for v in votes if v.vote is not None and not v.settled)
    return VoteSummary(len(votes), passed, failed, running)


class CaseListView(LoginRequiredMixin, FilterView):
    """The cases the user may see, with costs and how the votes stand."""

    model = ElevatorCase
    template_name = "elevators/case_list.html"
    context_object_name = "cases"
    filterset_class = CaseListFilter
    paginate_by = PAGE_SIZE

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_staff(request.user)
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[ElevatorCase]:
        queryset = ElevatorCase.objects.select_related("compound").prefetch_related(
            Prefetch(
                "stairwells",
                queryset=Stairwell.objects.select_related("building").order_by(
                    "building__number", "number", "pk"
                ),
            ),
            Prefetch("case_votes", queryset=CaseVote.objects.select_related("vote").order_by("pk")),
        )
        return staff_cases(self.request.user, queryset).order_by("-created_at", "-pk")

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_without_page"] = query.urlencode()
        context["can_add"] = staff_compounds(
            self.request.user, "elevators.add_elevatorcase"
        ).exists()
        context["rows"] = [
            (case, ", ".join(stairwell_label(s) for s in case.stairwells.all()), vote_summary(case))
            for case in context["cases"]
        ]
        return context


# --- New case --------------------------------------------------------------------------------


def stairwells_of(compound: Compound) -> QuerySet[Stairwell]:
    open_cases = ElevatorCase.objects.filter(stairwells=OuterRef("pk")).exclude(
        status=CaseStatus.CANCELLED
    )
    return (
        Stairwell.objects.filter(building__compound=compound)
        .select_related("building")
        .annotate(dwellings_count=Count("dwellings"), busy=Exists(open_cases))
        .order_by("building__number", "number", "pk")
    )


class CaseCreateView(LoginRequiredMixin, View):
    """A new case: choose the compound, then the stairwells and the plan (``create_case``)."""

    def _compounds(self) -> QuerySet[Compound]:
        compounds = staff_compounds(self.request.user, "elevators.add_elevatorcase")
        if not compounds.exists():
            raise PermissionDenied
        return compounds

    def _form(self, compound: Compound, data: Any = None) -> CaseForm:
        return CaseForm(
            data, stairwells=stairwells_of(compound), rules=subsidy_rules(self.request.user)
        )

    def _render(self, compound: Compound | None, form: forms.Form) -> HttpResponse:
        context = {"compound": compound, "form": form}
        return render(self.request, "elevators/case_create.html", context)

    def _chosen(self, compounds: QuerySet[Compound], value: str | None) -> Compound | None:
        if not value or not str(value).isdigit():
            return None
        return compounds.filter(pk=int(value)).first()

    def get(self, request: HttpRequest) -> HttpResponse:
        compounds = self._compounds()
        compound = self._chosen(compounds, request.GET.get("compound"))
        if compound is None:
            chooser = CompoundChoiceForm(compounds=compounds)
            return self._render(None, chooser)
        return self._render(compound, self._form(compound))

    def post(self, request: HttpRequest) -> HttpResponse:
        compounds = self._compounds()
        compound = self._chosen(compounds, request.GET.get("compound"))
        if compound is None:
            raise Http404
        form = self._form(compound, request.POST)
        if not form.is_valid():
            return self._render(compound, form)
        try:
            case = create_case(by=request.user, **form.case_kwargs())
        except Invalid as exc:
            show_error(form, exc)
            return self._render(compound, form)
        messages.success(request, gettext("加装电梯项目已登记,请完善分摊方案后发起单元表决"))
        return redirect("elevators:case_detail", pk=case.pk)


# --- The case page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CostLine:
    """One dwelling's line of the cost table."""

    bill: BillLine
    label: str
    owners: str

    @property
    def share(self) -> Share:
        return self.bill.share


@dataclass(frozen=True)
class Totals:
    construction: Decimal
    paid: Decimal
    received: Decimal
    net: Decimal
    provident_fund: Decimal


def totals(lines: Sequence[BillLine]) -> Totals:
    zero = Decimal("0.00")
    return Totals(
        construction=sum((line.share.construction_share for line in lines), zero),
        paid=sum((line.share.compensation_paid for line in lines), zero),
        received=sum((line.share.compensation_received for line in lines), zero),
        net=sum((line.share.net for line in lines), zero),
        provident_fund=sum((line.provident_fund_limit for line in lines), zero),
    )


def owner_names(user: Any, case: ElevatorCase, rows: Sequence[CaseDwelling]) -> dict[int, str]:
    """Owner names per dwelling, masked unless the user holds the personal-data grant."""
    names: dict[int, list[str]] = {}
    ownerships = scoped(
        Ownership.objects.filter(dwelling_id__in=[row.dwelling_id for row in rows])
        .select_related("owner")
        .order_by("dwelling_id", "owner__name", "pk"),
        user,
    )
    for ownership in ownerships:
        names.setdefault(ownership.dwelling_id, []).append(ownership.owner.name)
    gate = NameGate(user)
    return {pk: gate.show("、".join(found), case.compound_id) for pk, found in names.items()}


#: The presets in the user's language (documents keep ``allocation.PRESET_LABELS``, Chinese).
PRESET_WORDS = {
    allocation.EQUAL: _("平均分摊"),
    allocation.AREA: _("按专有面积分摊（民法典第283条）"),
    allocation.HALF_STEP: _("1 + 0.5 ×（楼层 − 1）"),
}


def coefficient_words(value: Any, area_weighted: bool = False) -> str:
    """How the shares are worked out, in words (with the area weighting when asked)."""
    if isinstance(value, str):
        words = str(PRESET_WORDS.get(value, value))
    else:
        words = gettext("自定义楼层系数表")
    if area_weighted and value != allocation.AREA:
        words += gettext(",并按专有面积加权")
    return words


def floor_coefficients(shares: Sequence[Share]) -> list[tuple[int, Decimal]]:
    """Each cost floor of the pool with its coefficient."""
    seen: dict[int, Decimal] = {}
    for share in shares:
        seen.setdefault(share.floor, share.coefficient)
    return sorted(seen.items())


def next_step(case: ElevatorCase, votes: Sequence[StairwellVote]) -> str:
    """What the organisers do next, in one sentence."""
    status = case.status
    if status == CaseStatus.DRAFT:
        return gettext("完善费用和分摊方案,确认后发起各单元业主表决。")
    if status == CaseStatus.VOTING:
        if votes and all(v.passed for v in votes):
            return gettext("各单元表决均已通过并生效,请确认费用分摊协议。")
        if any(v.failed for v in votes) and all(v.settled for v in votes):
            return gettext("有单元表决未通过,可退回修改方案后重新表决,或终止项目。")
        return gettext("等待各单元表决结束并公示期满。")
    if status == CaseStatus.AGREED:
        return gettext("业主已达成协议:签订协议、办理审批后开工。")
    if status == CaseStatus.BUILDING:
        return gettext("施工中:竣工验收后办理移交,电梯纳入维保计划。")
    if status == CaseStatus.ACCEPTED:
        return gettext("已验收移交:按维保计划定期保养、年度检验,登记年度运行费用。")
    return gettext("项目已终止,所涉单元可另行立项。")


@dataclass(frozen=True)
class RunningYear:
    """A year's running costs with each dwelling's part (or why it cannot be shared)."""

    year: RunningCostYear
    lines: list[tuple[str, Share]]
    error: str


def running_years(user: Any, case: ElevatorCase, rows: Sequence[CaseDwelling]) -> list[RunningYear]:
    labels = {row.dwelling_id: dwelling_label(row.dwelling) for row in rows}
    years = []
    for year in scoped(RunningCostYear.objects.filter(case=case), user).order_by("-year"):
        year.case = case
        try:
            result = running_statement(year, rows)
        except Invalid as exc:
            years.append(RunningYear(year, [], exc.message))
        else:
            lines = [(labels[s.dwelling], s) for s in result.shares]
            years.append(RunningYear(year, lines, ""))
    return years


def case_actions(
    case: ElevatorCase, votes: Sequence[StairwellVote], *, can_change: bool
) -> dict[str, bool]:
    """The buttons the status and the user's permission allow."""
    status = case.status
    change = can_change
    return {
        "edit": change and status == CaseStatus.DRAFT,
        "start_votes": change and status == CaseStatus.DRAFT,
        "confirm": change
        and status == CaseStatus.VOTING
        and bool(votes)
        and all(v.passed for v in votes),
        "return": change
        and status == CaseStatus.VOTING
        and any(v.failed for v in votes)
        and all(v.settled for v in votes),
        "start_works": change and status == CaseStatus.AGREED,
        "hand_over": change and status == CaseStatus.BUILDING,
        "cancel": change and status in (CaseStatus.DRAFT, CaseStatus.VOTING, CaseStatus.AGREED),
    }


def asset_context(user: Any, case: ElevatorCase, today: datetime.date) -> dict[str, Any]:
    if case.asset_id is None:
        return {}
    asset = scoped(Asset.objects.filter(pk=case.asset_id), user).first()
    if asset is None:
        return {}
    schedules = [
        (s, s.is_overdue(today), s.days_overdue(today))
        for s in scoped(Schedule.objects.filter(asset=asset), user).order_by("next_due_on", "pk")
    ]
    contracts = scoped(MaintenanceContract.objects.filter(asset=asset), user).order_by("-starts_on")
    return {"asset": asset, "schedules": schedules, "contracts": list(contracts)}


class CaseDetailView(LoginRequiredMixin, View):
    """The case page: status and next step, costs, the cost table per dwelling, votes per
    stairwell, documents, the handed-over elevator and the running costs."""

    model = ElevatorCase

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request.user
        require_staff(user)
        case = get_case(user, pk, ElevatorCase.objects.select_related("compound", "subsidy_rule"))
        rows = pool_rows(case)
        votes = stairwell_votes(case)
        today = timezone.localdate()
        context: dict[str, Any] = {
            "case": case,
            "stairwells": ", ".join(stairwell_label(v.stairwell) for v in votes),
            "costs": [(CostPart(part).label, amount) for part, amount in case.costs().items()],
            "coefficient_words": coefficient_words(case.coefficients),
            "votes": votes,
            "next_step": next_step(case, votes),
            "error": "",
            "documents": scoped(
                ConsentDocument.objects.filter(case=case).select_related(
                    "dwelling__stairwell__building", "uploaded_by"
                ),
                user,
            ),
            "running_years": running_years(user, case, rows),
            "today": today,
            "can_documents": may(user, ADD_DOCUMENT, case) and case.status != CaseStatus.CANCELLED,
            "can_running": may(user, ADD_RUNNING, case)
            and case.status in (CaseStatus.AGREED, CaseStatus.BUILDING, CaseStatus.ACCEPTED),
            **case_actions(case, votes, can_change=may(user, CHANGE, case)),
            **asset_context(user, case, today),
        }
        try:
            lines = bill_lines(case, rows)
        except Invalid as exc:
            context["error"] = exc.message
        else:
            names = owner_names(user, case, rows)
            context["lines"] = [
                CostLine(line, dwelling_label(line.dwelling), names.get(line.row.dwelling_id, ""))
                for line in lines
            ]
            context["totals"] = totals(lines)
            context["floors"] = floor_coefficients([line.share for line in lines])
        if context["can_documents"]:
            context["document_form"] = DocumentForm(case=case)
        return render(request, "elevators/case_detail.html", context)


class DocumentFileView(LoginRequiredMixin, View):
    """An uploaded document of a case, for the staff who see the case (media is not public)."""

    model = ConsentDocument

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        require_staff(request.user)
        document = get_scoped_or_404(ConsentDocument.objects.all(), request.user, pk=pk)
        get_case(request.user, document.case_id)
        try:
            handle = document.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(handle, filename=Path(document.file.name or "document").name)

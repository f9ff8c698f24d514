"""Visit, coverage and demand-ranking pages:

* ``visit_new`` — record a call at a dwelling for a survey (``?survey=&dwelling=``);
* ``survey_coverage`` — a survey's coverage (入户率) tables with bars against the target, and
  the worker's to-visit list;
* ``visit_list`` — a survey's visit log;
* ``demand_list`` / ``demand_compute`` / ``demand_detail`` — the compounds' demand rankings
  (居民点单), computing one now, and one ranking's table.

Objects outside the user's scope answer 404; a write without the permission's scope 403.
Views are thin: forms validate, services write.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views import View
from django.views.generic import ListView

from linli.consultation import models as m
from linli.consultation import visit_selectors as sel
from linli.consultation.services.demand import ADD_RANKING, compute_ranking
from linli.consultation.services.visits import ADD_VISIT, record_visit
from linli.consultation.visit_forms import DemandComputeForm, VisitForm
from linli.core.errors import Invalid
from linli.core.scoping import get_scoped_or_404, scoped
from linli.registry.models import Dwelling


def answer_url(survey: m.Survey, dwelling: Dwelling) -> str | None:
    """The surveys page answering ``survey`` for ``dwelling``, when that page exists."""
    query = urlencode({"dwelling": dwelling.pk})
    for kwargs in ({"pk": survey.pk}, {"pk": survey.pk, "dwelling": dwelling.pk}):
        try:
            url = reverse("consultation:survey_answer", kwargs=kwargs)
        except NoReverseMatch:
            continue
        return url if "dwelling" in kwargs else f"{url}?{query}"
    return None


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


# --- Visits ------------------------------------------------------------------------------------


class VisitCreateView(LoginRequiredMixin, View):
    """ "登记走访": outcome, time and notes of a call at one dwelling for one survey."""

    def _load(self, request: HttpRequest) -> tuple[m.Survey, Dwelling]:
        survey = get_scoped_or_404(m.Survey, request.user, pk=_int(request.GET.get("survey")))
        dwelling = get_scoped_or_404(
            Dwelling.objects.select_related("stairwell__building__compound"),
            request.user,
            pk=_int(request.GET.get("dwelling")),
        )
        if not sel.may(request.user, ADD_VISIT, dwelling.stairwell.building.compound_id):
            raise PermissionDenied("您没有登记该房屋走访的权限 (you may not record visits here)")
        return survey, dwelling

    def _render(
        self, request: HttpRequest, survey: m.Survey, dwelling: Dwelling, form: VisitForm
    ) -> HttpResponse:
        visits = scoped(m.Visit.objects.filter(survey=survey, dwelling=dwelling), request.user)
        context = {
            "survey": survey,
            "dwelling": dwelling,
            "label": sel.dwelling_label(dwelling),
            "form": form,
            "earlier": visits.select_related("visitor"),
            "answer_url": answer_url(survey, dwelling),
        }
        return render(request, "consultation/visit_form.html", context)

    def get(self, request: HttpRequest) -> HttpResponse:
        survey, dwelling = self._load(request)
        return self._render(request, survey, dwelling, VisitForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        survey, dwelling = self._load(request)
        form = VisitForm(request.POST)
        if form.is_valid():
            try:
                record_visit(
                    survey=survey,
                    dwelling=dwelling,
                    outcome=form.cleaned_data["outcome"],
                    visited_at=form.cleaned_data["visited_at"],
                    notes=form.cleaned_data["notes"],
                    by=request.user,
                )
            except Invalid as exc:
                form.add_error("visited_at" if exc.code == "future" else None, exc.message)
            else:
                messages.success(
                    request,
                    gettext("已登记 %(label)s 的走访") % {"label": sel.dwelling_label(dwelling)},
                )
                url = reverse("consultation:survey_coverage", args=[survey.pk])
                compound = dwelling.stairwell.building.compound_id
                return redirect(f"{url}?{urlencode({'compound': compound})}#to-visit")
        return self._render(request, survey, dwelling, form)


class CoverageView(LoginRequiredMixin, View):
    """A survey's coverage per compound, community and zone, and the list still to visit."""

    model = m.Survey

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request.user
        survey = get_scoped_or_404(m.Survey, user, pk=pk)
        compounds = list(sel.survey_compounds(survey, user))
        chosen = _int(request.GET.get("compound"))
        if chosen not in {c.pk for c in compounds}:
            chosen = None
        report = sel.coverage(survey, user)
        rows = sel.dwellings_to_visit(survey, user, compound=chosen)
        may_visit = set(
            sel.staff_compounds_of(user, ADD_VISIT)
            .filter(pk__in=[c.pk for c in compounds])
            .values_list("pk", flat=True)
        )
        to_visit = [
            {
                "state": row,
                "can_visit": row.dwelling.stairwell.building.compound_id in may_visit,
                "answer_url": answer_url(survey, row.dwelling),
            }
            for row in rows
        ]
        context = {
            "survey": survey,
            "report": report,
            "compounds": compounds,
            "chosen": chosen,
            "to_visit": to_visit,
        }
        return render(request, "consultation/coverage.html", context)


class VisitListView(LoginRequiredMixin, ListView):
    """A survey's visit log, newest first (filter by compound or outcome)."""

    model = m.Survey
    template_name = "consultation/visit_list.html"
    context_object_name = "visits"
    paginate_by = 100

    def get_queryset(self) -> QuerySet[Any]:
        self.survey = get_scoped_or_404(m.Survey, self.request.user, pk=self.kwargs["pk"])
        visits = scoped(m.Visit.objects.filter(survey=self.survey), self.request.user)
        compound = _int(self.request.GET.get("compound"))
        if compound is not None:
            visits = visits.filter(dwelling__stairwell__building__compound=compound)
        outcome = self.request.GET.get("outcome")
        if outcome in m.VisitOutcome.values:
            visits = visits.filter(outcome=outcome)
        return visits.select_related("dwelling__stairwell__building__compound", "visitor")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            survey=self.survey,
            compounds=sel.survey_compounds(self.survey, self.request.user),
            outcomes=m.VisitOutcome.choices,
            chosen_compound=_int(self.request.GET.get("compound")),
            chosen_outcome=self.request.GET.get("outcome", ""),
            query_without_page=query.urlencode(),
        )
        return context


# --- Demand rankings ---------------------------------------------------------------------------


def _compute_form(user: Any, data: Any = None, initial: Any = None) -> DemandComputeForm:
    compounds = sel.staff_compounds_of(user, ADD_RANKING).order_by("name")
    surveys = (
        scoped(m.Survey, user)
        .filter(compounds__in=compounds)
        .exclude(status=m.SurveyStatus.DRAFT)
        .distinct()
        .order_by("-created_at")
    )
    return DemandComputeForm(data, compounds=compounds, surveys=surveys, initial=initial)


class DemandListView(LoginRequiredMixin, View):
    """Compounds in the user's view with their latest ranking, and "compute now"."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        latest = (
            m.DemandRanking.objects.filter(compound=OuterRef("pk"))
            .order_by("-computed_at", "-pk")
            .values("pk")[:1]
        )
        compounds = list(
            sel.consultation_compounds(user)
            .select_related("community")
            .annotate(latest_ranking=Subquery(latest))
            .order_by("name", "pk")
        )
        ids = [c.latest_ranking for c in compounds if c.latest_ranking]  # type: ignore[attr-defined]
        rankings = {
            r.pk: r
            for r in scoped(m.DemandRanking.objects.filter(pk__in=ids), user)
            .annotate(entry_count=Count("entries"))
            .prefetch_related("entries")
        }
        may_compute = set(sel.staff_compounds_of(user, ADD_RANKING).values_list("pk", flat=True))
        rows = [
            {
                "compound": c,
                "ranking": rankings.get(c.latest_ranking),  # type: ignore[attr-defined]
                "can_compute": c.pk in may_compute,
            }
            for c in compounds
        ]
        context = {
            "rows": rows,
            "form": _compute_form(user) if may_compute else None,
        }
        return render(request, "consultation/demand_list.html", context)


class DemandComputeView(LoginRequiredMixin, View):
    """POST: compute a compound's ranking now (optionally from chosen surveys)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        form = _compute_form(request.user, request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, str(error))
            return redirect("consultation:demand_list")
        try:
            ranking = compute_ranking(
                compound=form.cleaned_data["compound"],
                surveys=list(form.cleaned_data["surveys"]) or None,
                by=request.user,
            )
        except Invalid as exc:
            messages.error(request, exc.message)
            return redirect("consultation:demand_list")
        messages.success(request, gettext("居民点单排名已计算"))
        return redirect("consultation:demand_detail", pk=ranking.pk)


class DemandDetailView(LoginRequiredMixin, View):
    """One ranking: the entries as a ranked table with bars."""

    model = m.DemandRanking

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        ranking = get_scoped_or_404(
            m.DemandRanking.objects.select_related("compound", "computed_by"), request.user, pk=pk
        )
        entries = list(ranking.entries.all())
        top = max((e.score for e in entries), default=0) or 1
        context = {
            "ranking": ranking,
            "surveys": ranking.surveys.all(),
            "entries": [{"entry": e, "bar": e.score * 100 / top} for e in entries],
            "can_compute": sel.may(request.user, ADD_RANKING, ranking.compound_id),
        }
        return render(request, "consultation/demand_detail.html", context)

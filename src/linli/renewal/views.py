"""Renewal pages: project list and detail, the forms that take a project from application to
handover, the sign-offs a department gives, and the catalogue.

Every page needs a login; projects are looked up through the scoping layer (outside the
user's scope: 404) and a form that changes something also needs the permission's scope
(visible but not writable: 403). Views are thin: forms validate, services write.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django_filters.views import FilterView

from linli.core.errors import Invalid
from linli.core.scoping import get_scoped_or_404, scoped
from linli.registry.models import Zone
from linli.renewal import forms as f
from linli.renewal import gates, selectors, services
from linli.renewal.gates import Stage, TransitionRefused
from linli.renewal.models import (
    AcceptanceRecord,
    CatalogueItem,
    ContentCategory,
    DecisionRecord,
    FundingLine,
    OutputIndicator,
    Project,
    ProjectItem,
    ReviewRule,
    StageRecord,
)
from linli.renewal.services.demand import record_vote_decision
from linli.renewal.services.supervision import refresh_light
from linli.renewal.supervision import Light
from linli.renewal.supervision_selectors import project_supervision

PAGE_SIZE = 50
#: The responsible people along the four-level chain, in the order the chain runs.
CONTACTS = ("zone_lead", "subdistrict_contact", "community_contact", "district_contact")


def can(user: Any, permission: str, project: Project) -> bool:
    """Whether ``user`` may use ``permission`` on ``project`` (role and scope)."""
    return scoped(Project, user, permission).filter(pk=project.pk).exists()


def _form_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's validation error on the form (fields it does not have: whole form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- List ----------------------------------------------------------------------------------


class ProjectFilter(django_filters.FilterSet):
    """Search and filters of the project list."""

    q = django_filters.CharFilter(
        method="search",
        label=_("搜索(编号、名称)"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    year = django_filters.NumberFilter(field_name="year", label=_("年度"))
    batch = django_filters.NumberFilter(field_name="batch", label=_("批次"))
    zone = django_filters.ModelChoiceFilter(
        queryset=Zone.objects.none(), label=_("片区"), empty_label=_("全部")
    )
    stage = django_filters.ChoiceFilter(
        choices=Stage.choices, label=_("阶段"), empty_label=_("全部")
    )
    light = django_filters.ChoiceFilter(
        choices=Light.choices, label=_("督办状态"), empty_label=_("全部")
    )
    overdue = django_filters.BooleanFilter(
        method="by_overdue", label=_("仅看审批超期"), widget=forms.CheckboxInput
    )

    class Meta:
        model = Project
        fields: list[str] = []

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["zone"].queryset = scoped(Zone, user)  # type: ignore[attr-defined]

    def search(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))

    def by_overdue(self, queryset: QuerySet[Project], name: str, value: bool) -> QuerySet[Project]:
        # has_overdue_review is an annotation of selectors.projects_for_list().
        return queryset.filter(has_overdue_review=True) if value else queryset  # type: ignore[misc]


class ProjectListView(LoginRequiredMixin, FilterView):
    """The user's projects, filterable by year, batch, zone, stage and overdue sign-offs."""

    model = Project
    template_name = "renewal/project_list.html"
    context_object_name = "projects"
    filterset_class = ProjectFilter
    paginate_by = PAGE_SIZE

    def get_queryset(self) -> QuerySet[Project]:
        return selectors.projects_for_list(self.request.user)

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_without_page"] = query.urlencode()
        context["can_add"] = self.request.user.has_perm("renewal.add_project")
        return context


# --- Detail ----------------------------------------------------------------------------------


class ProjectDetailView(LoginRequiredMixin, View):
    """Everything about one project, and the forms to move it on."""

    model = Project

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        project = get_scoped_or_404(selectors.project_for_detail(request.user), request.user, pk=pk)
        user = request.user
        reviews = list(project.reviews.all())
        current = [r for r in reviews if r.round == project.review_round]
        earlier = [r for r in reviews if r.round != project.review_round]
        funding = list(project.funding.all())
        can_change = can(user, "renewal.change_project", project)
        items = list(project.items.all())
        prefetch_related_objects(items, "demand")  # the residents' order each item came from
        context = {
            "project": project,
            "compounds": list(project.compounds.all()),
            "contacts": [
                (Project._meta.get_field(name).verbose_name, getattr(project, name))  # type: ignore[union-attr]
                for name in CONTACTS
            ],
            "items": items,
            "funding": funding,
            "funding_totals": selectors.funding_totals(funding),
            "timeline": selectors.stage_timeline(project),
            "current_reviews": current,
            "earlier_reviews": earlier,
            "signable": {r.pk for r in current if services.can_decide(user, r)},
            "transitions": list(project.transitions.all()),
            "decisions": list(project.decisions.all()),
            "acceptances": list(project.acceptances.all()),
            "options": gates.options(services.project_facts(project)) if can_change else [],
            "can_change": can_change,
            "can_plan": can_change and project.stage in services.PLANNING,
            "can_edit_items": can_change and project.stage != Stage.HANDED_OVER,
            "can_fund": can(user, "renewal.add_fundingline", project),
            "can_decide_residents": project.stage in services.DECIDING
            and can(user, "renewal.add_decisionrecord", project),
            "can_accept": project.stage == Stage.COMPLETED
            and can(user, "renewal.add_acceptancerecord", project),
            "can_progress": project.stage == Stage.WORKS
            and can(user, "renewal.add_progressreport", project),
            "transition_form": f.TransitionForm(),
            **project_supervision(project),
        }
        return render(request, "renewal/project_detail.html", context)


class ProjectWriteMixin(LoginRequiredMixin):
    """A page that changes a project: visible (else 404) and writable (else 403)."""

    permission = "renewal.change_project"
    project: Project

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.project = get_scoped_or_404(Project, request.user, pk=kwargs["pk"])
        if not can(request.user, self.permission, self.project):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def done(self, message: str) -> HttpResponseRedirect:
        # The change may move the schedule's light: store it now, not at the next daily check.
        refresh_light(project=self.project)
        messages.success(self.request, message)  # type: ignore[attr-defined]
        return redirect("renewal:project_detail", pk=self.project.pk)


class FormPage(View):
    """GET shows the form, POST validates it and calls :meth:`save` (a service call)."""

    template_name = "renewal/form.html"
    title: Any = ""
    multipart = False

    def make_form(self, data: Any = None, files: Any = None) -> forms.BaseForm:
        raise NotImplementedError

    def save(self, form: forms.BaseForm) -> HttpResponse:
        raise NotImplementedError

    def render(self, form: forms.BaseForm) -> HttpResponse:
        context = {
            "form": form,
            "title": self.title,
            "project": getattr(self, "project", None),
            "multipart": self.multipart,
        }
        return render(self.request, self.template_name, context)  # type: ignore[attr-defined]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render(self.make_form())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.make_form(request.POST, request.FILES)
        if form.is_valid():
            try:
                return self.save(form)
            except ValidationError as exc:
                _form_errors(form, exc)
        return self.render(form)


class ProjectCreateView(LoginRequiredMixin, FormPage):
    """A new project at the application stage."""

    model = Project
    title = _("新建改造项目")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not request.user.has_perm("renewal.add_project"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def make_form(self, data: Any = None, files: Any = None) -> forms.BaseForm:
        return f.ProjectForm(data, user=self.request.user)

    def save(self, form: forms.BaseForm) -> HttpResponse:
        project = services.create_project(by=self.request.user, **form.cleaned_data)
        messages.success(self.request, gettext("项目已创建"))
        return redirect("renewal:project_detail", pk=project.pk)


class ProjectUpdateView(ProjectWriteMixin, FormPage):
    """Edit a project's facts (compounds only while it is being planned)."""

    model = Project
    title = _("编辑项目")

    def make_form(self, data: Any = None, files: Any = None) -> forms.BaseForm:
        return f.ProjectForm(data, instance=self.project, user=self.request.user)

    def save(self, form: forms.BaseForm) -> HttpResponse:
        services.update_project(project=self.project, by=self.request.user, **form.cleaned_data)
        return self.done(gettext("项目已保存"))


class ItemAddView(ProjectWriteMixin, FormPage):
    """Add a catalogue item to a project."""

    model = Project
    permission = "renewal.add_projectitem"
    title = _("增加改造内容")

    def make_form(self, data: Any = None, files: Any = None) -> forms.BaseForm:
        return f.ItemForm(data)

    def save(self, form: forms.BaseForm) -> HttpResponse:
        services.add_item(project=self.project, by=self.request.user, **form.cleaned_data)
        return self.done(gettext("已增加改造内容"))


class ItemMixin(LoginRequiredMixin):
    """A page about one project item (its project must be writable)."""

    permission = "renewal.change_projectitem"
    row: ProjectItem
    project: Project

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.row = get_scoped_or_404(
            ProjectItem.objects.select_related("project", "item"), request.user, pk=kwargs["pk"]
        )
        self.project = self.row.project
        if not scoped(ProjectItem, request.user, self.permission).filter(pk=self.row.pk).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class ItemEditView(ItemMixin, FormPage):
    """Change an item's quantity, budget, output or note."""

    model = ProjectItem
    title = _("修改改造内容")

    def make_form(self, data: Any = None, files: Any = None) -> forms.BaseForm:
        return f.ItemForm(data, instance=self.row)

    def save(self, form: forms.BaseForm) -> HttpResponse:
        services.update_item(project_item=self.row, by=self.request.user, **form.cleaned_data)
        messages.success(self.request, gettext("已保存"))
        return redirect("renewal:project_detail", pk=self.project.pk)


class ItemDeleteView(ItemMixin, View):
    """Remove an item (POST only) while the project is being planned."""

    model = ProjectItem
    permission = "renewal.delete_projectitem"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            services.remove_item(project_item=self.row, by=request.user)
            messages.success(request, gettext("已删除改造内容"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("renewal:project_detail", pk=self.project.pk)


class FundingView(ProjectWriteMixin, FormPage):
    """Set one funding source of a project (creates or updates its line)."""

    model = Project
    permission = "renewal.add_fundingline"
    title = _("资金")

    def make_form(self, data: Any = None, files: Any = None) -> forms.BaseForm:
        source = self.request.GET.get("source")
        line = FundingLine.objects.filter(project=self.project, source=source).first()
        return f.FundingForm(data, instance=line)

    def save(self, form: forms.BaseForm) -> HttpResponse:
        services.set_funding(project=self.project, by=self.request.user, **form.cleaned_data)
        return self.done(gettext("资金已保存"))


class StagePlanView(ProjectWriteMixin, View):
    """Planned start and end dates of every stage."""

    model = Project

    def _formset(self, data: Any = None) -> Any:
        records = StageRecord.objects.filter(project=self.project).order_by("pk")
        return f.StagePlanFormSet(data, queryset=records)

    def _render(self, formset: Any) -> HttpResponse:
        context = {"project": self.project, "formset": formset}
        return render(self.request, "renewal/stage_plan.html", context)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(self._formset())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        formset = self._formset(request.POST)
        if not formset.is_valid():
            return self._render(formset)
        for form in formset.forms:
            if form.has_changed():
                services.plan_stage(
                    record=form.instance,
                    planned_start=form.cleaned_data["planned_start"],
                    planned_end=form.cleaned_data["planned_end"],
                    by=request.user,
                )
        return self.done(gettext("阶段计划已保存"))


class TransitionView(ProjectWriteMixin, View):
    """Move the project (POST); a refusal is shown with every reason."""

    model = Project

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = f.TransitionForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("请求无效"))
            return redirect("renewal:project_detail", pk=self.project.pk)
        to = form.cleaned_data["to"]
        try:
            services.advance_stage(
                project=self.project, to=to, by=request.user, reason=form.cleaned_data["reason"]
            )
        except TransitionRefused as refused:
            for refusal in refused.refusals:
                messages.error(request, refusal.message)
            return redirect("renewal:project_detail", pk=self.project.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("renewal:project_detail", pk=self.project.pk)
        label = Stage(self.project.stage).label
        return self.done(gettext("项目已进入“%(stage)s”阶段") % {"stage": label})


class DecisionView(ProjectWriteMixin, FormPage):
    """Record the residents' decision with its document."""

    model = Project
    permission = "renewal.add_decisionrecord"
    title = _("登记居民决策")
    multipart = True

    def make_form(self, data: Any = None, files: Any = None) -> forms.BaseForm:
        return f.DecisionForm(data, files, project=self.project, user=self.request.user)

    def save(self, form: forms.BaseForm) -> HttpResponse:
        data = dict(form.cleaned_data)
        vote = data.pop("vote", None)
        if vote is not None:
            try:
                record_vote_decision(project=self.project, vote=vote, by=self.request.user)
            except Invalid as exc:
                raise ValidationError(exc.message, code=exc.code) from exc
        else:
            services.record_decision(project=self.project, by=self.request.user, **data)
        return self.done(gettext("居民决策已登记"))


class AcceptanceView(ProjectWriteMixin, FormPage):
    """Record the joint acceptance with the residents' satisfaction."""

    model = Project
    permission = "renewal.add_acceptancerecord"
    title = _("登记联合验收")
    multipart = True

    def make_form(self, data: Any = None, files: Any = None) -> forms.BaseForm:
        return f.AcceptanceForm(data, files)

    def save(self, form: forms.BaseForm) -> HttpResponse:
        services.record_acceptance(project=self.project, by=self.request.user, **form.cleaned_data)
        return self.done(gettext("联合验收已登记"))


# --- Documents -------------------------------------------------------------------------------


class DocumentView(LoginRequiredMixin, View):
    """A record's document, served only to users who see its project (media files are not
    public: decisions and acceptances carry residents' signatures)."""

    model: Any

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        record: Any = get_scoped_or_404(self.model, request.user, pk=pk)
        if not record.document:
            raise Http404
        name = Path(record.document.name).name
        return FileResponse(record.document.open("rb"), filename=name)


class DecisionDocumentView(DocumentView):
    """The document of a residents' decision."""

    model = DecisionRecord


class AcceptanceDocumentView(DocumentView):
    """The document of a joint acceptance."""

    model = AcceptanceRecord


# --- Catalogue -------------------------------------------------------------------------------


class CatalogueView(LoginRequiredMixin, View):
    """The renovation catalogue by category, the output indicators and the review rules."""

    model = CatalogueItem

    def get(self, request: HttpRequest) -> HttpResponse:
        items = scoped(
            CatalogueItem.objects.select_related("indicator").prefetch_related(
                "tags",
                Prefetch("review_rules", queryset=ReviewRule.objects.select_related("department")),
            ),
            request.user,
        )
        by_category = [
            (label, [i for i in items if i.category == value])
            for value, label in ContentCategory.choices
        ]
        context = {
            "by_category": by_category,
            "indicators": scoped(OutputIndicator, request.user),
            "general_rules": scoped(
                ReviewRule.objects.exclude(applies_to="item").select_related("department"),
                request.user,
            ),
            "api_url": reverse("catalogueitem-list"),
        }
        return render(request, "renewal/catalogue.html", context)

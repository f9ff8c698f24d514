"""REST API of the renewal app on ``linli.core.api.router``: the catalogue, projects and their
parts, stage transitions and joint-review decisions.

Every queryset goes through ``linli.core.scoping.scoped`` (an object outside the caller's scope
is a 404); a write also needs the Django permission its role grants *and* the object inside
that permission's scope (visible but not writable: 403). Lists cost a fixed number of queries.
A refused transition answers 409 with each reason in Chinese and English.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import django_filters
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from linli.consultation.models import DemandEntry
from linli.core.api import (
    AtomicWritesMixin,
    BilingualFilterSet,
    IntFilter,
    field_error_messages,
    router,
)
from linli.core.scoping import scoped
from linli.renewal import gates, selectors, services
from linli.renewal import models as m
from linli.renewal import serializers as s
from linli.renewal.gates import TransitionRefused
from linli.renewal.services.demand import AdoptionRefused, adopt_demand
from linli.renewal.services.supervision import refresh_light

if TYPE_CHECKING:
    from rest_framework.permissions import _PermissionClass


class TransitionConflict(exceptions.APIException):
    """409: the transition breaks a gate."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "transition_refused"

    def __init__(self, refused: TransitionRefused | AdoptionRefused) -> None:
        super().__init__(
            {
                "detail": refused.message,
                "refusals": [{"code": r.code, "zh": r.zh, "en": r.en} for r in refused.refusals],
            }
        )


class AdoptDemandRequestSerializer(serializers.Serializer):
    """The demand entries (ids) a project adopts in one step."""

    entries = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        min_length=1,
        error_messages=field_error_messages(serializers.ListField),
        help_text="Ids of demand entries (居民点单) of the project's compounds.",
    )


class AdoptedItemSerializer(s.ProjectItemSerializer):
    """A project item adopted from a demand entry, with the entry's rank and households."""

    demand = serializers.IntegerField(source="demand_id", read_only=True)
    demand_rank = serializers.IntegerField(source="demand.rank", read_only=True)
    demand_households = serializers.IntegerField(source="demand.households", read_only=True)

    class Meta(s.ProjectItemSerializer.Meta):
        fields = (  # type: ignore[assignment]  # the parent's fields and three more
            *s.ProjectItemSerializer.Meta.fields,
            "demand",
            "demand_rank",
            "demand_households",
        )


class ScopedModelPermissions(permissions.DjangoModelPermissions):
    """Django model permissions from the role, plus: the object being changed lies inside the
    scope of each permission the method needs (viewing is the queryset's business)."""

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        model = type(obj)
        for perm in self.get_required_permissions(request.method or "", model):
            if not scoped(model, request.user, perm).filter(pk=obj.pk).exists():
                return False
        return True


class ScopedViewSetMixin(AtomicWritesMixin):
    """Scoped querysets and scoped write permissions for the renewal viewsets."""

    permission_classes: Sequence[_PermissionClass] = (ScopedModelPermissions,)
    queryset: QuerySet[Any]

    def get_queryset(self) -> QuerySet[Any]:
        return scoped(self.queryset.all(), self.request.user)  # type: ignore[attr-defined]


# --- Filters -------------------------------------------------------------------------------


class CatalogueItemFilter(BilingualFilterSet):
    """Catalogue items by category, indicator, tag or status."""

    indicator = IntFilter(field_name="indicator")
    tag = IntFilter(field_name="tags")

    class Meta:
        model = m.CatalogueItem
        fields = ("category", "unit", "active", "indicator", "tag")


class ReviewRuleFilter(BilingualFilterSet):
    """Review rules by target or department."""

    item = IntFilter(field_name="item")
    department = IntFilter(field_name="department")

    class Meta:
        model = m.ReviewRule
        fields = ("applies_to", "category", "item", "department")


class ProjectFilter(BilingualFilterSet):
    """Projects by year, batch, zone, stage, light (督办), compound, sub-district, or overdue
    sign-offs."""

    year = IntFilter(field_name="year")
    batch = IntFilter(field_name="batch")
    zone = IntFilter(field_name="zone")
    compound = IntFilter(method="by_compound")
    subdistrict = IntFilter(method="by_subdistrict")
    overdue = django_filters.BooleanFilter(method="by_overdue")

    class Meta:
        model = m.Project
        fields = ("year", "batch", "zone", "stage", "light", "compound", "subdistrict", "overdue")

    def by_compound(self, queryset: QuerySet[Any], name: str, value: int) -> QuerySet[Any]:
        return queryset.filter(pk__in=m.Project.objects.filter(compounds=value).values("pk"))

    def by_subdistrict(self, queryset: QuerySet[Any], name: str, value: int) -> QuerySet[Any]:
        matching = m.Project.objects.filter(compounds__community__subdistrict=value)
        return queryset.filter(pk__in=matching.values("pk"))

    def by_overdue(self, queryset: QuerySet[Any], name: str, value: bool) -> QuerySet[Any]:
        overdue = m.Project.objects.overdue().values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)


def _project_filter(model: type[Any], **extra: Any) -> type[BilingualFilterSet]:
    """A FilterSet with ``project`` (id) and the given extra declared filters."""
    declared = {"project": IntFilter(field_name="project"), **extra}
    meta = type("Meta", (), {"model": model, "fields": tuple(declared)})
    return type(f"{model.__name__}Filter", (BilingualFilterSet,), {**declared, "Meta": meta})


class ReviewFilter(BilingualFilterSet):
    """Sign-offs by project, department, round, status, or overdue."""

    project = IntFilter(field_name="project")
    department = IntFilter(field_name="department")
    round = IntFilter(field_name="round")
    overdue = django_filters.BooleanFilter(method="by_overdue")
    current = django_filters.BooleanFilter(method="by_current")

    class Meta:
        model = m.Review
        fields = ("project", "department", "round", "status", "overdue", "current")

    def by_overdue(self, queryset: QuerySet[Any], name: str, value: bool) -> QuerySet[Any]:
        overdue = m.Review.objects.overdue().values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)

    def by_current(self, queryset: QuerySet[Any], name: str, value: bool) -> QuerySet[Any]:
        current = m.Review.objects.current().values("pk")
        return queryset.filter(pk__in=current) if value else queryset.exclude(pk__in=current)


# --- Catalogue ---------------------------------------------------------------------------


class LocalTagViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Xigong's local tags (two demolitions, three renovations, one preservation)."""

    queryset = m.LocalTag.objects.all()
    serializer_class = s.LocalTagSerializer
    search_fields = ("code", "name")
    ordering_fields = ("id", "code", "sort_order")


class OutputIndicatorViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Output indicators the catalogue items feed."""

    queryset = m.OutputIndicator.objects.all()
    serializer_class = s.OutputIndicatorSerializer
    search_fields = ("code", "name")
    ordering_fields = ("id", "code", "sort_order")


class CatalogueItemViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """The renovation catalogue (改造内容), editable by the district office."""

    queryset = m.CatalogueItem.objects.prefetch_related("tags")
    serializer_class = s.CatalogueItemSerializer
    filterset_class = CatalogueItemFilter
    search_fields = ("code", "name")
    ordering_fields = ("id", "code", "category", "sort_order")


class ReviewRuleViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Joint-review rules: which department signs off which items."""

    queryset = m.ReviewRule.objects.select_related("item", "department")
    serializer_class = s.ReviewRuleSerializer
    filterset_class = ReviewRuleFilter
    search_fields = ("department__name", "item__name")
    ordering_fields = ("id", "workdays")


# --- Projects ----------------------------------------------------------------------------


def _project_queryset() -> QuerySet[m.Project]:
    return (
        m.Project.objects.with_overview()
        .select_related("zone")
        .prefetch_related(
            "compounds",
            Prefetch("items", queryset=m.ProjectItem.objects.select_related("item")),
            "funding",
            Prefetch("stages", queryset=m.StageRecord.objects.order_by("pk")),
            Prefetch("reviews", queryset=m.Review.objects.select_related("department")),
        )
    )


class ProjectViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Renovation projects with their items, funding, stage dates and sign-offs."""

    queryset = m.Project.objects.all()
    serializer_class = s.ProjectSerializer
    filterset_class = ProjectFilter
    search_fields = ("code", "name")
    ordering_fields = ("id", "code", "year", "batch", "stage", "budget_total")

    def get_queryset(self) -> QuerySet[m.Project]:
        # Built per request: the overdue flag compares with today's date.
        return scoped(_project_queryset(), self.request.user)

    def _project_for(self, permission: str) -> m.Project:
        """The project of the URL, visible (else 404) and inside ``permission``'s scope."""
        project = self.get_object()
        if not scoped(m.Project, self.request.user, permission).filter(pk=project.pk).exists():
            raise exceptions.PermissionDenied()
        return project

    @extend_schema(
        summary="Move the project to another stage",
        request=s.TransitionRequestSerializer,
        responses={
            200: s.ProjectSerializer,
            409: OpenApiResponse(s.RefusedSerializer, description="a gate refuses the move"),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Advance (or return to design) if every gate allows it; 409 lists the reasons."""
        project = self._project_for("renewal.change_project")
        body = s.TransitionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.advance_stage(
                project=project,
                to=body.validated_data["to"],
                reason=body.validated_data["reason"],
                by=request.user,
            )
        except TransitionRefused as refused:
            raise TransitionConflict(refused) from refused
        refresh_light(project=project)  # the move may change the schedule's light
        return Response(self.get_serializer(self.get_queryset().get(pk=project.pk)).data)

    @extend_schema(
        summary="Start the joint review (联审联批)",
        request=None,
        responses={
            201: s.ReviewSerializer(many=True),
            409: OpenApiResponse(s.RefusedSerializer, description="a gate refuses the move"),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="joint-review",
        permission_classes=[permissions.IsAuthenticated],
    )
    def joint_review(self, request: Request, pk: str | None = None) -> Response:
        """Move the project into the joint review and request each required sign-off."""
        project = self._project_for("renewal.change_project")
        try:
            reviews = services.request_joint_review(project=project, by=request.user)
        except TransitionRefused as refused:
            raise TransitionConflict(refused) from refused
        return Response(s.ReviewSerializer(reviews, many=True).data, status=201)

    @extend_schema(
        summary="Adopt residents' demand entries (居民点单) as project items",
        request=AdoptDemandRequestSerializer,
        responses={
            201: AdoptedItemSerializer(many=True),
            409: OpenApiResponse(s.RefusedSerializer, description="an entry cannot be adopted"),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="adopt-demand",
        permission_classes=[permissions.IsAuthenticated],
    )
    def adopt_demand(self, request: Request, pk: str | None = None) -> Response:
        """Add an item for each demand entry of the project's compounds, linked to it; all or
        nothing, 409 lists every entry refused and why."""
        project = self._project_for("renewal.add_projectitem")
        body = AdoptDemandRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ids = body.validated_data["entries"]
        entries = list(
            scoped(DemandEntry.objects.select_related("ranking"), request.user).filter(pk__in=ids)
        )
        missing = sorted(set(ids) - {e.pk for e in entries})
        if missing:
            raise exceptions.ValidationError(
                {"entries": [f"点单需求不存在:{missing} (no such demand entries: {missing})"]}
            )
        try:
            rows = adopt_demand(project=project, entries=entries, by=request.user)
        except AdoptionRefused as refused:
            raise TransitionConflict(refused) from refused
        return Response(
            AdoptedItemSerializer(rows, many=True, context=self.get_serializer_context()).data,
            status=201,
        )

    @extend_schema(
        summary="The stages the project could move to, and why not (yet)",
        responses={200: s.OptionSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="next-stages", pagination_class=None)
    def next_stages(self, request: Request, pk: str | None = None) -> Response:
        """The next stage (and, before works, the return to design) with gate refusals."""
        project = self.get_object()
        options = gates.options(services.project_facts(project))
        return Response(s.OptionSerializer(options, many=True).data)


class ProjectItemViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Catalogue items in projects, with quantities, budgets (yuan) and outputs."""

    queryset = m.ProjectItem.objects.select_related("item", "project")
    serializer_class = s.ProjectItemSerializer
    filterset_class = _project_filter(m.ProjectItem, item=IntFilter(field_name="item"))
    ordering_fields = ("id", "budget", "quantity")

    def perform_destroy(self, instance: Any) -> None:
        services.remove_item(project_item=instance, by=self.request.user)


class FundingLineViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Funding lines of projects: planned, allocated, disbursed (yuan) per source."""

    queryset = m.FundingLine.objects.select_related("project")
    serializer_class = s.FundingLineSerializer
    filterset_class = _project_filter(m.FundingLine)
    ordering_fields = ("id", "source", "planned")


class StageRecordViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Planned and actual dates per stage; only the planned dates can be changed."""

    queryset = m.StageRecord.objects.all()
    serializer_class = s.StageRecordSerializer
    filterset_class = _project_filter(m.StageRecord)
    ordering_fields = ("id",)


class TransitionViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The log of stage changes: who, when, why."""

    queryset = m.Transition.objects.select_related("by")
    serializer_class = s.TransitionSerializer
    filterset_class = _project_filter(m.Transition)
    ordering_fields = ("id", "at")


class DecisionRecordViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Residents' decisions with their documents (a correction is a newer record)."""

    queryset = m.DecisionRecord.objects.all()
    serializer_class = s.DecisionRecordSerializer
    filterset_class = _project_filter(m.DecisionRecord)
    ordering_fields = ("id", "decided_on")


class AcceptanceRecordViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Joint acceptance records with the residents' satisfaction."""

    queryset = m.AcceptanceRecord.objects.all()
    serializer_class = s.AcceptanceRecordSerializer
    filterset_class = _project_filter(m.AcceptanceRecord)
    ordering_fields = ("id", "accepted_on")


class ReviewViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Joint-review sign-offs; a department (or the district office on its behalf) decides."""

    queryset = m.Review.objects.select_related("department")
    serializer_class = s.ReviewSerializer
    filterset_class = ReviewFilter
    search_fields = ("department__name", "project__name", "project__code")
    ordering_fields = ("id", "due_on", "round", "status")

    @extend_schema(
        summary="Approve or reject a sign-off",
        request=s.ReviewDecisionSerializer,
        responses={200: s.ReviewSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """Sign the review; a rejection (with comments) returns the project to design."""
        review = self.get_object()
        if not services.can_decide(request.user, review):
            raise exceptions.PermissionDenied()
        body = s.ReviewDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review = services.decide_review(review=review, by=request.user, **body.validated_data)
        return Response(s.ReviewSerializer(review).data)


# --- Indicators ----------------------------------------------------------------------------


def _int_param(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(
        required=False, error_messages=field_error_messages(serializers.IntegerField), **kwargs
    )


def _date_param(**kwargs: Any) -> serializers.DateField:
    return serializers.DateField(
        required=False, error_messages=field_error_messages(serializers.DateField), **kwargs
    )


class IndicatorQuerySerializer(serializers.Serializer):
    """The period (a programme year, or both dates; default: this year) and an optional
    narrowing to a zone, sub-district or community."""

    year = _int_param(min_value=2000, max_value=2100, help_text="Programme year (Jan 1–Dec 31).")
    period_start = _date_param(help_text="First day of the period (with period_end).")
    period_end = _date_param(help_text="Last day of the period, inclusive.")
    zone = _int_param(help_text="Zone id.")
    subdistrict = _int_param(help_text="Sub-district id.")
    community = _int_param(help_text="Community id.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("period_start"), attrs.get("period_end")
        if (start is None) != (end is None):
            raise serializers.ValidationError(
                "须同时给出 period_start 和 period_end (give both period_start and period_end)"
            )
        if start is not None and "year" in attrs:
            raise serializers.ValidationError(
                "year 与 period_start/period_end 只能二选一 "
                "(give either year or period_start and period_end)"
            )
        if start is None:
            year = attrs.pop("year", None) or timezone.localdate().year
            start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        if end is None or end < start:
            raise serializers.ValidationError(
                {"period_end": "结束日期早于开始日期 (period_end is before period_start)"}
            )
        attrs["period_start"], attrs["period_end"] = start, end
        return attrs


class OutputTotalSerializer(serializers.Serializer):
    """One output indicator's total."""

    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    unit_label = serializers.CharField()
    total = serializers.DecimalField(max_digits=16, decimal_places=2)


def _rate() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)


def _money() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=16, decimal_places=2)


class IndicatorsSerializer(serializers.Serializer):
    """The programme's indicators for the caller's scope and a period (see docs/renewal.md)."""

    period_start = serializers.DateField()
    period_end = serializers.DateField()
    projects_planned = serializers.IntegerField()
    compounds_planned = serializers.IntegerField()
    compounds_started = serializers.IntegerField()
    compounds_completed = serializers.IntegerField()
    start_rate = _rate()
    completion_rate = _rate()
    compounds_started_in_period = serializers.IntegerField()
    compounds_completed_in_period = serializers.IntegerField()
    households_benefited = serializers.IntegerField()
    people_benefited = serializers.IntegerField()
    planned_investment = _money()
    disbursed_investment = _money()
    investment_completion = _rate()
    outputs = OutputTotalSerializer(many=True)


class IndicatorViewSet(viewsets.ViewSet):
    """Programme indicators computed from the ledger, for the projects the caller may see."""

    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(
        summary="Programme indicators",
        parameters=[IndicatorQuerySerializer],
        responses={200: IndicatorsSerializer},
    )
    def list(self, request: Request) -> Response:
        """Compounds planned / started / completed, rates, households and people benefited,
        investment completion and every output indicator, for a period and scope."""
        query = IndicatorQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        figures = selectors.indicators_for(request.user, **query.validated_data)
        catalogue = {i.code: i for i in m.OutputIndicator.objects.all()}
        outputs = [
            {
                "code": code,
                "name": catalogue[code].name if code in catalogue else code,
                "unit": catalogue[code].unit if code in catalogue else "",
                "unit_label": catalogue[code].get_unit_display() if code in catalogue else "",
                "total": total,
            }
            for code, total in figures.outputs.items()
        ]
        data = {**vars(figures), "outputs": outputs}
        return Response(IndicatorsSerializer(data).data)


router.register("local-tags", LocalTagViewSet)
router.register("output-indicators", OutputIndicatorViewSet)
router.register("catalogue-items", CatalogueItemViewSet)
router.register("review-rules", ReviewRuleViewSet)
router.register("projects", ProjectViewSet)
router.register("project-items", ProjectItemViewSet)
router.register("funding-lines", FundingLineViewSet)
router.register("stage-records", StageRecordViewSet)
router.register("transitions", TransitionViewSet)
router.register("decision-records", DecisionRecordViewSet)
router.register("acceptance-records", AcceptanceRecordViewSet)
router.register("reviews", ReviewViewSet)
router.register("indicators", IndicatorViewSet, basename="indicators")

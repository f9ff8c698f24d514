"""REST API of after-care assets on ``linli.core.api.router``:

* ``/api/v1/assets/`` — list and detail (filters ``compound``, ``kind``, ``overdue``), create
  (→ ``register_asset``).
* ``/api/v1/asset-schedules/`` — schedules with ``overdue`` and ``days_overdue`` on today's date
  in Asia/Shanghai (filters ``asset``, ``kind``, ``overdue``); ``POST {id}/records/`` records a
  visit (→ ``record_visit``) and moves the next due date on.
* ``/api/v1/asset-records/`` — the visits recorded (filters ``schedule``, ``asset``, ``result``).

Rows are scoped (outside the caller's scope: 404). A refused write is a 400 with ``detail``,
``code``, ``zh`` and ``en``; a write without the permission over the compound is a 403.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from linli.aftercare import selectors as read
from linli.aftercare import serializers as s
from linli.aftercare import services
from linli.aftercare.models import Asset, Schedule, ScheduleRecord
from linli.core.api import BilingualFilterSet, IntFilter, router
from linli.core.errors import Invalid
from linli.core.scoping import scoped
from linli.registry.models import Organisation


class Refused(exceptions.APIException):
    """A service refused the write: 400, with the reason in both languages."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, exc: Invalid) -> None:
        super().__init__({"detail": exc.message, "code": exc.code, "zh": exc.zh, "en": exc.en})


def _today_context(view: viewsets.GenericViewSet) -> dict[str, Any]:
    # One date per request, so a list answered around midnight does not mix two days.
    today = getattr(view, "_today", None) or read.local_today()
    view._today = today  # type: ignore[attr-defined]
    return {"today": today}


class OverdueFilter(BilingualFilterSet):
    """``overdue=true``: rows with a schedule overdue today (Asia/Shanghai)."""

    overdue = django_filters.BooleanFilter(method="filter_overdue", label="overdue")

    def filter_overdue(self, queryset: QuerySet[Any], name: str, value: bool) -> Any:
        today = read.local_today()
        if queryset.model is Asset:
            return read.with_overdue(queryset, today, value)
        return read.schedules_overdue(queryset, today, value)


class AssetFilter(OverdueFilter):
    """Assets by compound, kind, or with an overdue schedule."""

    compound = IntFilter(field_name="compound")

    class Meta:
        model = Asset
        fields = ("compound", "kind", "overdue", "active")


class AssetViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Assets of the compounds the caller sees, with their schedules and the overdue flag."""

    queryset = read.assets_queryset()
    serializer_class = s.AssetSerializer
    permission_classes = (permissions.IsAuthenticated,)
    filterset_class = AssetFilter
    search_fields = ("name", "location", "responsible_unit")
    ordering_fields = ("id", "name", "kind", "compound")

    def get_queryset(self) -> QuerySet[Asset]:
        return scoped(self.queryset.all(), self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), **_today_context(self)}

    @extend_schema(
        summary="Register an asset of a compound (使用单位 required)",
        request=s.AssetCreateSerializer,
        responses={
            201: s.AssetSerializer,
            400: OpenApiResponse(
                s.AssetRefusalSerializer, description="A field is wrong, or refused"
            ),
            403: OpenApiResponse(description="No aftercare.add_asset over the compound"),
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A new asset through ``register_asset``; add its schedules on the pages or admin."""
        user = request.user
        if not user.has_perm("aftercare.add_asset"):
            raise exceptions.PermissionDenied()
        body = s.AssetCreateSerializer(
            data=request.data,
            context=self.get_serializer_context(),
            compounds=read.compounds_for(user, "aftercare.add_asset"),
            organisations=scoped(Organisation, user),
        )
        body.is_valid(raise_exception=True)
        try:
            asset = services.register_asset(by=user, **body.validated_data)
        except Invalid as exc:
            raise Refused(exc) from exc
        data = s.AssetSerializer(
            self.get_queryset().get(pk=asset.pk), context=self.get_serializer_context()
        ).data
        return Response(data, status=status.HTTP_201_CREATED)


class ScheduleFilter(OverdueFilter):
    """Schedules by asset, kind, or overdue today."""

    asset = IntFilter(field_name="asset")

    class Meta:
        model = Schedule
        fields = ("asset", "kind", "overdue", "active")


class ScheduleViewSet(viewsets.ReadOnlyModelViewSet):
    """Preventive schedules of the assets the caller sees, most urgent first."""

    queryset = Schedule.objects.select_related("asset")
    serializer_class = s.ScheduleSerializer
    permission_classes = (permissions.IsAuthenticated,)
    filterset_class = ScheduleFilter
    ordering_fields = ("id", "next_due_on")

    def get_queryset(self) -> QuerySet[Schedule]:
        return scoped(self.queryset.all(), self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), **_today_context(self)}

    @extend_schema(
        summary="Record a maintenance visit or inspection (the next due date moves on)",
        request=s.RecordCreateSerializer,
        responses={
            201: s.RecordSerializer,
            400: OpenApiResponse(
                s.AssetRefusalSerializer, description="A field is wrong, or refused"
            ),
            403: OpenApiResponse(description="No aftercare.add_schedulerecord over the compound"),
            404: OpenApiResponse(description="The schedule is outside the caller's scope"),
        },
    )
    @action(detail=True, methods=["post"], filterset_class=None, pagination_class=None)
    def records(self, request: Request, pk: str | None = None) -> Response:
        """A visit done on ``done_on`` (not in the future); an older visit recorded late does
        not move the next due date back."""
        schedule = self.get_object()
        body = s.RecordCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            record = services.record_visit(
                by=request.user, schedule=schedule, today=read.local_today(), **body.validated_data
            )
        except Invalid as exc:
            raise Refused(exc) from exc
        record = ScheduleRecord.objects.select_related("schedule").get(pk=record.pk)
        return Response(s.RecordSerializer(record).data, status=status.HTTP_201_CREATED)


class RecordFilter(BilingualFilterSet):
    """Records by schedule, asset or result."""

    schedule = IntFilter(field_name="schedule")
    asset = IntFilter(field_name="schedule__asset")

    class Meta:
        model = ScheduleRecord
        fields = ("schedule", "asset", "result")


class RecordViewSet(viewsets.ReadOnlyModelViewSet):
    """Maintenance visits and inspections recorded on the assets the caller sees."""

    queryset = ScheduleRecord.objects.select_related("schedule")
    serializer_class = s.RecordSerializer
    permission_classes = (permissions.IsAuthenticated,)
    filterset_class = RecordFilter
    ordering_fields = ("id", "done_on")

    def get_queryset(self) -> QuerySet[ScheduleRecord]:
        return scoped(self.queryset.all(), self.request.user)


router.register("assets", AssetViewSet)
router.register("asset-schedules", ScheduleViewSet)
router.register("asset-records", RecordViewSet)

"""REST API of supervision (督办): ``/api/v1/supervision-items/`` (read; filters ``project``,
``status``, ``level``, ``kind``, ``mine``, ``zone``, ``light``; action ``resolve``). Items are
opened, escalated and closed by the periodic check; a person closes one with ``resolve`` once
its milestone is no longer overdue (services/supervision.py)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from linli.core.api import BilingualFilterSet, IntFilter, field_error_messages, router
from linli.renewal import models as m
from linli.renewal import supervision_selectors as sel
from linli.renewal.api import ScopedViewSetMixin
from linli.renewal.services import supervision as service
from linli.renewal.supervision import Light


class SupervisionItemSerializer(serializers.ModelSerializer):
    """One supervision item, with its project and how late it is."""

    project_code = serializers.CharField(source="project.code", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True)
    project_light = serializers.CharField(source="project.light", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    assignee_name = serializers.SerializerMethodField()
    days_late = serializers.SerializerMethodField()

    class Meta:
        model = m.SupervisionItem
        fields = (
            "id",
            "project",
            "project_code",
            "project_name",
            "project_light",
            "kind",
            "kind_label",
            "key",
            "stage",
            "stage_label",
            "description",
            "due_on",
            "opened_on",
            "days_late",
            "level",
            "level_label",
            "assignee",
            "assignee_name",
            "status",
            "status_label",
            "resolved_on",
            "resolution",
            "resolved_by",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def get_assignee_name(self, item: m.SupervisionItem) -> str:
        user = item.assignee
        return "" if user is None else (user.get_full_name() or user.get_username())

    def get_days_late(self, item: m.SupervisionItem) -> int:
        return sel.days_late(item)


class ResolveSerializer(serializers.Serializer):
    """How the item was handled (办结情况)."""

    resolution = serializers.CharField(
        max_length=2000, error_messages=field_error_messages(serializers.CharField)
    )


class SupervisionItemFilter(BilingualFilterSet):
    """Items by project, status, level, kind, zone, the project's light, or mine."""

    project = IntFilter(field_name="project")
    zone = IntFilter(field_name="project__zone")
    light = django_filters.ChoiceFilter(field_name="project__light", choices=Light.choices)
    mine = django_filters.BooleanFilter(method="by_mine")

    class Meta:
        model = m.SupervisionItem
        fields = ("project", "status", "level", "kind", "zone", "light", "mine")

    def by_mine(self, queryset: QuerySet[Any], name: str, value: bool) -> QuerySet[Any]:
        mine = sel.mine_q(self.request.user)  # type: ignore[union-attr]
        return queryset.filter(mine) if value else queryset.exclude(mine)


class SupervisionItemViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Supervision items (督办事项) of the projects the caller sees."""

    queryset = m.SupervisionItem.objects.select_related("project", "assignee")
    serializer_class = SupervisionItemSerializer
    filterset_class = SupervisionItemFilter
    search_fields = ("description", "project__name", "project__code")
    ordering_fields = ("id", "due_on", "opened_on", "level", "status")

    @extend_schema(
        summary="Close the item (办结) once its milestone is no longer overdue",
        request=ResolveSerializer,
        responses={200: SupervisionItemSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        """The assignee or the district office closes the item with how it was handled;
        400 while the milestone is still overdue."""
        item = self.get_object()
        if not service.can_resolve(request.user, item):
            raise exceptions.PermissionDenied()
        body = ResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = service.resolve_item(
            item=item, resolution=body.validated_data["resolution"], by=request.user
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)


router.register("supervision-items", SupervisionItemViewSet)

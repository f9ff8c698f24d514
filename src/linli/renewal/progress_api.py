"""REST API of progress during works:

* ``/api/v1/progress-reports/`` — list, retrieve, create with nested ``lines`` (``project_item``,
  ``percent``, ``note``); filter ``project``. Items not in ``lines`` keep their percentage.
* ``/api/v1/progress-photos/`` — multipart create on a report (``report``, ``image``,
  ``caption``); reads return the EXIF ``taken_at``, ``latitude``, ``longitude`` (WGS-84), whether
  the point lies outside Xigong, and a ``download_url`` (``progress-photos/{id}/download/``, by
  scope: media files are not public).
* ``/api/v1/progress-problems/`` — create, list (filters ``project``, ``open``), action
  ``resolve`` with ``{"resolution", "resolved_on"}``.

Writes go through ``renewal/services/progress.py``; lists cost a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from linli.core.api import BilingualFilterSet, IntFilter, field_error_messages, router
from linli.core.scoping import scoped
from linli.renewal import models as m
from linli.renewal import services
from linli.renewal.api import ScopedViewSetMixin
from linli.renewal.exif import in_xigong
from linli.renewal.services.supervision import refresh_light


def _user(serializer: serializers.Serializer) -> Any:
    request = serializer.context.get("request")
    return getattr(request, "user", None)


def _limit(field: serializers.Field, queryset: QuerySet[Any]) -> None:
    field.queryset = queryset  # type: ignore[attr-defined]


def _errors(field_class: type[serializers.Field]) -> dict[str, Any]:
    return {"error_messages": field_error_messages(field_class)}


# --- Serializers -----------------------------------------------------------------------------


class ProgressLineSerializer(serializers.ModelSerializer):
    """One item's percentage in a report."""

    item_name = serializers.CharField(source="project_item.item.name", read_only=True)

    class Meta:
        model = m.ProgressLine
        fields = ("project_item", "item_name", "percent", "note")
        extra_kwargs = {
            "project_item": _errors(serializers.PrimaryKeyRelatedField),
            "percent": _errors(serializers.DecimalField),
            "note": _errors(serializers.CharField),
        }


class ProgressPhotoSerializer(serializers.ModelSerializer):
    """A site photo: upload the image; its EXIF time and GPS point are read from the file."""

    outside_xigong = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    image = serializers.ImageField(write_only=True, **_errors(serializers.ImageField))

    class Meta:
        model = m.ProgressPhoto
        fields = (
            "id",
            "report",
            "image",
            "caption",
            "taken_at",
            "latitude",
            "longitude",
            "outside_xigong",
            "download_url",
            "uploaded_by",
            "created_at",
        )
        read_only_fields = ("taken_at", "latitude", "longitude", "uploaded_by", "created_at")
        extra_kwargs = {
            "report": _errors(serializers.PrimaryKeyRelatedField),
            "caption": _errors(serializers.CharField),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None and "report" in self.fields:
            _limit(
                self.fields["report"], scoped(m.ProgressReport, user, "renewal.add_progressphoto")
            )

    def get_outside_xigong(self, photo: m.ProgressPhoto) -> bool | None:
        inside = in_xigong(photo.latitude, photo.longitude)
        return None if inside is None else not inside

    def get_download_url(self, photo: m.ProgressPhoto) -> str:
        url = reverse("progressphoto-download", args=[photo.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    def create(self, validated_data: dict[str, Any]) -> m.ProgressPhoto:
        return services.add_progress_photo(by=_user(self), **validated_data)


class ProgressReportSerializer(serializers.ModelSerializer):
    """A dated report with a percentage per item (``lines``) and, read-only, its photos."""

    lines = ProgressLineSerializer(many=True)
    photos = ProgressPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = m.ProgressReport
        fields = (
            "id",
            "project",
            "reported_on",
            "summary",
            "reported_by",
            "lines",
            "photos",
            "created_at",
        )
        read_only_fields = ("reported_by", "created_at")
        extra_kwargs = {
            "project": _errors(serializers.PrimaryKeyRelatedField),
            "reported_on": _errors(serializers.DateField),
            "summary": _errors(serializers.CharField),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None and "project" in self.fields:
            _limit(self.fields["project"], scoped(m.Project, user, "renewal.add_progressreport"))
            child = self.fields["lines"].child  # type: ignore[attr-defined]
            _limit(child.fields["project_item"], scoped(m.ProjectItem, user))

    def validate_lines(self, lines: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        seen: set[int] = set()
        for line in lines:
            pk = line["project_item"].pk
            if pk in seen:
                raise serializers.ValidationError(
                    f"改造内容 #{pk} 重复填报 (item #{pk} appears twice)"
                )
            seen.add(pk)
        return lines

    def create(self, validated_data: dict[str, Any]) -> m.ProgressReport:
        lines = validated_data.pop("lines")
        percents: dict[int, Decimal] = {}
        notes: dict[int, str] = {}
        for line in lines:
            pk = line["project_item"].pk
            percents[pk] = line["percent"]
            notes[pk] = line.get("note", "")
        project = validated_data["project"]
        report = services.record_progress_report(
            project=project,
            reported_on=validated_data["reported_on"],
            summary=validated_data.get("summary", ""),
            percents=percents,
            notes=notes,
            by=_user(self),
        )
        refresh_light(project=project)
        return report


class ProgressProblemSerializer(serializers.ModelSerializer):
    """A problem found on site; resolved with the ``resolve`` action."""

    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = m.ProgressProblem
        fields = (
            "id",
            "project",
            "report",
            "description",
            "raised_on",
            "raised_by",
            "is_open",
            "resolved_on",
            "resolution",
            "resolved_by",
            "created_at",
            "updated_at",
        )
        read_only_fields = (
            "raised_by",
            "resolved_on",
            "resolution",
            "resolved_by",
            "created_at",
            "updated_at",
        )
        extra_kwargs = {
            "project": _errors(serializers.PrimaryKeyRelatedField),
            "report": _errors(serializers.PrimaryKeyRelatedField),
            "description": _errors(serializers.CharField),
            "raised_on": _errors(serializers.DateField),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None and "project" in self.fields:
            _limit(self.fields["project"], scoped(m.Project, user, "renewal.add_progressproblem"))
            _limit(self.fields["report"], scoped(m.ProgressReport, user))

    def create(self, validated_data: dict[str, Any]) -> m.ProgressProblem:
        problem = services.raise_problem(by=_user(self), **validated_data)
        refresh_light(project=problem.project)
        return problem


class ResolveProblemSerializer(serializers.Serializer):
    """How and when the problem was resolved."""

    resolution = serializers.CharField(
        max_length=5000, error_messages=field_error_messages(serializers.CharField)
    )
    resolved_on = serializers.DateField(error_messages=field_error_messages(serializers.DateField))


# --- Filters ---------------------------------------------------------------------------------


class ProgressReportFilter(BilingualFilterSet):
    """Reports by project."""

    project = IntFilter(field_name="project")

    class Meta:
        model = m.ProgressReport
        fields = ("project",)


class ProgressPhotoFilter(BilingualFilterSet):
    """Photos by report or project."""

    report = IntFilter(field_name="report")
    project = IntFilter(field_name="report__project")

    class Meta:
        model = m.ProgressPhoto
        fields = ("report", "project")


class ProgressProblemFilter(BilingualFilterSet):
    """Problems by project, or open (unresolved) only."""

    project = IntFilter(field_name="project")
    open = django_filters.BooleanFilter(field_name="resolved_on", lookup_expr="isnull")

    class Meta:
        model = m.ProgressProblem
        fields = ("project", "open")


# --- Viewsets --------------------------------------------------------------------------------


class ProgressReportViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Dated progress reports with a percentage per item (the project's progress derives
    from them); a correction is a newer report."""

    queryset = m.ProgressReport.objects.prefetch_related(
        Prefetch("lines", queryset=m.ProgressLine.objects.select_related("project_item__item")),
        "photos",
    )
    serializer_class = ProgressReportSerializer
    filterset_class = ProgressReportFilter
    ordering_fields = ("id", "reported_on")


class ProgressPhotoViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Site photos of progress reports (multipart upload; EXIF time and place kept)."""

    queryset = m.ProgressPhoto.objects.all()
    serializer_class = ProgressPhotoSerializer
    filterset_class = ProgressPhotoFilter
    ordering_fields = ("id", "taken_at")

    @extend_schema(
        summary="The photo file (for whoever sees its project)",
        responses={(200, "image/*"): bytes},
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        """The image itself; media files are not public, so it is served here, by scope."""
        photo = self.get_object()
        try:
            handle = photo.image.open("rb")
        except (FileNotFoundError, ValueError) as exc:
            raise exceptions.NotFound() from exc
        return FileResponse(handle, filename=Path(photo.image.name or "photo").name)


class ProgressProblemViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Problems raised on site and their resolution."""

    queryset = m.ProgressProblem.objects.all()
    serializer_class = ProgressProblemSerializer
    filterset_class = ProgressProblemFilter
    search_fields = ("description", "resolution")
    ordering_fields = ("id", "raised_on", "resolved_on")

    @extend_schema(
        summary="Resolve a problem (销号) with how and when",
        request=ResolveProblemSerializer,
        responses={200: ProgressProblemSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        """Record the resolution; 403 without ``renewal.change_progressproblem`` in scope."""
        problem = self.get_object()
        allowed = scoped(m.ProgressProblem, request.user, "renewal.change_progressproblem")
        if not allowed.filter(pk=problem.pk).exists():
            raise exceptions.PermissionDenied()
        body = ResolveProblemSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        problem = services.resolve_problem(problem=problem, by=request.user, **body.validated_data)
        refresh_light(project=problem.project)
        return Response(self.get_serializer(self.get_queryset().get(pk=problem.pk)).data)


router.register("progress-reports", ProgressReportViewSet)
router.register("progress-photos", ProgressPhotoViewSet)
router.register("progress-problems", ProgressProblemViewSet)

"""REST API of visits, coverage, demand rankings and meetings:

* ``/api/v1/visits/`` — list (filters ``survey``, ``dwelling``, ``outcome``), retrieve, create;
  ``/api/v1/visits/to-visit/?survey=<id>[&compound=<id>]`` — the worker's list;
* ``/api/v1/coverage/?survey=<id>`` — the survey's coverage (入户率), an aggregate over the
  compounds the caller holds as staff;
* ``/api/v1/demand-rankings/`` — list (filter ``compound``), retrieve with entries, create
  (``compound``, optional ``surveys``) = compute now;
* ``/api/v1/meetings/`` — list (filters ``compound``, ``kind``), retrieve with attendances and
  attachments, create, PATCH; ``POST /api/v1/meetings/{id}/attachments/`` (multipart).

The serializers live in ``visit_serializers.py``. Writes go through ``consultation/services``;
a broken rule answers 400 with the reason in Chinese and English, a missing permission 403, an
object outside the scope 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import Count, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from linli.consultation import models as m
from linli.consultation import visit_selectors as sel
from linli.consultation.services import meetings as meeting_service
from linli.consultation.visit_serializers import (
    AttachmentSerializer,
    CoverageQuery,
    CoverageSerializer,
    DemandRankingDetailSerializer,
    DemandRankingSerializer,
    MeetingDetailSerializer,
    MeetingSerializer,
    ToVisitQuery,
    ToVisitSerializer,
    VisitSerializer,
    refused,
)
from linli.core.api import AtomicWritesMixin, BilingualFilterSet, IntFilter, router
from linli.core.errors import Invalid
from linli.core.scoping import get_scoped_or_404, scoped

if TYPE_CHECKING:
    from rest_framework.permissions import _PermissionClass


class ScopedViewSet(AtomicWritesMixin):
    """Scoped querysets; writes need the model permission from the role (the services check
    the object's scope and answer 403 outside it)."""

    permission_classes: Sequence[_PermissionClass] = (permissions.DjangoModelPermissions,)
    queryset: QuerySet[Any]

    def get_queryset(self) -> QuerySet[Any]:
        return scoped(self.queryset.all(), self.request.user)  # type: ignore[attr-defined]


# --- Visits ------------------------------------------------------------------------------------


class VisitFilter(BilingualFilterSet):
    """Visits by survey, dwelling, compound or outcome."""

    survey = IntFilter(field_name="survey")
    dwelling = IntFilter(field_name="dwelling")
    compound = IntFilter(field_name="dwelling__stairwell__building__compound")

    class Meta:
        model = m.Visit
        fields = ("survey", "dwelling", "compound", "outcome")


def _visible_survey(user: Any, pk: int) -> m.Survey:
    return get_scoped_or_404(m.Survey, user, pk=pk)


class VisitViewSet(
    ScopedViewSet,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Visits (入户走访) in the compounds the caller holds as staff."""

    queryset = m.Visit.objects.select_related("dwelling__stairwell__building", "visitor")
    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    ordering_fields = ("id", "visited_at")

    @extend_schema(
        summary="Dwellings still to visit for a survey",
        parameters=[ToVisitQuery],
        responses={200: ToVisitSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], url_path="to-visit", filterset_class=None)
    def to_visit(self, request: Request) -> Response:
        """Dwellings of the survey's compounds not reached, not vacant and not declined, in
        building, stairwell, floor and number order."""
        query = ToVisitQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        survey = _visible_survey(request.user, query.validated_data["survey"])
        rows = sel.dwellings_to_visit(
            survey, request.user, compound=query.validated_data.get("compound")
        )
        return Response(ToVisitSerializer(rows, many=True).data)


# --- Coverage ----------------------------------------------------------------------------------


class CoverageViewSet(viewsets.ViewSet):
    """Visit coverage (入户率) of a survey, over the compounds the caller holds as staff."""

    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(
        summary="Visit coverage of a survey",
        parameters=[CoverageQuery],
        responses={200: CoverageSerializer},
    )
    def list(self, request: Request) -> Response:
        """Reached / (dwellings − vacant) per compound, community and zone and in total,
        against the survey's target (see docs/consultation/visits-demand-meetings.md)."""
        query = CoverageQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        survey = _visible_survey(request.user, query.validated_data["survey"])
        report = sel.coverage(survey, request.user)
        return Response({"survey": survey.pk, **report.as_dict()})


# --- Demand rankings ---------------------------------------------------------------------------


class DemandRankingFilter(BilingualFilterSet):
    compound = IntFilter(field_name="compound")

    class Meta:
        model = m.DemandRanking
        fields = ("compound",)


class DemandRankingViewSet(
    ScopedViewSet,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Demand rankings (居民点单); POST computes a new one from the survey answers."""

    queryset = (
        m.DemandRanking.objects.select_related("compound")
        .prefetch_related("surveys")
        .annotate(entry_count=Count("entries"))
    )
    serializer_class = DemandRankingSerializer
    filterset_class = DemandRankingFilter
    ordering_fields = ("id", "computed_at")

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("entries")
        return queryset

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action in ("retrieve", "create"):
            return DemandRankingDetailSerializer
        return DemandRankingSerializer

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        super().perform_create(serializer)
        serializer.instance = (
            self.get_queryset().prefetch_related("entries").get(pk=serializer.instance.pk)  # type: ignore[union-attr]
        )


# --- Meetings ----------------------------------------------------------------------------------


class MeetingFilter(BilingualFilterSet):
    compound = IntFilter(field_name="compound")

    class Meta:
        model = m.Meeting
        fields = ("compound", "kind")


class MeetingViewSet(
    ScopedViewSet,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Meetings (板凳会, 邻里会, 业主大会 ...) of the compounds the caller sees."""

    queryset = m.Meeting.objects.select_related("compound")
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    search_fields = ("title", "place")
    ordering_fields = ("id", "held_at")
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "list":
            return MeetingSerializer
        if self.action == "attachments":
            return AttachmentSerializer
        return MeetingDetailSerializer

    @extend_schema(
        summary="Attach a file to the meeting",
        request={"multipart/form-data": AttachmentSerializer},
        responses={201: AttachmentSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[MultiPartParser, FormParser],
        permission_classes=[permissions.IsAuthenticated],
    )
    def attachments(self, request: Request, pk: str | None = None) -> Response:
        """Upload a sign-in sheet, photo or the signed minutes (``title``, ``file``)."""
        meeting = self.get_object()
        body = AttachmentSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        try:
            attachment = meeting_service.add_attachment(
                meeting=meeting,
                by=request.user,
                title=body.validated_data.get("title", ""),
                file=body.validated_data["file"],
            )
        except Invalid as exc:
            raise refused(exc) from exc
        data = AttachmentSerializer(attachment, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)


router.register("visits", VisitViewSet)
router.register("coverage", CoverageViewSet, basename="coverage")
router.register("demand-rankings", DemandRankingViewSet)
router.register("meetings", MeetingViewSet)

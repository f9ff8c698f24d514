"""REST API of surveys on ``linli.core.api.router``.

- ``/api/v1/surveys/``: list, detail (current version's questions with options), create
  (draft with version 1), actions ``publish``, ``new-version``, ``close`` and ``export``
  (``?format=csv|xlsx``);
- ``/api/v1/survey-questions/``: the questions visible to the caller (filters ``survey``,
  ``version``); create, change, delete and ``move`` on a draft version;
- ``/api/v1/survey-responses/``: responses visible to the caller (filter ``survey``); create
  (or replace) one household's answers.

Every queryset is scoped (outside the scope: 404); every write is a service call, which checks
the permission over the object (403) and the rules (400 for a bad value, 409 for a refusal by
state, e.g. editing a published version), with the reason in Chinese and English. The
serializers live in ``survey_serializers.py``; this module holds the viewsets, their filters,
the export renderers and the mapping of service refusals to API errors.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import exceptions, mixins, permissions, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from linli.consultation import models as m
from linli.consultation import survey_export
from linli.consultation.answers import AnswersInvalid
from linli.consultation.services import surveys as service
from linli.consultation.survey_serializers import (
    SurveyCreateSerializer,
    SurveyDetailSerializer,
    SurveyQuestionMoveSerializer,
    SurveyQuestionSerializer,
    SurveyQuestionUpdateSerializer,
    SurveyQuestionWriteSerializer,
    SurveyResponseSerializer,
    SurveyResponseWriteSerializer,
    SurveySerializer,
    SurveyVersionNoteSerializer,
)
from linli.core.api import BilingualFilterSet, IntFilter, router
from linli.core.errors import Invalid
from linli.core.scoping import scoped
from linli.registry.models import Compound

#: Refusals by state (409); any other broken rule is a bad request (400).
CONFLICT_CODES = frozenset(
    {
        "published",
        "closed",
        "not_open",
        "no_draft",
        "draft_exists",
        "no_published",
        "has_dependants",
        "empty",
    }
)


class SurveyRefused(exceptions.APIException):
    """409 (or 400): a survey rule refused the write; ``detail`` says why in both languages."""

    status_code: int = status.HTTP_409_CONFLICT
    default_code = "refused"

    def __init__(self, exc: Invalid) -> None:
        if exc.code not in CONFLICT_CODES:
            self.status_code = status.HTTP_400_BAD_REQUEST
        super().__init__({"detail": exc.message, "code": exc.code})


def refused(exc: Invalid) -> exceptions.APIException:
    """The API error for a service refusal (answers: 400 keyed by question id)."""
    if isinstance(exc, AnswersInvalid):
        return exceptions.ValidationError(
            {
                "answers": {
                    str(k) if k is not None else "unknown": v for k, v in exc.by_question().items()
                },
                "detail": exc.message,
            }
        )
    return SurveyRefused(exc)


def forbidden(exc: PermissionDenied) -> exceptions.PermissionDenied:
    return exceptions.PermissionDenied(str(exc) or None)


@contextmanager
def refusals() -> Iterator[None]:
    """Turn the refusals of the service called inside into API errors: a broken rule as
    :func:`refused` (400 or 409), a missing permission as 403."""
    try:
        yield
    except Invalid as exc:
        raise refused(exc) from exc
    except PermissionDenied as exc:
        raise forbidden(exc) from exc


# --- Filters ---------------------------------------------------------------------------------


class SurveyQuestionFilter(BilingualFilterSet):
    """Questions by survey or version."""

    survey = IntFilter(field_name="version__survey")
    version = IntFilter(field_name="version")

    class Meta:
        model = m.Question
        fields = ("survey", "version")


class SurveyResponseFilter(BilingualFilterSet):
    """Responses by survey or dwelling."""

    survey = IntFilter(field_name="survey")
    dwelling = IntFilter(field_name="dwelling")

    class Meta:
        model = m.Response
        fields = ("survey", "dwelling")


class SurveyFilter(BilingualFilterSet):
    """Surveys by status or compound."""

    compound = IntFilter(method="by_compound")

    class Meta:
        model = m.Survey
        fields = ("status", "compound")

    def by_compound(self, queryset: QuerySet[Any], name: str, value: int) -> QuerySet[Any]:
        return queryset.filter(pk__in=m.Survey.objects.filter(compounds=value).values("pk"))


# --- Export renderers ------------------------------------------------------------------------


class _FileRenderer(renderers.BaseRenderer):
    """Lets ``?format=csv|xlsx`` through content negotiation; errors still render as JSON."""

    charset = None

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if isinstance(data, bytes):
            return data
        return json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")


class CSVRenderer(_FileRenderer):
    media_type = "text/csv"
    format = "csv"


class XLSXRenderer(_FileRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"


# --- Viewsets --------------------------------------------------------------------------------


class SurveyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Surveys (问卷调查) of the caller's jurisdiction (residents: the published ones of their
    compound)."""

    queryset = m.Survey.objects.all()
    permission_classes = (permissions.IsAuthenticated,)
    serializer_class = SurveySerializer
    filterset_class = SurveyFilter
    search_fields = ("title",)
    ordering_fields = ("id", "created_at", "title", "status")

    def get_queryset(self) -> QuerySet[Any]:
        queryset = scoped(m.Survey, self.request.user).prefetch_related(
            Prefetch("compounds", queryset=Compound.objects.only("pk"))
        )
        if self.action != "list":
            queryset = queryset.prefetch_related("versions")
        return queryset

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "create":
            return SurveyCreateSerializer
        if self.action == "list":
            return SurveySerializer
        return SurveyDetailSerializer

    def _detail(self, survey: m.Survey, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().prefetch_related("versions").get(pk=survey.pk)
        return Response(
            SurveyDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(request=SurveyCreateSerializer, responses={201: SurveyDetailSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Create a draft survey over compounds in the caller's jurisdiction (with version 1)."""
        body = SurveyCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        with refusals():
            survey = service.create_survey(
                by=request.user,
                title=data["title"],
                compounds=data["compounds"],
                description=data.get("description", ""),
                opens_on=data.get("opens_on"),
                closes_on=data.get("closes_on"),
                coverage_target=data.get("coverage_target"),
            )
        return self._detail(survey, status.HTTP_201_CREATED)

    def _run(self, fn: Any, **kwargs: Any) -> Response:
        survey = self.get_object()
        with refusals():
            fn(survey=survey, by=self.request.user, **kwargs)
        return self._detail(survey)

    @extend_schema(
        summary="Publish the draft version; the survey opens",
        request=None,
        responses={200: SurveyDetailSerializer, 409: OpenApiResponse(description="refused")},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        """Publish the draft version (needs a question and valid conditions)."""
        return self._run(service.publish_version)

    @extend_schema(
        summary="Start a new draft version copying the current one",
        request=SurveyVersionNoteSerializer,
        responses={200: SurveyDetailSerializer, 409: OpenApiResponse(description="refused")},
    )
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request: Request, pk: str | None = None) -> Response:
        """A draft copy of the current version (one draft at a time)."""
        body = SurveyVersionNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._run(service.new_version, note=body.validated_data["note"])

    @extend_schema(
        summary="Close the survey",
        request=None,
        responses={200: SurveyDetailSerializer, 409: OpenApiResponse(description="refused")},
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """End an open survey: no more responses."""
        return self._run(service.close_survey)

    @extend_schema(
        summary="Export the responses (CSV or Excel)",
        parameters=[
            OpenApiParameter(
                "format", str, enum=["csv", "xlsx"], description="csv (default) or xlsx"
            )
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, XLSXRenderer.media_type): OpenApiTypes.BINARY,
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[CSVRenderer, XLSXRenderer])
    def export(self, request: Request, pk: str | None = None) -> HttpResponse:
        """One row per visible response; one column per question (matrix: per row)."""
        survey = self.get_object()
        return export_response(survey, request.user, request.query_params.get("format", "csv"))


def export_response(survey: m.Survey, user: Any, kind: str) -> HttpResponse:
    """The export file as a download (shared by the API and the survey page)."""
    if kind == "xlsx":
        body, media, ext = survey_export.to_xlsx(survey, user), XLSXRenderer.media_type, "xlsx"
    else:
        body, media, ext = survey_export.to_csv(survey, user), "text/csv; charset=utf-8", "csv"
    response = HttpResponse(body, content_type=media)
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}.{ext}"'
    return response


class SurveyQuestionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Survey questions; writes only on a draft version (a published one answers 409)."""

    queryset = m.Question.objects.all()
    permission_classes = (permissions.IsAuthenticated,)
    serializer_class = SurveyQuestionSerializer
    filterset_class = SurveyQuestionFilter
    ordering_fields = ("id", "position")
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Any]:
        return (
            scoped(m.Question, self.request.user)
            .select_related("version")
            .prefetch_related("options")
            .order_by("version", "position")
        )

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "create":
            return SurveyQuestionWriteSerializer
        if self.action == "partial_update":
            return SurveyQuestionUpdateSerializer
        return SurveyQuestionSerializer

    def _read(self, question: m.Question, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            SurveyQuestionSerializer(self.get_queryset().get(pk=question.pk)).data, status=code
        )

    @staticmethod
    def _args(data: dict[str, Any]) -> dict[str, Any]:
        args = dict(data)
        if "options" in args:
            args["options"] = [(o["value"], o["label"], o["menu_code"]) for o in args["options"]]
        return args

    @extend_schema(request=SurveyQuestionWriteSerializer, responses={201: SurveyQuestionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Add a question at the end of a draft version."""
        body = SurveyQuestionWriteSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        with refusals():
            question = service.add_question(by=request.user, **self._args(body.validated_data))
        return self._read(question, status.HTTP_201_CREATED)

    @extend_schema(
        request=SurveyQuestionUpdateSerializer, responses={200: SurveyQuestionSerializer}
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change a question of a draft version."""
        question = self.get_object()
        body = SurveyQuestionUpdateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        with refusals():
            question = service.update_question(
                question=question, by=request.user, **self._args(body.validated_data)
            )
        return self._read(question)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not kwargs.get("partial"):
            raise exceptions.MethodNotAllowed(request.method or "PUT")
        return self.partial_update(request, *args, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Delete a question of a draft version."""
        question = self.get_object()
        with refusals():
            service.delete_question(question=question, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Move the question to a position of its draft version",
        request=SurveyQuestionMoveSerializer,
        responses={200: SurveyQuestionSerializer},
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Reorder: the question goes to ``position`` (conditions must stay after their
        question)."""
        question = self.get_object()
        body = SurveyQuestionMoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with refusals():
            question = service.move_question(
                question=question, by=request.user, position=body.validated_data["position"]
            )
        return self._read(question)


class SurveyResponseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Survey responses (答卷): staff see their compounds', a resident their own household's."""

    queryset = m.Response.objects.all()
    permission_classes = (permissions.IsAuthenticated,)
    serializer_class = SurveyResponseSerializer
    filterset_class = SurveyResponseFilter
    ordering_fields = ("id", "submitted_at")

    def get_queryset(self) -> QuerySet[Any]:
        return (
            scoped(m.Response, self.request.user)
            .select_related("version", "dwelling__stairwell__building__compound")
            .prefetch_related("answers")
            .order_by("pk")
        )

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return (
            SurveyResponseWriteSerializer if self.action == "create" else SurveyResponseSerializer
        )

    @extend_schema(
        request=SurveyResponseWriteSerializer,
        responses={
            201: SurveyResponseSerializer,
            200: SurveyResponseSerializer,
            400: OpenApiResponse(description="answers break the questionnaire's rules"),
            409: OpenApiResponse(description="survey not open"),
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Answer a survey for a dwelling (201), or replace its answers (200)."""
        body = SurveyResponseWriteSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        data = body.validated_data
        existed = m.Response.objects.filter(
            survey=data["survey"], dwelling=data["dwelling"]
        ).exists()
        with refusals():
            response = service.submit_response(
                survey=data["survey"],
                dwelling=data["dwelling"],
                answers=data["answers"],
                by=request.user,
                channel=data["channel"],
                respondent_name=data.get("respondent_name", ""),
            )
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(
            SurveyResponseSerializer(self.get_queryset().get(pk=response.pk)).data, status=code
        )


router.register("surveys", SurveyViewSet)
router.register("survey-questions", SurveyQuestionViewSet)
router.register("survey-responses", SurveyResponseViewSet)

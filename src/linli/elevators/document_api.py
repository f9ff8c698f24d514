"""REST API of the generated elevator documents on ``linli.core.api.router``:

``/api/v1/elevator-documents/{case_id}/`` lists the documents the caller may fetch; the actions
``bills/``, ``bills/{dwelling_id}/``, ``agreement/``, ``notice/`` and ``running/{year}/`` return
the .docx files the pages serve (same access rules: staff everything, a resident the notice and
their own dwelling's bill and running-cost statement, anything else 404). A plan that cannot be
shared as stored answers 409 with ``detail``, ``code``, ``zh`` and ``en``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from linli.core.api import router
from linli.core.errors import Invalid
from linli.core.scoping import scoped
from linli.elevators import document_views as v
from linli.elevators.document_parts import CONTENT_TYPE
from linli.elevators.models import RunningCostYear

BASENAME = "elevator-document"


class DocxRenderer(renderers.BaseRenderer):
    """Lets ``Accept: …wordprocessingml.document`` through content negotiation; errors still
    render as JSON."""

    media_type = CONTENT_TYPE
    format = "docx"
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


class Unshareable(exceptions.APIException):
    """The stored plan cannot be shared (409), with the reason in both languages."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "unshareable"

    def __init__(self, exc: Invalid) -> None:
        super().__init__({"detail": exc.message, "code": exc.code, "zh": exc.zh, "en": exc.en})


class DocumentLinkSerializer(serializers.Serializer):
    """One document the caller may fetch."""

    kind = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()


class CaseDocumentsSerializer(serializers.Serializer):
    """The documents of a case the caller may fetch."""

    case = serializers.IntegerField()
    documents = DocumentLinkSerializer(many=True)


FILE = {
    (200, CONTENT_TYPE): OpenApiTypes.BINARY,
    404: OpenApiResponse(description="Outside the caller's reach"),
    409: OpenApiResponse(description="The stored plan cannot be shared"),
}
FILE_RENDERERS = [renderers.JSONRenderer, DocxRenderer]


class ElevatorDocumentViewSet(viewsets.ViewSet):
    """Generated documents (.docx) of an elevator case."""

    permission_classes = (permissions.IsAuthenticated,)
    lookup_field = lookup_url_kwarg = "case_id"
    lookup_value_regex = r"\d+"

    def _send(self, request: Request, case_id: str | None, kind: str, **kw: Any) -> HttpResponse:
        try:
            found = v.document_file(request.user, int(case_id or 0), kind, **kw)
        except Invalid as exc:
            raise Unshareable(exc) from exc
        return found.response()

    @extend_schema(
        summary="The documents of a case the caller may fetch",
        responses={200: CaseDocumentsSerializer, 404: None},
    )
    def retrieve(self, request: Request, case_id: str | None = None) -> Response:
        reach = v.access(request.user, int(case_id or 0))
        case = reach.case

        def link(kind: str, title: str, name: str, **kw: Any) -> dict[str, str]:
            url = reverse(f"{BASENAME}-{name}", kwargs={"case_id": case.pk, **kw})
            return {"kind": kind, "title": title, "url": request.build_absolute_uri(url)}

        docs = [link(v.NOTICE, _("公示"), "notice")]
        if reach.staff:
            docs += [
                link(v.BILLS, _("费用分摊通知单（全部）"), "bills"),
                link(v.AGREEMENT, _("费用分摊协议"), "agreement"),
            ]
            years = scoped(RunningCostYear, request.user).filter(case=case)
        else:
            docs += [
                link(v.BILL, _("费用分摊通知单"), "bill", dwelling_id=dwelling)
                for dwelling in sorted(reach.own)
            ]
            years = RunningCostYear.objects.filter(case=case)
        docs += [
            link(v.RUNNING, _("%(year)s年度运行费用分摊表") % {"year": year}, "running", year=year)
            for year in years.order_by("-year").values_list("year", flat=True)
        ]
        return Response(CaseDocumentsSerializer({"case": case.pk, "documents": docs}).data)

    @extend_schema(summary="Every household's bill, one page each (staff)", responses=FILE)
    @action(detail=True, methods=["get"], renderer_classes=FILE_RENDERERS)
    def bills(self, request: Request, case_id: str | None = None) -> HttpResponse:
        return self._send(request, case_id, v.BILLS)

    @extend_schema(
        summary="One household's bill (staff, or the dwelling's resident)",
        operation_id="elevator_documents_bill_retrieve",
        parameters=[OpenApiParameter("dwelling_id", int, OpenApiParameter.PATH)],
        responses=FILE,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"bills/(?P<dwelling_id>\d+)",
        url_name="bill",
        renderer_classes=FILE_RENDERERS,
    )
    def bill(
        self, request: Request, case_id: str | None = None, dwelling_id: str | None = None
    ) -> HttpResponse:
        return self._send(request, case_id, v.BILL, dwelling_id=int(dwelling_id or 0))

    @extend_schema(
        summary="The cost-sharing agreement with every owner's line (staff)", responses=FILE
    )
    @action(detail=True, methods=["get"], renderer_classes=FILE_RENDERERS)
    def agreement(self, request: Request, case_id: str | None = None) -> HttpResponse:
        return self._send(request, case_id, v.AGREEMENT)

    @extend_schema(summary="The public notice, without personal data", responses=FILE)
    @action(detail=True, methods=["get"], renderer_classes=FILE_RENDERERS)
    def notice(self, request: Request, case_id: str | None = None) -> HttpResponse:
        return self._send(request, case_id, v.NOTICE)

    @extend_schema(
        summary="A year's running-cost statement (a resident: their own dwelling)",
        parameters=[OpenApiParameter("year", int, OpenApiParameter.PATH)],
        responses=FILE,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"running/(?P<year>\d{4})",
        url_name="running",
        renderer_classes=FILE_RENDERERS,
    )
    def running(
        self, request: Request, case_id: str | None = None, year: str | None = None
    ) -> HttpResponse:
        return self._send(request, case_id, v.RUNNING, year=int(year or 0))


router.register("elevator-documents", ElevatorDocumentViewSet, basename=BASENAME)

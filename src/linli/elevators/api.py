"""REST API of elevator retrofits (加装电梯) on ``linli.core.api.router``:

* ``/api/v1/elevator-cases/`` — list (filters ``compound``, ``status``), detail, create
  (→ ``create_case``), ``PATCH`` (→ ``update_plan``, only the fields given); actions
  ``allocation``, ``start-votes``, ``agree``, ``return-to-draft``, ``start-works``, ``cancel``,
  ``hand-over``, ``documents`` (GET / POST multipart), ``running-costs`` (GET / POST) and
  ``running-costs/{year}/`` (the year's statement).
* ``/api/v1/elevator-subsidy-rules/`` — published city policy: anyone signed in reads, the
  district office creates and changes (→ ``services/subsidies.py``).

Cases are scoped (outside the caller's scope: 404); a resident sees the cases of their dwelling
and only their own pool rows and shares. A rule broken by the input is a 400, a refused
transition a 409, each with ``detail``, ``code``, ``zh``, ``en`` and ``field`` (the request field
at fault, or null); a write without the permission is a 403. See docs/elevators-api.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import PurePath
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, parsers, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from linli.core.api import BilingualFilterSet, IntFilter, router
from linli.core.errors import Invalid
from linli.core.scoping import scoped
from linli.elevators import action_serializers as a
from linli.elevators import allocation, selectors
from linli.elevators import serializers as s
from linli.elevators.api_errors import (
    BAD_INPUT,
    FIELD_OF_CODE,
    Refused,
    money_check,
    precheck,
    refusal,
    refusals,
)
from linli.elevators.models import CaseDwelling, ConsentDocument, ElevatorCase, RunningCostYear
from linli.elevators.services import cases, records, workflow
from linli.elevators.subsidy_api import SubsidyRuleViewSet
from linli.registry.models import Dwelling, Organisation


def _plan_checks(data: Mapping[str, Any]) -> list[tuple[str, Callable[[], Any]]]:
    checks: list[tuple[str, Callable[[], Any]]] = []
    if "costs" in data:
        checks.append(("costs", lambda: cases.parse_costs(data["costs"])))
    if "coefficients" in data:
        checks.append(("coefficients", lambda: allocation.coefficient_table(data["coefficients"])))
    for item in data.get("compensation", ()):
        zh, en = f"房屋 {item['dwelling']} 的补偿", f"compensation of dwelling {item['dwelling']}"
        checks.append(("compensation", money_check(item["amount"], zh, en)))
    if data.get("provident_fund_cap") is not None:
        cap = data["provident_fund_cap"]
        checks.append(
            ("provident_fund_cap", money_check(cap, "公积金提取上限", "provident fund cap"))
        )
    return checks


def _plan_kwargs(data: Mapping[str, Any]) -> dict[str, Any]:
    kwargs = dict(data)
    if "compensation" in kwargs:
        kwargs["compensation"] = [(i["dwelling"], i["amount"]) for i in kwargs["compensation"]]
    return kwargs


class CaseFilter(BilingualFilterSet):
    """Cases by compound or status."""

    compound = IntFilter(field_name="compound")

    class Meta:
        model = ElevatorCase
        fields = ("compound", "status")


class ElevatorCaseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Elevator retrofit cases the caller sees (a resident: those of their dwelling)."""

    queryset = ElevatorCase.objects.select_related("compound").prefetch_related("stairwells")
    serializer_class = s.CaseListSerializer
    permission_classes = (permissions.IsAuthenticated,)
    filterset_class = CaseFilter
    search_fields = ("title",)
    ordering_fields = ("id", "title", "status", "created_at")

    def get_queryset(self) -> QuerySet[ElevatorCase]:
        return scoped(self.queryset.all(), self.request.user)

    def get_serializer_class(self) -> Any:
        return s.CaseDetailSerializer if self.action == "retrieve" else s.CaseListSerializer

    # --- reads -----------------------------------------------------------------------------

    def _visible_rows(self, case: ElevatorCase) -> QuerySet[CaseDwelling]:
        rows = scoped(CaseDwelling, self.request.user).filter(case=case)
        return rows.select_related("dwelling__stairwell__building").order_by(
            "dwelling__stairwell__building__number",
            "dwelling__stairwell__number",
            "cost_floor",
            "dwelling__number",
            "pk",
        )

    def _detail(self, case: ElevatorCase) -> dict[str, Any]:
        fresh = self.get_queryset().get(pk=case.pk)
        context = {
            **self.get_serializer_context(),
            "pool": list(self._visible_rows(fresh)),
            "votes": selectors.stairwell_votes(fresh),
        }
        return s.CaseDetailSerializer(fresh, context=context).data  # type: ignore[no-any-return]

    @extend_schema(summary="A case with its plan, pool and votes")
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Costs, totals, coefficients, the stairwells and their votes, and the pool rows the
        caller may see (a resident: their own dwelling's)."""
        return Response(self._detail(self.get_object()))

    @extend_schema(
        summary="The cost sharing of the plan as it stands",
        responses={200: s.AllocationSerializer, 400: BAD_INPUT},
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def allocation(self, request: Request, pk: str | None = None) -> Response:
        """Every dwelling's construction share (they add up to ``residents_total``), the
        compensation paid and received, the net and the provident fund limit; a resident gets
        only their own dwellings' lines, with the totals."""
        case = self.get_object()
        visible = set(self._visible_rows(case).values_list("dwelling_id", flat=True))
        rows = selectors.pool_rows(case)
        try:
            lines = selectors.bill_lines(case, rows)
        except Invalid as exc:
            raise Refused(exc, status.HTTP_400_BAD_REQUEST, FIELD_OF_CODE.get(exc.code)) from exc
        shares = [
            {
                "dwelling": line.row.dwelling_id,
                "label": s.dwelling_label(line.row.dwelling),
                "floor": line.share.floor,
                "coefficient": str(line.share.coefficient),
                "construction_share": line.share.construction_share,
                "compensation_paid": line.share.compensation_paid,
                "compensation_received": line.share.compensation_received,
                "net": line.share.net,
                "provident_fund_limit": line.provident_fund_limit,
            }
            for line in lines
            if line.row.dwelling_id in visible
        ]
        data = {
            "total_cost": case.total_cost,
            "subsidy": case.subsidy,
            "residents_total": case.residents_total,
            "shares": shares,
        }
        return Response(s.AllocationSerializer(data).data)

    # --- plan ------------------------------------------------------------------------------

    @extend_schema(
        summary="Open a retrofit case over one or several adjacent stairwells",
        request=s.CaseCreateSerializer,
        responses={
            201: s.CaseDetailSerializer,
            400: BAD_INPUT,
            403: OpenApiResponse(description="No elevators.add_elevatorcase over the compound"),
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Pools every dwelling of the stairwells; the plan must be shareable at once."""
        if not request.user.has_perm("elevators.add_elevatorcase"):
            raise exceptions.PermissionDenied()
        body = s.CaseCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        precheck(_plan_checks(data))
        try:
            case = cases.create_case(by=request.user, **_plan_kwargs(data))
        except Invalid as exc:
            raise refusal(exc, body.fields) from exc
        return Response(self._detail(case), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change the draft plan (only the fields given)",
        request=s.CaseUpdateSerializer,
        responses=refusals({200: s.CaseDetailSerializer, 400: BAD_INPUT}),
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Only while the case is a draft (else 409); every change re-runs the subsidy and the
        cost sharing."""
        case = self.get_object()
        body = s.CaseUpdateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        precheck(_plan_checks(data))
        try:
            cases.update_plan(case, by=request.user, **_plan_kwargs(data))
        except Invalid as exc:
            if exc.code == "status":
                raise Refused(exc) from exc
            raise refusal(exc, body.fields) from exc
        return Response(self._detail(case))

    # --- workflow --------------------------------------------------------------------------

    def _transition(
        self, run: Callable[[ElevatorCase], Any], fields: Iterable[str] = ()
    ) -> Response:
        case = self.get_object()
        try:
            run(case)
        except Invalid as exc:
            raise refusal(exc, fields, conflict=True) from exc
        return Response(self._detail(case))

    @extend_schema(
        summary="Put the plan to the owners: one vote per stairwell",
        request=a.StartVotesSerializer,
        responses=refusals({200: s.CaseDetailSerializer, 400: BAD_INPUT}),
    )
    @action(detail=True, methods=["post"], url_path="start-votes", filterset_class=None)
    def start_votes(self, request: Request, pk: str | None = None) -> Response:
        """The plan freezes; each stairwell votes under ``elevator-affected-consent`` unless
        another ``profile`` is named."""
        body = a.StartVotesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = {k: v for k, v in body.validated_data.items() if v is not None}
        return self._transition(
            lambda case: workflow.start_votes(case, by=request.user, **data), body.fields
        )

    @extend_schema(
        summary="Confirm the agreement (every stairwell's vote passed and final)",
        request=None,
        responses=refusals({200: s.CaseDetailSerializer}),
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def agree(self, request: Request, pk: str | None = None) -> Response:
        """Voting → agreed."""
        return self._transition(lambda case: workflow.confirm_agreement(case, by=request.user))

    @extend_schema(
        summary="Back to the draft plan after a failed or cancelled vote",
        request=None,
        responses=refusals({200: s.CaseDetailSerializer}),
    )
    @action(detail=True, methods=["post"], url_path="return-to-draft", filterset_class=None)
    def return_to_draft(self, request: Request, pk: str | None = None) -> Response:
        """Voting → draft, once a vote failed and the others are over."""
        return self._transition(lambda case: workflow.return_to_draft(case, by=request.user))

    @extend_schema(
        summary="Construction begins",
        request=None,
        responses=refusals({200: s.CaseDetailSerializer}),
    )
    @action(detail=True, methods=["post"], url_path="start-works", filterset_class=None)
    def start_works(self, request: Request, pk: str | None = None) -> Response:
        """Agreed → building."""
        return self._transition(lambda case: workflow.start_works(case, by=request.user))

    @extend_schema(
        summary="Give the case up before construction",
        request=None,
        responses=refusals({200: s.CaseDetailSerializer}),
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Draft, voting or agreed → cancelled; the stairwells become free."""
        return self._transition(lambda case: workflow.cancel_case(case, by=request.user))

    @extend_schema(
        summary="Acceptance: hand the elevator over to after-care",
        request=a.HandOverSerializer,
        responses=refusals({200: s.CaseDetailSerializer, 400: BAD_INPUT}),
    )
    @action(detail=True, methods=["post"], url_path="hand-over", filterset_class=None)
    def hand_over(self, request: Request, pk: str | None = None) -> Response:
        """Building → accepted: the elevator becomes an asset with its maintenance contract and
        statutory schedules (maintenance every 15 days at most, the yearly inspection)."""
        body = a.HandOverSerializer(
            data=request.data, organisations=scoped(Organisation, request.user)
        )
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        return self._transition(
            lambda case: workflow.hand_over(case, by=request.user, **data), body.fields
        )

    # --- records ---------------------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary="The case's consent letters and other documents",
        responses={200: a.DocumentSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Attach a document (multipart: kind, title, file, optional dwelling)",
        request={"multipart/form-data": a.DocumentCreateSerializer},
        responses=refusals({201: a.DocumentSerializer, 400: BAD_INPUT}),
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[parsers.MultiPartParser, parsers.FormParser],
        filterset_class=None,
    )
    def documents(self, request: Request, pk: str | None = None) -> Response:
        """Staff records (a resident sees none); uploads keep their SHA-256."""
        case = self.get_object()
        if request.method == "GET":
            documents = scoped(ConsentDocument, request.user).filter(case=case).order_by("pk")
            page = self.paginate_queryset(documents)
            data = a.DocumentSerializer(page, many=True).data
            return self.get_paginated_response(data)
        body = a.DocumentCreateSerializer(
            data=request.data, dwellings=scoped(Dwelling, request.user)
        )
        body.is_valid(raise_exception=True)
        try:
            document = records.add_document(case, by=request.user, **body.validated_data)
        except Invalid as exc:
            raise refusal(exc, body.fields) from exc
        return Response(a.DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Download a stored document of the case (staff)",
        operation_id="elevator_cases_document_file",
        parameters=[OpenApiParameter("document_id", int, OpenApiParameter.PATH)],
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="No such document of this case in the caller's scope"),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"documents/(?P<document_id>\d+)/file",
        url_name="document-file",
        filterset_class=None,
    )
    def document_file(
        self, request: Request, pk: str | None = None, document_id: str | None = None
    ) -> FileResponse:
        """The file as uploaded (its SHA-256 is in the document's record)."""
        case = self.get_object()
        document = (
            scoped(ConsentDocument, request.user)
            .filter(case=case, pk=int(document_id or 0))
            .first()
        )
        if document is None:
            raise exceptions.NotFound()
        try:
            handle = document.file.open("rb")
        except FileNotFoundError:
            raise exceptions.NotFound() from None
        return FileResponse(handle, filename=PurePath(document.file.name or "document").name)

    def _statement(self, case: ElevatorCase, year: RunningCostYear) -> dict[str, Any]:
        rows = selectors.pool_rows(case)
        year.case = case
        try:
            result = selectors.running_statement(year, rows)
        except Invalid as exc:
            raise Refused(exc, status.HTTP_400_BAD_REQUEST, FIELD_OF_CODE.get(exc.code)) from exc
        visible = set(self._visible_rows(case).values_list("dwelling_id", flat=True))
        shares = [
            {
                "dwelling": row.dwelling_id,
                "label": s.dwelling_label(row.dwelling),
                "floor": share.floor,
                "coefficient": str(share.coefficient),
                "share": share.construction_share,
            }
            for row, share in zip(rows, result.shares, strict=True)
            if row.dwelling_id in visible
        ]
        data = {name: getattr(year, name) for name in a.RUNNING_YEAR_FIELDS}
        return a.RunningStatementSerializer({**data, "shares": shares}).data  # type: ignore[no-any-return]

    @extend_schema(
        methods=["GET"],
        summary="The years of running costs recorded",
        responses={200: a.RunningYearSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Record (or correct) a year's running costs",
        request=a.RunningCostCreateSerializer,
        responses=refusals({201: a.RunningStatementSerializer, 400: BAD_INPUT}),
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="running-costs",
        filterset_class=None,
        pagination_class=None,
    )
    def running_costs(self, request: Request, pk: str | None = None) -> Response:
        """Maintenance, electricity, inspection and other costs of a year, shared by the
        construction coefficients unless the year has its own table."""
        case = self.get_object()
        if request.method == "GET":
            years = scoped(RunningCostYear, request.user).filter(case=case).order_by("-year")
            return Response(a.RunningYearSerializer(years, many=True).data)
        body = a.RunningCostCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        parts = ("maintenance", "electricity", "inspection", "other")
        costs = {part: data[part] for part in parts if part in data}
        labels = {f.name: str(f.verbose_name) for f in RunningCostYear._meta.fields}
        checks = [(part, money_check(value, labels[part], part)) for part, value in costs.items()]
        if data.get("coefficients") is not None:
            table = data["coefficients"]
            checks.append(("coefficients", lambda: allocation.coefficient_table(table)))
        precheck(checks)
        try:
            year = records.set_running_costs(
                case,
                by=request.user,
                year=data["year"],
                costs=costs,
                coefficients=data.get("coefficients"),
                area_weighted=data.get("area_weighted"),
            )
        except Invalid as exc:
            if exc.code == "status":
                raise Refused(exc) from exc
            raise refusal(exc, body.fields) from exc
        return Response(self._statement(case, year), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="A year's running costs shared among the pool",
        parameters=[OpenApiParameter("year", int, OpenApiParameter.PATH)],
        responses={200: a.RunningStatementSerializer, 400: BAD_INPUT, 404: None},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"running-costs/(?P<year>\d{4})",
        url_name="running-statement",
        filterset_class=None,
        pagination_class=None,
    )
    def running_statement(
        self, request: Request, pk: str | None = None, year: str | None = None
    ) -> Response:
        """The year's totals and each dwelling's share (staff records: a resident gets 404)."""
        case = self.get_object()
        row = scoped(RunningCostYear, request.user).filter(case=case, year=int(year or 0)).first()
        if row is None:
            raise exceptions.NotFound()
        return Response(self._statement(case, row))


router.register("elevator-cases", ElevatorCaseViewSet)
router.register("elevator-subsidy-rules", SubsidyRuleViewSet)

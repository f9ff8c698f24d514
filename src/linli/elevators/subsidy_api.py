"""REST API of the cities' elevator subsidy rules (``/api/v1/elevator-subsidy-rules/``):
published policy read by anyone signed in, written by the district office through
``services/subsidies.py`` (registered on the router by ``elevators/api.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from linli.core.api import BilingualFilterSet
from linli.core.errors import Invalid
from linli.core.scoping import scoped
from linli.elevators import serializers as s
from linli.elevators.api_errors import BAD_INPUT, money_check, precheck, refusal
from linli.elevators.models import SubsidyRule as SubsidyRuleModel
from linli.elevators.services import subsidies


class SubsidyRuleFilter(BilingualFilterSet):
    """Subsidy rules by city, kind or whether active."""

    class Meta:
        model = SubsidyRuleModel
        fields = ("city", "kind", "active")


class SubsidyRuleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """City subsidy rules for retrofitted elevators: public policy, kept by the district
    office."""

    queryset = SubsidyRuleModel.objects.all()
    serializer_class = s.SubsidyRuleSerializer
    permission_classes = (permissions.IsAuthenticated,)
    filterset_class = SubsidyRuleFilter
    search_fields = ("city", "name", "basis")
    ordering_fields = ("id", "city", "name")

    def get_queryset(self) -> QuerySet[SubsidyRuleModel]:
        return scoped(self.queryset.all(), self.request.user)

    def _write(self, run: Callable[[dict[str, Any]], SubsidyRuleModel], partial: bool) -> Any:
        body = s.SubsidyRuleWriteSerializer(data=self.request.data, partial=partial)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        checks = [
            (name, money_check(data[name], name, name))
            for name in ("amount", "cap")
            if data.get(name) is not None
        ]
        for storeys, value in (data.get("by_storeys") or {}).items():
            checks.append(("by_storeys", money_check(value, f"{storeys}层的补贴", storeys)))
        precheck(checks)
        try:
            rule = run(data)
        except Invalid as exc:
            raise refusal(exc, body.fields) from exc
        return s.SubsidyRuleSerializer(rule).data

    @extend_schema(
        summary="Add a city's subsidy rule (district office)",
        request=s.SubsidyRuleWriteSerializer,
        responses={201: s.SubsidyRuleSerializer, 400: BAD_INPUT, 403: None},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Checked by the subsidy engine before it is stored."""
        data = self._write(lambda d: subsidies.create_subsidy_rule(by=request.user, **d), False)
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Replace a subsidy rule (district office)",
        request=s.SubsidyRuleWriteSerializer,
        responses={200: s.SubsidyRuleSerializer, 400: BAD_INPUT, 403: None, 404: None},
    )
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Fields left out take their defaults (no basis, amounts empty, active)."""
        rule = self.get_object()
        defaults = {
            "basis": "",
            "amount": None,
            "percent": None,
            "cap": None,
            "by_storeys": None,
            "active": True,
        }
        return Response(
            self._write(
                lambda d: subsidies.update_subsidy_rule(rule, by=request.user, **{**defaults, **d}),
                False,
            )
        )

    @extend_schema(
        summary="Change some fields of a subsidy rule (district office)",
        request=s.SubsidyRuleWriteSerializer,
        responses={200: s.SubsidyRuleSerializer, 400: BAD_INPUT, 403: None, 404: None},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Cases keep the subsidy computed when their plan last changed."""
        rule = self.get_object()
        return Response(
            self._write(lambda d: subsidies.update_subsidy_rule(rule, by=request.user, **d), True)
        )

"""``POST /api/v1/owners/{id}/reveal/`` and ``/api/v1/residents/{id}/reveal/``.

Thin DRF plumbing over :func:`linli.registry.reveal.reveal_personal_value`; the viewsets of
owners and residents take :class:`RevealActionMixin` as a base.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from linli.core.api import field_error_messages
from linli.core.errors import Invalid
from linli.registry.reveal import reveal_personal_value

_FIELD_CHOICES = [("id_number", "身份证号 (ID number)"), ("phone", "手机号 (phone)")]


class RevealRequestSerializer(serializers.Serializer):
    """Which personal data field to reveal."""

    field = serializers.ChoiceField(
        choices=_FIELD_CHOICES, error_messages=field_error_messages(serializers.ChoiceField)
    )


class RevealedValueSerializer(serializers.Serializer):
    """The revealed plaintext of one field."""

    field = serializers.ChoiceField(choices=_FIELD_CHOICES)
    value = serializers.CharField(help_text="The full value; empty when none is registered.")


class RevealActionMixin:
    """Adds the ``reveal`` action: one field of one record, audited, for granted roles only."""

    queryset: Any

    @extend_schema(
        summary="Reveal one personal data value (audited)",
        description="Returns the full ID number or phone of this record. Needs the "
        "'view personal data' grant for its jurisdiction (403 without it; 404 when the record "
        "is outside the caller's scope). Every reveal is written to the audit trail.",
        request=RevealRequestSerializer,
        responses={
            200: RevealedValueSerializer,
            403: OpenApiResponse(description="No personal data grant here"),
            404: OpenApiResponse(description="Outside the caller's scope"),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="reveal",
        permission_classes=[permissions.IsAuthenticated],
        filter_backends=[],
    )
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        data = RevealRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        field = data.validated_data["field"]
        try:
            value = reveal_personal_value(
                user=request.user, model=self.queryset.model, pk=pk, field=field
            )
        except Invalid as exc:
            raise serializers.ValidationError({"field": [exc.message]}) from exc
        # Never cached by a browser or proxy.
        return Response({"field": field, "value": value}, headers={"Cache-Control": "no-store"})

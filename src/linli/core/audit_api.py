"""``/api/v1/audit/``: the audit trail, read-only, filtered to the caller's scope.

A caller sees the events of objects in compounds they can see, and their own events;
superusers see everything (the rule is registered with the registry's scope rules).
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from linli.core.api import BilingualFilterSet, IntFilter, router
from linli.core.models import AuditAction, AuditEvent, AuditSource
from linli.core.scoping import scoped


class AuditEventSerializer(serializers.ModelSerializer):
    """One audit event; ``changes`` maps field -> [before, after] (personal data masked)."""

    class Meta:
        model = AuditEvent
        fields = (
            "id",
            "occurred_at",
            "actor_id",
            "actor_username",
            "source",
            "action",
            "path",
            "ip",
            "request_id",
            "model_label",
            "object_id",
            "object_repr",
            "compound_id",
            "changes",
        )
        read_only_fields = fields


class AuditEventFilter(BilingualFilterSet):
    """Filters by object, actor, action, source, request and time."""

    model_label = django_filters.CharFilter(help_text="e.g. registry.compound")
    object_id = django_filters.CharFilter()
    actor_id = IntFilter()
    compound_id = IntFilter()
    action = django_filters.ChoiceFilter(choices=AuditAction.choices)
    source = django_filters.ChoiceFilter(choices=AuditSource.choices)
    request_id = django_filters.UUIDFilter(
        error_messages={"invalid": "须为 UUID (enter a valid UUID)"}
    )
    occurred_after = django_filters.IsoDateTimeFilter(
        field_name="occurred_at", lookup_expr="gte", help_text="ISO 8601, inclusive"
    )
    occurred_before = django_filters.IsoDateTimeFilter(
        field_name="occurred_at", lookup_expr="lt", help_text="ISO 8601, exclusive"
    )

    class Meta:
        model = AuditEvent
        fields = (
            "model_label",
            "object_id",
            "actor_id",
            "compound_id",
            "action",
            "source",
            "request_id",
            "occurred_after",
            "occurred_before",
        )


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit trail, newest first: who changed what, when, from where (read-only)."""

    queryset = AuditEvent.objects.all()
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    search_fields = ("object_repr", "actor_username")
    ordering_fields = ("occurred_at", "id")
    ordering = ("-occurred_at", "-id")

    def get_queryset(self) -> QuerySet[AuditEvent]:
        return scoped(AuditEvent, self.request.user).order_by("-occurred_at", "-id")


router.register("audit", AuditEventViewSet)

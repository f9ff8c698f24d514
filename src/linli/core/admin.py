"""The audit trail in the admin: read-only for everyone, superusers included."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from linli.core.models import AuditEvent
from linli.core.scoping import scoped


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Audit events can be read, filtered and searched; never added, changed or deleted."""

    list_display = [
        "occurred_at",
        "actor_username",
        "action",
        "source",
        "model_label",
        "object_repr",
        "request_id",
    ]
    list_filter = ["action", "source", "model_label"]
    search_fields = ["=request_id", "=object_id", "object_repr", "actor_username"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        return scoped(super().get_queryset(request), request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

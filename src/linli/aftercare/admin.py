"""Django admin for after-care assets, scoped like every admin. Assets and contracts are plain;
schedules and their records are read-only here because the services keep the statutory
intervals and move the due dates."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from linli.aftercare import models as m
from linli.core.scoped_admin import ScopedAdminMixin


class ScopedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """A scoped model admin."""


class ReadOnlyAdmin(ScopedAdmin):
    """Viewable (in scope), changed only through the services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(m.Asset)
class AssetAdmin(ScopedAdmin):
    list_display = ["name", "compound", "kind", "responsible_unit", "commissioned_on", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "compound__name", "registration_code"]


@admin.register(m.MaintenanceContract)
class MaintenanceContractAdmin(ScopedAdmin):
    list_display = ["asset", "contractor", "number", "starts_on", "ends_on", "annual_fee"]


@admin.register(m.Schedule)
class ScheduleAdmin(ReadOnlyAdmin):
    list_display = ["asset", "kind", "interval_days", "last_done_on", "next_due_on", "active"]
    list_filter = ["kind", "active"]


@admin.register(m.ScheduleRecord)
class ScheduleRecordAdmin(ReadOnlyAdmin):
    list_display = ["schedule", "done_on", "performed_by", "result"]
    list_filter = ["result"]

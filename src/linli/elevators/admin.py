"""Django admin for elevator retrofit cases, scoped like every admin.

Subsidy rules (city policy) are edited here by the district office and checked by the engine
on save. Cases and their rows are read-only: their plan, votes and handover move only through
the services (the case pages and the API), which keep the rules.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from linli.core.scoped_admin import ScopedAdminMixin
from linli.elevators import models as m


class ReadOnlyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Viewable (in scope), changed only through the services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(m.SubsidyRule)
class SubsidyRuleAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """A city's subsidy per elevator as data."""

    list_display = ["city", "name", "kind", "amount", "percent", "cap", "active"]
    list_filter = ["city", "kind", "active"]
    search_fields = ["city", "name"]


class CaseDwellingInline(admin.TabularInline):
    model = m.CaseDwelling
    fields = ("dwelling", "cost_floor", "exempt", "exempt_reason", "affected", "compensation")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(m.ElevatorCase)
class ElevatorCaseAdmin(ReadOnlyAdmin):
    """Retrofit cases (read-only here)."""

    list_display = ["title", "compound", "status", "subsidy", "accepted_on"]
    list_filter = ["status"]
    search_fields = ["title", "compound__name"]
    inlines = [CaseDwellingInline]


@admin.register(m.CaseVote)
class CaseVoteAdmin(ReadOnlyAdmin):
    list_display = ["case", "stairwell", "vote"]


@admin.register(m.ConsentDocument)
class ConsentDocumentAdmin(ReadOnlyAdmin):
    list_display = ["title", "case", "kind", "dwelling", "created_at"]
    list_filter = ["kind"]


@admin.register(m.RunningCostYear)
class RunningCostYearAdmin(ReadOnlyAdmin):
    list_display = ["case", "year", "maintenance", "electricity", "inspection", "other"]

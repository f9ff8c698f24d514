"""Django admin for the renewal app: the catalogue and review rules are edited here (or via the
API) by the district office; projects and sign-offs are shown read-only, since every change to
them goes through the services (gates, transitions log, zone rule)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from linli.core.scoping import scoped
from linli.renewal import models as m


class ScopedAdmin(admin.ModelAdmin):
    """Rows limited to the user's scope (superusers see everything)."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scoped(super().get_queryset(request), request.user)


@admin.register(m.LocalTag)
class LocalTagAdmin(ScopedAdmin):
    """Xigong's local tags."""

    list_display = ["code", "name", "group", "sort_order"]
    list_filter = ["group"]
    search_fields = ["code", "name"]


@admin.register(m.OutputIndicator)
class OutputIndicatorAdmin(ScopedAdmin):
    """Output indicators."""

    list_display = ["code", "name", "unit", "sort_order"]
    search_fields = ["code", "name"]


class ReviewRuleInline(admin.TabularInline):
    model = m.ReviewRule
    fk_name = "item"
    extra = 0
    fields = ["applies_to", "department", "workdays"]
    autocomplete_fields = ["department"]


@admin.register(m.CatalogueItem)
class CatalogueItemAdmin(ScopedAdmin):
    """The renovation catalogue."""

    list_display = ["code", "name", "category", "unit", "indicator", "active"]
    list_filter = ["category", "active", "tags"]
    list_select_related = ["indicator"]
    search_fields = ["code", "name"]
    filter_horizontal = ["tags"]
    inlines = [ReviewRuleInline]


@admin.register(m.ReviewRule)
class ReviewRuleAdmin(ScopedAdmin):
    """Which department signs off which items."""

    list_display = ["applies_to", "item", "category", "department", "workdays"]
    list_filter = ["applies_to", "category", "department"]
    list_select_related = ["item", "department"]
    autocomplete_fields = ["item", "department"]


class ReadOnlyInline(admin.TabularInline):
    """A read-only list of a project's parts."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ProjectItemInline(ReadOnlyInline):
    model = m.ProjectItem
    fields = ["item", "quantity", "budget", "output_quantity", "note"]


class FundingInline(ReadOnlyInline):
    model = m.FundingLine
    fields = ["source", "planned", "allocated", "disbursed", "note"]


class ReviewInline(ReadOnlyInline):
    model = m.Review
    fields = ["round", "department", "status", "due_on", "comments", "decided_at"]


class TransitionInline(ReadOnlyInline):
    model = m.Transition
    fields = ["at", "from_stage", "to_stage", "by", "reason"]


class ReadOnlyAdmin(ScopedAdmin):
    """Shown, never written here: every write goes through the services (gates, zone rule,
    stage rules), i.e. the project pages or the API."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(m.Project)
class ProjectAdmin(ReadOnlyAdmin):
    """Projects with their items, funding, sign-offs and transitions."""

    list_display = ["code", "name", "year", "batch", "zone", "stage", "progress_percent"]
    list_filter = ["year", "batch", "stage", "zone"]
    list_select_related = ["zone"]
    search_fields = ["code", "name"]
    inlines = [ProjectItemInline, FundingInline, ReviewInline, TransitionInline]


@admin.register(m.Review)
class ReviewAdmin(ReadOnlyAdmin):
    """Joint-review sign-offs."""

    list_display = ["project", "round", "department", "status", "due_on", "decided_at"]
    list_filter = ["status", "department"]
    list_select_related = ["project", "department"]
    search_fields = ["project__code", "project__name", "department__name"]

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

    list_display = ["code", "name", "year", "batch", "zone", "stage", "progress_percent", "light"]
    list_filter = ["year", "batch", "stage", "light", "zone"]
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


@admin.register(m.SupervisionItem)
class SupervisionItemAdmin(ReadOnlyAdmin):
    """Supervision items (督办事项): opened, escalated and closed by the daily check."""

    list_display = ["project", "kind", "description", "due_on", "level", "assignee", "status"]
    list_filter = ["status", "level", "kind"]
    list_select_related = ["project", "assignee"]
    search_fields = ["project__code", "project__name", "description"]
    date_hierarchy = "due_on"


@admin.register(m.IssuedReport)
class IssuedReportAdmin(ReadOnlyAdmin):
    """Reports as issued (周报告, 月通报, 季度观摩, 年度考评): never changed after issue."""

    list_display = ["kind", "period", "format", "generated_by", "status", "issued_at"]
    list_filter = ["kind", "format", "status"]
    list_select_related = ["generated_by"]
    search_fields = ["period", "scope_label", "generated_by__username"]
    exclude = ["figures"]


class ProgressLineInline(ReadOnlyInline):
    model = m.ProgressLine
    fields = ["project_item", "percent", "note"]


class ProgressPhotoInline(ReadOnlyInline):
    model = m.ProgressPhoto
    fields = ["caption", "taken_at", "latitude", "longitude", "uploaded_by"]


@admin.register(m.ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    """Progress reports with their lines and photos (written on the progress pages or API)."""

    list_display = ["project", "reported_on", "reported_by", "created_at"]
    list_select_related = ["project", "reported_by"]
    search_fields = ["project__code", "project__name", "summary"]
    date_hierarchy = "reported_on"
    inlines = [ProgressLineInline, ProgressPhotoInline]


@admin.register(m.ProgressProblem)
class ProgressProblemAdmin(ReadOnlyAdmin):
    """Problems raised on site and their resolution."""

    list_display = ["project", "description", "raised_on", "resolved_on"]
    list_filter = ["resolved_on"]
    list_select_related = ["project"]
    search_fields = ["project__code", "project__name", "description", "resolution"]
    date_hierarchy = "raised_on"

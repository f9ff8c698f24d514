"""Django admin for the consultation app. Every admin is scoped (``ScopedAdminMixin``): lists,
change pages and choices hold only rows of the user's jurisdiction.

* Electors and ballots are read-only (no add, change or delete for anyone): the electorate is a
  snapshot taken by the service and the ballots are a hash chain; an edit here would be
  tampering, which ``linli consultation verify-ballots`` would report.
* Rule profiles are edited by the district office (its role holds add/change_ruleprofile).
* The rest is plain; a vote's outcome fields (status, dates, stored result) are read-only since
  only the services move a vote along.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from linli.consultation import models as m
from linli.core.scoped_admin import ScopedAdminMixin


class ScopedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """A scoped model admin."""


class ReadOnlyAdmin(ScopedAdmin):
    """Viewable (in scope), never added, changed or deleted by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- Votes ---------------------------------------------------------------------------------


@admin.register(m.RuleProfile)
class RuleProfileAdmin(ScopedAdmin):
    """Vote thresholds as data: the Civil Code profiles and local ones."""

    list_display = [
        "code",
        "name",
        "participation_area",
        "participation_owners",
        "approval_area",
        "approval_owners",
        "approval_strict",
        "approval_base",
        "no_objection",
        "affected_consent",
        "active",
    ]
    list_filter = ["active", "approval_base", "no_objection", "affected_consent"]
    search_fields = ["code", "name", "basis"]


@admin.register(m.Vote)
class VoteAdmin(ScopedAdmin):
    """Owner votes; opened, closed and finalised by the services only."""

    list_display = ["title", "matter", "compound", "scope_kind", "status", "closes_at", "passed"]
    list_filter = ["status", "matter", "scope_kind", "passed"]
    list_select_related = ["compound"]
    search_fields = ["title", "compound__name"]
    raw_id_fields = ["compound", "buildings", "stairwells", "affected_dwellings", "created_by"]
    readonly_fields = [
        "status",
        "opened_at",
        "closed_at",
        "notice_ends_at",
        "finalised_at",
        "result",
        "result_hash",
        "passed",
    ]
    date_hierarchy = "opens_at"


@admin.register(m.Elector)
class ElectorAdmin(ReadOnlyAdmin):
    """The electorate snapshotted when a vote opened (read-only)."""

    list_display = ["vote", "dwelling", "area", "voter_key", "is_developer", "affected"]
    list_filter = ["is_developer", "affected"]
    list_select_related = ["vote", "dwelling__stairwell__building__compound"]
    search_fields = ["vote__title", "voter_key"]
    raw_id_fields = ["vote", "dwelling", "stairwell"]


@admin.register(m.Ballot)
class BallotAdmin(ReadOnlyAdmin):
    """Cast ballots, hash-chained (read-only)."""

    list_display = ["vote", "seq", "dwelling", "choice", "channel", "cast_at", "hash"]
    list_filter = ["choice", "channel"]
    list_select_related = ["vote", "dwelling__stairwell__building__compound"]
    search_fields = ["vote__title", "hash"]
    raw_id_fields = ["vote", "elector", "dwelling", "cast_by"]


# --- Surveys -------------------------------------------------------------------------------


@admin.register(m.Survey)
class SurveyAdmin(ScopedAdmin):
    """Questionnaires."""

    list_display = ["title", "status", "opens_on", "closes_on"]
    list_filter = ["status"]
    search_fields = ["title"]
    raw_id_fields = ["compounds", "created_by"]


@admin.register(m.SurveyVersion)
class SurveyVersionAdmin(ScopedAdmin):
    """Versions of a questionnaire (frozen once published)."""

    list_display = ["survey", "number", "published_at"]
    list_select_related = ["survey"]
    raw_id_fields = ["survey"]


@admin.register(m.Question)
class QuestionAdmin(ScopedAdmin):
    """Questions of a version."""

    list_display = ["version", "position", "kind", "text"]
    list_filter = ["kind"]
    search_fields = ["text"]
    raw_id_fields = ["version", "show_if"]


@admin.register(m.Option)
class OptionAdmin(ScopedAdmin):
    """Answer options."""

    list_display = ["question", "position", "value", "label", "menu_code"]
    search_fields = ["label", "menu_code"]
    raw_id_fields = ["question"]


@admin.register(m.Response)
class ResponseAdmin(ScopedAdmin):
    """A household's answers to a survey."""

    list_display = ["survey", "dwelling", "channel", "submitted_at"]
    list_filter = ["channel"]
    list_select_related = ["survey", "dwelling__stairwell__building__compound"]
    raw_id_fields = ["survey", "version", "dwelling", "entered_by"]


@admin.register(m.Answer)
class AnswerAdmin(ScopedAdmin):
    """One answer of a response."""

    list_display = ["response", "question"]
    raw_id_fields = ["response", "question"]


# --- Visits, demand, meetings --------------------------------------------------------------


@admin.register(m.Visit)
class VisitAdmin(ScopedAdmin):
    """Household visits."""

    list_display = ["survey", "dwelling", "outcome", "visited_at", "visitor"]
    list_filter = ["outcome"]
    list_select_related = ["survey", "dwelling__stairwell__building__compound", "visitor"]
    raw_id_fields = ["survey", "dwelling", "visitor"]


@admin.register(m.DemandRanking)
class DemandRankingAdmin(ScopedAdmin):
    """Residents' menu rankings per compound."""

    list_display = ["compound", "computed_at", "computed_by"]
    list_select_related = ["compound", "computed_by"]
    raw_id_fields = ["compound", "surveys", "computed_by"]


@admin.register(m.DemandEntry)
class DemandEntryAdmin(ScopedAdmin):
    """One catalogue item of a ranking."""

    list_display = ["ranking", "menu_code", "label"]
    search_fields = ["menu_code", "label"]
    raw_id_fields = ["ranking"]


@admin.register(m.Meeting)
class MeetingAdmin(ScopedAdmin):
    """Bench and neighbour meetings, owner assemblies."""

    list_display = ["title", "kind", "compound", "held_at", "place"]
    list_filter = ["kind"]
    list_select_related = ["compound"]
    search_fields = ["title", "place"]
    raw_id_fields = ["compound", "recorded_by"]


@admin.register(m.Attendance)
class AttendanceAdmin(ScopedAdmin):
    """Dwellings represented at a meeting."""

    list_display = ["meeting", "dwelling", "attendee_name"]
    raw_id_fields = ["meeting", "dwelling"]


@admin.register(m.MeetingAttachment)
class MeetingAttachmentAdmin(ScopedAdmin):
    """Files of a meeting."""

    list_display = ["meeting", "title"]
    raw_id_fields = ["meeting"]

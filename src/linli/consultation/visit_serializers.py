"""Serializers of the visits, coverage, demand-ranking and meeting API (``visit_api.py``).

The model serializers write through ``consultation/services`` (a broken rule becomes a 400
via ``refused``); the plain ones shape read-only rows and validate query parameters. Related
fields are narrowed to what the requesting user may see.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

from linli.consultation import models as m
from linli.consultation import visit_selectors as sel
from linli.consultation.services import demand as demand_service
from linli.consultation.services import meetings as meeting_service
from linli.consultation.services import visits as visit_service
from linli.core.api import field_error_messages
from linli.core.errors import Invalid
from linli.core.scoping import scoped
from linli.registry.models import Dwelling


def _user(serializer: serializers.Serializer) -> Any:
    request = serializer.context.get("request")
    return getattr(request, "user", None)


def _errors(field_class: type[serializers.Field]) -> dict[str, Any]:
    return {"error_messages": field_error_messages(field_class)}


def refused(exc: Invalid) -> exceptions.ValidationError:
    """A broken service rule as a 400 with both texts and the rule's code."""
    return exceptions.ValidationError({"detail": [exc.message], "code": [exc.code]})


# --- Visits ------------------------------------------------------------------------------------


class VisitSerializer(serializers.ModelSerializer):
    """One call at a dwelling during a survey."""

    dwelling_label = serializers.SerializerMethodField()
    compound = serializers.IntegerField(
        source="dwelling.stairwell.building.compound_id", read_only=True
    )
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)
    visitor_name = serializers.SerializerMethodField()

    class Meta:
        model = m.Visit
        fields = (
            "id",
            "survey",
            "dwelling",
            "dwelling_label",
            "compound",
            "outcome",
            "outcome_label",
            "visited_at",
            "visitor",
            "visitor_name",
            "notes",
            "created_at",
        )
        read_only_fields = ("visitor", "created_at")
        extra_kwargs = {
            "survey": _errors(serializers.PrimaryKeyRelatedField),
            "dwelling": _errors(serializers.PrimaryKeyRelatedField),
            "outcome": _errors(serializers.ChoiceField),
            "visited_at": {**_errors(serializers.DateTimeField), "required": False},
            "notes": _errors(serializers.CharField),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None:
            self.fields["survey"].queryset = scoped(m.Survey, user)  # type: ignore[attr-defined]
            self.fields["dwelling"].queryset = scoped(Dwelling, user)  # type: ignore[attr-defined]

    def get_dwelling_label(self, visit: m.Visit) -> str:
        return sel.dwelling_label(visit.dwelling)

    def get_visitor_name(self, visit: m.Visit) -> str:
        user = visit.visitor
        return "" if user is None else (user.get_full_name() or user.get_username())

    def create(self, validated_data: dict[str, Any]) -> m.Visit:
        try:
            return visit_service.record_visit(by=_user(self), **validated_data)
        except Invalid as exc:
            raise refused(exc) from exc


class ToVisitSerializer(serializers.Serializer):
    """A dwelling still to visit, with its attempts and last visit."""

    dwelling = serializers.IntegerField(source="dwelling.pk")
    dwelling_label = serializers.CharField(source="label")
    compound = serializers.IntegerField(source="dwelling.stairwell.building.compound_id")
    compound_name = serializers.CharField(source="dwelling.stairwell.building.compound.name")
    floor = serializers.IntegerField(source="dwelling.floor")
    status = serializers.CharField()
    attempts = serializers.IntegerField()
    last_outcome = serializers.CharField(source="last.outcome", allow_null=True, default=None)
    last_visited_at = serializers.DateTimeField(source="last.at", allow_null=True, default=None)


class ToVisitQuery(serializers.Serializer):
    survey = serializers.IntegerField(**_errors(serializers.IntegerField))
    compound = serializers.IntegerField(required=False, **_errors(serializers.IntegerField))


# --- Coverage ----------------------------------------------------------------------------------


class CoverageRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    dwellings = serializers.IntegerField()
    eligible = serializers.IntegerField()
    reached = serializers.IntegerField()
    vacant = serializers.IntegerField()
    declined = serializers.IntegerField()
    nobody_home = serializers.IntegerField()
    not_visited = serializers.IntegerField()
    to_visit = serializers.IntegerField()
    rate = serializers.CharField(allow_null=True, help_text="percentage with 2 places")
    met = serializers.BooleanField()


class CoverageSerializer(serializers.Serializer):
    survey = serializers.IntegerField()
    target = serializers.CharField()
    total = CoverageRowSerializer()
    compounds = CoverageRowSerializer(many=True)
    communities = CoverageRowSerializer(many=True)
    zones = CoverageRowSerializer(many=True)


class CoverageQuery(serializers.Serializer):
    survey = serializers.IntegerField(**_errors(serializers.IntegerField))


# --- Demand rankings ---------------------------------------------------------------------------


class DemandEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = m.DemandEntry
        fields = (
            "id",
            "rank",
            "menu_code",
            "label",
            "score",
            "households",
            "share",
            "first_choices",
        )
        read_only_fields = fields


class DemandRankingSerializer(serializers.ModelSerializer):
    """A compound's ranking as computed; create it with ``compound`` (and ``surveys``)."""

    compound_name = serializers.CharField(source="compound.name", read_only=True)
    surveys = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=m.Survey.objects.none(),
        error_messages=field_error_messages(serializers.PrimaryKeyRelatedField),
    )
    entry_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = m.DemandRanking
        fields: tuple[str, ...] = (
            "id",
            "compound",
            "compound_name",
            "surveys",
            "computed_at",
            "computed_by",
            "respondents",
            "entry_count",
        )
        read_only_fields = ("computed_at", "computed_by", "respondents")
        extra_kwargs = {"compound": _errors(serializers.PrimaryKeyRelatedField)}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None:
            self.fields["compound"].queryset = sel.consultation_compounds(user)  # type: ignore[attr-defined]
            self.fields["surveys"].child_relation.queryset = scoped(m.Survey, user)  # type: ignore[attr-defined]

    def create(self, validated_data: dict[str, Any]) -> m.DemandRanking:
        surveys = validated_data.get("surveys") or None
        try:
            return demand_service.compute_ranking(
                compound=validated_data["compound"], surveys=surveys, by=_user(self)
            )
        except Invalid as exc:
            raise refused(exc) from exc


class DemandRankingDetailSerializer(DemandRankingSerializer):
    entries = DemandEntrySerializer(many=True, read_only=True)

    class Meta(DemandRankingSerializer.Meta):
        fields = (*DemandRankingSerializer.Meta.fields, "entries")


# --- Meetings ----------------------------------------------------------------------------------


class AttendeeSerializer(serializers.Serializer):
    """A dwelling represented at the meeting and who came for it."""

    dwelling = serializers.PrimaryKeyRelatedField(
        queryset=Dwelling.objects.none(),
        error_messages=field_error_messages(serializers.PrimaryKeyRelatedField),
    )
    attendee_name = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default=""
    )


class AttendanceSerializer(serializers.ModelSerializer):
    dwelling_label = serializers.SerializerMethodField()

    class Meta:
        model = m.Attendance
        fields = ("dwelling", "dwelling_label", "attendee_name")
        read_only_fields = fields

    def get_dwelling_label(self, attendance: m.Attendance) -> str:
        return sel.dwelling_label(attendance.dwelling)


class AttachmentSerializer(serializers.ModelSerializer):
    """A meeting's file; upload with ``title`` and ``file`` (multipart)."""

    file = serializers.FileField(write_only=True, **_errors(serializers.FileField))
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = m.MeetingAttachment
        fields = ("id", "title", "file", "download_url", "created_at")
        read_only_fields = ("created_at",)
        extra_kwargs = {"title": {**_errors(serializers.CharField), "required": False}}

    def get_download_url(self, attachment: m.MeetingAttachment) -> str:
        url = reverse("consultation:meeting_attachment", args=[attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class MeetingSerializer(serializers.ModelSerializer):
    """A meeting; ``attendees`` (write) lists the dwellings represented."""

    compound_name = serializers.CharField(source="compound.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    attendees = AttendeeSerializer(many=True, required=False, write_only=True)

    class Meta:
        model = m.Meeting
        fields: tuple[str, ...] = (
            "id",
            "compound",
            "compound_name",
            "kind",
            "kind_label",
            "title",
            "held_at",
            "place",
            "agenda",
            "minutes",
            "decisions",
            "other_attendees",
            "attendees",
            "recorded_by",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("recorded_by", "created_at", "updated_at")
        extra_kwargs = {
            name: _errors(klass)
            for name, klass in (
                ("compound", serializers.PrimaryKeyRelatedField),
                ("kind", serializers.ChoiceField),
                ("title", serializers.CharField),
                ("held_at", serializers.DateTimeField),
                ("place", serializers.CharField),
                ("agenda", serializers.CharField),
                ("minutes", serializers.CharField),
                ("decisions", serializers.CharField),
                ("other_attendees", serializers.CharField),
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None:
            self.fields["compound"].queryset = sel.consultation_compounds(user)  # type: ignore[attr-defined]
            child = self.fields["attendees"].child  # type: ignore[attr-defined]
            child.fields["dwelling"].queryset = scoped(Dwelling, user)
        if self.instance is not None and "compound" in self.fields:
            self.fields["compound"].read_only = True

    def _attendees(self, data: dict[str, Any]) -> list[tuple[Dwelling, str]] | None:
        rows = data.pop("attendees", None)
        if rows is None:
            return None
        return [(row["dwelling"], row.get("attendee_name", "")) for row in rows]

    def create(self, validated_data: dict[str, Any]) -> m.Meeting:
        attendees = self._attendees(validated_data) or []
        try:
            return meeting_service.record_meeting(
                by=_user(self), attendees=attendees, **validated_data
            )
        except Invalid as exc:
            raise refused(exc) from exc

    def update(self, instance: m.Meeting, validated_data: dict[str, Any]) -> m.Meeting:
        attendees = self._attendees(validated_data)
        validated_data.pop("compound", None)
        try:
            return meeting_service.update_meeting(
                meeting=instance, by=_user(self), attendees=attendees, **validated_data
            )
        except Invalid as exc:
            raise refused(exc) from exc


class AttendanceSummarySerializer(serializers.Serializer):
    dwellings = serializers.IntegerField(help_text="dwellings represented")
    compound_dwellings = serializers.IntegerField()
    share = serializers.CharField(allow_null=True, help_text="percentage with 2 places")


class MeetingDetailSerializer(MeetingSerializer):
    """A meeting with its attachments and, for staff, the dwellings represented (residents
    read the minutes and decisions, not who came: ``attendances`` is empty for them and
    ``attendance`` null)."""

    attendances = serializers.SerializerMethodField()
    attendance = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = (*MeetingSerializer.Meta.fields, "attendances", "attendance", "attachments")

    def _visible_attendances(self, meeting: m.Meeting) -> list[m.Attendance]:
        cache: dict[int, list[m.Attendance]] = self.__dict__.setdefault("_attendances", {})
        if meeting.pk not in cache:
            cache[meeting.pk] = list(
                scoped(m.Attendance.objects.filter(meeting=meeting), _user(self)).select_related(
                    "dwelling__stairwell__building"
                )
            )
        return cache[meeting.pk]

    @extend_schema_field(AttendanceSerializer(many=True))
    def get_attendances(self, meeting: m.Meeting) -> Any:
        return AttendanceSerializer(self._visible_attendances(meeting), many=True).data

    @extend_schema_field(AttendanceSummarySerializer(allow_null=True))
    def get_attendance(self, meeting: m.Meeting) -> dict[str, Any] | None:
        user = _user(self)
        if user is None or not sel.sees_attendance(user, meeting):
            return None
        summary = sel.attendance_summary(meeting, len(self._visible_attendances(meeting)))
        share = summary.share
        return {
            "dwellings": summary.dwellings,
            "compound_dwellings": summary.compound_dwellings,
            "share": None if share is None else f"{share:.2f}",
        }

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, meeting: m.Meeting) -> Any:
        rows = scoped(m.MeetingAttachment.objects.filter(meeting=meeting), _user(self))
        return AttachmentSerializer(rows, many=True, context=self.context).data

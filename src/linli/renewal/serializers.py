"""Serializers of the renewal API. Reads nest a project's parts; writes go through
:mod:`linli.renewal.services` so the API enforces exactly what the pages enforce.

Foreign keys a client writes (a project's compounds, an item's project) are limited to the
rows inside the caller's scope for that write: naming someone else's project is a 400 "does not
exist" that does not reveal whether it exists.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from linli.core.api import ModelCleanSerializer, field_error_messages
from linli.core.scoping import scoped
from linli.registry.models import Compound, Organisation
from linli.renewal import gates, selectors, services
from linli.renewal import models as m

_TIMESTAMPS = ("created_at", "updated_at")


def _label(source: str) -> serializers.CharField:
    """The Chinese (or English) label of a choice field, read-only."""
    return serializers.CharField(source=f"get_{source}_display", read_only=True)


def _user(serializer: serializers.Serializer) -> Any:
    request = serializer.context.get("request")
    return getattr(request, "user", None)


def _limit(field: serializers.Field, queryset: QuerySet[Any]) -> None:
    """Point a related field (or a many=True field's child) at ``queryset``."""
    target = getattr(field, "child_relation", field)
    target.queryset = queryset  # type: ignore[union-attr]


# --- Catalogue -----------------------------------------------------------------------------


class LocalTagSerializer(ModelCleanSerializer):
    """A Xigong local tag ("拆违建", "改居住环境" ...)."""

    group_label = _label("group")

    class Meta:
        model = m.LocalTag
        fields = ("id", "code", "name", "group", "group_label", "sort_order", *_TIMESTAMPS)


class OutputIndicatorSerializer(ModelCleanSerializer):
    """An output indicator and its unit."""

    unit_label = _label("unit")

    class Meta:
        model = m.OutputIndicator
        fields = (
            "id",
            "code",
            "name",
            "unit",
            "unit_label",
            "description",
            "sort_order",
            *_TIMESTAMPS,
        )


class CatalogueItemSerializer(ModelCleanSerializer):
    """A kind of renovation content: category, unit, local tags and the indicator it feeds."""

    category_label = _label("category")
    unit_label = _label("unit")

    class Meta:
        model = m.CatalogueItem
        fields = (
            "id",
            "code",
            "name",
            "category",
            "category_label",
            "unit",
            "unit_label",
            "tags",
            "indicator",
            "description",
            "active",
            "sort_order",
            *_TIMESTAMPS,
        )


class ReviewRuleSerializer(ModelCleanSerializer):
    """A department that must sign off projects containing an item (or category, or all)."""

    department_name = serializers.CharField(source="department.name", read_only=True)
    target = serializers.CharField(source="target_label", read_only=True)

    class Meta:
        model = m.ReviewRule
        fields = (
            "id",
            "applies_to",
            "item",
            "category",
            "target",
            "department",
            "department_name",
            "workdays",
            *_TIMESTAMPS,
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "department" in self.fields:
            _limit(
                self.fields["department"],
                Organisation.objects.filter(kind__in=m.REVIEWING_KINDS),
            )


# --- Parts of a project (nested reads) -----------------------------------------------------


class ProjectItemSerializer(ModelCleanSerializer):
    """A catalogue item in a project with its quantity, budget (yuan) and output."""

    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    unit = serializers.CharField(source="item.get_unit_display", read_only=True)
    indicator = serializers.IntegerField(source="item.indicator_id", read_only=True)

    class Meta:
        model = m.ProjectItem
        fields = (
            "id",
            "project",
            "item",
            "item_code",
            "item_name",
            "unit",
            "quantity",
            "budget",
            "output_quantity",
            "indicator",
            "note",
            "progress_percent",
            *_TIMESTAMPS,
        )
        # Set by progress reports (services/progress.py), never entered here.
        read_only_fields: tuple[str, ...] = ("progress_percent",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None and "project" in self.fields:
            _limit(self.fields["project"], scoped(m.Project, user, "renewal.add_projectitem"))

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            fields["project"].read_only = True  # an item does not move between projects
        return fields

    def create(self, validated_data: dict[str, Any]) -> m.ProjectItem:
        return services.add_item(by=_user(self), **validated_data)

    def update(self, instance: m.ProjectItem, validated_data: dict[str, Any]) -> m.ProjectItem:
        validated_data.pop("project", None)
        return services.update_item(project_item=instance, by=_user(self), **validated_data)


class FundingLineSerializer(ModelCleanSerializer):
    """A project's money from one source: planned, allocated and disbursed (yuan)."""

    source_label = _label("source")

    class Meta:
        model = m.FundingLine
        fields = (
            "id",
            "project",
            "source",
            "source_label",
            "planned",
            "allocated",
            "disbursed",
            "note",
            *_TIMESTAMPS,
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None and "project" in self.fields:
            _limit(self.fields["project"], scoped(m.Project, user, "renewal.add_fundingline"))

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | QuerySet):
            fields["project"].read_only = True
            fields["source"].read_only = True
        return fields

    def create(self, validated_data: dict[str, Any]) -> m.FundingLine:
        return services.set_funding(by=_user(self), **validated_data)

    def update(self, instance: m.FundingLine, validated_data: dict[str, Any]) -> m.FundingLine:
        values = {
            name: validated_data.get(name, getattr(instance, name))
            for name in ("planned", "allocated", "disbursed", "note")
        }
        return services.set_funding(
            project=instance.project, source=instance.source, by=_user(self), **values
        )


class StageRecordSerializer(ModelCleanSerializer):
    """Planned (editable) and actual (from the transitions) dates of one stage."""

    stage_label = _label("stage")

    class Meta:
        model = m.StageRecord
        fields = (
            "id",
            "project",
            "stage",
            "stage_label",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
        )
        read_only_fields = ("project", "stage", "actual_start", "actual_end")

    def update(self, instance: m.StageRecord, validated_data: dict[str, Any]) -> m.StageRecord:
        return services.plan_stage(
            record=instance,
            planned_start=validated_data.get("planned_start", instance.planned_start),
            planned_end=validated_data.get("planned_end", instance.planned_end),
            by=_user(self),
        )


class TransitionSerializer(serializers.ModelSerializer):
    """One stage change: from, to, who, when, why."""

    from_label = _label("from_stage")
    to_label = _label("to_stage")
    by_username = serializers.CharField(source="by.username", read_only=True, default=None)

    class Meta:
        model = m.Transition
        fields = (
            "id",
            "project",
            "from_stage",
            "from_label",
            "to_stage",
            "to_label",
            "by",
            "by_username",
            "at",
            "reason",
        )
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer):
    """One department's sign-off of one joint-review round."""

    department_name = serializers.CharField(source="department.name", read_only=True)
    status_label = _label("status")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = m.Review
        fields = (
            "id",
            "project",
            "round",
            "department",
            "department_name",
            "status",
            "status_label",
            "reasons",
            "workdays",
            "requested_at",
            "due_on",
            "overdue",
            "comments",
            "decided_at",
            "decided_by",
        )
        read_only_fields = fields

    def get_overdue(self, review: m.Review) -> bool:
        return review.is_overdue()


class ReviewDecisionSerializer(serializers.Serializer):
    """A department's decision: approve, or reject with comments."""

    decision = serializers.ChoiceField(
        choices=[(services.APPROVE, "同意 approve"), (services.REJECT, "驳回 reject")],
        error_messages=field_error_messages(serializers.ChoiceField),
    )
    comments = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        error_messages=field_error_messages(serializers.CharField),
    )


class ProjectRecordSerializer(ModelCleanSerializer):
    """A record filed against a project: the project must be one the user may file it for."""

    project_permission: str

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None and "project" in self.fields:
            _limit(self.fields["project"], scoped(m.Project, user, self.project_permission))


class DecisionRecordSerializer(ProjectRecordSerializer):
    """The residents' decision on the plan with its document (multipart upload)."""

    outcome_label = _label("outcome")

    class Meta:
        model = m.DecisionRecord
        fields = (
            "id",
            "project",
            "decided_on",
            "outcome",
            "outcome_label",
            "approval_share",
            "summary",
            "document",
            "recorded_by",
            *_TIMESTAMPS,
        )
        read_only_fields = ("recorded_by",)

    project_permission = "renewal.add_decisionrecord"

    def create(self, validated_data: dict[str, Any]) -> m.DecisionRecord:
        return services.record_decision(by=_user(self), **validated_data)


class AcceptanceRecordSerializer(ProjectRecordSerializer):
    """The joint acceptance of completed works with the residents' satisfaction."""

    class Meta:
        model = m.AcceptanceRecord
        fields = (
            "id",
            "project",
            "accepted_on",
            "satisfaction_percent",
            "notes",
            "document",
            "recorded_by",
            *_TIMESTAMPS,
        )
        read_only_fields = ("recorded_by",)

    project_permission = "renewal.add_acceptancerecord"

    def create(self, validated_data: dict[str, Any]) -> m.AcceptanceRecord:
        return services.record_acceptance(by=_user(self), **validated_data)


# --- Projects ----------------------------------------------------------------------------


class ProjectItemReadSerializer(ProjectItemSerializer):
    """An item as nested in a project (read-only)."""

    class Meta(ProjectItemSerializer.Meta):
        fields = tuple(f for f in ProjectItemSerializer.Meta.fields if f not in _TIMESTAMPS)  # type: ignore[assignment]
        read_only_fields = fields


class FundingReadSerializer(FundingLineSerializer):
    """A funding line as nested in a project (read-only)."""

    class Meta(FundingLineSerializer.Meta):
        fields = tuple(f for f in FundingLineSerializer.Meta.fields if f not in _TIMESTAMPS)  # type: ignore[assignment]
        read_only_fields = fields


class ProjectSerializer(ModelCleanSerializer):
    """A project with its items, funding, stage dates and sign-offs (nested, read-only);
    creating and editing go through the services (zone from the compounds)."""

    stage_label = _label("stage")
    light_label = _label("light")
    compounds = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Compound.objects.none(), help_text="ids of the project's compounds"
    )
    budget_total = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    planned_total = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    allocated_total = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    disbursed_total = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    has_overdue_review = serializers.BooleanField(read_only=True)
    items = ProjectItemReadSerializer(many=True, read_only=True)
    funding = FundingReadSerializer(many=True, read_only=True)
    stages = StageRecordSerializer(many=True, read_only=True)
    reviews = ReviewSerializer(many=True, read_only=True)

    class Meta:
        model = m.Project
        fields = (
            "id",
            "code",
            "name",
            "year",
            "batch",
            "compounds",
            "zone",
            "stage",
            "stage_label",
            "design_firm",
            "construction_firm",
            "supervision_firm",
            "zone_lead",
            "subdistrict_contact",
            "community_contact",
            "district_contact",
            "aftercare_owner",
            "aftercare_owner_name",
            "satisfaction_threshold",
            "progress_percent",
            "light",
            "light_label",
            "light_reason",
            "light_checked_on",
            "review_round",
            "notes",
            "budget_total",
            "planned_total",
            "allocated_total",
            "disbursed_total",
            "has_overdue_review",
            "items",
            "funding",
            "stages",
            "reviews",
            *_TIMESTAMPS,
        )
        read_only_fields = (
            "zone",
            "stage",
            "progress_percent",
            "light",
            "light_reason",
            "light_checked_on",
            "review_round",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is None:
            return
        writing = self.instance is not None and not isinstance(self.instance, list | QuerySet)
        permission = "renewal.change_project" if writing else "renewal.add_project"
        _limit(self.fields["compounds"], scoped(Compound, user, permission))
        visible_orgs = scoped(Organisation, user)
        for name, kind in (
            ("design_firm", "design"),
            ("construction_firm", "construction"),
            ("supervision_firm", "supervision"),
        ):
            _limit(self.fields[name], visible_orgs.filter(kind=kind))
        _limit(self.fields["aftercare_owner"], visible_orgs)
        users = selectors.staff_users()
        for name in ("zone_lead", "subdistrict_contact", "community_contact", "district_contact"):
            _limit(self.fields[name], users)

    def create(self, validated_data: dict[str, Any]) -> m.Project:
        return services.create_project(by=_user(self), **validated_data)

    def update(self, instance: m.Project, validated_data: dict[str, Any]) -> m.Project:
        return services.update_project(project=instance, by=_user(self), **validated_data)


class TransitionRequestSerializer(serializers.Serializer):
    """A request to move a project to another stage."""

    to = serializers.ChoiceField(
        choices=gates.Stage.choices, error_messages=field_error_messages(serializers.ChoiceField)
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        error_messages=field_error_messages(serializers.CharField),
    )


class RefusalSerializer(serializers.Serializer):
    """One reason a transition is refused."""

    code = serializers.CharField()
    zh = serializers.CharField()
    en = serializers.CharField()


class RefusedSerializer(serializers.Serializer):
    """A 409 answer: the transition breaks one or more gates."""

    detail = serializers.CharField()
    refusals = RefusalSerializer(many=True)


class OptionSerializer(serializers.Serializer):
    """A stage the project could move to, and the reasons it may not (yet)."""

    stage = serializers.ChoiceField(choices=gates.Stage.choices)
    stage_label = serializers.SerializerMethodField()
    allowed = serializers.BooleanField()
    backward = serializers.BooleanField()
    refusals = RefusalSerializer(many=True)

    @extend_schema_field(serializers.CharField())
    def get_stage_label(self, option: gates.Option) -> str:
        return str(option.stage.label)

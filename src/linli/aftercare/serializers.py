"""Serializers of the after-care API: assets with their schedules, schedules with the live
overdue flag, visit records, and the bodies of the writes (which go through the services)."""

from __future__ import annotations

import datetime
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from linli.aftercare.models import (
    Asset,
    AssetKind,
    RecordResult,
    Schedule,
    ScheduleKind,
    ScheduleRecord,
)
from linli.aftercare.selectors import local_today
from linli.core.api import field_error_messages
from linli.registry.models import Compound, Organisation


def _errors(field_class: type[serializers.Field]) -> dict[str, Any]:
    return {"error_messages": field_error_messages(field_class)}


def _today(serializer: serializers.BaseSerializer) -> datetime.date:
    """The day overdue is computed on: one per request (the view puts it in the context)."""
    today = serializer.context.get("today")
    return today if isinstance(today, datetime.date) else local_today()


class ScheduleSerializer(serializers.ModelSerializer):
    """A preventive schedule with ``overdue`` and ``days_overdue`` on today (Asia/Shanghai)."""

    asset_name = serializers.CharField(source="asset.name", read_only=True)
    compound = serializers.IntegerField(source="asset.compound_id", read_only=True)
    overdue = serializers.SerializerMethodField()
    days_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Schedule
        fields: tuple[str, ...] = (
            "id",
            "asset",
            "asset_name",
            "compound",
            "kind",
            "interval_days",
            "last_done_on",
            "next_due_on",
            "active",
            "overdue",
            "days_overdue",
        )
        read_only_fields: tuple[str, ...] = fields

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, schedule: Schedule) -> bool:
        return schedule.is_overdue(_today(self))

    @extend_schema_field(serializers.IntegerField())
    def get_days_overdue(self, schedule: Schedule) -> int:
        return schedule.days_overdue(_today(self))


class AssetScheduleSerializer(ScheduleSerializer):
    """A schedule inside its asset (without repeating the asset)."""

    class Meta(ScheduleSerializer.Meta):
        fields = (
            "id",
            "kind",
            "interval_days",
            "last_done_on",
            "next_due_on",
            "active",
            "overdue",
            "days_overdue",
        )
        read_only_fields = fields


class AssetSerializer(serializers.ModelSerializer):
    """An asset, its responsible unit, its schedules and whether any of them is overdue."""

    compound_name = serializers.CharField(source="compound.name", read_only=True)
    schedules = AssetScheduleSerializer(many=True, read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Asset
        fields = (
            "id",
            "compound",
            "compound_name",
            "kind",
            "name",
            "location",
            "responsible_unit",
            "responsible_organisation",
            "registration_code",
            "manufacturer",
            "model_name",
            "commissioned_on",
            "active",
            "schedules",
            "overdue",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, asset: Asset) -> bool:
        today = _today(self)
        return any(s.is_overdue(today) for s in asset.schedules.all())


class AssetCreateSerializer(serializers.Serializer):
    """A new asset (→ ``register_asset``): compound and organisation ids the caller sees."""

    compound = serializers.PrimaryKeyRelatedField(
        queryset=Compound.objects.none(),
        error_messages=field_error_messages(serializers.PrimaryKeyRelatedField),
    )
    kind = serializers.ChoiceField(choices=AssetKind.choices, **_errors(serializers.ChoiceField))
    name = serializers.CharField(max_length=128, **_errors(serializers.CharField))
    responsible_unit = serializers.CharField(
        max_length=128,
        default="",
        allow_blank=True,
        help_text="使用单位; may be left out when responsible_organisation is given.",
        **_errors(serializers.CharField),
    )
    responsible_organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.none(),
        required=False,
        allow_null=True,
        error_messages=field_error_messages(serializers.PrimaryKeyRelatedField),
    )
    location = serializers.CharField(
        max_length=128, required=False, allow_blank=True, **_errors(serializers.CharField)
    )
    registration_code = serializers.CharField(
        max_length=64, required=False, allow_blank=True, **_errors(serializers.CharField)
    )
    manufacturer = serializers.CharField(
        max_length=128, required=False, allow_blank=True, **_errors(serializers.CharField)
    )
    model_name = serializers.CharField(
        max_length=64, required=False, allow_blank=True, **_errors(serializers.CharField)
    )
    commissioned_on = serializers.DateField(
        required=False, allow_null=True, **_errors(serializers.DateField)
    )

    def __init__(
        self, *args: Any, compounds: Any = None, organisations: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if compounds is not None:
            self.fields["compound"].queryset = compounds  # type: ignore[attr-defined]
        if organisations is not None:
            self.fields["responsible_organisation"].queryset = organisations  # type: ignore[attr-defined]


class RecordSerializer(serializers.ModelSerializer):
    """A visit done under a schedule."""

    asset = serializers.IntegerField(source="schedule.asset_id", read_only=True)
    kind = serializers.ChoiceField(
        source="schedule.kind", choices=ScheduleKind.choices, read_only=True
    )
    recorded_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = ScheduleRecord
        fields = (
            "id",
            "schedule",
            "asset",
            "kind",
            "done_on",
            "performed_by",
            "result",
            "notes",
            "recorded_at",
        )
        read_only_fields = fields


class RecordCreateSerializer(serializers.Serializer):
    """A visit to record (→ ``record_visit``); the schedule's next due date moves on."""

    done_on = serializers.DateField(**_errors(serializers.DateField))
    performed_by = serializers.CharField(max_length=128, **_errors(serializers.CharField))
    result = serializers.ChoiceField(
        choices=RecordResult.choices,
        default=RecordResult.PASSED,
        **_errors(serializers.ChoiceField),
    )
    notes = serializers.CharField(
        required=False, allow_blank=True, default="", **_errors(serializers.CharField)
    )


class AssetRefusalSerializer(serializers.Serializer):
    """A refused write: the rule broken, in Chinese and English."""

    detail = serializers.CharField()
    code = serializers.CharField()
    zh = serializers.CharField()
    en = serializers.CharField()

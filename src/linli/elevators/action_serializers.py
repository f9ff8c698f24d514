"""Serializers of the elevator API's actions: the workflow bodies (start votes, hand over),
consent documents and running costs (see ``serializers.py`` for the case itself)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from linli.consultation.models import RuleProfile
from linli.elevators.models import ConsentDocument, DocumentKind
from linli.elevators.serializers import CoefficientsField, bilingual, money
from linli.registry.models import Dwelling, Organisation

# --- Workflow bodies ---------------------------------------------------------------------------


class StartVotesSerializer(serializers.Serializer):
    """Body of ``start-votes``: one vote per stairwell."""

    closes_at = bilingual(serializers.DateTimeField)
    opens_at = bilingual(serializers.DateTimeField, required=False, allow_null=True)
    notice_days = bilingual(serializers.IntegerField, min_value=0, required=False)
    profile = bilingual(
        serializers.SlugRelatedField,
        slug_field="code",
        queryset=RuleProfile.objects.filter(active=True),
        required=False,
        allow_null=True,
        help_text="Rule profile code (default elevator-affected-consent)",
    )


class HandOverSerializer(serializers.Serializer):
    """Body of ``hand-over``: acceptance, the responsible unit and the maintenance contract."""

    accepted_on = bilingual(serializers.DateField)
    responsible_unit = bilingual(serializers.CharField, max_length=128)
    contractor = bilingual(serializers.CharField, max_length=128)
    contract_starts_on = bilingual(serializers.DateField)
    contract_ends_on = bilingual(serializers.DateField)
    responsible_organisation = bilingual(
        serializers.PrimaryKeyRelatedField,
        queryset=Organisation.objects.none(),
        required=False,
        allow_null=True,
    )
    contractor_organisation = bilingual(
        serializers.PrimaryKeyRelatedField,
        queryset=Organisation.objects.none(),
        required=False,
        allow_null=True,
    )
    contract_number = bilingual(serializers.CharField, required=False, allow_blank=True)
    annual_fee = money(required=False, allow_null=True)
    registration_code = bilingual(serializers.CharField, required=False, allow_blank=True)
    manufacturer = bilingual(serializers.CharField, required=False, allow_blank=True)
    model_name = bilingual(serializers.CharField, required=False, allow_blank=True)
    maintenance_interval_days = bilingual(serializers.IntegerField, min_value=1, required=False)
    inspection_interval_days = bilingual(serializers.IntegerField, min_value=1, required=False)

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations is not None:
            for name in ("responsible_organisation", "contractor_organisation"):
                self.fields[name].queryset = organisations  # type: ignore[attr-defined]


# --- Documents ---------------------------------------------------------------------------------


class DocumentSerializer(serializers.ModelSerializer):
    """A consent letter, the signed agreement or another document of the case."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    file_name = serializers.SerializerMethodField()
    size = serializers.SerializerMethodField()

    class Meta:
        model = ConsentDocument
        fields = (
            "id",
            "case",
            "kind",
            "kind_label",
            "title",
            "dwelling",
            "file_name",
            "size",
            "sha256",
            "uploaded_by",
            "created_at",
        )
        read_only_fields = fields

    def get_file_name(self, obj: ConsentDocument) -> str:
        return (obj.file.name or "").rsplit("/", 1)[-1]

    def get_size(self, obj: ConsentDocument) -> int | None:
        try:
            return int(obj.file.size)
        except (FileNotFoundError, OSError, ValueError):
            return None


class DocumentCreateSerializer(serializers.Serializer):
    """Body of ``POST documents/`` (multipart)."""

    kind = bilingual(serializers.ChoiceField, choices=DocumentKind.choices)
    title = bilingual(
        serializers.CharField,
        max_length=128,
        allow_blank=True,
        default="",
        help_text="Empty: the kind's name",
    )
    file = bilingual(serializers.FileField)
    dwelling = bilingual(
        serializers.PrimaryKeyRelatedField,
        queryset=Dwelling.objects.none(),
        required=False,
        allow_null=True,
    )

    def __init__(self, *args: Any, dwellings: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if dwellings is not None:
            self.fields["dwelling"].queryset = dwellings  # type: ignore[attr-defined]


# --- Running costs -----------------------------------------------------------------------------


class RunningCostCreateSerializer(serializers.Serializer):
    """Body of ``POST running-costs/``: one year's costs (recorded again: corrected)."""

    year = bilingual(serializers.IntegerField)
    maintenance = bilingual(serializers.CharField, required=False, help_text="Yuan")
    electricity = bilingual(serializers.CharField, required=False, help_text="Yuan")
    inspection = bilingual(serializers.CharField, required=False, help_text="Yuan")
    other = bilingual(serializers.CharField, required=False, help_text="Yuan")
    coefficients = CoefficientsField(
        required=False, allow_null=True, help_text="Leave out to use the construction table"
    )
    area_weighted = bilingual(serializers.BooleanField, required=False, allow_null=True)


RUNNING_YEAR_FIELDS = (
    "year",
    "maintenance",
    "electricity",
    "inspection",
    "other",
    "total",
    "coefficients",
    "area_weighted",
)


class RunningYearSerializer(serializers.Serializer):
    """One year's running costs."""

    year = serializers.IntegerField()
    maintenance = money()
    electricity = money()
    inspection = money()
    other = money()
    total = money()
    coefficients = CoefficientsField(allow_null=True, help_text="null: the construction table")
    area_weighted = serializers.BooleanField(allow_null=True)


class RunningShareSerializer(serializers.Serializer):
    """One dwelling's share of a year's running costs."""

    dwelling = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]
    floor = serializers.IntegerField()
    coefficient = serializers.CharField()
    share = money()


class RunningStatementSerializer(RunningYearSerializer):
    """A year's running costs shared among the pool."""

    shares = RunningShareSerializer(many=True)

"""Serializers of the elevator API: subsidy rules, the case (list, detail, plan input), the
allocation, the workflow actions' bodies, consent documents and running costs.

Input serializers only check shapes and types; the rules (money in fen, coefficient tables,
dwellings of the pool, transitions) are the services' and engines', whose refusals the API
turns into bilingual 400s and 409s. Output serializers read plain dicts built in ``api.py``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from linli.core.api import field_error_messages
from linli.core.scoping import scoped
from linli.elevators import allocation
from linli.elevators.models import (
    CaseStatus,
    CostPart,
    StopMode,
    SubsidyKind,
    SubsidyRule,
)
from linli.registry.models import Dwelling, Stairwell

MONEY = {"max_digits": 12, "decimal_places": 2}
DECIMAL_PATTERN = r"^\d+(\.\d{1,2})?$"
_SHAPES = {
    "not_a_list": "须为列表,收到 {input_type} (expected a list, got {input_type})",
    "not_a_dict": "须为对象,收到 {input_type} (expected an object, got {input_type})",
    "empty": "至少填写一项 (this list may not be empty)",
}
_DICT_ERRORS = {**field_error_messages(serializers.DictField), **_SHAPES}


def bilingual(field_class: type[serializers.Field], **kwargs: Any) -> Any:
    """``field_class(**kwargs)`` whose error messages read in Chinese and English."""
    messages = {**field_error_messages(field_class), **_SHAPES}
    return field_class(error_messages=messages, **kwargs)


def money(**kwargs: Any) -> Any:
    return bilingual(serializers.DecimalField, **MONEY, **kwargs)


# --- Refusals ----------------------------------------------------------------------------------


class ElevatorRefusalSerializer(serializers.Serializer):
    """A refused write: the rule broken, in Chinese and English, and the field at fault."""

    detail = serializers.CharField()
    code = serializers.CharField()
    zh = serializers.CharField()
    en = serializers.CharField()
    field = serializers.CharField(allow_null=True, help_text="The request field at fault")


# --- Subsidy rules -----------------------------------------------------------------------------


class SubsidyRuleSerializer(serializers.ModelSerializer):
    """A city's subsidy rule (read)."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = SubsidyRule
        fields = (
            "id",
            "city",
            "name",
            "basis",
            "kind",
            "kind_label",
            "amount",
            "percent",
            "cap",
            "by_storeys",
            "active",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "description": 'Storeys → subsidy per elevator, e.g. {"6": "200000.00", "7": "250000.00"}',
        "additionalProperties": {"type": "string", "pattern": DECIMAL_PATTERN},
    }
)
class StoreysTableField(serializers.DictField):
    """The storeys table, passed as given to the engine's checks."""


class SubsidyRuleWriteSerializer(serializers.Serializer):
    """Body of a subsidy rule create or update (PATCH: only the fields given)."""

    city = bilingual(serializers.CharField, max_length=32)
    name = bilingual(serializers.CharField, max_length=128)
    basis = bilingual(serializers.CharField, max_length=255, required=False, allow_blank=True)
    kind = bilingual(serializers.ChoiceField, choices=SubsidyKind.choices)
    amount = money(required=False, allow_null=True)
    percent = bilingual(
        serializers.DecimalField, max_digits=5, decimal_places=2, required=False, allow_null=True
    )
    cap = money(required=False, allow_null=True)
    by_storeys = StoreysTableField(
        child=serializers.CharField(),
        required=False,
        allow_null=True,
        error_messages=_DICT_ERRORS,
    )
    active = bilingual(serializers.BooleanField, required=False)


# --- Plan input --------------------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "object",
        "description": "Cost by part, in yuan as decimal strings; parts left out are 0 "
        "(on PATCH: unchanged).",
        "properties": {
            part: {"type": "string", "pattern": DECIMAL_PATTERN, "description": str(label)}
            for part, label in CostPart.choices
        },
        "additionalProperties": False,
    }
)
class CostsField(serializers.DictField):
    """``{part: "amount"}``; parts and amounts are checked by ``services.cases.parse_costs``."""


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "enum": list(allocation.PRESETS)},
            {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": 'Coefficient by floor, e.g. {"1": "0", "2": "0.5", "3": "1"}',
            },
        ],
        "description": "A preset (equal, area: by exclusive area, half_step: 1 + 0.5 × (floor − 1)) "
        "or a table floor → coefficient.",
    }
)
class CoefficientsField(serializers.Field):
    """A preset name or a table floor → coefficient (checked by the allocation engine)."""

    default_error_messages = {
        "invalid": "须为方案名称或“楼层 → 系数”对照表 (must be a preset name or a table floor → "
        "coefficient)",
        **field_error_messages(serializers.Field),
    }

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str):
            return data
        if isinstance(data, dict):
            return {str(k): v if isinstance(v, str) else str(v) for k, v in data.items()}
        self.fail("invalid")

    def to_representation(self, value: Any) -> Any:
        return value


@extend_schema_field(
    {
        "type": "object",
        "description": 'Dwelling id → floor for cost purposes, e.g. {"812": 5} (half-landing stops)',
        "additionalProperties": {"type": "integer", "minimum": 1},
    }
)
class DwellingMapField(serializers.DictField):
    """``{"<dwelling id>": value}`` with the keys turned into ids."""

    default_error_messages = {
        "bad_key": "键须为房屋 id,收到 {value!r} (keys must be dwelling ids, got {value!r})",
        **_SHAPES,
    }

    def to_internal_value(self, data: Any) -> dict[int, Any]:
        raw = super().to_internal_value(data)
        result: dict[int, Any] = {}
        for key, value in raw.items():
            try:
                result[int(key)] = value
            except ValueError:
                self.fail("bad_key", value=key)
        return result


@extend_schema_field(
    {
        "type": "object",
        "description": 'Dwelling id → why it does not share the cost, e.g. {"801": "一层商铺"}',
        "additionalProperties": {"type": "string"},
    }
)
class ReasonMapField(DwellingMapField):
    """Exemption reasons by dwelling id."""


class CompensationSerializer(serializers.Serializer):
    """Compensation paid to one dwelling (funded pro rata by the others)."""

    dwelling = bilingual(serializers.IntegerField)
    amount = bilingual(serializers.CharField, help_text="Yuan, decimal string")


def _ids(**kwargs: Any) -> Any:
    return bilingual(serializers.ListField, child=serializers.IntegerField(), **kwargs)


class PlanSerializer(serializers.Serializer):
    """The plan fields shared by create and PATCH."""

    title = bilingual(serializers.CharField, max_length=128)
    costs = CostsField(child=serializers.CharField(), required=False, error_messages=_DICT_ERRORS)
    subsidy_rule = bilingual(
        serializers.PrimaryKeyRelatedField,
        queryset=SubsidyRule.objects.all(),
        required=False,
        allow_null=True,
    )
    coefficients = CoefficientsField(required=False)
    area_weighted = bilingual(serializers.BooleanField, required=False)
    exempt = _ids(required=False, help_text="Dwelling ids that do not share the cost")
    exempt_reasons = ReasonMapField(
        child=serializers.CharField(allow_blank=True), required=False, error_messages=_DICT_ERRORS
    )
    compensation = bilingual(serializers.ListField, child=CompensationSerializer(), required=False)
    cost_floors = DwellingMapField(
        child=bilingual(serializers.IntegerField), required=False, error_messages=_DICT_ERRORS
    )
    affected = _ids(
        required=False,
        help_text="Dwellings whose exclusive part the shaft or corridor occupies (must consent)",
    )
    stop_mode = bilingual(serializers.ChoiceField, choices=StopMode.choices, required=False)
    storeys = bilingual(serializers.IntegerField, min_value=1, required=False)
    feasibility = bilingual(serializers.CharField, required=False, allow_blank=True)
    design = bilingual(serializers.CharField, required=False, allow_blank=True)
    provident_fund_cap = money(required=False, allow_null=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            rules = scoped(SubsidyRule, request.user)
            self.fields["subsidy_rule"].queryset = rules  # type: ignore[attr-defined]


class CaseCreateSerializer(PlanSerializer):
    """Body of ``POST /elevator-cases/``: the stairwells served and the plan."""

    stairwells = bilingual(
        serializers.PrimaryKeyRelatedField,
        queryset=Stairwell.objects.all(),
        many=True,
        help_text="Adjacent stairwells of one compound sharing the elevator",
    )


class CaseUpdateSerializer(PlanSerializer):
    """Body of ``PATCH /elevator-cases/{id}/``: only the fields given change (the stairwells
    are fixed when the case is opened)."""

    title = bilingual(serializers.CharField, max_length=128, required=False)


# --- Case output -------------------------------------------------------------------------------


class CostsSerializer(serializers.Serializer):
    """The cost parts of a case."""

    equipment = money()
    civil_works = money()
    pipeline = money()
    design = money()
    supervision = money()
    other = money()


class StairwellRefSerializer(serializers.Serializer):
    """A stairwell served by the elevator."""

    id = serializers.IntegerField()
    building = serializers.IntegerField()
    building_number = serializers.CharField()
    number = serializers.CharField()
    label = serializers.CharField(help_text="e.g. 1栋2单元")  # type: ignore[assignment]


class StairwellVoteSerializer(serializers.Serializer):
    """The latest owners' vote of one stairwell on the case (null: not started)."""

    stairwell = serializers.IntegerField()
    vote = serializers.IntegerField(allow_null=True)
    status = serializers.CharField(allow_null=True)
    passed = serializers.BooleanField()


def dwelling_label(dwelling: Dwelling) -> str:
    """'1栋2单元301' (select ``stairwell__building``)."""
    stairwell = dwelling.stairwell
    return f"{stairwell.building.number}栋{stairwell.number}单元{dwelling.number}"


def stairwell_label(stairwell: Stairwell) -> str:
    return f"{stairwell.building.number}栋{stairwell.number}单元"


class PoolRowSerializer(serializers.Serializer):
    """A dwelling of the cost pool (a resident sees only their own)."""

    dwelling = serializers.IntegerField(source="dwelling_id")
    label = serializers.SerializerMethodField(help_text="e.g. 1栋2单元301")  # type: ignore[assignment]
    stairwell = serializers.IntegerField(source="dwelling.stairwell_id")
    floor = serializers.IntegerField(source="dwelling.floor", help_text="The storey it is on")
    area = serializers.DecimalField(source="dwelling.area", max_digits=10, decimal_places=2)
    cost_floor = serializers.IntegerField(help_text="Floor for cost purposes")
    exempt = serializers.BooleanField()
    exempt_reason = serializers.CharField()
    affected = serializers.BooleanField()
    compensation = money()

    def get_label(self, row: Any) -> str:
        return dwelling_label(row.dwelling)


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class IdsField(serializers.Field):
    """The ids of a (prefetched) many-to-many relation, read-only."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: Any) -> list[int]:
        return [obj.pk for obj in value.all()]


class CaseListSerializer(serializers.Serializer):
    """One case in a list."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    compound = serializers.IntegerField(source="compound_id")
    compound_name = serializers.CharField(source="compound.name")
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    stairwells: Any = IdsField(help_text="The stairwells served")
    storeys = serializers.IntegerField()
    total_cost = money()
    subsidy = money()
    residents_total = money()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class CaseDetailSerializer(CaseListSerializer):
    """A case with its plan, its pool (the caller's rows) and each stairwell's vote.

    Needs ``pool`` (the visible rows) and ``votes`` (``selectors.stairwell_votes``) in the
    context."""

    stop_mode = serializers.ChoiceField(choices=StopMode.choices)
    feasibility = serializers.CharField()
    design = serializers.CharField()
    costs = CostsSerializer()
    subsidy_rule = serializers.IntegerField(source="subsidy_rule_id", allow_null=True)
    coefficients = CoefficientsField()
    area_weighted = serializers.BooleanField()
    provident_fund_cap = money(allow_null=True)
    stairwells = serializers.SerializerMethodField()
    pool = serializers.SerializerMethodField()
    votes = serializers.SerializerMethodField()
    asset = serializers.IntegerField(source="asset_id", allow_null=True)
    accepted_on = serializers.DateField(allow_null=True)

    @extend_schema_field(StairwellRefSerializer(many=True))
    def get_stairwells(self, case: Any) -> list[dict[str, Any]]:
        return [
            {
                "id": sv.stairwell.pk,
                "building": sv.stairwell.building_id,
                "building_number": sv.stairwell.building.number,
                "number": sv.stairwell.number,
                "label": stairwell_label(sv.stairwell),
            }
            for sv in self.context["votes"]
        ]

    @extend_schema_field(PoolRowSerializer(many=True))
    def get_pool(self, case: Any) -> Any:
        return PoolRowSerializer(self.context["pool"], many=True).data

    @extend_schema_field(StairwellVoteSerializer(many=True))
    def get_votes(self, case: Any) -> list[dict[str, Any]]:
        return [
            {
                "stairwell": sv.stairwell.pk,
                "vote": sv.vote.pk if sv.vote else None,
                "status": sv.vote.status if sv.vote else None,
                "passed": sv.passed,
            }
            for sv in self.context["votes"]
        ]


# --- Allocation --------------------------------------------------------------------------------


class ShareSerializer(serializers.Serializer):
    """One dwelling's line of the cost sharing."""

    dwelling = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]
    floor = serializers.IntegerField(help_text="Floor for cost purposes")
    coefficient = serializers.CharField()
    construction_share = money()
    compensation_paid = money()
    compensation_received = money()
    net = money()
    provident_fund_limit = money(
        help_text="The most the owner may withdraw from the housing provident fund"
    )


class AllocationSerializer(serializers.Serializer):
    """The cost sharing of the plan as it stands."""

    total_cost = money()
    subsidy = money()
    residents_total = money()
    shares = ShareSerializer(many=True)

"""REST API for the registry: one endpoint per model under /api/v1/, on ``linli.core.api.router``.

Serializers validate through the models' ``full_clean()`` (see ``ModelCleanSerializer``), every
list is a constant number of queries (``select_related`` for the labels and ancestor ids each row
shows), and compounds also come as GeoJSON for the map.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from linli.core.api import (
    AtomicWritesMixin,
    BilingualFilterSet,
    CoordinateField,
    IntFilter,
    ModelCleanSerializer,
    field_error_messages,
    router,
)
from linli.core.geo import CoordSystem, to_wgs84
from linli.core.scoped_api import ScopedViewSetMixin
from linli.registry import models as m
from linli.registry import selectors
from linli.registry.reveal_api import RevealActionMixin

#: Fields carrying personal data: encrypted at rest, read as masked text (a stored value's
#: ``str()`` is its mask, which DRF's CharField prints); written as plaintext. A PATCH that
#: leaves them out keeps them. Reading one in full is the reveal action (audited).
PERSONAL_DATA_FIELDS = ("id_number", "phone")

_TIMESTAMPS = ("created_at", "updated_at")
_STR = {"type": "string"}
_NULLABLE_INT = {"type": "integer", "nullable": True}

#: OpenAPI schema of ``/api/v1/compounds/geojson/`` (GeoJSON, RFC 7946).
GEOJSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "id", "geometry", "properties"],
                "properties": {
                    "type": {"type": "string", "enum": ["Feature"]},
                    "id": {"type": "integer"},
                    "geometry": {
                        "type": "object",
                        "properties": {
                            "type": {"type": "string", "enum": ["Point"]},
                            "coordinates": {
                                "type": "array",
                                "items": {"type": "number"},
                                "minItems": 2,
                                "maxItems": 2,
                                "description": "[longitude, latitude], WGS-84",
                            },
                        },
                    },
                    "properties": {
                        "type": "object",
                        "properties": {
                            "id": {"type": "integer"},
                            "code": _STR,
                            "name": _STR,
                            "renovation_status": {
                                "type": "string",
                                "enum": list(m.RenovationStatus.values),
                            },
                            "renovation_status_label": _STR,
                            "zone": _NULLABLE_INT,
                            "zone_name": {"type": "string", "nullable": True},
                        },
                    },
                },
            },
        },
    },
}
_COORD_PLACES = Decimal("0.000001")


def _display() -> serializers.CharField:
    """The row as people read it (``__str__``), e.g. '测试路1号院 3号楼 2单元 501室'."""
    return serializers.CharField(source="__str__", read_only=True)


def _ancestor(source: str) -> serializers.IntegerField:
    """A read-only id of a grandparent, so clients can group rows without another request."""
    return serializers.IntegerField(source=source, read_only=True)


# --- Serializers ---------------------------------------------------------------------------


class DistrictSerializer(ModelCleanSerializer):
    """A district as read and written at /api/v1/districts/."""

    display = _display()

    class Meta:
        model = m.District
        fields = ("id", "code", "name", "display", *_TIMESTAMPS)


class SubdistrictSerializer(ModelCleanSerializer):
    """A subdistrict as read and written at /api/v1/subdistricts/."""

    display = _display()

    class Meta:
        model = m.Subdistrict
        fields = ("id", "district", "code", "name", "display", *_TIMESTAMPS)


class CommunitySerializer(ModelCleanSerializer):
    """A community as read and written at /api/v1/communities/."""

    display = _display()
    district = _ancestor("subdistrict.district_id")

    class Meta:
        model = m.Community
        fields = ("id", "subdistrict", "district", "code", "name", "display", *_TIMESTAMPS)


class ZoneSerializer(ModelCleanSerializer):
    """A zone as read and written at /api/v1/zones/."""

    display = _display()

    class Meta:
        model = m.Zone
        fields = ("id", "district", "code", "name", "display", *_TIMESTAMPS)


class OrganisationSerializer(ModelCleanSerializer):
    """A company or department as read and written at /api/v1/organisations/."""

    display = _display()

    class Meta:
        model = m.Organisation
        fields = ("id", "kind", "name", "display", "credit_code", "district", *_TIMESTAMPS)


class CompoundSerializer(ModelCleanSerializer):
    """A compound with its annotated counts; coordinates may be given in GCJ-02 or BD-09."""

    display = _display()
    subdistrict = _ancestor("community.subdistrict_id")
    district = _ancestor("community.subdistrict.district_id")
    longitude = CoordinateField(
        required=False, allow_null=True, min_value=Decimal(-180), max_value=Decimal(180)
    )
    latitude = CoordinateField(
        required=False, allow_null=True, min_value=Decimal(-90), max_value=Decimal(90)
    )
    coord_system = serializers.ChoiceField(
        choices=[
            (CoordSystem.WGS84.value, "WGS-84 (GPS)"),
            (CoordSystem.GCJ02.value, "GCJ-02 (高德/腾讯 AMap/Tencent)"),
            (CoordSystem.BD09.value, "BD-09 (百度 Baidu)"),
        ],
        write_only=True,
        required=False,
        help_text="The system longitude/latitude are given in; they are stored as WGS-84.",
        error_messages=field_error_messages(serializers.ChoiceField),
    )
    building_count = serializers.IntegerField(read_only=True)
    dwelling_count = serializers.IntegerField(read_only=True)
    household_count = serializers.IntegerField(read_only=True)
    people_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = m.Compound
        fields = (
            "id",
            "code",
            "name",
            "display",
            "community",
            "subdistrict",
            "district",
            "zone",
            "address",
            "year_built",
            "management_mode",
            "property_company",
            "heritage",
            "floor_area",
            "renovation_status",
            "renovated_year",
            "longitude",
            "latitude",
            "coord_system",
            "building_count",
            "dwelling_count",
            "household_count",
            "people_count",
            *_TIMESTAMPS,
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        system = attrs.pop("coord_system", CoordSystem.WGS84.value)
        lon, lat = attrs.get("longitude"), attrs.get("latitude")
        if system != CoordSystem.WGS84 and (lon is None or lat is None):
            raise serializers.ValidationError(
                {
                    "coord_system": [
                        "换算坐标须同时提供经度和纬度 "
                        "(converting coordinates needs both longitude and latitude)"
                    ]
                }
            )
        if lon is not None and lat is not None:
            lon_f, lat_f = to_wgs84(float(lon), float(lat), system)
            attrs["longitude"], attrs["latitude"] = Decimal(lon_f), Decimal(lat_f)
        for name in ("longitude", "latitude"):
            if attrs.get(name) is not None:
                attrs[name] = attrs[name].quantize(_COORD_PLACES, rounding=ROUND_HALF_EVEN)
        return super().validate(attrs)


class BuildingSerializer(ModelCleanSerializer):
    """A building as read and written at /api/v1/buildings/."""

    display = _display()

    class Meta:
        model = m.Building
        fields = (
            "id",
            "compound",
            "number",
            "display",
            "storeys",
            "has_elevator",
            "structure",
            "year_built",
            *_TIMESTAMPS,
        )


class StairwellSerializer(ModelCleanSerializer):
    """A stairwell as read and written at /api/v1/stairwells/."""

    display = _display()
    compound = _ancestor("building.compound_id")

    class Meta:
        model = m.Stairwell
        fields = ("id", "building", "compound", "number", "display", *_TIMESTAMPS)


class DwellingSerializer(ModelCleanSerializer):
    """A dwelling as read and written at /api/v1/dwellings/."""

    display = _display()
    building = _ancestor("stairwell.building_id")
    compound = _ancestor("stairwell.building.compound_id")

    class Meta:
        model = m.Dwelling
        fields = (
            "id",
            "stairwell",
            "building",
            "compound",
            "number",
            "display",
            "floor",
            "area",
            "sale_status",
            *_TIMESTAMPS,
        )


class OwnerSerializer(ModelCleanSerializer):
    """A owner as read and written at /api/v1/owners/."""

    display = _display()

    class Meta:
        model = m.Owner
        # Personal data (PERSONAL_DATA_FIELDS) kept as separate, plainly named fields.
        fields = (
            "id",
            "kind",
            "name",
            "display",
            "id_number",
            "credit_code",
            "phone",
            *_TIMESTAMPS,
        )


class OwnershipSerializer(ModelCleanSerializer):
    """A ownership as read and written at /api/v1/ownerships/."""

    display = _display()

    class Meta:
        model = m.Ownership
        fields = ("id", "owner", "dwelling", "share", "display", *_TIMESTAMPS)


class HouseholdSerializer(ModelCleanSerializer):
    """A household as read and written at /api/v1/households/."""

    display = _display()
    compound = _ancestor("dwelling.stairwell.building.compound_id")

    class Meta:
        model = m.Household
        fields = (
            "id",
            "dwelling",
            "compound",
            "head_name",
            "is_owner_occupied",
            "display",
            *_TIMESTAMPS,
        )


class ResidentSerializer(ModelCleanSerializer):
    """A resident as read and written at /api/v1/residents/."""

    display = _display()
    dwelling = _ancestor("household.dwelling_id")

    class Meta:
        model = m.Resident
        # Personal data (PERSONAL_DATA_FIELDS) kept as separate, plainly named fields.
        fields = (
            "id",
            "household",
            "dwelling",
            "name",
            "display",
            "id_number",
            "phone",
            "gender",
            "birth_year",
            *_TIMESTAMPS,
        )


# --- Filters -------------------------------------------------------------------------------


def _filterset(
    model: type[Any],
    ids: dict[str, str],
    fields: tuple[str, ...] = (),
    ranges: tuple[str, ...] = (),
) -> type[BilingualFilterSet]:
    """A FilterSet for ``model``: ``ids`` maps a parameter to the path of the row it names (a
    parent or ancestor id), ``fields`` filter by exact value, ``ranges`` get ``_min``/``_max``."""
    declared: dict[str, Any] = {
        # Paths through ownerships fan out (an owner of two dwellings): keep rows distinct.
        name: IntFilter(field_name=path, distinct=path.startswith("ownerships"))
        for name, path in ids.items()
    }
    for name in ranges:
        declared[f"{name}_min"] = IntFilter(field_name=name, lookup_expr="gte")
        declared[f"{name}_max"] = IntFilter(field_name=name, lookup_expr="lte")
    meta = type("Meta", (), {"model": model, "fields": (*declared, *fields)})
    return type(f"{model.__name__}Filter", (BilingualFilterSet,), {**declared, "Meta": meta})


_COMPOUND = "stairwell__building__compound"

SubdistrictFilter = _filterset(m.Subdistrict, {"district": "district"})
CommunityFilter = _filterset(
    m.Community, {"subdistrict": "subdistrict", "district": "subdistrict__district"}
)
ZoneFilter = _filterset(m.Zone, {"district": "district"})
OrganisationFilter = _filterset(m.Organisation, {"district": "district"}, fields=("kind",))
CompoundFilter = _filterset(
    m.Compound,
    {
        "community": "community",
        "subdistrict": "community__subdistrict",
        "district": "community__subdistrict__district",
        "zone": "zone",
        "property_company": "property_company",
    },
    fields=("renovation_status", "management_mode", "heritage"),
    ranges=("year_built",),
)
BuildingFilter = _filterset(
    m.Building,
    {"compound": "compound", "community": "compound__community"},
    fields=("has_elevator", "structure"),
    ranges=("storeys",),
)
StairwellFilter = _filterset(
    m.Stairwell, {"building": "building", "compound": "building__compound"}
)
DwellingFilter = _filterset(
    m.Dwelling,
    {
        "stairwell": "stairwell",
        "building": "stairwell__building",
        "compound": _COMPOUND,
        "floor": "floor",
    },
    fields=("sale_status",),
)
OwnerFilter = _filterset(
    m.Owner,
    {"dwelling": "ownerships__dwelling", "compound": f"ownerships__dwelling__{_COMPOUND}"},
    fields=("kind",),
)
OwnershipFilter = _filterset(
    m.Ownership, {"owner": "owner", "dwelling": "dwelling", "compound": f"dwelling__{_COMPOUND}"}
)
HouseholdFilter = _filterset(
    m.Household,
    {
        "dwelling": "dwelling",
        "building": "dwelling__stairwell__building",
        "compound": f"dwelling__{_COMPOUND}",
    },
    fields=("is_owner_occupied",),
)
ResidentFilter = _filterset(
    m.Resident,
    {
        "household": "household",
        "dwelling": "household__dwelling",
        "compound": f"household__dwelling__{_COMPOUND}",
    },
    fields=("gender",),
    ranges=("birth_year",),
)


# --- Viewsets ------------------------------------------------------------------------------


class RegistryViewSet(ScopedViewSetMixin, AtomicWritesMixin, viewsets.ModelViewSet):
    """CRUD for one registry model: rows, writes and choices in the caller's jurisdiction
    (see :mod:`linli.core.scoped_api`), atomic writes, filters, search, ordering."""


class DistrictViewSet(RegistryViewSet):
    """Districts (区)."""

    queryset = m.District.objects.all()
    serializer_class = DistrictSerializer
    search_fields = ("code", "name")
    ordering_fields = ("id", "code", "name")


class SubdistrictViewSet(RegistryViewSet):
    """Sub-district offices (街道办事处)."""

    queryset = m.Subdistrict.objects.all()
    serializer_class = SubdistrictSerializer
    filterset_class = SubdistrictFilter
    search_fields = ("code", "name")
    ordering_fields = ("id", "code", "name")


class CommunityViewSet(RegistryViewSet):
    """Communities (社区)."""

    queryset = m.Community.objects.select_related("subdistrict")
    serializer_class = CommunitySerializer
    filterset_class = CommunityFilter
    search_fields = ("code", "name")
    ordering_fields = ("id", "code", "name")


class ZoneViewSet(RegistryViewSet):
    """Renovation zones (片区)."""

    queryset = m.Zone.objects.all()
    serializer_class = ZoneSerializer
    filterset_class = ZoneFilter
    search_fields = ("code", "name")
    ordering_fields = ("id", "code", "name")


class OrganisationViewSet(RegistryViewSet):
    """Organisations (单位): property companies, contractors, departments and utilities."""

    queryset = m.Organisation.objects.all()
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    search_fields = ("name", "credit_code")
    ordering_fields = ("id", "name", "kind")


class CompoundViewSet(RegistryViewSet):
    """Compounds (小区/院) with building, dwelling, household and people counts."""

    queryset = m.Compound.objects.with_counts().select_related("community__subdistrict")
    serializer_class = CompoundSerializer
    filterset_class = CompoundFilter
    search_fields = ("code", "name", "address")
    ordering_fields = (
        "id",
        "code",
        "name",
        "year_built",
        "renovation_status",
        "renovated_year",
        "floor_area",
        "building_count",
        "dwelling_count",
        "household_count",
        "people_count",
    )

    def get_queryset(self) -> Any:
        # Counted in the caller's scope (a resident's compound counts the resident's rows).
        return selectors.compounds_with_counts(self.request.user).select_related(
            "community__subdistrict"
        )

    @extend_schema(
        summary="Compounds as a GeoJSON FeatureCollection",
        description="Same filters, search and ordering as the list; not paginated; compounds "
        "without coordinates are left out. Coordinates are WGS-84 [longitude, latitude].",
        filters=True,
        responses={200: GEOJSON_SCHEMA},
    )
    @action(detail=False, methods=["get"], url_path="geojson", pagination_class=None)
    def geojson(self, request: Request) -> Response:
        """Compounds with coordinates as GeoJSON points, for the web map (one query)."""
        rows = (
            self.filter_queryset(self.get_queryset())
            .filter(longitude__isnull=False, latitude__isnull=False)
            .values_list(
                "id",
                "code",
                "name",
                "renovation_status",
                "zone_id",
                "zone__name",
                "longitude",
                "latitude",
            )
        )
        labels = dict(m.RenovationStatus.choices)
        features = [
            {
                "type": "Feature",
                "id": pk,
                "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
                "properties": {
                    "id": pk,
                    "code": code,
                    "name": name,
                    "renovation_status": status,
                    "renovation_status_label": str(labels.get(status, status)),
                    "zone": zone,
                    "zone_name": zone_name,
                },
            }
            for pk, code, name, status, zone, zone_name, lon, lat in rows
        ]
        return Response({"type": "FeatureCollection", "features": features})


class BuildingViewSet(RegistryViewSet):
    """Buildings (楼栋)."""

    queryset = m.Building.objects.select_related("compound")
    serializer_class = BuildingSerializer
    filterset_class = BuildingFilter
    search_fields = ("number", "compound__code", "compound__name")
    ordering_fields = ("id", "number", "storeys", "year_built")


class StairwellViewSet(RegistryViewSet):
    """Stairwells (单元)."""

    queryset = m.Stairwell.objects.select_related("building__compound")
    serializer_class = StairwellSerializer
    filterset_class = StairwellFilter
    search_fields = ("number",)
    ordering_fields = ("id", "number")


class DwellingViewSet(RegistryViewSet):
    """Dwellings (户, exclusive parts)."""

    queryset = m.Dwelling.objects.select_related(_COMPOUND)
    serializer_class = DwellingSerializer
    filterset_class = DwellingFilter
    search_fields = ("number",)
    ordering_fields = ("id", "number", "floor", "area")


class OwnerViewSet(RevealActionMixin, RegistryViewSet):
    """Owners (业主): people, organisations and developers."""

    queryset = m.Owner.objects.all()
    serializer_class = OwnerSerializer
    filterset_class = OwnerFilter
    search_fields = ("name", "credit_code")
    ordering_fields = ("id", "name", "kind")


class OwnershipViewSet(RegistryViewSet):
    """Ownerships: which owner holds which dwelling, and the share."""

    queryset = m.Ownership.objects.select_related("owner", f"dwelling__{_COMPOUND}")
    serializer_class = OwnershipSerializer
    filterset_class = OwnershipFilter
    search_fields = ("owner__name",)
    ordering_fields = ("id", "share")


class HouseholdViewSet(RegistryViewSet):
    """Households (住户) living in dwellings."""

    queryset = m.Household.objects.select_related(f"dwelling__{_COMPOUND}")
    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilter
    search_fields = ("head_name",)
    ordering_fields = ("id", "head_name")


class ResidentViewSet(RevealActionMixin, RegistryViewSet):
    """Residents (居民), the people that people counts add up."""

    queryset = m.Resident.objects.select_related("household")
    serializer_class = ResidentSerializer
    filterset_class = ResidentFilter
    search_fields = ("name",)
    ordering_fields = ("id", "name", "birth_year")


router.register("districts", DistrictViewSet)
router.register("subdistricts", SubdistrictViewSet)
router.register("communities", CommunityViewSet)
router.register("zones", ZoneViewSet)
router.register("organisations", OrganisationViewSet)
router.register("compounds", CompoundViewSet)
router.register("buildings", BuildingViewSet)
router.register("stairwells", StairwellViewSet)
router.register("dwellings", DwellingViewSet)
router.register("owners", OwnerViewSet)
router.register("ownerships", OwnershipViewSet)
router.register("households", HouseholdViewSet)
router.register("residents", ResidentViewSet)

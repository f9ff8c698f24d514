"""Django admin for every registry model.

Foreign keys use autocomplete widgets (a select with tens of thousands of dwellings would
not load), change lists join what ``__str__`` prints (a dwelling prints its stairwell,
building and compound) and search the fields clerks look things up by.
"""

from __future__ import annotations

from django.contrib import admin

from linli.registry.models import (
    Building,
    Community,
    Compound,
    District,
    Dwelling,
    Household,
    Owner,
    Ownership,
    Resident,
    Stairwell,
    Subdistrict,
    Zone,
)

_DWELLING_PATH = "stairwell__building__compound"


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    """Districts, by GB/T 2260 code."""

    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Subdistrict)
class SubdistrictAdmin(admin.ModelAdmin):
    """Sub-district offices."""

    list_display = ["code", "name", "district"]
    list_filter = ["district"]
    list_select_related = ["district"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["district"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    """Residents' communities."""

    list_display = ["code", "name", "subdistrict"]
    list_filter = ["subdistrict"]
    list_select_related = ["subdistrict"]
    search_fields = ["code", "name", "subdistrict__name"]
    autocomplete_fields = ["subdistrict"]


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    """Renovation zones."""

    list_display = ["code", "name", "district"]
    list_filter = ["district"]
    list_select_related = ["district"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["district"]


class BuildingInline(admin.TabularInline):
    """A compound's buildings, edited on the compound's page."""

    model = Building
    extra = 0
    fields = ["number", "storeys", "has_elevator", "structure", "year_built"]
    show_change_link = True


@admin.register(Compound)
class CompoundAdmin(admin.ModelAdmin):
    """Compounds, the unit of renovation."""

    list_display = [
        "code",
        "name",
        "community",
        "zone",
        "year_built",
        "management_mode",
        "renovation_status",
        "renovated_year",
        "heritage",
    ]
    list_filter = [
        "renovation_status",
        "management_mode",
        "heritage",
        "zone",
        "community__subdistrict",
    ]
    list_select_related = ["community", "zone"]
    search_fields = ["code", "name", "address"]
    autocomplete_fields = ["community", "zone"]
    inlines = [BuildingInline]


class StairwellInline(admin.TabularInline):
    """A building's stairwells."""

    model = Stairwell
    extra = 0
    fields = ["number"]
    show_change_link = True


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    """Buildings of compounds."""

    list_display = ["__str__", "compound", "number", "storeys", "has_elevator", "structure"]
    list_filter = ["has_elevator", "structure", "storeys"]
    list_select_related = ["compound"]
    search_fields = ["compound__name", "compound__code", "number"]
    autocomplete_fields = ["compound"]
    inlines = [StairwellInline]


@admin.register(Stairwell)
class StairwellAdmin(admin.ModelAdmin):
    """Stairwells (units) of buildings."""

    list_display = ["__str__", "building", "number"]
    list_select_related = ["building__compound"]
    search_fields = ["building__compound__name", "building__compound__code", "number"]
    autocomplete_fields = ["building"]


class OwnershipInline(admin.TabularInline):
    """Titles to a dwelling; owners are picked by autocomplete."""

    model = Ownership
    extra = 0
    autocomplete_fields = ["owner"]


@admin.register(Dwelling)
class DwellingAdmin(admin.ModelAdmin):
    """Dwellings (exclusive parts); tens of thousands of rows."""

    list_display = ["__str__", "floor", "area", "sale_status"]
    list_filter = ["sale_status", "stairwell__building__compound__renovation_status"]
    list_select_related = [_DWELLING_PATH]
    search_fields = [f"{_DWELLING_PATH}__name", f"{_DWELLING_PATH}__code", "number"]
    autocomplete_fields = ["stairwell"]
    inlines = [OwnershipInline]
    show_full_result_count = False  # skip the extra COUNT(*) over every dwelling


@admin.register(Owner)
class OwnerAdmin(admin.ModelAdmin):
    """Owners; identifiers are searchable by exact value only and kept out of the list."""

    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "=id_number", "=credit_code", "=phone"]
    show_full_result_count = False


@admin.register(Ownership)
class OwnershipAdmin(admin.ModelAdmin):
    """Owner-dwelling titles."""

    list_display = ["owner", "dwelling", "share"]
    list_select_related = ["owner", f"dwelling__{_DWELLING_PATH}"]
    search_fields = ["owner__name", f"dwelling__{_DWELLING_PATH}__name"]
    autocomplete_fields = ["owner", "dwelling"]
    show_full_result_count = False


class ResidentInline(admin.TabularInline):
    """The people of a household."""

    model = Resident
    extra = 0
    fields = ["name", "gender", "birth_year", "id_number", "phone"]


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    """Households living in dwellings."""

    list_display = ["__str__", "head_name", "is_owner_occupied"]
    list_filter = ["is_owner_occupied"]
    list_select_related = [f"dwelling__{_DWELLING_PATH}"]
    search_fields = ["head_name", f"dwelling__{_DWELLING_PATH}__name"]
    autocomplete_fields = ["dwelling"]
    inlines = [ResidentInline]
    show_full_result_count = False


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    """Residents, the people counts add up."""

    list_display = ["name", "household", "gender", "birth_year"]
    list_filter = ["gender"]
    list_select_related = [f"household__dwelling__{_DWELLING_PATH}"]
    search_fields = ["name", "=id_number", "=phone"]
    autocomplete_fields = ["household"]
    show_full_result_count = False

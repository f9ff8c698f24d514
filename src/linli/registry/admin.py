"""Django admin for every registry model.

Foreign keys use autocomplete widgets (a select with tens of thousands of dwellings would
not load), change lists join what ``__str__`` prints (a dwelling prints its stairwell,
building and compound) and search the fields clerks look things up by. Every admin and
inline is scoped (:class:`~linli.core.scoped_admin.ScopedAdminMixin`): rows, choices and
permissions follow the user's role assignments.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from linli.core.crypto import hash_lookup
from linli.core.scoped_admin import ScopedAdminMixin
from linli.registry.models import (
    Building,
    Community,
    Compound,
    District,
    Dwelling,
    Household,
    Organisation,
    Owner,
    Ownership,
    Resident,
    Stairwell,
    Subdistrict,
    Zone,
)

_DWELLING_PATH = "stairwell__building__compound"
#: Filters over related places offer only those in the (scoped) change list, so a filter
#: never lists a zone or sub-district outside the user's jurisdiction.
_ONLY = admin.RelatedOnlyFieldListFilter


@admin.register(District)
class DistrictAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Districts, by GB/T 2260 code."""

    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Subdistrict)
class SubdistrictAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Sub-district offices."""

    list_display = ["code", "name", "district"]
    list_filter = [("district", _ONLY)]
    list_select_related = ["district"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["district"]


@admin.register(Community)
class CommunityAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Residents' communities."""

    list_display = ["code", "name", "subdistrict"]
    list_filter = [("subdistrict", _ONLY)]
    list_select_related = ["subdistrict"]
    search_fields = ["code", "name", "subdistrict__name"]
    autocomplete_fields = ["subdistrict"]


@admin.register(Zone)
class ZoneAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Renovation zones."""

    list_display = ["code", "name", "district"]
    list_filter = [("district", _ONLY)]
    list_select_related = ["district"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["district"]


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Property companies, contractors, departments and utilities."""

    list_display = ["name", "kind", "credit_code", "district"]
    list_filter = ["kind"]
    list_select_related = ["district"]
    search_fields = ["name", "=credit_code"]
    autocomplete_fields = ["district"]


class BuildingInline(ScopedAdminMixin, admin.TabularInline):
    """A compound's buildings, edited on the compound's page."""

    model = Building
    extra = 0
    fields = ["number", "storeys", "has_elevator", "structure", "year_built"]
    show_change_link = True


@admin.register(Compound)
class CompoundAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Compounds, the unit of renovation."""

    list_display = [
        "code",
        "name",
        "community",
        "zone",
        "year_built",
        "management_mode",
        "property_company",
        "renovation_status",
        "renovated_year",
        "heritage",
    ]
    list_filter = [
        "renovation_status",
        "management_mode",
        "heritage",
        ("zone", _ONLY),
        ("community__subdistrict", _ONLY),
    ]
    list_select_related = ["community", "zone", "property_company"]
    search_fields = ["code", "name", "address"]
    autocomplete_fields = ["community", "zone", "property_company"]
    inlines = [BuildingInline]


class StairwellInline(ScopedAdminMixin, admin.TabularInline):
    """A building's stairwells."""

    model = Stairwell
    extra = 0
    fields = ["number"]
    show_change_link = True


@admin.register(Building)
class BuildingAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Buildings of compounds."""

    list_display = ["__str__", "compound", "number", "storeys", "has_elevator", "structure"]
    list_filter = ["has_elevator", "structure", "storeys"]
    list_select_related = ["compound"]
    search_fields = ["compound__name", "compound__code", "number"]
    autocomplete_fields = ["compound"]
    inlines = [StairwellInline]


@admin.register(Stairwell)
class StairwellAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Stairwells (units) of buildings."""

    list_display = ["__str__", "building", "number"]
    list_select_related = ["building__compound"]
    search_fields = ["building__compound__name", "building__compound__code", "number"]
    autocomplete_fields = ["building"]


class OwnershipInline(ScopedAdminMixin, admin.TabularInline):
    """Titles to a dwelling; owners are picked by autocomplete."""

    model = Ownership
    extra = 0
    autocomplete_fields = ["owner"]


@admin.register(Dwelling)
class DwellingAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Dwellings (exclusive parts); tens of thousands of rows."""

    list_display = ["__str__", "floor", "area", "sale_status"]
    list_filter = ["sale_status", "stairwell__building__compound__renovation_status"]
    list_select_related = [_DWELLING_PATH]
    search_fields = [f"{_DWELLING_PATH}__name", f"{_DWELLING_PATH}__code", "number"]
    autocomplete_fields = ["stairwell"]
    inlines = [OwnershipInline]
    show_full_result_count = False  # skip the extra COUNT(*) over every dwelling


class PersonalDataAdminMixin:
    """ID and phone numbers (encrypted): shown masked, found by their exact value.

    Lists and forms print them masked (their ``str()``); the edit field never shows the value
    and keeps it when left blank. The search box also matches a whole ID or phone number
    through the keyed hash (a fragment matches nothing: the column is encrypted).
    """

    model: Any
    personal_search_fields: tuple[str, ...] = ("id_number", "phone")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        results, may_have_duplicates = super().get_search_results(  # type: ignore[misc]
            request, queryset, search_term
        )
        term = search_term.strip()
        if term:
            exact = Q()
            for name in self.personal_search_fields:
                exact |= hash_lookup(self.model, name, term)
            results = results | queryset.filter(exact)
        return results, may_have_duplicates


@admin.register(Owner)
class OwnerAdmin(PersonalDataAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Owners; ID and phone numbers masked, searchable by exact value only."""

    list_display = ["name", "kind", "id_number", "phone"]
    list_filter = ["kind"]
    search_fields = ["name", "=credit_code"]
    show_full_result_count = False


@admin.register(Ownership)
class OwnershipAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Owner-dwelling titles."""

    list_display = ["owner", "dwelling", "share"]
    list_select_related = ["owner", f"dwelling__{_DWELLING_PATH}"]
    search_fields = ["owner__name", f"dwelling__{_DWELLING_PATH}__name"]
    autocomplete_fields = ["owner", "dwelling"]
    show_full_result_count = False


class ResidentInline(ScopedAdminMixin, admin.TabularInline):
    """The people of a household."""

    model = Resident
    extra = 0
    fields = ["name", "gender", "birth_year", "id_number", "phone"]


@admin.register(Household)
class HouseholdAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Households living in dwellings."""

    list_display = ["__str__", "head_name", "is_owner_occupied"]
    list_filter = ["is_owner_occupied"]
    list_select_related = [f"dwelling__{_DWELLING_PATH}"]
    search_fields = ["head_name", f"dwelling__{_DWELLING_PATH}__name"]
    autocomplete_fields = ["dwelling"]
    inlines = [ResidentInline]
    show_full_result_count = False


@admin.register(Resident)
class ResidentAdmin(PersonalDataAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Residents, the people counts add up; ID and phone numbers masked."""

    list_display = ["name", "household", "gender", "birth_year", "phone"]
    list_filter = ["gender"]
    list_select_related = [f"household__dwelling__{_DWELLING_PATH}"]
    search_fields = ["name"]
    autocomplete_fields = ["household"]
    show_full_result_count = False

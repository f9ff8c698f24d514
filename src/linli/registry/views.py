"""Registry pages: browsing district -> sub-district -> community -> compound -> building ->
stairwell -> dwelling, and a searchable, filterable compound list.

Every page needs a login and carries a breadcrumb back up the hierarchy; list pages are
paginated and cost a fixed number of queries (counts come from the selectors' subqueries).
Everything shown goes through the user's jurisdiction scope: an object outside it answers
404, lists, counts and filter choices hold only what is inside. Each page names the model
its ``pk`` refers to (``model``), which the access matrix test relies on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView
from django_filters.views import FilterView

from linli.core.geo import XIGONG_EXTENT
from linli.core.scoping import get_scoped_or_404, scoped
from linli.registry import selectors
from linli.registry.models import (
    Building,
    Community,
    Compound,
    District,
    Dwelling,
    RenovationStatus,
    Resident,
    Stairwell,
    Subdistrict,
    Zone,
)
from linli.registry.reveal import can_reveal

PAGE_SIZE = 50


@dataclass(frozen=True)
class Crumb:
    """One step of a breadcrumb; the current page has no ``url``."""

    label: str
    url: str | None = None


def breadcrumbs(obj: Model | None = None, *, tail: str | None = None) -> list[Crumb]:
    """The trail from the registry's root down to ``obj`` (the last crumb is not a link).

    Walks up the foreign keys, so callers select_related the chain to keep it query-free.
    ``tail`` adds a final unlinked crumb after ``obj`` (for pages below an object).
    """
    chain: list[Model] = []
    node: Model | None = obj
    while node is not None:
        chain.append(node)
        node = _parent(node)
    crumbs = [Crumb(gettext("区划"), reverse("registry:district_list"))]
    for item in reversed(chain):
        crumbs.append(Crumb(_crumb_label(item), _url_of(item)))
    if tail is not None:
        crumbs.append(Crumb(tail))
    last = crumbs[-1]
    crumbs[-1] = Crumb(last.label)
    return crumbs


def _parent(obj: Model) -> Model | None:
    if isinstance(obj, Dwelling):
        return obj.stairwell
    if isinstance(obj, Stairwell):
        return obj.building
    if isinstance(obj, Building):
        return obj.compound
    if isinstance(obj, Compound):
        return obj.community
    if isinstance(obj, Community):
        return obj.subdistrict
    if isinstance(obj, Subdistrict):
        return obj.district
    return None


def _crumb_label(obj: Model) -> str:
    # Buildings, stairwells and dwellings print their whole address; a crumb needs its own part.
    if isinstance(obj, Building):
        return gettext("%(number)s号楼") % {"number": obj.number}
    if isinstance(obj, Stairwell):
        return gettext("%(number)s单元") % {"number": obj.number}
    if isinstance(obj, Dwelling):
        return gettext("%(number)s室") % {"number": obj.number}
    return str(obj)


_URL_NAMES: dict[type[Model], str] = {
    District: "registry:district_detail",
    Subdistrict: "registry:subdistrict_detail",
    Community: "registry:community_detail",
    Compound: "registry:compound_detail",
    Building: "registry:building_detail",
    Stairwell: "registry:stairwell_detail",
    Dwelling: "registry:dwelling_detail",
}


def _url_of(obj: Model) -> str:
    return reverse(_URL_NAMES[type(obj)], args=[obj.pk])


def mini_map_config(compound: Compound) -> dict[str, Any] | None:
    """What web/map.js needs to draw one compound on its page's small map (None: no location)."""
    if compound.latitude is None or compound.longitude is None:
        return None
    return {
        "mode": "point",
        "point": {
            "lat": float(compound.latitude),
            "lon": float(compound.longitude),
            "status": compound.renovation_status,
            "name": compound.name,
        },
        "extent": list(XIGONG_EXTENT),
        "tileUrl": settings.LINLI_MAP_TILE_URL,
        "tileAttribution": settings.LINLI_MAP_TILE_ATTRIBUTION,
    }


class RegistryPage(LoginRequiredMixin):
    """Common base: login required; subclasses say which object the breadcrumb ends at."""

    def breadcrumb_object(self) -> Model | None:
        return None

    def breadcrumb_tail(self) -> str | None:
        return None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["breadcrumbs"] = breadcrumbs(self.breadcrumb_object(), tail=self.breadcrumb_tail())
        return context


class ChildListView(RegistryPage, ListView):
    """A parent object's page listing its children, paginated.

    ``parent_queryset`` fetches the parent (with its ancestors joined for the breadcrumb);
    ``get_children`` returns the annotated child queryset.
    """

    paginate_by = PAGE_SIZE
    parent_queryset: QuerySet[Any]
    parent: Any

    @property
    def model(self) -> type[Model]:  # type: ignore[override]
        """The model of the page's object (the parent), which ``pk`` refers to."""
        return self.parent_queryset.model

    def get_parent_queryset(self) -> QuerySet[Any]:
        return self.parent_queryset

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.parent = get_scoped_or_404(self.get_parent_queryset(), request.user, pk=kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def get_children(self) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        return self.get_children()

    def breadcrumb_object(self) -> Model | None:
        return self.parent

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["object"] = self.parent
        return context


class DistrictListView(RegistryPage, ListView):
    """The root of the registry: every district with its counts."""

    template_name = "registry/browse/district_list.html"
    context_object_name = "districts"
    paginate_by = PAGE_SIZE

    def get_queryset(self) -> QuerySet[District]:
        return selectors.districts_with_counts(self.request.user)


class DistrictDetailView(ChildListView):
    """A district and its sub-districts."""

    template_name = "registry/browse/district_detail.html"
    context_object_name = "subdistricts"
    parent_queryset = District.objects.all()

    def get_children(self) -> QuerySet[Subdistrict]:
        return selectors.subdistricts_with_counts(self.parent, self.request.user)


class SubdistrictDetailView(ChildListView):
    """A sub-district and its communities."""

    template_name = "registry/browse/subdistrict_detail.html"
    context_object_name = "communities"
    parent_queryset = Subdistrict.objects.select_related("district")

    def get_children(self) -> QuerySet[Community]:
        return selectors.communities_with_counts(self.parent, self.request.user)


class CommunityDetailView(ChildListView):
    """A community and its compounds."""

    template_name = "registry/browse/community_detail.html"
    context_object_name = "compounds"
    parent_queryset = Community.objects.select_related("subdistrict__district")

    def get_children(self) -> QuerySet[Compound]:
        return selectors.compounds_for_browse(self.request.user).filter(community=self.parent)


class CompoundDetailView(ChildListView):
    """A compound's facts, counts, location and buildings."""

    template_name = "registry/browse/compound_detail.html"
    context_object_name = "buildings"
    parent_queryset = Compound.objects.select_related("community__subdistrict__district", "zone")

    def get_parent_queryset(self) -> QuerySet[Compound]:
        # The counts on the page are counted in the user's scope, like every list's.
        return selectors.compounds_with_counts(self.request.user).select_related(
            "community__subdistrict__district", "zone"
        )

    def get_children(self) -> QuerySet[Building]:
        return selectors.buildings_with_counts(self.parent, self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["map_config"] = mini_map_config(self.parent)
        return context


class BuildingDetailView(ChildListView):
    """A building and its stairwells."""

    template_name = "registry/browse/building_detail.html"
    context_object_name = "stairwells"
    parent_queryset = Building.objects.select_related("compound__community__subdistrict__district")

    def get_children(self) -> QuerySet[Stairwell]:
        return selectors.stairwells_with_counts(self.parent, self.request.user)


class StairwellDetailView(RegistryPage, DetailView):
    """A stairwell's dwellings floor by floor, with sale status and owners' names.

    Not paginated: a stairwell holds at most ``MAX_STOREYS`` floors of a few dwellings each,
    and splitting a floor plan across pages would defeat its purpose.
    """

    template_name = "registry/browse/stairwell_detail.html"
    context_object_name = "stairwell"
    model = Stairwell

    def get_queryset(self) -> QuerySet[Stairwell]:
        return scoped(
            Stairwell.objects.select_related(
                "building__compound__community__subdistrict__district"
            ),
            self.request.user,
        )

    def breadcrumb_object(self) -> Model | None:
        return self.object

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["floors"] = selectors.stairwell_floors(self.object, self.request.user)
        return context


class DwellingDetailView(RegistryPage, DetailView):
    """A dwelling: its owners, the households living there and how many people."""

    template_name = "registry/browse/dwelling_detail.html"
    context_object_name = "dwelling"
    model = Dwelling

    def get_queryset(self) -> QuerySet[Dwelling]:
        return selectors.dwelling_for_detail(self.request.user)

    def breadcrumb_object(self) -> Model | None:
        return self.object

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["resident_count"] = sum(h.resident_count for h in self.object.household_list)
        # Masked ID/phone of the people here; "查看" (reveal, audited) only with the grant.
        context["residents"] = scoped(
            Resident.objects.filter(household__dwelling=self.object).order_by("household", "pk"),
            self.request.user,
        )
        context["can_reveal"] = can_reveal(self.request.user, self.object)
        return context


class CompoundFilter(django_filters.FilterSet):
    """Search and filters of the compound list (query parameters are the field names)."""

    q = django_filters.CharFilter(
        method="search",
        label=_("搜索(名称、编码、地址)"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    # Choices are the places the user sees (django-filter calls these with the request).
    subdistrict = django_filters.ModelChoiceFilter(
        field_name="community__subdistrict",
        queryset=lambda request: scoped(Subdistrict, request.user),
        label=_("街道办事处"),
        empty_label=_("全部"),
    )
    community = django_filters.ModelChoiceFilter(
        queryset=lambda request: scoped(Community, request.user),
        label=_("社区"),
        empty_label=_("全部"),
    )
    zone = django_filters.ModelChoiceFilter(
        queryset=lambda request: scoped(Zone, request.user),
        label=_("片区"),
        empty_label=_("全部"),
    )
    status = django_filters.ChoiceFilter(
        field_name="renovation_status",
        choices=RenovationStatus.choices,
        label=_("改造状态"),
        empty_label=_("全部"),
    )
    year_built_min = django_filters.NumberFilter(
        field_name="year_built",
        lookup_expr="gte",
        label=_("建成年份(起)"),
        widget=forms.NumberInput(attrs={"step": 1, "placeholder": "1980"}),
    )
    year_built_max = django_filters.NumberFilter(
        field_name="year_built",
        lookup_expr="lte",
        label=_("建成年份(止)"),
        widget=forms.NumberInput(attrs={"step": 1, "placeholder": "1999"}),
    )

    class Meta:
        model = Compound
        fields: list[str] = []

    def search(self, queryset: QuerySet[Compound], name: str, value: str) -> QuerySet[Compound]:
        """Name, code or address containing the text (case-insensitive)."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(code__icontains=value) | Q(address__icontains=value)
        )


class CompoundListView(RegistryPage, FilterView):
    """Every compound, searchable by name, code or address and filterable."""

    template_name = "registry/browse/compound_list.html"
    context_object_name = "compounds"
    filterset_class = CompoundFilter
    paginate_by = PAGE_SIZE

    def get_queryset(self) -> QuerySet[Compound]:
        return selectors.compounds_for_browse(self.request.user)

    def breadcrumb_tail(self) -> str | None:
        return gettext("小区名录")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_without_page"] = query.urlencode()
        return context

"""Web pages: the dashboard, the compound map and the map's GeoJSON feed."""

from __future__ import annotations

from typing import Any

import django_filters
from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.views import View
from django.views.generic import TemplateView

from linli.core.geo import XIGONG_EXTENT
from linli.core.scoping import scoped
from linli.registry.models import Compound, RenovationStatus, Subdistrict, Zone
from linli.registry.selectors import dashboard_figures, subdistrict_figures

GEOJSON_CONTENT_TYPE = "application/geo+json"


class DashboardView(LoginRequiredMixin, TemplateView):
    """The programme's headline numbers and a table per sub-district, over the user's scope."""

    template_name = "web/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["figures"] = dashboard_figures(self.request.user)
        context["subdistricts"] = subdistrict_figures(self.request.user)
        return context


class CompoundMapFilter(django_filters.FilterSet):
    """Filters of the map feed; ids are matched as numbers so filtering costs no lookups."""

    subdistrict = django_filters.NumberFilter(field_name="community__subdistrict_id")
    zone = django_filters.NumberFilter(field_name="zone_id")
    status = django_filters.ChoiceFilter(
        field_name="renovation_status", choices=RenovationStatus.choices
    )

    class Meta:
        model = Compound
        fields: list[str] = []


def map_settings() -> dict[str, Any]:
    """The part of web/map.js's configuration shared by every map: extent and base tiles."""
    return {
        "extent": list(XIGONG_EXTENT),
        "tileUrl": settings.LINLI_MAP_TILE_URL,
        "tileAttribution": settings.LINLI_MAP_TILE_ATTRIBUTION,
    }


class MapView(LoginRequiredMixin, TemplateView):
    """Compounds on a map, coloured by renovation status, with filters.

    Without a tile server (the default on an intranet) the map is a plain canvas with the
    district's extent; ``LINLI_MAP_TILE_URL`` adds a base layer.
    """

    template_name = "web/map.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filterset = CompoundMapFilter(self.request.GET or None, queryset=Compound.objects.none())
        query = filterset.form.data.urlencode() if filterset.is_bound else ""
        feed = reverse("web:map_geojson")
        context["map_config"] = {
            **map_settings(),
            "mode": "collection",
            "dataUrl": f"{feed}?{query}" if query else feed,
            "statuses": [
                {"value": value, "label": str(label)} for value, label in RenovationStatus.choices
            ],
            "labels": {
                "open": gettext("查看小区"),
                "extent": gettext("西工区范围"),
                "legend": gettext("改造状态"),
                "missing": gettext("无坐标、未上图的小区:%(count)s 个"),
            },
        }
        context["subdistricts"] = scoped(Subdistrict, self.request.user).only("pk", "name")
        context["zones"] = scoped(Zone, self.request.user).only("pk", "name")
        context["statuses"] = RenovationStatus.choices
        context["selected"] = {
            "subdistrict": self.request.GET.get("subdistrict", ""),
            "zone": self.request.GET.get("zone", ""),
            "status": self.request.GET.get("status", ""),
        }
        return context


class CompoundGeoJSONView(View):
    """Compounds as a GeoJSON FeatureCollection (WGS-84 points), filtered like the map page.

    One query with ``.values()`` over the compounds the user sees; compounds without
    coordinates are left out and counted in the collection's ``without_coordinates`` member.
    Needs a login, like every page.
    """

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # A feed answers 403 in JSON rather than redirecting a script to the login page.
        if not request.user.is_authenticated:
            return JsonResponse({"detail": "请先登录 (authentication required)"}, status=403)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> JsonResponse:
        filterset = CompoundMapFilter(request.GET or None, queryset=scoped(Compound, request.user))
        if filterset.is_bound and not filterset.is_valid():
            return JsonResponse(
                {"detail": "筛选条件无效 (invalid filter)", "errors": filterset.errors},
                status=400,
            )
        rows = filterset.qs.order_by("code").values(
            "pk",
            "code",
            "name",
            "renovation_status",
            "year_built",
            "longitude",
            "latitude",
            "community__name",
            "community__subdistrict__name",
            "zone__name",
        )
        labels = dict(RenovationStatus.choices)
        features = []
        without_coordinates = 0
        for row in rows:
            if row["longitude"] is None or row["latitude"] is None:
                without_coordinates += 1
                continue
            features.append(
                {
                    "type": "Feature",
                    "id": row["pk"],
                    "geometry": {
                        "type": "Point",
                        "coordinates": [float(row["longitude"]), float(row["latitude"])],
                    },
                    "properties": {
                        "code": row["code"],
                        "name": row["name"],
                        "status": row["renovation_status"],
                        "status_label": str(labels[row["renovation_status"]]),
                        "year_built": row["year_built"],
                        "community": row["community__name"],
                        "subdistrict": row["community__subdistrict__name"],
                        "zone": row["zone__name"],
                        "url": reverse("registry:compound_detail", args=[row["pk"]]),
                    },
                }
            )
        collection = {
            "type": "FeatureCollection",
            "features": features,
            "without_coordinates": without_coordinates,
        }
        return JsonResponse(
            collection, content_type=GEOJSON_CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
        )

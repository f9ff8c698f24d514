"""Web pages: the dashboard, the compound map and the map's GeoJSON feed."""

from __future__ import annotations

from typing import Any

import django_filters
from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponseBase, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views import View
from django.views.generic import TemplateView

from linli.core.geo import XIGONG_EXTENT
from linli.core.scoping import scoped
from linli.registry.models import Compound, RenovationStatus, Subdistrict, Zone
from linli.registry.selectors import dashboard_figures, subdistrict_figures
from linli.web.dashboard import (
    IndicatorFilterForm,
    build_dashboard,
    default_period,
    held_places,
    sees_the_ledger,
)

GEOJSON_CONTENT_TYPE = "application/geo+json"


class DashboardView(LoginRequiredMixin, TemplateView):
    """The registry's headline numbers and a table per sub-district, over the user's scope;
    for users with a jurisdiction over projects, the programme indicators of a period and a
    place they hold, with charts (web/dashboard.js) and the same figures in tables."""

    template_name = "web/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["figures"] = dashboard_figures(user)
        context["subdistricts"] = subdistrict_figures(user)
        if sees_the_ledger(user):
            context.update(self.indicator_context(user))
        return context

    def indicator_context(self, user: Any) -> dict[str, Any]:
        today = timezone.localdate()
        data = self.request.GET.copy()
        if data.get("period_start") or data.get("period_end"):
            data["year"] = ""  # dates win; the year select then reads "by dates"
        elif not data.get("year"):
            data["year"] = str(today.year)
        form = IndicatorFilterForm(data, today=today)
        places = held_places(user)
        place = None
        if form.is_valid():
            start, end = form.cleaned_data["period_start"], form.cleaned_data["period_end"]
            chosen = form.cleaned_data["scope"]
            place = places.find(chosen) if chosen else None
            if chosen and place is None:
                # Like every object outside the user's jurisdiction: not found, not forbidden.
                raise Http404(gettext("该范围不存在或不在您的管辖范围内"))
        else:
            # The form shows what is wrong; meanwhile, this year over everything in scope.
            start, end = default_period(today)
        dashboard = build_dashboard(
            user, period_start=start, period_end=end, place=place, today=today
        )
        return {
            "indicator_form": form,
            "places": places,
            "place": place,
            "period_start": start,
            "period_end": end,
            "period_is_year": (start, end) == default_period(start),
            "selected_scope": place.value if place else "",
            "dashboard": dashboard,
            "chart_data": dashboard.chart_data(),
        }


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

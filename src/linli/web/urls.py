"""Web pages at the site root: the dashboard and the compound map."""

from django.urls import path

from linli.web import views

app_name = "web"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("map/", views.MapView.as_view(), name="map"),
    path("map/compounds.geojson", views.CompoundGeoJSONView.as_view(), name="map_geojson"),
]

"""Web pages at the site root: the dashboard, the compound map and the residents' pages."""

from django.urls import path

from linli.web import resident, resident_elevators, views

app_name = "web"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("map/", views.MapView.as_view(), name="map"),
    path("map/compounds.geojson", views.CompoundGeoJSONView.as_view(), name="map_geojson"),
    # Residents on the phone (我的议事).
    path("me/", resident.ResidentHomeView.as_view(), name="resident_home"),
    path("me/votes/<int:pk>/", resident.ResidentVoteView.as_view(), name="resident_vote"),
    path("me/surveys/<int:pk>/", resident.ResidentSurveyView.as_view(), name="resident_survey"),
    path(
        "me/elevators/<int:pk>/",
        resident_elevators.ResidentElevatorView.as_view(),
        name="resident_elevator",
    ),
]

"""Registry pages under /registry/: the hierarchy from district down to dwelling, and the
searchable compound list. (/registry/import/ is a separate URLconf, registry_import.)"""

from django.urls import path

from linli.registry import reveal_views, views

app_name = "registry"
urlpatterns = [
    path("", views.DistrictListView.as_view(), name="district_list"),
    path("districts/<int:pk>/", views.DistrictDetailView.as_view(), name="district_detail"),
    path(
        "subdistricts/<int:pk>/", views.SubdistrictDetailView.as_view(), name="subdistrict_detail"
    ),
    path("communities/<int:pk>/", views.CommunityDetailView.as_view(), name="community_detail"),
    path("compounds/", views.CompoundListView.as_view(), name="compound_list"),
    path("compounds/<int:pk>/", views.CompoundDetailView.as_view(), name="compound_detail"),
    path("buildings/<int:pk>/", views.BuildingDetailView.as_view(), name="building_detail"),
    path("stairwells/<int:pk>/", views.StairwellDetailView.as_view(), name="stairwell_detail"),
    path("dwellings/<int:pk>/", views.DwellingDetailView.as_view(), name="dwelling_detail"),
    # Personal data of one owner/resident: masked, revealed one value at a time (audited).
    path(
        "reveal/owners/<int:pk>/",
        reveal_views.OwnerPersonalDataView.as_view(),
        name="owner_personal_data",
    ),
    path(
        "reveal/residents/<int:pk>/",
        reveal_views.ResidentPersonalDataView.as_view(),
        name="resident_personal_data",
    ),
]

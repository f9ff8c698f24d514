"""After-care pages under /aftercare/: assets and their maintenance schedules."""

from django.urls import path

from linli.aftercare import views

app_name = "aftercare"
urlpatterns = [
    path("", views.AssetListView.as_view(), name="asset_list"),
    path("assets/new/", views.AssetCreateView.as_view(), name="asset_create"),
    path("assets/<int:pk>/", views.AssetDetailView.as_view(), name="asset_detail"),
    path("assets/<int:pk>/record/", views.AssetRecordView.as_view(), name="asset_record"),
    path("assets/<int:pk>/schedule/", views.AssetScheduleView.as_view(), name="asset_schedule"),
    path("assets/<int:pk>/contract/", views.AssetContractView.as_view(), name="asset_contract"),
]

"""Core pages: the history (audit trail) of any audited object, under /history/."""

from django.urls import path

from linli.core import views

app_name = "core"
urlpatterns = [
    path("<str:app_label>/<str:model>/<int:pk>/", views.HistoryView.as_view(), name="history"),
]

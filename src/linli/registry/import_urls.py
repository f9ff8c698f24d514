"""Registry workbook pages: template download, upload, preview and confirm."""

from django.urls import path

from linli.registry import import_views as views

app_name = "registry_import"
urlpatterns = [
    path("", views.UploadView.as_view(), name="upload"),
    path("template.xlsx", views.TemplateDownloadView.as_view(), name="template"),
    path("export.xlsx", views.ExportView.as_view(), name="export"),
    path("<int:pk>/", views.UploadDetailView.as_view(), name="detail"),
    path("<int:pk>/confirm/", views.ConfirmView.as_view(), name="confirm"),
]

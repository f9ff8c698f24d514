"""Registry workbook pages: template download, upload, preview and confirm."""

from django.urls import path

app_name = "registry_import"
urlpatterns: list = []

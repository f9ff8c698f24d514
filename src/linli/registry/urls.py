"""Registry pages: browsing the hierarchy (views.py)."""

from django.urls import path

app_name = "registry"
urlpatterns: list = []

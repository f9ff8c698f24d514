"""Elevator pages under /elevators/: cases (list, new, the case page and its forms) and the
documents generated from a case. Each area keeps its own URL module."""

from django.urls import include, path

from linli.elevators import case_urls, document_urls

app_name = "elevators"
urlpatterns = [
    path("", include(case_urls)),
    path("", include(document_urls)),
]

"""Consultation pages under /consultation/: votes (and the hub page), surveys, visits,
demand rankings and meetings. Each area keeps its own URL module."""

from django.urls import include, path

from linli.consultation import survey_urls, visit_urls, vote_urls

app_name = "consultation"
urlpatterns = [
    path("", include(vote_urls)),
    path("", include(survey_urls)),
    path("", include(visit_urls)),
]

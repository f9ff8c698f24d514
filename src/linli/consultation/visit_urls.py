"""Visit, coverage, demand-ranking and meeting pages under /consultation/."""

from django.urls import path

from linli.consultation import meeting_views, visit_views

urlpatterns = [
    path("visits/new/", visit_views.VisitCreateView.as_view(), name="visit_new"),
    path("surveys/<int:pk>/coverage/", visit_views.CoverageView.as_view(), name="survey_coverage"),
    path("surveys/<int:pk>/visits/", visit_views.VisitListView.as_view(), name="visit_list"),
    path("demand/", visit_views.DemandListView.as_view(), name="demand_list"),
    path("demand/compute/", visit_views.DemandComputeView.as_view(), name="demand_compute"),
    path("demand/<int:pk>/", visit_views.DemandDetailView.as_view(), name="demand_detail"),
    path("meetings/", meeting_views.MeetingListView.as_view(), name="meeting_list"),
    path("meetings/new/", meeting_views.MeetingCreateView.as_view(), name="meeting_create"),
    path("meetings/<int:pk>/", meeting_views.MeetingDetailView.as_view(), name="meeting_detail"),
    path("meetings/<int:pk>/edit/", meeting_views.MeetingEditView.as_view(), name="meeting_edit"),
    path(
        "meetings/<int:pk>/attachments/",
        meeting_views.MeetingAttachView.as_view(),
        name="meeting_attach",
    ),
    path(
        "meeting-attachments/<int:pk>/",
        meeting_views.MeetingAttachmentView.as_view(),
        name="meeting_attachment",
    ),
]

"""Renewal pages under /renewal/: projects, their forms, sign-offs and the catalogue."""

from django.urls import path

from linli.renewal import (
    demand_views,
    progress_views,
    report_views,
    review_views,
    supervision_views,
    views,
)

app_name = "renewal"
urlpatterns = [
    path("", views.ProjectListView.as_view(), name="project_list"),
    path("new/", views.ProjectCreateView.as_view(), name="project_create"),
    path("<int:pk>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("<int:pk>/edit/", views.ProjectUpdateView.as_view(), name="project_edit"),
    path("<int:pk>/items/add/", views.ItemAddView.as_view(), name="item_add"),
    path("<int:pk>/demand/", demand_views.AdoptDemandView.as_view(), name="adopt_demand"),
    path("items/<int:pk>/edit/", views.ItemEditView.as_view(), name="item_edit"),
    path("items/<int:pk>/delete/", views.ItemDeleteView.as_view(), name="item_delete"),
    path("<int:pk>/funding/", views.FundingView.as_view(), name="funding"),
    path("<int:pk>/stages/", views.StagePlanView.as_view(), name="stage_plan"),
    path("<int:pk>/transition/", views.TransitionView.as_view(), name="transition"),
    path("<int:pk>/decision/", views.DecisionView.as_view(), name="decision_add"),
    path("<int:pk>/acceptance/", views.AcceptanceView.as_view(), name="acceptance_add"),
    path("<int:pk>/progress/", progress_views.ProgressView.as_view(), name="progress"),
    path(
        "<int:pk>/progress/new/",
        progress_views.ProgressReportView.as_view(),
        name="progress_report",
    ),
    path("<int:pk>/problems/new/", progress_views.ProblemRaiseView.as_view(), name="problem_add"),
    path(
        "problems/<int:pk>/resolve/",
        progress_views.ProblemResolveView.as_view(),
        name="problem_resolve",
    ),
    path("progress/photos/<int:pk>/", progress_views.PhotoView.as_view(), name="progress_photo"),
    path("reviews/", review_views.ReviewListView.as_view(), name="review_list"),
    path("reviews/<int:pk>/", review_views.ReviewDecideView.as_view(), name="review_decide"),
    path(
        "decisions/<int:pk>/document/",
        views.DecisionDocumentView.as_view(),
        name="decision_document",
    ),
    path(
        "acceptances/<int:pk>/document/",
        views.AcceptanceDocumentView.as_view(),
        name="acceptance_document",
    ),
    path("catalogue/", views.CatalogueView.as_view(), name="catalogue"),
    path("reports/", report_views.ReportListView.as_view(), name="report_list"),
    path("reports/<int:pk>/status/", report_views.ReportStatusView.as_view(), name="report_status"),
    path(
        "reports/<int:pk>/download/",
        report_views.ReportDownloadView.as_view(),
        name="report_download",
    ),
    path("supervision/", supervision_views.SupervisionListView.as_view(), name="supervision_list"),
    path(
        "supervision/<int:pk>/",
        supervision_views.SupervisionItemView.as_view(),
        name="supervision_item",
    ),
]

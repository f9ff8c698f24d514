"""URLs of the case pages (list, new, case page, plan and workflow forms)."""

from django.urls import path

from linli.elevators import case_actions, case_views

urlpatterns = [
    path("", case_views.CaseListView.as_view(), name="case_list"),
    path("new/", case_views.CaseCreateView.as_view(), name="case_create"),
    path("<int:pk>/", case_views.CaseDetailView.as_view(), name="case_detail"),
    path("<int:pk>/plan/", case_actions.PlanEditView.as_view(), name="case_plan"),
    path("<int:pk>/pool/", case_actions.PoolEditView.as_view(), name="case_pool"),
    path("<int:pk>/votes/", case_actions.StartVotesView.as_view(), name="case_start_votes"),
    path("<int:pk>/action/", case_actions.CaseActionView.as_view(), name="case_action"),
    path("<int:pk>/cancel/", case_actions.CancelView.as_view(), name="case_cancel"),
    path("<int:pk>/handover/", case_actions.HandOverView.as_view(), name="case_hand_over"),
    path(
        "<int:pk>/running-costs/",
        case_actions.RunningCostView.as_view(),
        name="case_running_costs",
    ),
    path(
        "<int:pk>/documents/",
        case_actions.DocumentUploadView.as_view(),
        name="case_document_add",
    ),
    path("documents/<int:pk>/", case_views.DocumentFileView.as_view(), name="case_document_file"),
]

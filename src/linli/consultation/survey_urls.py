"""Survey pages under /consultation/surveys/."""

from django.urls import path

from linli.consultation import survey_views as v

urlpatterns = [
    path("surveys/", v.SurveyListView.as_view(), name="survey_list"),
    path("surveys/new/", v.SurveyCreateView.as_view(), name="survey_create"),
    path("surveys/<int:pk>/", v.SurveyDetailView.as_view(), name="survey_detail"),
    path("surveys/<int:pk>/questions/", v.SurveyBuilderView.as_view(), name="survey_builder"),
    path("surveys/<int:pk>/answer/", v.SurveyAnswerView.as_view(), name="survey_answer"),
    path("surveys/<int:pk>/export/", v.SurveyExportView.as_view(), name="survey_export"),
    path(
        "surveys/<int:pk>/publish/",
        v.SurveyActionView.as_view(action="publish"),
        name="survey_publish",
    ),
    path(
        "surveys/<int:pk>/new-version/",
        v.SurveyActionView.as_view(action="new_version"),
        name="survey_new_version",
    ),
    path(
        "surveys/<int:pk>/close/", v.SurveyActionView.as_view(action="close"), name="survey_close"
    ),
]

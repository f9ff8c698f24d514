"""Vote pages (and the consultation hub) under /consultation/."""

from django.urls import path

from linli.consultation import views, vote_views

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("votes/", vote_views.VoteListView.as_view(), name="vote_list"),
    path("votes/new/", vote_views.VoteCreateView.as_view(), name="vote_create"),
    path("votes/<int:pk>/", vote_views.VoteDetailView.as_view(), name="vote_detail"),
    path("votes/<int:pk>/action/", vote_views.VoteActionView.as_view(), name="vote_action"),
    path("votes/<int:pk>/ballot/", vote_views.VoteBallotView.as_view(), name="vote_ballot"),
    path("votes/<int:pk>/notice/", vote_views.VoteNoticeView.as_view(), name="vote_notice"),
    path(
        "ballots/<int:pk>/document/",
        vote_views.BallotDocumentView.as_view(),
        name="vote_ballot_document",
    ),
]

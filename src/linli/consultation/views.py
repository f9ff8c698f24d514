"""The consultation hub page: what is running in the user's jurisdiction, by section."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from linli.consultation import models as m
from linli.core.scoping import scoped


class IndexView(LoginRequiredMixin, TemplateView):
    """Counts of open surveys, open votes, votes in public notice and recent meetings."""

    template_name = "consultation/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        surveys = scoped(m.Survey, user)
        votes = scoped(m.Vote, user)
        return {
            **super().get_context_data(**kwargs),
            "open_surveys": surveys.filter(status=m.SurveyStatus.OPEN).count(),
            "draft_surveys": surveys.filter(status=m.SurveyStatus.DRAFT).count(),
            "open_votes": votes.filter(status=m.VoteStatus.OPEN).count(),
            "notice_votes": votes.filter(status=m.VoteStatus.NOTICE).count(),
            "meetings": scoped(m.Meeting, user).count(),
            "rankings": scoped(m.DemandRanking, user).count(),
        }

"""The residents' pages on the phone (我的房屋/我的议事): what a resident may decide for the
dwellings they hold — open surveys to answer, owner votes to cast, results after close.

A resident's dwellings are the dwelling ids of their view scope (their resident role
assignments). Every read goes through :func:`linli.core.scoping.scoped`; every write goes
through the consultation services (``cast_ballot(channel="online")`` and
``submit_response(channel="online")``), which check again that the dwelling is the user's own.
The pages never show another household's ballot, answer or name: after a vote closes they
show the aggregate result only. This module holds the three views; what they read and show
lives in ``resident_cards.py`` (dwellings, cards, results and rules in words) and
``resident_answers.py`` (a survey's questions for touch and the posted answers).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.generic import DetailView, TemplateView

from linli.consultation import answers as engine
from linli.consultation.models import (
    Ballot,
    BallotChannel,
    Choice,
    Elector,
    Question,
    QuestionKind,
    Response,
    Survey,
    SurveyStatus,
    SurveyVersion,
    Vote,
    VoteStatus,
)
from linli.consultation.services.surveys import question_specs, submit_response
from linli.consultation.services.votes import cast_ballot
from linli.consultation.survey_selectors import current_version
from linli.core.errors import Invalid
from linli.core.scoping import scope_for, scoped
from linli.registry.models import Dwelling
from linli.web.resident_answers import QuestionView, parse_answers, question_views
from linli.web.resident_cards import (
    compound_meetings,
    compound_of,
    display_name,
    home_cards,
    resident_dwellings,
    result_of,
    rule_sentences,
    scope_words,
)
from linli.web.resident_elevators import elevator_cards

# --- The home page -----------------------------------------------------------------------------


class ResidentHomeView(LoginRequiredMixin, TemplateView):
    """我的议事: the resident's dwellings with what there is to answer and to vote on."""

    template_name = "web/resident/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        dwellings = resident_dwellings(user)
        return {
            **super().get_context_data(**kwargs),
            "dwellings": dwellings,
            "cards": home_cards(user, dwellings) if dwellings else [],
            "compound_meetings": compound_meetings(user, dwellings),
            "elevator_cards": elevator_cards(user, dwellings) if dwellings else [],
        }


# --- A vote ------------------------------------------------------------------------------------


@dataclass
class BallotForm:
    """One of the resident's dwellings in a vote: its ballot, or the choice to make."""

    elector: Elector
    ballot: Ballot | None
    error: str = ""


def refusal_message(exc: Exception) -> str:
    """A service refusal as the bilingual sentence shown to the resident."""
    if isinstance(exc, Invalid):
        return exc.message
    return str(exc) or gettext("操作未完成 (the request was refused)")


class ResidentVoteView(LoginRequiredMixin, DetailView):
    """One owner vote: the matter, the rule in words, the dates, and per dwelling of the
    resident the ballot cast or the choice buttons (with a confirmation step); after close,
    the aggregate result."""

    model = Vote
    template_name = "web/resident/vote.html"
    context_object_name = "vote"

    def get_queryset(self) -> QuerySet[Vote]:
        return scoped(Vote, self.request.user).select_related("profile", "compound")

    def my_electors(self, vote: Vote) -> list[Elector]:
        ids = scope_for(self.request.user).dwelling_ids
        if not ids:
            return []
        return list(
            scoped(Elector, self.request.user)
            .filter(vote=vote, dwelling_id__in=sorted(ids))
            .select_related("dwelling__stairwell__building__compound", "ballot")
            .order_by("stairwell", "dwelling__floor", "dwelling__number")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        vote: Vote = self.object
        errors: Mapping[int, str] = kwargs.pop("errors", {})
        forms = [
            BallotForm(e, getattr(e, "ballot", None), errors.get(e.dwelling_id, ""))
            for e in self.my_electors(vote)
        ]
        return {
            **super().get_context_data(**kwargs),
            "forms": forms,
            "is_open": vote.status == VoteStatus.OPEN,
            "several": len(forms) > 1,
            "rules": rule_sentences(vote.profile),
            "where": scope_words(vote),
            "result": result_of(vote),
            "choices": Choice.choices,
            "is_resident": bool(scope_for(self.request.user).dwelling_ids),
            "top_errors": [message for message in errors.values() if message],
        }

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = vote = self.get_object()
        electors = {e.dwelling_id: e for e in self.my_electors(vote)}
        try:
            dwelling_id = int(request.POST.get("dwelling", ""))
        except ValueError:
            dwelling_id = 0
        elector = electors.get(dwelling_id)
        choice = request.POST.get("choice", "")
        if elector is None:
            messages.error(
                request,
                gettext("这户不在本次表决范围内,或不是您的房屋 (not your dwelling in this vote)"),
            )
            return redirect("web:resident_vote", pk=vote.pk)
        if choice not in Choice.values:
            return self.render_to_response(
                self.get_context_data(
                    errors={
                        dwelling_id: gettext("请选择同意、反对或弃权 (choose yes, no or abstain)")
                    }
                )
            )
        if request.POST.get("confirm") != "yes":
            context = self.get_context_data()
            context.update(
                confirming=elector,
                confirm_choice=choice,
                confirm_label=Choice(choice).label,
            )
            return self.render_to_response(context)
        try:
            cast_ballot(
                vote=vote,
                dwelling=elector.dwelling,
                choice=choice,
                channel=BallotChannel.ONLINE,
                by=request.user,
                voter_name=display_name(request.user),
            )
        except (Invalid, PermissionDenied) as exc:
            return self.render_to_response(
                self.get_context_data(errors={dwelling_id: refusal_message(exc)})
            )
        messages.success(
            request,
            gettext("已投票:%(dwelling)s,%(choice)s。")
            % {"dwelling": elector.dwelling, "choice": Choice(choice).label},
        )
        return redirect("web:resident_vote", pk=vote.pk)


# --- A survey ----------------------------------------------------------------------------------


class ResidentSurveyView(LoginRequiredMixin, DetailView):
    """One survey for one of the resident's dwellings: the current version's questions drawn
    for touch, the answers sent as an online response, a thank-you state with the answers,
    and amending them while the survey is open."""

    model = Survey
    template_name = "web/resident/survey.html"
    context_object_name = "survey"

    def get_queryset(self) -> QuerySet[Survey]:
        # Residents' scope holds no drafts; staff may look at any survey in their scope.
        return scoped(Survey, self.request.user)

    def eligible(self, survey: Survey) -> list[Dwelling]:
        """The resident's dwellings in the survey's compounds."""
        compounds = set(survey.compounds.values_list("pk", flat=True))
        return [d for d in resident_dwellings(self.request.user) if compound_of(d).pk in compounds]

    def chosen(self, dwellings: Sequence[Dwelling], raw: str | None) -> Dwelling | None:
        for d in dwellings:
            if str(d.pk) == (raw or ""):
                return d
        return dwellings[0] if dwellings else None

    def questions(self, version: SurveyVersion | None) -> list[Question]:
        if version is None:
            return []
        return list(version.questions.prefetch_related("options").order_by("position"))

    def build(
        self,
        *,
        dwelling_raw: str | None,
        values: Mapping[int, Any] | None = None,
        errors: Mapping[int | None, list[str]] | None = None,
        editing: bool = False,
        general: str = "",
    ) -> dict[str, Any]:
        survey: Survey = self.object
        dwellings = self.eligible(survey)
        dwelling = self.chosen(dwellings, dwelling_raw)
        version = current_version(survey)
        questions = self.questions(version)
        response = (
            scoped(Response, self.request.user)
            .filter(survey=survey, dwelling=dwelling)
            .select_related("version")
            .first()
            if dwelling is not None
            else None
        )
        stored: dict[int, Any] = {}
        if response is not None:
            stored = {a.question_id: a.value for a in response.answers.all()}
        same_version = response is not None and response.version_id == getattr(version, "pk", None)
        answered_views: list[QuestionView] = []
        if response is not None:
            answered = self.questions(response.version)
            answered_views = [v for v in question_views(answered, stored, {}) if v.answer_text]
        if values is None:
            values = stored if same_version else {}
        is_open = survey.status == SurveyStatus.OPEN
        showing_form = is_open and dwelling is not None and (editing or response is None)
        return {
            **super().get_context_data(object=survey),
            "dwellings": dwellings,
            "dwelling": dwelling,
            "version": version,
            "response": response,
            "answered": answered_views,
            "questions": question_views(questions, values, errors or {}),
            "unplaced_errors": list((errors or {}).get(None, [])),
            "general_error": general,
            "is_open": is_open,
            "showing_form": showing_form,
            "outdated": response is not None and not same_version,
            "kinds": QuestionKind,
        }

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        context = self.build(
            dwelling_raw=request.GET.get("dwelling"), editing=request.GET.get("edit") == "1"
        )
        return self.render_to_response(context)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = survey = self.get_object()
        dwellings = self.eligible(survey)
        dwelling = self.chosen(dwellings, request.POST.get("dwelling"))
        if dwelling is None or str(dwelling.pk) != request.POST.get("dwelling"):
            messages.error(request, gettext("请选择您的一户房屋 (choose one of your dwellings)"))
            return redirect("web:resident_survey", pk=survey.pk)
        version = current_version(survey)
        questions = self.questions(version)
        specs = question_specs(version) if version is not None else []
        answers = parse_answers(questions, specs, request.POST)
        try:
            submit_response(
                survey=survey,
                dwelling=dwelling,
                answers=answers,
                by=request.user,
                channel="online",
                respondent_name=display_name(request.user),
            )
        except engine.AnswersInvalid as exc:
            context = self.build(
                dwelling_raw=str(dwelling.pk),
                values=answers,
                errors=exc.by_question(),
                editing=True,
                general=gettext("有 %(n)s 处需要修改,请看标红的题目 (%(n)s answers need a fix)")
                % {"n": len(exc.problems)},
            )
            return self.render_to_response(context)
        except (Invalid, PermissionDenied) as exc:
            context = self.build(
                dwelling_raw=str(dwelling.pk),
                values=answers,
                editing=True,
                general=refusal_message(exc),
            )
            return self.render_to_response(context)
        messages.success(request, gettext("感谢参与!您的答卷已提交。"))
        url = reverse("web:resident_survey", kwargs={"pk": survey.pk})
        return redirect(f"{url}?dwelling={dwelling.pk}")

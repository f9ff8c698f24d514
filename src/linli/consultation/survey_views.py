"""Survey pages under /consultation/surveys/: the list, a new survey, the survey page (versions,
questions, results, export), the builder of the draft version, and the answer form a worker
fills in during a visit (or a resident on their phone).

Views are thin: forms parse, services write and check permissions, the pure engine validates
answers. A survey outside the user's scope is 404; visible but not changeable is 403.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext
from django.views import View
from django.views.generic import ListView

from linli.consultation import survey_selectors as sel
from linli.consultation.answers import AnswersInvalid
from linli.consultation.menu import menu_items
from linli.consultation.models import (
    CHOICE_KINDS,
    Question,
    QuestionKind,
    Response,
    ResponseChannel,
    Survey,
    SurveyStatus,
)
from linli.consultation.services import surveys as service
from linli.consultation.survey_api import export_response
from linli.consultation.survey_forms import QuestionForm, SurveyForm, parse_answers
from linli.core.errors import Invalid
from linli.core.scoping import get_scoped_or_404, scope_for, scoped
from linli.registry.models import Compound, Dwelling
from linli.registry.scoping import COMPOUND_OF_DWELLING


def can_change(user: Any, survey: Survey) -> bool:
    return scoped(Survey, user, "consultation.change_survey").filter(pk=survey.pk).exists()


def _url(name: str, **query: Any) -> str | None:
    """A link to another helper's page, or None while that page does not exist."""
    try:
        url = reverse(name)
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(query)}" if query else url


def _pk_url(name: str, pk: int) -> str | None:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


class SurveyListView(LoginRequiredMixin, ListView):
    """The surveys of the user's jurisdiction with status, compounds and responses."""

    model = Survey
    template_name = "consultation/survey_list.html"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Survey]:
        return scoped(Survey, self.request.user).prefetch_related(
            Prefetch("compounds", queryset=Compound.objects.only("pk", "name"))
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        page = list(context["object_list"])
        counts = sel.response_counts(Survey.objects.filter(pk__in=[s.pk for s in page]), user)
        context["rows"] = [(s, counts.get(s.pk, 0)) for s in page]
        context["can_create"] = scoped(Compound, user, "consultation.add_survey").exists()
        return context


class SurveyCreateView(LoginRequiredMixin, View):
    """A new survey over compounds of the user's jurisdiction; then on to the builder."""

    def _compounds(self) -> QuerySet[Compound]:
        return scoped(Compound, self.request.user, "consultation.add_survey").order_by("name")

    def _render(self, form: SurveyForm) -> HttpResponse:
        return render(self.request, "consultation/survey_form.html", {"form": form})

    def get(self, request: HttpRequest) -> HttpResponse:
        compounds = self._compounds()
        if not compounds.exists():
            raise PermissionDenied
        return self._render(SurveyForm(compounds=compounds))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SurveyForm(request.POST, compounds=self._compounds())
        if not form.is_valid():
            return self._render(form)
        data = form.cleaned_data
        try:
            survey = service.create_survey(
                by=request.user,
                title=data["title"],
                compounds=list(data["compounds"]),
                description=data["description"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                coverage_target=data["coverage_target"],
            )
        except Invalid as exc:
            form.add_error(None, exc.message)
            return self._render(form)
        messages.success(request, gettext("问卷已创建,请添加题目"))
        return redirect("consultation:survey_builder", pk=survey.pk)


class SurveyObjectMixin(LoginRequiredMixin):
    """Loads ``self.survey`` through the user's scope (404 outside it)."""

    model = Survey
    survey: Survey
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.survey = get_scoped_or_404(Survey, request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc,no-any-return]


class SurveyDetailView(SurveyObjectMixin, View):
    """Versions, the current questions, result summaries, exports and the workflow buttons."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        survey = self.survey
        user = request.user
        versions = list(survey.versions.order_by("-number"))
        current = next((v for v in versions if v.published_at), None)
        draft = next((v for v in versions if v.published_at is None), None)
        changeable = can_change(user, survey)
        shown = current or draft
        questions = (
            list(shown.questions.prefetch_related("options").select_related("show_if"))
            if shown
            else []
        )
        responses = scoped(Response.objects.filter(survey=survey), user)
        may_answer = scoped(Dwelling, user, "consultation.add_response").filter(
            **{f"{COMPOUND_OF_DWELLING}__in": survey.compounds.all()}
        )
        context = {
            "survey": survey,
            "compounds": list(survey.compounds.order_by("name")),
            "versions": versions,
            "current": current,
            "draft": draft,
            "shown": shown,
            "questions": questions,
            "results": sel.results(survey, user, current) if current else [],
            "responses": responses.count(),
            "can_change": changeable,
            "can_publish": changeable
            and draft is not None
            and survey.status != SurveyStatus.CLOSED,
            "can_new_version": changeable
            and draft is None
            and current is not None
            and survey.status != SurveyStatus.CLOSED,
            "can_close": changeable and survey.status == SurveyStatus.OPEN,
            "can_answer": survey.status == SurveyStatus.OPEN and may_answer.exists(),
            "coverage_url": _pk_url("consultation:survey_coverage", survey.pk)
            if changeable
            else None,
            "visits_url": _pk_url("consultation:visit_list", survey.pk) if changeable else None,
        }
        return render(request, "consultation/survey_detail.html", context)


class SurveyActionView(SurveyObjectMixin, View):
    """POST: publish the draft, start a new version, or close the survey."""

    http_method_names = ["post"]
    action = ""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        survey = self.survey
        if not can_change(request.user, survey):
            raise PermissionDenied
        try:
            if self.action == "publish":
                version = service.publish_version(survey=survey, by=request.user)
                messages.success(request, gettext("第 %(n)s 版已发布") % {"n": version.number})
            elif self.action == "new_version":
                note = request.POST.get("note", "")
                service.new_version(survey=survey, by=request.user, note=note)
                messages.success(request, gettext("已生成新的草稿版本,请修改题目后发布"))
                return redirect("consultation:survey_builder", pk=survey.pk)
            else:
                service.close_survey(survey=survey, by=request.user)
                messages.success(request, gettext("问卷已结束"))
        except Invalid as exc:
            messages.error(request, exc.message)
        return redirect("consultation:survey_detail", pk=survey.pk)


class SurveyExportView(SurveyObjectMixin, View):
    """The responses as CSV or Excel (only those the user may see)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        kind = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
        return export_response(self.survey, request.user, kind)


class SurveyBuilderView(SurveyObjectMixin, View):
    """The draft version's questions: add, edit, delete, reorder."""

    def _questions(self) -> list[Question]:
        draft = service.draft_version(self.survey)
        if draft is None:
            return []
        return list(
            draft.questions.prefetch_related("options")
            .select_related("show_if")
            .order_by("position")
        )

    def _render(
        self, form: QuestionForm, editing: Question | None = None, status: int = 200
    ) -> HttpResponse:
        draft = service.draft_version(self.survey)
        context = {
            "survey": self.survey,
            "draft": draft,
            "current": sel.current_version(self.survey),
            "questions": self._questions(),
            "form": form,
            "editing": editing,
            "menu": menu_items(),
            "kinds_with_options": sorted(CHOICE_KINDS),
        }
        return render(self.request, "consultation/survey_builder.html", context, status=status)

    def _earlier(self, editing: Question | None) -> list[Question]:
        questions = self._questions()
        if editing is None:
            return questions
        return [q for q in questions if q.position < editing.position]

    def _editing(self, raw: Any) -> Question | None:
        draft = service.draft_version(self.survey)
        if not raw or draft is None or not str(raw).isdigit():
            return None
        return draft.questions.filter(pk=int(raw)).first()

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not can_change(request.user, self.survey):
            raise PermissionDenied
        editing = self._editing(request.GET.get("edit"))
        initial = QuestionForm.initial_for(editing) if editing else None
        return self._render(QuestionForm(initial=initial, earlier=self._earlier(editing)), editing)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not can_change(request.user, self.survey):
            raise PermissionDenied
        op = request.POST.get("op", "add")
        editing = self._editing(request.POST.get("question"))
        back = redirect("consultation:survey_builder", pk=self.survey.pk)
        try:
            if op in ("delete", "up", "down"):
                if editing is None:
                    raise Invalid("找不到该题", "no such question in the draft", "missing")
                if op == "delete":
                    service.delete_question(question=editing, by=request.user)
                    messages.success(request, gettext("题目已删除"))
                else:
                    step = -1 if op == "up" else 1
                    service.move_question(
                        question=editing, by=request.user, position=editing.position + step
                    )
                return back
            form = QuestionForm(request.POST, earlier=self._earlier(editing))
            if not form.is_valid():
                return self._render(form, editing)
            draft = service.draft_version(self.survey)
            if draft is None:
                raise Invalid(
                    "没有草稿版本,请先生成新版本",
                    "there is no draft version; make a new version first",
                    "published",
                )
            by_id = {q.pk: q for q in self._questions()}
            args = form.service_args(by_id)
            if editing is not None:
                service.update_question(question=editing, by=request.user, **args)
                messages.success(request, gettext("题目已保存"))
            else:
                service.add_question(version=draft, by=request.user, **args)
                messages.success(request, gettext("题目已添加"))
            return back
        except Invalid as exc:
            if op in ("delete", "up", "down"):
                messages.error(request, exc.message)
                return back
            form.add_error(None, exc.message)
            return self._render(form, editing)


class SurveyAnswerView(SurveyObjectMixin, View):
    """The answer form: a worker during a visit (入户填写) or a resident on the phone."""

    def _dwellings(self) -> QuerySet[Dwelling]:
        return (
            scoped(Dwelling, self.request.user, "consultation.add_response")
            .filter(**{f"{COMPOUND_OF_DWELLING}__in": self.survey.compounds.all()})
            .select_related("stairwell__building__compound")
            .order_by(
                f"{COMPOUND_OF_DWELLING}__name",
                "stairwell__building__number",
                "stairwell__number",
                "floor",
                "number",
            )
        )

    def _channel(self, dwelling: Dwelling) -> str:
        own = dwelling.pk in scope_for(self.request.user, "consultation.add_response").dwelling_ids
        return ResponseChannel.ONLINE if own else ResponseChannel.VISIT

    def _render(
        self,
        *,
        dwellings: list[Dwelling],
        dwelling: Dwelling | None,
        values: dict[int, Any],
        errors: dict[int | None, list[str]] | None = None,
        respondent: str = "",
        status: int = 200,
    ) -> HttpResponse:
        version = sel.current_version(self.survey)
        questions = (
            list(version.questions.prefetch_related("options").order_by("position"))
            if version
            else []
        )
        errors = errors or {}
        items = []
        for q in questions:
            value = values.get(q.pk)
            ranks: dict[str, int] = {}
            if q.kind == QuestionKind.RANKING and isinstance(value, list):
                ranks = {v: i for i, v in enumerate(value, start=1)}
            items.append(
                {
                    "q": q,
                    "value": value,
                    "chosen": value if isinstance(value, list) else [value],
                    "ranks": ranks,
                    "positions": range(1, len(q.options.all()) + 1),
                    "matrix": [
                        (i, row, (value or {}).get(str(i)) if isinstance(value, dict) else None)
                        for i, row in enumerate(q.rows)
                    ],
                    "errors": errors.get(q.pk, []),
                    "show_values": ",".join(q.show_if_values),
                }
            )
        visit_url = None
        if dwelling is not None and self._channel(dwelling) == ResponseChannel.VISIT:
            visit_url = _url("consultation:visit_new", survey=self.survey.pk, dwelling=dwelling.pk)
        context = {
            "survey": self.survey,
            "version": version,
            "dwellings": dwellings,
            "dwelling": dwelling,
            "channel": self._channel(dwelling) if dwelling else "",
            "items": items,
            "general_errors": errors.get(None, []),
            "respondent": respondent,
            "open": self.survey.status == SurveyStatus.OPEN,
            "visit_url": visit_url,
        }
        return render(self.request, "consultation/survey_answer.html", context, status=status)

    def _dwelling(self, raw: Any, dwellings: list[Dwelling]) -> Dwelling | None:
        if raw and str(raw).isdigit():
            return next((d for d in dwellings if d.pk == int(raw)), None)
        return dwellings[0] if len(dwellings) == 1 else None

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        dwellings = list(self._dwellings())
        if not dwellings:
            raise PermissionDenied
        dwelling = self._dwelling(request.GET.get("dwelling"), dwellings)
        values: dict[int, Any] = {}
        respondent = ""
        if dwelling is not None:
            version = sel.current_version(self.survey)
            existing = Response.objects.filter(
                survey=self.survey, dwelling=dwelling, version=version
            ).first()
            if existing is not None:
                values = {a.question_id: a.value for a in existing.answers.all()}
                respondent = existing.respondent_name
        return self._render(
            dwellings=dwellings, dwelling=dwelling, values=values, respondent=respondent
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        dwellings = list(self._dwellings())
        if not dwellings:
            raise PermissionDenied
        dwelling = self._dwelling(request.POST.get("dwelling"), dwellings)
        version = sel.current_version(self.survey)
        questions = (
            list(version.questions.prefetch_related("options").order_by("position"))
            if version
            else []
        )
        answers, form_errors = parse_answers(request.POST, questions)
        respondent = request.POST.get("respondent_name", "")
        render_args: dict[str, Any] = {
            "dwellings": dwellings,
            "dwelling": dwelling,
            "respondent": respondent,
        }
        if dwelling is None:
            errors: dict[int | None, list[str]] = {
                None: [gettext("请选择房屋 (choose a dwelling)")]
            }
            return self._render(values=answers, errors=errors, status=400, **render_args)
        if form_errors:
            errors = {k: [v] for k, v in form_errors.items()}
            return self._render(values=answers, errors=errors, status=400, **render_args)
        try:
            service.submit_response(
                survey=self.survey,
                dwelling=dwelling,
                answers=answers,
                by=request.user,
                channel=self._channel(dwelling),
                respondent_name=respondent,
            )
        except AnswersInvalid as exc:
            return self._render(values=answers, errors=exc.by_question(), status=400, **render_args)
        except Invalid as exc:
            return self._render(
                values=answers, errors={None: [exc.message]}, status=400, **render_args
            )
        messages.success(request, gettext("已保存 %(d)s 的答卷") % {"d": dwelling})
        target = reverse("consultation:survey_answer", args=[self.survey.pk])
        if self._channel(dwelling) == ResponseChannel.ONLINE:
            return redirect(f"{target}?dwelling={dwelling.pk}")
        return redirect(target)

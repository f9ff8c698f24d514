"""The forms of the case page: edit the plan, the pool table, start the votes, the workflow
buttons (confirm the agreement, return to the draft, start the works), cancel with a
confirmation, hand over, running costs of a year and documents.

Each form page needs the permission over the case's compound (visible but not allowed: 403;
outside the user's cases: 404). A form the status does not allow sends the user back to the
case page with the reason. A refusal of the service shows its Chinese and English message on
the field it names or at the top, and nothing is written (the services are atomic).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from linli.core.errors import Invalid
from linli.elevators.case_forms import (
    DocumentForm,
    HandOverForm,
    PlanForm,
    PoolForm,
    RunningCostForm,
    VotesForm,
)
from linli.elevators.case_views import (
    ADD_DOCUMENT,
    ADD_RUNNING,
    CHANGE,
    get_case,
    may,
    require_staff,
    show_error,
    subsidy_rules,
)
from linli.elevators.models import CaseStatus, ElevatorCase
from linli.elevators.selectors import pool_rows
from linli.elevators.services import records, workflow
from linli.elevators.services.cases import update_plan


class CaseFormView(LoginRequiredMixin, View):
    """A form about one case: GET shows it, POST runs the service and returns to the case."""

    permission: ClassVar[str] = CHANGE
    statuses: ClassVar[tuple[str, ...]] = (CaseStatus.DRAFT,)
    title: ClassVar[Any] = ""
    submit: ClassVar[Any] = _("保存")
    done: ClassVar[Any] = _("已保存")
    template_name: ClassVar[str] = "elevators/case_form.html"
    model = ElevatorCase

    def setup_case(self, pk: int) -> ElevatorCase:
        require_staff(self.request.user)
        case = get_case(self.request.user, pk, ElevatorCase.objects.select_related("compound"))
        if not may(self.request.user, self.permission, case):
            raise PermissionDenied
        return case

    def make_form(self, case: ElevatorCase, data: Any = None, files: Any = None) -> forms.Form:
        raise NotImplementedError

    def run(self, case: ElevatorCase, form: Any) -> None:
        raise NotImplementedError

    def render_form(self, case: ElevatorCase, form: forms.Form) -> HttpResponse:
        context = {"case": case, "form": form, "title": self.title, "submit": self.submit}
        return render(self.request, self.template_name, context)

    def _status_allows(self, case: ElevatorCase) -> bool:
        if case.status in self.statuses:
            return True
        messages.error(
            self.request,
            gettext("项目当前为%(status)s,不能进行此操作 (not allowed in this status)")
            % {"status": case.get_status_display()},
        )
        return False

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.setup_case(pk)
        if not self._status_allows(case):
            return redirect("elevators:case_detail", pk=case.pk)
        return self.render_form(case, self.make_form(case))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.setup_case(pk)
        form = self.make_form(case, request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(case, form)
        try:
            self.run(case, form)
        except Invalid as exc:
            show_error(form, exc)
            return self.render_form(case, form)
        messages.success(request, str(self.done))
        return redirect("elevators:case_detail", pk=case.pk)


class PlanEditView(CaseFormView):
    """Edit the draft plan (``update_plan``)."""

    title = _("修改方案")
    done = _("方案已保存,分摊表已重新计算")

    def make_form(self, case: ElevatorCase, data: Any = None, files: Any = None) -> forms.Form:
        rules = subsidy_rules(self.request.user)
        return PlanForm(data, rules=rules, initial=PlanForm.initial_for(case))

    def run(self, case: ElevatorCase, form: Any) -> None:
        kwargs = form.plan_kwargs()
        storeys = form.cleaned_data.get("storeys")
        if storeys is not None:
            kwargs["storeys"] = storeys
        update_plan(case, by=self.request.user, **kwargs)


class PoolEditView(CaseFormView):
    """The pool table: cost floor, exemption and reason, compensation, affected marks."""

    title = _("调整分摊住户")
    done = _("分摊住户已保存,分摊表已重新计算")
    template_name = "elevators/case_pool.html"

    def make_form(self, case: ElevatorCase, data: Any = None, files: Any = None) -> forms.Form:
        return PoolForm(data, rows=pool_rows(case))

    def run(self, case: ElevatorCase, form: Any) -> None:
        update_plan(case, by=self.request.user, **form.pool_kwargs())


class StartVotesView(CaseFormView):
    """One owners' vote per stairwell on the plan (``start_votes``)."""

    title = _("发起单元表决")
    submit = _("发起表决")
    done = _("各单元表决已发起,方案已冻结")

    def make_form(self, case: ElevatorCase, data: Any = None, files: Any = None) -> forms.Form:
        return VotesForm(data)

    def run(self, case: ElevatorCase, form: Any) -> None:
        workflow.start_votes(case, by=self.request.user, **form.cleaned_data)


class HandOverView(CaseFormView):
    """Acceptance and handover to after-care (``hand_over``)."""

    statuses = (CaseStatus.BUILDING,)
    title = _("竣工验收与移交")
    submit = _("确认移交")
    done = _("电梯已移交,维保计划已建立")

    def make_form(self, case: ElevatorCase, data: Any = None, files: Any = None) -> forms.Form:
        return HandOverForm(data)

    def run(self, case: ElevatorCase, form: Any) -> None:
        workflow.hand_over(case, by=self.request.user, **form.cleaned_data)


class RunningCostView(CaseFormView):
    """A year's running costs (``set_running_costs``); the same year again corrects it."""

    permission = ADD_RUNNING
    statuses = (CaseStatus.AGREED, CaseStatus.BUILDING, CaseStatus.ACCEPTED)
    title = _("登记年度运行费用")
    done = _("运行费用已登记")

    def make_form(self, case: ElevatorCase, data: Any = None, files: Any = None) -> forms.Form:
        return RunningCostForm(data)

    def run(self, case: ElevatorCase, form: Any) -> None:
        records.set_running_costs(case, by=self.request.user, **form.running_kwargs())


class DocumentUploadView(CaseFormView):
    """Upload a consent letter, the signed agreement or another document (``add_document``)."""

    permission = ADD_DOCUMENT
    statuses = tuple(s for s in CaseStatus.values if s != CaseStatus.CANCELLED)
    title = _("上传文件")
    submit = _("上传")
    done = _("文件已上传")

    def make_form(self, case: ElevatorCase, data: Any = None, files: Any = None) -> forms.Form:
        return DocumentForm(data, files, case=case)

    def run(self, case: ElevatorCase, form: Any) -> None:
        data = form.cleaned_data
        records.add_document(
            case,
            by=self.request.user,
            kind=data["kind"],
            title=data["title"],
            file=data["file"],
            dwelling=data["dwelling"],
        )


class CancelView(CaseFormView):
    """Cancel the case, after a confirmation page (``cancel_case``)."""

    statuses = (CaseStatus.DRAFT, CaseStatus.VOTING, CaseStatus.AGREED)
    title = _("终止项目")
    submit = _("确认终止")
    done = _("项目已终止")
    template_name = "elevators/case_cancel.html"

    def make_form(self, case: ElevatorCase, data: Any = None, files: Any = None) -> forms.Form:
        return forms.Form(data)

    def run(self, case: ElevatorCase, form: Any) -> None:
        workflow.cancel_case(case, by=self.request.user)


#: The one-click steps: service and the message when done.
ACTIONS: dict[str, tuple[Callable[..., Any], Any]] = {
    "confirm": (workflow.confirm_agreement, _("已确认费用分摊协议")),
    "return": (workflow.return_to_draft, _("已退回修改方案")),
    "start_works": (workflow.start_works, _("已开工")),
}


class CaseActionView(LoginRequiredMixin, View):
    """POST ``action`` = confirm, return or start_works; refusals shown as messages."""

    http_method_names = ["post"]
    model = ElevatorCase

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        require_staff(request.user)
        case = get_case(request.user, pk)
        if not may(request.user, CHANGE, case):
            raise PermissionDenied
        run = ACTIONS.get(request.POST.get("action", ""))
        if run is None:
            messages.error(request, gettext("未知操作 (unknown action)"))
            return redirect("elevators:case_detail", pk=case.pk)
        service, done = run
        try:
            service(case, by=request.user)
        except Invalid as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, str(done))
        return redirect("elevators:case_detail", pk=case.pk)

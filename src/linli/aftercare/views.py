"""After-care pages: the asset list with the overdue flag, an asset's desk (contracts,
schedules, records; forms to record a visit, change a schedule, add a contract) and a new
non-elevator asset.

Every page needs a login; assets are looked up through the scoping layer (outside the user's
scope: 404); a form that writes also needs the permission over the asset's compound (visible
but not writable: 403). Overdue is computed live on today's date in Asia/Shanghai.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views import View
from django_filters.views import FilterView

from linli.aftercare import selectors as read
from linli.aftercare import services
from linli.aftercare.forms import AssetForm, AssetListFilter, ContractForm, RecordForm, ScheduleForm
from linli.aftercare.models import Asset, MaintenanceContract, Schedule, ScheduleRecord
from linli.core.errors import Invalid
from linli.core.scoping import get_scoped_or_404, scoped
from linli.registry.models import Compound

PAGE_SIZE = 50
#: The desk lists the latest records; older ones stay in the API and the admin.
RECORDS_SHOWN = 100

ADD_ASSET = "aftercare.add_asset"
ADD_CONTRACT = "aftercare.add_maintenancecontract"
SET_SCHEDULE = "aftercare.add_schedule"
RECORD_VISIT = "aftercare.add_schedulerecord"


class AssetListView(LoginRequiredMixin, FilterView):
    """The assets the user sees, with next due dates and a red flag when overdue."""

    model = Asset
    template_name = "aftercare/asset_list.html"
    context_object_name = "assets"
    filterset_class = AssetListFilter
    paginate_by = PAGE_SIZE

    def get_queryset(self) -> QuerySet[Asset]:
        return scoped(read.assets_queryset(), self.request.user)

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        self.today = read.local_today()
        compounds = Compound.objects.filter(
            pk__in=scoped(Asset, self.request.user).values("compound_id")
        ).order_by("name")
        return {
            **super().get_filterset_kwargs(filterset_class),
            "compounds": compounds,
            "today": self.today,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_without_page"] = query.urlencode()
        context["today"] = self.today
        context["rows"] = [read.asset_row(asset, self.today) for asset in context["assets"]]
        context["can_add"] = read.compounds_for(self.request.user, ADD_ASSET).exists()
        return context


class AssetCreateView(LoginRequiredMixin, View):
    """A new asset (fire equipment, gates ...) in one of the user's compounds."""

    def _compounds(self) -> QuerySet[Compound]:
        compounds = read.compounds_for(self.request.user, ADD_ASSET)
        if not compounds.exists():
            raise PermissionDenied
        return compounds

    def _render(self, form: AssetForm) -> HttpResponse:
        return render(self.request, "aftercare/asset_form.html", {"form": form})

    def get(self, request: HttpRequest) -> HttpResponse:
        initial = {"compound": request.GET.get("compound")}
        return self._render(AssetForm(compounds=self._compounds(), initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = AssetForm(request.POST, compounds=self._compounds())
        if not form.is_valid():
            return self._render(form)
        try:
            asset = services.register_asset(by=request.user, **form.cleaned_data)
        except Invalid as exc:
            form.add_error(None, exc.message)
            return self._render(form)
        messages.success(request, gettext("设施设备已登记,请添加维保合同和维保计划"))
        return redirect("aftercare:asset_detail", pk=asset.pk)


class AssetDetailView(LoginRequiredMixin, View):
    """An asset's desk: facts, contracts, schedules with the overdue flag, the records, and
    the forms the user may use."""

    model = Asset

    def _asset(self, pk: int) -> Asset:
        return get_scoped_or_404(Asset.objects.select_related("compound"), self.request.user, pk=pk)

    def _schedules(self, asset: Asset) -> QuerySet[Schedule]:
        return scoped(Schedule.objects.filter(asset=asset), self.request.user).order_by("kind")

    def _render(
        self,
        asset: Asset,
        *,
        record_form: RecordForm | None = None,
        schedule_form: ScheduleForm | None = None,
        contract_form: ContractForm | None = None,
    ) -> HttpResponse:
        user = self.request.user
        today = read.local_today()
        schedules = list(self._schedules(asset))
        records = scoped(
            ScheduleRecord.objects.filter(schedule__asset=asset).select_related(
                "schedule", "recorded_by"
            ),
            user,
        )[:RECORDS_SHOWN]
        contracts = scoped(MaintenanceContract.objects.filter(asset=asset), user)
        can_record = bool(schedules) and read.may(user, RECORD_VISIT, asset)
        can_schedule = read.may(user, SET_SCHEDULE, asset)
        can_contract = read.may(user, ADD_CONTRACT, asset)
        if can_record and record_form is None:
            record_form = RecordForm(schedules=self._schedules(asset), initial={"done_on": today})
        if can_schedule and schedule_form is None:
            schedule_form = ScheduleForm()
        if can_contract and contract_form is None:
            contract_form = ContractForm()
        context = {
            "asset": asset,
            "today": today,
            "row": read.asset_row(asset, today),
            "schedules": [(s, s.is_overdue(today), s.days_overdue(today)) for s in schedules],
            "contracts": [(c, c.covers(today)) for c in contracts],
            "records": records,
            "case_pk": read.elevator_case_pk(asset, user),
            "record_form": record_form if can_record else None,
            "schedule_form": schedule_form if can_schedule else None,
            "contract_form": contract_form if can_contract else None,
        }
        return render(self.request, "aftercare/asset_detail.html", context)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(self._asset(pk))

    def _writable(self, pk: int, permission: str) -> Asset:
        asset = self._asset(pk)
        if not read.may(self.request.user, permission, asset):
            raise PermissionDenied
        return asset


class AssetRecordView(AssetDetailView):
    """POST: a visit done under one of the asset's schedules (→ ``record_visit``)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        asset = self._writable(pk, RECORD_VISIT)
        form = RecordForm(request.POST, schedules=self._schedules(asset))
        if not form.is_valid():
            return self._render(asset, record_form=form)
        try:
            services.record_visit(by=request.user, today=read.local_today(), **form.cleaned_data)
        except Invalid as exc:
            form.add_error(None, exc.message)
            return self._render(asset, record_form=form)
        messages.success(request, gettext("维保记录已登记"))
        return redirect("aftercare:asset_detail", pk=asset.pk)


class AssetScheduleView(AssetDetailView):
    """POST: create or change a schedule (→ ``set_schedule``, which keeps the legal limits)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        asset = self._writable(pk, SET_SCHEDULE)
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            return self._render(asset, schedule_form=form)
        try:
            services.set_schedule(by=request.user, asset=asset, **form.cleaned_data)
        except Invalid as exc:
            form.add_error(None, exc.message)
            return self._render(asset, schedule_form=form)
        messages.success(request, gettext("维保计划已保存"))
        return redirect("aftercare:asset_detail", pk=asset.pk)


class AssetContractView(AssetDetailView):
    """POST: a maintenance contract for the asset (→ ``add_contract``)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        asset = self._writable(pk, ADD_CONTRACT)
        form = ContractForm(request.POST)
        if not form.is_valid():
            return self._render(asset, contract_form=form)
        try:
            services.add_contract(by=request.user, asset=asset, **form.cleaned_data)
        except Invalid as exc:
            form.add_error(None, exc.message)
            return self._render(asset, contract_form=form)
        messages.success(request, gettext("维保合同已登记"))
        return redirect("aftercare:asset_detail", pk=asset.pk)

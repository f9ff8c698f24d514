"""Report pages under /renewal/reports/: the form to issue a report (kind, period, format),
the list of my issued reports with a progress bar polling a JSON endpoint while they are
generated, and the scoped download of the file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from linli.core.scoping import get_scoped_or_404, scoped
from linli.renewal.models import IssuedReport, ReportFormat, ReportKind, ReportStatus
from linli.renewal.reports import services
from linli.renewal.reports.periods import current_period
from linli.renewal.views import PAGE_SIZE, _form_errors


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("报告类型"), choices=ReportKind.choices)
    period = forms.CharField(
        label=_("期间"),
        max_length=16,
        help_text=_("周报告如 2026-W47,月通报如 2026-11,季度观摩如 2026-Q4,年度考评如 2026"),
    )
    format = forms.ChoiceField(label=_("格式"), choices=ReportFormat.choices)


def report_state(report: IssuedReport) -> dict[str, Any]:
    """What the progress bar polls."""
    done = report.status == ReportStatus.DONE
    return {
        "id": report.pk,
        "status": report.status,
        "status_label": str(report.get_status_display()),
        "progress": report.progress,
        "error": report.error,
        "download": reverse("renewal:report_download", args=[report.pk]) if done else None,
    }


class ReportListView(LoginRequiredMixin, View):
    """报告: issue a report and follow my reports (the district-wide view sees all)."""

    model = IssuedReport

    def _render(self, request: HttpRequest, form: ReportForm) -> HttpResponse:
        reports = scoped(IssuedReport.objects.select_related("generated_by"), request.user)
        page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "form": form,
            "can_request": services.can_request(request.user),
            "reports": page.object_list,
            "page_obj": page,
            "paginator": page.paginator,
        }
        return render(request, "renewal/report_list.html", context)

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        initial = {"kind": ReportKind.MONTHLY, "period": current_period("monthly", today)}
        return self._render(request, ReportForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        if not services.can_request(request.user):
            raise PermissionDenied
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                services.request_report(
                    kind=form.cleaned_data["kind"],
                    period=form.cleaned_data["period"],
                    format=form.cleaned_data["format"],
                    by=request.user,
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, gettext("报告已提交生成"))
                return redirect("renewal:report_list")
        return self._render(request, form)


class ReportStatusView(LoginRequiredMixin, View):
    """The status and progress of one of my reports, as JSON (polled by the list page)."""

    model = IssuedReport

    def get(self, request: HttpRequest, pk: int) -> JsonResponse:
        report = get_scoped_or_404(IssuedReport, request.user, pk=pk)
        return JsonResponse(report_state(report))


class ReportDownloadView(LoginRequiredMixin, View):
    """The file of one of my issued reports (404 outside my reports or before it is done)."""

    model = IssuedReport

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        report = get_scoped_or_404(IssuedReport, request.user, pk=pk)
        if report.status != ReportStatus.DONE or not report.file:
            raise Http404
        name = f"{report.get_kind_display()}-{report.period}.{report.format}"
        return FileResponse(report.file.open("rb"), as_attachment=True, filename=name)


__all__ = ["ReportDownloadView", "ReportListView", "ReportStatusView", "report_state"]

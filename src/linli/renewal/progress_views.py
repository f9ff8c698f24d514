"""Progress pages: a project's progress (per-item bars, problems, reports with their photos),
the "填报进度" form, raising and resolving problems, and the photos themselves.

Photos are served through :class:`PhotoView`, which checks the scope (media files are not
public: site photos show residents' homes). Views are thin: forms validate, services write.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from PIL import Image, ImageOps

from linli.core.scoping import get_scoped_or_404, scoped
from linli.renewal import services
from linli.renewal.exif import in_xigong
from linli.renewal.gates import Stage
from linli.renewal.models import (
    ProgressLine,
    ProgressPhoto,
    ProgressProblem,
    ProgressReport,
    Project,
    ProjectItem,
)
from linli.renewal.progress_forms import ProblemForm, ProgressReportForm, ResolveProblemForm
from linli.renewal.services.progress import PROBLEM_STAGES
from linli.renewal.services.supervision import refresh_light
from linli.renewal.views import FormPage, ProjectWriteMixin, _form_errors, can

# --- Reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineRow:
    """A report line with the percentage it replaced (a lower one is a correction)."""

    line: ProgressLine
    previous: Decimal | None

    @property
    def correction(self) -> bool:
        return self.previous is not None and self.line.percent < self.previous


def project_items(project: Project) -> list[ProjectItem]:
    return list(ProjectItem.objects.filter(project=project).select_related("item"))


@dataclass(frozen=True)
class PhotoRow:
    """A photo with whether its recorded point lies outside Xigong (False without a point)."""

    photo: ProgressPhoto
    outside_xigong: bool


@dataclass(frozen=True)
class ReportRow:
    """A report with its lines and photos, as the history shows it."""

    report: ProgressReport
    lines: list[LineRow]
    photos: list[PhotoRow]


def report_history(project: Project, user: Any) -> list[ReportRow]:
    """The project's reports, newest first, with their lines (each with the percentage in
    force before it) and photos: three queries, whatever the number of reports."""
    reports = list(
        scoped(ProgressReport.objects.filter(project=project), user)
        .select_related("reported_by")
        .prefetch_related(
            Prefetch("lines", queryset=ProgressLine.objects.select_related("project_item__item")),
            Prefetch("photos", queryset=ProgressPhoto.objects.order_by("taken_at", "pk")),
        )
    )
    previous: dict[tuple[int, int], Decimal | None] = {}
    in_force: dict[int, Decimal] = {}
    for report in sorted(reports, key=lambda r: (r.reported_on, r.pk)):
        for line in report.lines.all():
            previous[report.pk, line.project_item_id] = in_force.get(line.project_item_id)
            in_force[line.project_item_id] = line.percent
    return [
        ReportRow(
            report=report,
            lines=[
                LineRow(line, previous[report.pk, line.project_item_id])
                for line in report.lines.all()
            ],
            photos=[
                PhotoRow(photo, in_xigong(photo.latitude, photo.longitude) is False)
                for photo in report.photos.all()
            ],
        )
        for report in reports
    ]


class ProgressView(LoginRequiredMixin, View):
    """A project's progress: bars per item, problems, the report history with photos."""

    model = Project

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        project = get_scoped_or_404(Project, request.user, pk=pk)
        user = request.user
        problems = list(
            scoped(ProgressProblem.objects.filter(project=project), user).select_related(
                "raised_by", "resolved_by"
            )
        )
        context = {
            "project": project,
            "items": project_items(project),
            "history": report_history(project, user),
            "open_problems": [p for p in problems if p.is_open],
            "resolved_problems": [p for p in problems if not p.is_open],
            "can_report": project.stage == Stage.WORKS
            and can(user, "renewal.add_progressreport", project),
            "can_raise": project.stage in PROBLEM_STAGES
            and can(user, "renewal.add_progressproblem", project),
            "can_resolve": can(user, "renewal.change_progressproblem", project),
        }
        return render(request, "renewal/progress_detail.html", context)


# --- Writing -----------------------------------------------------------------------------------


class ProgressReportView(ProjectWriteMixin, View):
    """ "填报进度": one percentage per item (prefilled), summary, photos, an optional problem."""

    model = Project
    permission = "renewal.add_progressreport"

    def _form(self, data: Any = None, files: Any = None) -> ProgressReportForm:
        return ProgressReportForm(data, files, items=project_items(self.project))

    def _render(self, form: ProgressReportForm) -> HttpResponse:
        context = {"project": self.project, "form": form, "title": _("填报进度")}
        return render(self.request, "renewal/progress_form.html", context)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(self._form())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = self._form(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(form)
        data = form.cleaned_data
        percents, notes = form.percents()
        try:
            # One report, its photos and its problem: all or nothing.
            with transaction.atomic():
                report = services.record_progress_report(
                    project=self.project,
                    reported_on=data["reported_on"],
                    percents=percents,
                    notes=notes,
                    summary=data["summary"],
                    by=request.user,
                )
                for image in data["photos"]:
                    try:
                        services.add_progress_photo(report=report, image=image, by=request.user)
                    except ValidationError as exc:
                        raise ValidationError(
                            {"photos": [f"{image.name}:{m}" for m in exc.messages]}
                        ) from exc
                if data["problem"].strip():
                    services.raise_problem(
                        project=self.project,
                        description=data["problem"],
                        raised_on=data["reported_on"],
                        report=report,
                        by=request.user,
                    )
        except ValidationError as exc:
            _form_errors(form, exc)
            return self._render(form)
        refresh_light(project=self.project)
        messages.success(request, gettext("进度已填报"))
        return redirect("renewal:progress", pk=self.project.pk)


class ProblemRaiseView(ProjectWriteMixin, FormPage):
    """Raise a problem found on site."""

    model = Project
    permission = "renewal.add_progressproblem"
    title = _("登记问题")

    def make_form(self, data: Any = None, files: Any = None) -> forms.BaseForm:
        return ProblemForm(data)

    def save(self, form: forms.BaseForm) -> HttpResponse:
        services.raise_problem(project=self.project, by=self.request.user, **form.cleaned_data)
        refresh_light(project=self.project)
        messages.success(self.request, gettext("问题已登记"))
        return redirect("renewal:progress", pk=self.project.pk)


class ProblemResolveView(LoginRequiredMixin, FormPage):
    """Record how a problem was resolved: visible (else 404) and changeable (else 403)."""

    model = ProgressProblem
    title = _("问题销号")
    problem: ProgressProblem

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.problem = get_scoped_or_404(
            ProgressProblem.objects.select_related("project"), request.user, pk=kwargs["pk"]
        )
        allowed = scoped(ProgressProblem, request.user, "renewal.change_progressproblem")
        if not allowed.filter(pk=self.problem.pk).exists():
            raise PermissionDenied
        self.project = self.problem.project
        return super().dispatch(request, *args, **kwargs)

    def make_form(self, data: Any = None, files: Any = None) -> forms.BaseForm:
        return ResolveProblemForm(data)

    def render(self, form: forms.BaseForm) -> HttpResponse:
        context = {"form": form, "title": self.title, "project": self.project}
        context["problem"] = self.problem
        return render(self.request, "renewal/progress_resolve.html", context)

    def save(self, form: forms.BaseForm) -> HttpResponse:
        services.resolve_problem(problem=self.problem, by=self.request.user, **form.cleaned_data)
        refresh_light(project=self.project)
        messages.success(self.request, gettext("问题已销号"))
        return redirect("renewal:progress", pk=self.project.pk)


# --- Photos ------------------------------------------------------------------------------------


#: Longest side of the thumbnails on the progress page, in pixels.
THUMBNAIL_PX = 480


class PhotoView(LoginRequiredMixin, View):
    """A site photo, served only to users who see its project; ``?size=thumb`` gives a small
    JPEG for the history (phone photos run to several MB each)."""

    model = ProgressPhoto

    def get(self, request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
        photo = get_scoped_or_404(ProgressPhoto, request.user, pk=pk)
        if not photo.image:
            raise Http404
        try:
            handle = photo.image.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        if request.GET.get("size") != "thumb":
            return FileResponse(handle, filename=Path(photo.image.name or "photo").name)
        with handle, Image.open(handle) as image:
            small = ImageOps.exif_transpose(image).convert("RGB")
            small.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
            buffer = io.BytesIO()
            small.save(buffer, "JPEG", quality=80)
        response = HttpResponse(buffer.getvalue(), content_type="image/jpeg")
        response["Cache-Control"] = "private, max-age=86400"
        return response

"""Registry workbook pages: blank template, export, upload, preview, confirm and result.

Thin views over :mod:`linli.registry.services`. Every page needs the ``registry.add_compound``
and ``registry.change_compound`` permissions (403 otherwise; anonymous users go to the login
page). An upload is seen and confirmed only by the person who uploaded it (or a superuser):
it holds personal data (the scope rule of ``RegistryUpload``). The export holds the
compounds wholly inside the user's jurisdiction; an upload's rows are checked against it.
"""

from __future__ import annotations

import io
import tempfile
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, FormView
from django.views.generic.detail import SingleObjectMixin

from linli.core.errors import Invalid
from linli.core.scoping import scoped
from linli.registry import services
from linli.registry.audit import record_export
from linli.registry.exporter import (
    export_registry_workbook,
    may_export_personal_data,
    write_template,
)
from linli.registry.forms import RegistryUploadForm
from linli.registry.models_upload import RegistryUpload, UploadStatus
from linli.registry.scoping import whole_compounds_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_PERMISSIONS = ("registry.add_compound", "registry.change_compound")
NO_PERSONAL_DATA_GRANT = (
    "没有导出个人信息的授权 (you are not granted exporting personal data for all these compounds)"
)
#: Field changes listed on the preview page.
PREVIEW_CHANGES = 50


class ImportPermissionMixin(PermissionRequiredMixin):
    """Login required; then the compound add and change permissions, else 403."""

    permission_required = IMPORT_PERMISSIONS


class UploadsOfUserMixin(ImportPermissionMixin):
    """Uploads visible to the current user: their own (superusers: all)."""

    model = RegistryUpload

    request: HttpRequest

    def current_user(self) -> User:
        """The logged-in user (the permission check lets no anonymous user through)."""
        user = self.request.user
        assert isinstance(user, User)
        return user

    def get_queryset(self) -> QuerySet[RegistryUpload]:
        return scoped(RegistryUpload.objects.select_related("uploaded_by"), self.current_user())


class UploadView(UploadsOfUserMixin, FormView):
    """The upload form, with links to the blank template and the current export."""

    template_name = "registry/import/upload.html"
    form_class = RegistryUploadForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["recent_uploads"] = self.get_queryset()[:10]
        user = self.current_user()
        context["can_export_personal_data"] = may_export_personal_data(
            user, whole_compounds_of(user)
        )
        return context

    def form_valid(self, form: RegistryUploadForm) -> HttpResponse:
        upload = services.preview_registry_upload(
            file=form.cleaned_data["file"], user=self.current_user()
        )
        return redirect("registry_import:detail", pk=upload.pk)


class UploadDetailView(UploadsOfUserMixin, DetailView):
    """Preview (已预览), errors (有错误) or outcome (排队中 / 已导入 / 失败) of one upload."""

    context_object_name = "upload"

    def get_template_names(self) -> list[str]:
        page = {UploadStatus.PREVIEWED: "preview", UploadStatus.INVALID: "errors"}
        return [f"registry/import/{page.get(self.object.status, 'result')}.html"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        changes = self.object.summary.get("changes", [])
        context["changes"] = changes[:PREVIEW_CHANGES]
        context["more_changes"] = self.object.summary.get("change_count", 0) - len(
            context["changes"]
        )
        return context


class ConfirmView(UploadsOfUserMixin, SingleObjectMixin, View):
    """POST: queue a previewed upload for import."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseRedirect:
        upload = self.get_object()
        try:
            services.confirm_registry_upload(upload=upload)
        except Invalid as exc:
            messages.error(request, exc.message)
        return redirect("registry_import:detail", pk=upload.pk)


class TemplateDownloadView(ImportPermissionMixin, View):
    """The blank template as an .xlsx download."""

    def get(self, request: HttpRequest) -> FileResponse:
        handle = io.BytesIO()
        write_template(handle)
        handle.seek(0)
        return FileResponse(
            handle, as_attachment=True, filename=str(_("登记簿模板.xlsx")), content_type=XLSX
        )


class ExportView(ImportPermissionMixin, View):
    """The compounds wholly in the user's jurisdiction in the workbook format, as an .xlsx
    download (``linli registry export`` on the command line writes the whole registry)."""

    def get(self, request: HttpRequest) -> FileResponse:
        compounds = whole_compounds_of(request.user)
        # ?personal_data=1: ID and phone numbers in full, only with the personal data grant for
        # every exported compound; otherwise they are masked (docs/personal-data.md).
        include_personal_data = request.GET.get("personal_data") == "1"
        if include_personal_data and not may_export_personal_data(request.user, compounds):
            raise PermissionDenied(NO_PERSONAL_DATA_GRANT)
        # On disk, not in memory: a district's export runs to megabytes. FileResponse closes it.
        handle = tempfile.TemporaryFile()  # noqa: SIM115
        export_registry_workbook(
            handle, compounds=compounds, include_personal_data=include_personal_data
        )
        record_export(compounds=compounds, include_personal_data=include_personal_data)
        handle.seek(0)
        day = timezone.localdate().strftime("%Y%m%d")
        return FileResponse(
            handle, as_attachment=True, filename=f"registry-{day}.xlsx", content_type=XLSX
        )

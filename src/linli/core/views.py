"""The history page of any audited object: its audit events, newest first."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext
from django.views.generic import ListView

from linli.core.audit import tracking_for
from linli.core.models import AuditAction, AuditEvent
from linli.core.scoping import get_scoped_or_404, registered_models

PAGE_SIZE = 50


@dataclass(frozen=True)
class ChangeRow:
    """One field of one event as shown: its label, and the value before and after."""

    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryRow:
    """One event with its changes made readable (field labels, choice labels)."""

    event: AuditEvent
    changes: list[ChangeRow]
    revealed: str | None


def history_target(
    user: Any, app_label: str, model_name: str, pk: int
) -> tuple[type[models.Model], models.Model]:
    """The model and object whose history ``user`` asks for; 404 unless the user may see it.

    Objects of scoped models are looked up through the scoping layer (outside the scope:
    404, as on every other page); models without a scope rule (users, tokens) only by
    superusers.
    """
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        raise Http404 from None
    if model in registered_models():
        return model, get_scoped_or_404(model, user, pk=pk)
    if user.is_superuser and tracking_for(model) is not None:
        obj = model._default_manager.filter(pk=pk).first()
        if obj is not None:
            return model, obj
    raise Http404


def _shown(field: models.Field | None, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if field is not None and field.choices:
        labels = {str(k): v for k, v in field.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)])
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def readable(event: AuditEvent, model: type[models.Model]) -> HistoryRow:
    """``event`` with field names turned into the model's labels."""
    fields = {f.name: f for f in model._meta.get_fields() if isinstance(f, models.Field)}

    def label(name: str) -> str:
        f = fields.get(name)
        return str(f.verbose_name) if f is not None else name

    if event.action == AuditAction.REVEAL:
        return HistoryRow(event, [], label(str(event.changes.get("field", ""))))
    rows = []
    for name, pair in event.changes.items():
        before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        f = fields.get(name)
        rows.append(ChangeRow(label(name), _shown(f, before), _shown(f, after)))
    return HistoryRow(event, rows, None)


def object_url(obj: models.Model) -> str | None:
    """The object's own page, by the ``<app>:<model>_detail`` URL naming convention."""
    opts = obj._meta
    try:
        return reverse(f"{opts.app_label}:{opts.model_name}_detail", args=[obj.pk])
    except NoReverseMatch:
        return None


class HistoryView(LoginRequiredMixin, ListView):
    """``/history/<app>/<model>/<pk>/``: who changed the object, when, how, from where."""

    template_name = "core/history.html"
    context_object_name = "events"
    paginate_by = PAGE_SIZE

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.model_class, self.target = history_target(
            request.user, kwargs["app_label"], kwargs["model"], kwargs["pk"]
        )
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> models.QuerySet[AuditEvent]:
        return AuditEvent.objects.filter(
            model_label=self.model_class._meta.label_lower, object_id=str(self.target.pk)
        ).order_by("-occurred_at", "-id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["target"] = self.target
        context["target_type"] = self.model_class._meta.verbose_name
        context["back_url"] = object_url(self.target)
        context["rows"] = [readable(event, self.model_class) for event in context["events"]]
        return context

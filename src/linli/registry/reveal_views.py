"""The personal data page of one owner or resident: masked values, and a reveal button per
value for users granted "view personal data" there.

``GET`` shows the masked values (404 outside the user's scope); ``POST field=...`` reveals
one of them (403 without the grant) and writes an audit event. The answer is never cached.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.views.generic import TemplateView

from linli.core.errors import Invalid
from linli.core.scoping import get_scoped_or_404, scoped
from linli.registry.models import Dwelling, Owner, Resident
from linli.registry.reveal import FIELD_LABELS, can_reveal, reveal_personal_value, revealable_fields


class PersonalDataView(LoginRequiredMixin, TemplateView):
    """One owner's or resident's ID number and phone, masked unless revealed (``model``)."""

    template_name = "registry/reveal.html"
    model: type[Model]

    def dwellings(self, obj: Model) -> QuerySet[Dwelling]:
        raise NotImplementedError

    def render_page(
        self,
        obj: Model,
        *,
        revealed: dict[str, str] | None = None,
        error: str = "",
        status: int = 200,
    ) -> HttpResponse:
        revealed = revealed or {}
        rows = [
            {
                "name": name,
                "label": FIELD_LABELS[name],
                "masked": getattr(obj, name) or "",
                "revealed": revealed.get(name),
            }
            for name in revealable_fields(self.model)
        ]
        context = self.get_context_data(
            object=obj,
            object_type=self.model._meta.verbose_name,
            rows=rows,
            can_reveal=can_reveal(self.request.user, obj),
            dwellings=scoped(self.dwellings(obj), self.request.user).select_related(
                "stairwell__building__compound"
            ),
            error=error,
        )
        response = self.render_to_response(context, status=status)
        response["Cache-Control"] = "no-store"
        return response

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page(get_scoped_or_404(self.model, request.user, pk=kwargs["pk"]))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        field = request.POST.get("field", "")
        try:
            value = reveal_personal_value(
                user=request.user, model=self.model, pk=kwargs["pk"], field=field
            )
        except Invalid as exc:
            obj = get_scoped_or_404(self.model, request.user, pk=kwargs["pk"])
            return self.render_page(obj, error=exc.message, status=400)
        obj = get_scoped_or_404(self.model, request.user, pk=kwargs["pk"])
        return self.render_page(obj, revealed={field: value})


class OwnerPersonalDataView(PersonalDataView):
    model = Owner

    def dwellings(self, obj: Model) -> QuerySet[Dwelling]:
        return Dwelling.objects.filter(ownerships__owner_id=obj.pk)


class ResidentPersonalDataView(PersonalDataView):
    model = Resident

    def dwellings(self, obj: Model) -> QuerySet[Dwelling]:
        return Dwelling.objects.filter(households__residents__id=obj.pk)

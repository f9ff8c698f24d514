"""Supervision pages (督办): the work list of supervision items for each level of the chain,
and one item with the form to close it.

The list is a work list, not a ledger: by default it shows the open items assigned to the
user or to the user's level of the chain, inside the user's scope; "全部" shows every item the
user can see. Items follow their project's scope (each level sees its jurisdiction's items).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import ListView

from linli.core.scoping import get_scoped_or_404, scoped
from linli.registry.models import Zone
from linli.renewal import supervision_selectors as sel
from linli.renewal.models import SupervisionItem, SupervisionKind, SupervisionStatus
from linli.renewal.services import supervision as service
from linli.renewal.supervision import ChainLevel, Light
from linli.renewal.views import PAGE_SIZE, _form_errors

MINE, EVERYTHING = "mine", "all"
ANY_STATUS = "any"


def _choices(all_label: Any, choices: Any) -> list[tuple[str, Any]]:
    return [("", all_label), *choices]


class ItemFilterForm(forms.Form):
    """The filters of the work list (GET)."""

    show = forms.ChoiceField(
        label=_("范围"),
        required=False,
        choices=[(MINE, _("我的督办")), (EVERYTHING, _("辖区全部"))],
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[*SupervisionStatus.choices, (ANY_STATUS, _("全部"))],
    )
    level = forms.ChoiceField(
        label=_("责任层级"), required=False, choices=_choices(_("全部"), ChainLevel.choices)
    )
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=_choices(_("全部"), SupervisionKind.choices)
    )
    light = forms.ChoiceField(
        label=_("项目督办状态"), required=False, choices=_choices(_("全部"), Light.choices)
    )
    zone = forms.ModelChoiceField(
        label=_("片区"), required=False, queryset=Zone.objects.none(), empty_label=_("全部")
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = scoped(Zone, user)  # type: ignore[attr-defined]
        self.fields["show"].initial = self.default_show(user)

    @staticmethod
    def default_show(user: Any) -> str:
        """My items for the four levels of the chain; everything in scope for other roles
        (a department, a firm, a superuser), who hold no level."""
        return MINE if sel.chain_levels_of(user) else EVERYTHING

    def apply(self, items: QuerySet[SupervisionItem], user: Any) -> QuerySet[SupervisionItem]:
        data = self.cleaned_data if self.is_valid() else {}
        if (data.get("show") or self.default_show(user)) == MINE:
            items = items.filter(sel.mine_q(user))
        status = data.get("status") or SupervisionStatus.OPEN
        if status != ANY_STATUS:
            items = items.filter(status=status)
        for name, lookup in (("level", "level"), ("kind", "kind"), ("light", "project__light")):
            if data.get(name):
                items = items.filter(**{lookup: data[name]})
        if data.get("zone"):
            items = items.filter(project__zone=data["zone"])
        return items


class SupervisionListView(LoginRequiredMixin, ListView):
    """督办事项: the open items of my level (or everything I can see), with the lights."""

    model = SupervisionItem
    template_name = "renewal/supervision_list.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self) -> QuerySet[SupervisionItem]:
        user = self.request.user
        self.filter_form = ItemFilterForm(self.request.GET or None, user=user)
        items = self.filter_form.apply(sel.items_for(user), user)
        return items.order_by("status", "due_on", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        open_by_level = dict(
            sel.items_for(user)
            .filter(status=SupervisionStatus.OPEN)
            .order_by()
            .values_list("level")
            .annotate(n=Count("pk"))
        )
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            form=self.filter_form,
            items=[(item, sel.days_late(item)) for item in context["object_list"]],
            query_without_page=query.urlencode(),
            light_counts=[(Light(k), n) for k, n in sel.light_counts(user).items()],
            level_counts=[(level, open_by_level.get(level.value, 0)) for level in ChainLevel],
            my_levels=[ChainLevel(v) for v in sorted(sel.chain_levels_of(user))],
        )
        return context


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("办结情况"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("节点完成(或经区百城办调整计划)后方可办结。"),
    )


class SupervisionItemView(LoginRequiredMixin, View):
    """One item: what is overdue, who has it, its history; the assignee (or the district
    office) closes it once the milestone is no longer overdue."""

    model = SupervisionItem

    def _item(self, request: HttpRequest, pk: int) -> SupervisionItem:
        return get_scoped_or_404(sel.items_for(request.user), request.user, pk=pk)

    def _render(self, request: HttpRequest, item: SupervisionItem, form: Any) -> HttpResponse:
        can_resolve = item.status == SupervisionStatus.OPEN and service.can_resolve(
            request.user, item
        )
        context = {
            "item": item,
            "project": item.project,
            "days_late": sel.days_late(item),
            "form": form if can_resolve else None,
        }
        return render(request, "renewal/supervision_item.html", context)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, self._item(request, pk), ResolveForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        item = self._item(request, pk)
        if not service.can_resolve(request.user, item):
            raise PermissionDenied
        form = ResolveForm(request.POST)
        if form.is_valid():
            try:
                service.resolve_item(
                    item=item, resolution=form.cleaned_data["resolution"], by=request.user
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, gettext("督办事项已办结"))
                return redirect("renewal:supervision_item", pk=item.pk)
        return self._render(request, item, form)

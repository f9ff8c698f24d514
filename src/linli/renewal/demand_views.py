"""The page where a project adopts items from its compounds' demand rankings (居民点单).

For each compound of the project it shows the latest ranking the user may see, each entry
with a checkbox (entries that cannot be adopted say why); the selected entries are adopted in
one step through :func:`linli.renewal.services.demand.adopt_demand`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from linli.consultation.models import DemandEntry, DemandRanking
from linli.core.scoping import scoped
from linli.registry.models import Compound
from linli.renewal.models import CatalogueItem, Project
from linli.renewal.services import PLANNING
from linli.renewal.services.demand import AdoptionRefused, adopt_demand
from linli.renewal.views import ProjectWriteMixin


@dataclass
class EntryRow:
    """A demand entry on the page: can it be adopted, and if not, why not."""

    entry: DemandEntry
    item: CatalogueItem | None
    blocked: str = ""


@dataclass
class CompoundDemand:
    """A compound of the project and its latest demand ranking (if any)."""

    compound: Compound
    ranking: DemandRanking | None
    rows: list[EntryRow]


def compound_demand(project: Project, user: Any) -> list[CompoundDemand]:
    """The latest ranking of each of the project's compounds, with what blocks each entry."""
    compounds = list(project.compounds.order_by("code"))
    rankings = scoped(
        DemandRanking.objects.filter(compound__in=compounds)
        .order_by("compound", "-computed_at", "-pk")
        .prefetch_related(Prefetch("entries", queryset=DemandEntry.objects.order_by("rank"))),
        user,
    )
    latest: dict[int, DemandRanking] = {}
    for found in rankings:
        latest.setdefault(found.compound_id, found)
    codes = {e.menu_code for r in latest.values() for e in r.entries.all()}
    catalogue = {i.code: i for i in CatalogueItem.objects.filter(code__in=codes)}
    on_project = set(project.items.values_list("item__code", flat=True))
    result = []
    for compound in compounds:
        ranking = latest.get(compound.pk)
        rows = []
        for entry in ranking.entries.all() if ranking else []:
            item = catalogue.get(entry.menu_code)
            if item is None:
                blocked = gettext("不在改造内容库中")
            elif not item.active:
                blocked = gettext("改造内容已停用")
            elif item.code in on_project:
                blocked = gettext("已在项目中")
            else:
                blocked = ""
            rows.append(EntryRow(entry=entry, item=item, blocked=blocked))
        result.append(CompoundDemand(compound=compound, ranking=ranking, rows=rows))
    return result


class AdoptDemandView(ProjectWriteMixin, View):
    """Adopt the chosen demand entries as project items (GET shows the rankings)."""

    model = Project
    permission = "renewal.add_projectitem"
    title = _("采纳居民点单")

    def _render(self, selected: set[int], errors: list[str] | None = None) -> HttpResponse:
        context = {
            "project": self.project,
            "title": self.title,
            "compounds": compound_demand(self.project, self.request.user),
            "selected": selected,
            "errors": errors or [],
            "planning": self.project.stage in PLANNING,
        }
        return render(self.request, "renewal/adopt_demand.html", context)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(set())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        ids = {int(v) for v in request.POST.getlist("entries") if v.isdigit()}
        entries = list(
            scoped(DemandEntry.objects.select_related("ranking"), request.user)
            .filter(pk__in=ids)
            .order_by("ranking__compound", "rank")
        )
        try:
            rows = adopt_demand(project=self.project, entries=entries, by=request.user)
        except AdoptionRefused as refused:
            return self._render(ids, [r.message for r in refused.refusals])
        return self.done(gettext("已采纳 %(count)d 项居民点单") % {"count": len(rows)})

"""The dashboard's programme indicators: the period and scope pickers, and the figures per
programme year, sub-district and zone, all computed from one load of the indicator rows.

The figures are those of ``linli.renewal.indicators.compute_indicators`` (definitions in
docs/renewal.md, "Indicators" and "Dashboard"); nothing here counts anything by itself.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from linli.core.scoping import Scope, any_of, scope_for, scoped
from linli.registry.models import Community, Compound, Subdistrict, Zone
from linli.renewal.indicators import Indicators, ProjectRow, compute_indicators
from linli.renewal.models import OutputIndicator
from linli.renewal.selectors import indicator_rows

#: The programme's first year: the year chart starts here (earlier projects widen it).
FIRST_YEAR = 2019
PLACE_KINDS = ("zone", "subdistrict", "community")
HUNDRED = Decimal(100)
PERCENT_PLACES = Decimal("0.1")
TEN_THOUSAND = Decimal(10000)


# --- places the user may pick ---------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A zone, sub-district or community offered by the scope picker."""

    kind: str
    pk: int
    name: str

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.pk}"


@dataclass(frozen=True)
class Places:
    """The places a user holds wholly, by kind, in display order."""

    zones: list[Place]
    subdistricts: list[Place]
    communities: list[Place]

    def find(self, value: str) -> Place | None:
        for place in (*self.zones, *self.subdistricts, *self.communities):
            if place.value == value:
                return place
        return None

    def groups(self) -> list[tuple[str, list[Place]]]:
        """(label, places) for the picker's option groups, empty kinds left out."""
        groups = [
            (gettext("片区"), self.zones),
            (gettext("街道办事处"), self.subdistricts),
            (gettext("社区"), self.communities),
        ]
        return [(label, places) for label, places in groups if places]


def _held(queryset: QuerySet[Any], scope: Scope, *terms: tuple[str, frozenset[int]]) -> Any:
    # The scoping layer also shows parent places holding something in scope (for
    # breadcrumbs); the picker offers only places whose every compound is in scope, so that
    # "this sub-district's figures" never silently means "the part of it I see".
    if not scope.everything:
        queryset = queryset.filter(any_of(*terms))
    return queryset.order_by("code").values_list("pk", "name")


def held_places(user: Any) -> Places:
    """Zones, sub-districts and communities wholly within ``user``'s jurisdiction (3 queries)."""
    scope = scope_for(user)
    districts = scope.district_ids
    zones = _held(scoped(Zone, user), scope, ("pk", scope.zone_ids), ("district_id", districts))
    subdistricts = _held(
        scoped(Subdistrict, user), scope, ("pk", scope.subdistrict_ids), ("district_id", districts)
    )
    communities = _held(
        scoped(Community, user),
        scope,
        ("pk", scope.community_ids),
        ("subdistrict_id", scope.subdistrict_ids),
        ("subdistrict__district_id", districts),
    )
    return Places(
        zones=[Place("zone", pk, name) for pk, name in zones],
        subdistricts=[Place("subdistrict", pk, name) for pk, name in subdistricts],
        communities=[Place("community", pk, name) for pk, name in communities],
    )


def sees_the_ledger(user: Any) -> bool:
    """Whether ``user`` holds a jurisdiction over projects (not only their own dwellings):
    residents and users without a role see the registry figures alone."""
    scope = scope_for(user)
    return scope.everything or any(
        (
            scope.district_ids,
            scope.zone_ids,
            scope.subdistrict_ids,
            scope.community_ids,
            scope.compound_ids,
            scope.organisation_ids,
            scope.project_ids,
        )
    )


# --- the period and scope form --------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"


class IndicatorFilterForm(forms.Form):
    """A programme year, or a start and an end date (which win over the year: the page's
    form always sends its year select); and a place (``kind:id``) or everything."""

    year = forms.TypedChoiceField(label=gettext_lazy("年度"), coerce=int, required=False)
    period_start = forms.DateField(label=gettext_lazy("开始日期"), required=False, widget=DateInput)
    period_end = forms.DateField(label=gettext_lazy("结束日期"), required=False, widget=DateInput)
    scope = forms.CharField(label=gettext_lazy("范围"), required=False, max_length=32)

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        years = range(today.year + 1, FIRST_YEAR - 1, -1)
        field = self.fields["year"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", gettext("按起止日期")), *((y, str(y)) for y in years)]

    def clean_scope(self) -> str:
        value: str = self.cleaned_data.get("scope") or ""
        if value:
            kind, _, pk = value.partition(":")
            if kind not in PLACE_KINDS or not pk.isdigit():
                raise forms.ValidationError(gettext("范围无效"), code="scope")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end, year = data.get("period_start"), data.get("period_end"), data.get("year")
        if start is None and end is None:
            year = year or self.today.year
            start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        elif start is None or end is None:
            raise forms.ValidationError(gettext("请同时填写开始日期和结束日期"), code="half")
        elif end < start:
            raise forms.ValidationError(gettext("结束日期早于开始日期"), code="order")
        data["period_start"], data["period_end"] = start, end
        return data


def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    return datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)


# --- figures ----------------------------------------------------------------------------------


def percent(rate: Decimal | None) -> Decimal | None:
    """A 4-place rate as a percentage with one place (``0.6667`` → ``66.7``)."""
    if rate is None:
        return None
    return (rate * HUNDRED).quantize(PERCENT_PLACES, ROUND_HALF_UP)


@dataclass(frozen=True)
class Group:
    """The indicators of one programme year, sub-district or zone."""

    label: str
    figures: Indicators

    @property
    def completion_percent(self) -> Decimal | None:
        return percent(self.figures.completion_rate)

    @property
    def start_percent(self) -> Decimal | None:
        return percent(self.figures.start_rate)


@dataclass(frozen=True)
class Output:
    """One output indicator's total."""

    code: str
    name: str
    unit: str
    total: Decimal


@dataclass(frozen=True)
class Dashboard:
    """Everything the indicator part of the dashboard shows."""

    figures: Indicators
    outputs: list[Output]
    by_year: list[Group]
    by_subdistrict: list[Group]
    by_zone: list[Group]

    @property
    def start_percent(self) -> Decimal | None:
        return percent(self.figures.start_rate)

    @property
    def completion_percent(self) -> Decimal | None:
        return percent(self.figures.completion_rate)

    @property
    def investment_percent(self) -> Decimal | None:
        return percent(self.figures.investment_completion)

    @property
    def planned_ten_thousands(self) -> Decimal:
        """Planned investment in 万元 (ten thousand yuan), as programme reports give it."""
        return _ten_thousands(self.figures.planned_investment)

    @property
    def disbursed_ten_thousands(self) -> Decimal:
        return _ten_thousands(self.figures.disbursed_investment)

    def chart_data(self) -> dict[str, Any]:
        """What web/dashboard.js draws: plain lists, decimals as strings (never floats)."""

        def series(groups: list[Group]) -> dict[str, Any]:
            return {
                "categories": [g.label for g in groups],
                "planned": [g.figures.compounds_planned for g in groups],
                "started": [g.figures.compounds_started for g in groups],
                "completed": [g.figures.compounds_completed for g in groups],
                "completionRate": [_text(g.completion_percent) for g in groups],
            }

        return {
            "years": series(self.by_year),
            "subdistricts": series(self.by_subdistrict),
            "zones": series(self.by_zone),
            "outputs": {
                "categories": [f"{o.name}({o.unit})" for o in self.outputs],
                "values": [str(o.total) for o in self.outputs],
            },
            "investment": {
                "planned": str(self.planned_ten_thousands),
                "disbursed": str(self.disbursed_ten_thousands),
            },
            "labels": {
                "planned": gettext("计划小区"),
                "started": gettext("开工小区"),
                "completed": gettext("完工小区"),
                "completionRate": gettext("完工率(%)"),
                "compounds": gettext("小区(个)"),
                "rate": gettext("完工率(%)"),
                "quantity": gettext("数量"),
                "investment": gettext("投资(万元)"),
                "plannedInvestment": gettext("计划投资"),
                "disbursedInvestment": gettext("已拨付"),
                "empty": gettext("暂无数据"),
            },
        }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _ten_thousands(yuan: Decimal) -> Decimal:
    return (yuan / TEN_THOUSAND).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _compute(
    rows: Iterable[ProjectRow], start: datetime.date, end: datetime.date, codes: Sequence[str]
) -> Indicators:
    return compute_indicators(rows, period_start=start, period_end=end, indicator_codes=codes)


def by_programme_year(
    rows: list[ProjectRow], *, today: datetime.date, last_year: int, codes: Sequence[str]
) -> list[Group]:
    """Each programme year's cohort (FIRST_YEAR to ``last_year``), as it stands today."""
    years = [row.year for row in rows]
    first = min([FIRST_YEAR, *years])
    last = max([last_year, *years])
    groups = []
    for year in range(first, last + 1):
        cohort = [row for row in rows if row.year == year]
        # Status as of today; a future year's cohort as of its own year end (nothing dated
        # after today exists, so the two agree).
        end = max(today, datetime.date(year, 12, 31))
        groups.append(Group(str(year), _compute(cohort, datetime.date(year, 1, 1), end, codes)))
    return groups


def by_zone(
    rows: list[ProjectRow],
    names: dict[int, str],
    *,
    start: datetime.date,
    end: datetime.date,
    codes: Sequence[str],
) -> list[Group]:
    """The period's indicators of each zone holding a project (as ``zone=`` narrows them)."""
    present = {row.zone_id for row in rows}
    groups = [
        Group(name, _compute([r for r in rows if r.zone_id == pk], start, end, codes))
        for pk, name in names.items()
        if pk in present
    ]
    if None in present:
        unzoned = [r for r in rows if r.zone_id is None]
        groups.append(Group(gettext("未划片区"), _compute(unzoned, start, end, codes)))
    return groups


def by_subdistrict(
    rows: list[ProjectRow],
    subdistrict_of: dict[int, int],
    names: dict[int, str],
    *,
    start: datetime.date,
    end: datetime.date,
    codes: Sequence[str],
) -> list[Group]:
    """The period's indicators of each sub-district, narrowed as ``subdistrict=`` narrows
    them: projects with a compound there, counting only those compounds."""
    groups = []
    for pk, name in names.items():
        narrowed = []
        for row in rows:
            inside = tuple(c for c in row.compounds if subdistrict_of.get(c.id) == pk)
            if inside:
                narrowed.append(replace(row, compounds=inside))
        if narrowed:
            groups.append(Group(name, _compute(narrowed, start, end, codes)))
    return groups


def _names(model: type[Model], user: Any, ids: set[int]) -> dict[int, str]:
    queryset = scoped(model, user).filter(pk__in=sorted(ids)).order_by("code")
    return dict(queryset.values_list("pk", "name"))


def build_dashboard(
    user: Any,
    *,
    period_start: datetime.date,
    period_end: datetime.date,
    place: Place | None = None,
    today: datetime.date | None = None,
) -> Dashboard:
    """The indicators of ``user``'s projects (narrowed to ``place``) for the period, with
    the per-year, per-sub-district and per-zone breakdowns (a fixed number of queries)."""
    today = today or timezone.localdate()
    narrowing = {place.kind: place.pk} if place else {}
    rows = indicator_rows(user, **narrowing)
    catalogue = list(OutputIndicator.objects.all())
    codes = [indicator.code for indicator in catalogue]
    figures = _compute(rows, period_start, period_end, codes)
    known = {indicator.code: indicator for indicator in catalogue}
    outputs = [
        Output(
            code=code,
            name=known[code].name if code in known else code,
            unit=str(known[code].get_unit_display()) if code in known else "",
            total=total,
        )
        for code, total in figures.outputs.items()
    ]
    compound_ids = sorted({c.id for row in rows for c in row.compounds})
    subdistrict_of = dict(
        Compound.objects.filter(pk__in=compound_ids).values_list("pk", "community__subdistrict_id")
    )
    zone_ids = {row.zone_id for row in rows if row.zone_id is not None}
    return Dashboard(
        figures=figures,
        outputs=outputs,
        by_year=by_programme_year(
            rows, today=today, last_year=max(today.year, period_end.year), codes=codes
        ),
        by_subdistrict=by_subdistrict(
            rows,
            subdistrict_of,
            _names(Subdistrict, user, set(subdistrict_of.values())),
            start=period_start,
            end=period_end,
            codes=codes,
        ),
        by_zone=by_zone(
            rows, _names(Zone, user, zone_ids), start=period_start, end=period_end, codes=codes
        ),
    )

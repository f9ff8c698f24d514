"""The dashboard's breakdowns over plain indicator rows (no database): per programme year,
zone and sub-district, and the invariants tying them to the whole."""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from linli.renewal.gates import Stage
from linli.renewal.indicators import CompoundFacts, ProjectRow, compute_indicators
from linli.web.dashboard import (
    FIRST_YEAR,
    by_programme_year,
    by_subdistrict,
    by_zone,
    percent,
)

D = datetime.date
TODAY = D(2025, 6, 15)
START, END = D(2025, 1, 1), D(2025, 12, 31)
ZONES = {1: "一片区", 2: "二片区"}
SUBDISTRICTS = {10: "北街道", 20: "南街道"}
#: Compounds 1-5 lie in sub-district 10, 6-9 in sub-district 20.
SUBDISTRICT_OF = {c: 10 if c <= 5 else 20 for c in range(1, 10)}


def row(pk: int, *, year: int = 2025, zone: int | None = 1, compounds=(1,), completed=None):
    return ProjectRow(
        id=pk,
        year=year,
        stage=Stage.APPLICATION,
        zone_id=zone,
        compounds=tuple(CompoundFacts(c, households=2, people=5) for c in compounds),
        completed_on=completed,
    )


def test_years_run_from_the_programmes_first_year_to_the_last_asked_for():
    groups = by_programme_year([], today=TODAY, last_year=2026, codes=())
    assert [g.label for g in groups] == [str(y) for y in range(FIRST_YEAR, 2027)]


def test_a_project_planned_before_2019_widens_the_years():
    groups = by_programme_year([row(1, year=2017)], today=TODAY, last_year=2025, codes=())
    assert groups[0].label == "2017"


def test_a_years_cohort_counts_completions_up_to_today_not_only_within_its_year():
    rows = [row(1, year=2021, completed=D(2023, 5, 1))]
    groups = {g.label: g for g in by_programme_year(rows, today=TODAY, last_year=2025, codes=())}
    assert groups["2021"].figures.compounds_completed == 1


def test_projects_without_a_zone_are_grouped_last_as_unzoned():
    rows = [row(1, zone=2), row(2, zone=None, compounds=(2,))]
    groups = by_zone(rows, ZONES, start=START, end=END, codes=())
    assert [g.label for g in groups] == ["二片区", "未划片区"]


def test_a_project_across_two_sub_districts_counts_only_the_compounds_in_each():
    rows = [row(1, compounds=(1, 2, 6))]
    groups = {
        g.label: g.figures.compounds_planned
        for g in by_subdistrict(rows, SUBDISTRICT_OF, SUBDISTRICTS, start=START, end=END, codes=())
    }
    assert groups == {"北街道": 2, "南街道": 1}


def test_a_sub_district_without_projects_has_no_row():
    groups = by_subdistrict(
        [row(1, compounds=(1,))], SUBDISTRICT_OF, SUBDISTRICTS, start=START, end=END, codes=()
    )
    assert [g.label for g in groups] == ["北街道"]


def test_percent_has_one_place_and_none_stays_none():
    assert (percent(Decimal("0.6667")), percent(None)) == (Decimal("66.7"), None)


_rows = st.lists(
    st.builds(
        row,
        pk=st.integers(1, 10_000),
        year=st.integers(2023, 2026),
        zone=st.sampled_from([1, 2, None]),
        compounds=st.lists(st.integers(1, 9), min_size=1, max_size=3, unique=True),
        completed=st.none() | st.dates(D(2023, 1, 1), D(2026, 12, 31)),
    ),
    max_size=12,
    unique_by=lambda r: r.id,
)


@given(rows=_rows)
def test_the_zones_projects_add_up_to_the_whole(rows):
    whole = compute_indicators(rows, period_start=START, period_end=END)
    groups = by_zone(rows, ZONES, start=START, end=END, codes=())
    assert sum(g.figures.projects_planned for g in groups) == whole.projects_planned


@given(rows=_rows)
def test_the_sub_districts_compounds_add_up_to_the_whole(rows):
    # Each compound lies in one sub-district, so the distinct compounds split exactly.
    whole = compute_indicators(rows, period_start=START, period_end=END)
    groups = by_subdistrict(rows, SUBDISTRICT_OF, SUBDISTRICTS, start=START, end=END, codes=())
    for name in ("compounds_planned", "compounds_started", "compounds_completed"):
        assert sum(getattr(g.figures, name) for g in groups) == getattr(whole, name)


@given(rows=_rows)
def test_each_year_plans_the_distinct_compounds_of_its_projects_and_no_more_complete(rows):
    for group in by_programme_year(rows, today=TODAY, last_year=2026, codes=()):
        year = int(group.label)
        compounds = {c.id for r in rows if r.year == year for c in r.compounds}
        figures = group.figures
        assert figures.compounds_planned == len(compounds)
        assert figures.compounds_completed <= figures.compounds_started <= len(compounds)

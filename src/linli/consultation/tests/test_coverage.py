"""The coverage engine (入户率): statuses, the vacant exclusion, exact comparison with the
target, grouping by compound, community and zone."""

from __future__ import annotations

import datetime
from decimal import Decimal

from linli.consultation import coverage as c

T0 = datetime.datetime(2026, 5, 1, 9, tzinfo=datetime.UTC)


def visit(outcome: str, hours: int = 0, pk: int = 0) -> c.VisitFact:
    return c.VisitFact(at=T0 + datetime.timedelta(hours=hours), outcome=outcome, pk=pk)


def test_a_visited_outcome_or_an_answer_during_a_visit_reaches_the_dwelling():
    assert c.status_of([visit("nobody_home"), visit("visited", 1)]) is c.Status.REACHED
    assert c.status_of([visit("nobody_home")], answered_in_visit=True) is c.Status.REACHED
    # Once reached, a later "moved out" does not take it back.
    assert c.status_of([visit("visited"), visit("moved_out", 2)]) is c.Status.REACHED


def test_the_latest_visit_decides_the_other_statuses():
    assert c.status_of([]) is c.Status.NOT_VISITED
    assert c.status_of([visit("moved_out")]) is c.Status.VACANT
    assert c.status_of([visit("moved_out"), visit("nobody_home", 1)]) is c.Status.NOBODY_HOME
    assert c.status_of([visit("nobody_home"), visit("declined", 1)]) is c.Status.DECLINED
    assert c.status_of([visit("declined", 1), visit("moved_out", 0)]) is c.Status.DECLINED
    # Same moment: the later record wins.
    assert c.status_of([visit("declined", pk=2), visit("moved_out", pk=1)]) is c.Status.DECLINED


def facts(pk: int, compound: int = 1, zone: int | None = 7, **kwargs) -> c.DwellingFacts:
    return c.DwellingFacts(
        dwelling_id=pk,
        compound=c.Place(compound, f"小区{compound}"),
        community=c.Place(100 + compound % 2, f"社区{compound % 2}"),
        zone=None if zone is None else c.Place(zone, f"片区{zone}"),
        **kwargs,
    )


def test_vacant_dwellings_leave_the_base_and_the_rate_has_two_places():
    rows = [facts(1, visits=[visit("visited")]), facts(2, visits=[visit("moved_out")])]
    rows += [facts(3, visits=[visit("declined")]), facts(4, visits=[visit("nobody_home")])]
    rows += [facts(5)]
    report = c.coverage(rows, Decimal("90"))
    total = report.total
    assert (total.dwellings, total.vacant, total.eligible, total.reached) == (5, 1, 4, 1)
    assert (total.declined, total.nobody_home, total.not_visited, total.to_visit) == (1, 1, 1, 2)
    assert total.rate == Decimal("25.00")
    assert not total.met
    three = c.coverage([facts(1, visits=[visit("visited")]), facts(2), facts(3)], Decimal(90))
    assert three.total.rate == Decimal("33.33")


def test_the_target_is_met_exactly_at_the_line_not_just_below():
    at_line = [facts(i, visits=[visit("visited")]) for i in range(9)] + [facts(9)]
    assert c.coverage(at_line, Decimal("90")).total.met
    below = [facts(i, visits=[visit("visited")]) for i in range(8)] + [facts(8), facts(9)]
    assert not c.coverage(below, Decimal("90")).total.met
    # 2/3 = 66.666...% : rounds to 66.67 but does not meet a 66.67 target.
    thirds = [facts(1, visits=[visit("visited")]), facts(2, visits=[visit("visited")]), facts(3)]
    report = c.coverage(thirds, Decimal("66.67"))
    assert report.total.rate == Decimal("66.67")
    assert not report.total.met
    assert c.coverage(thirds, Decimal("66.66")).total.met


def test_a_group_without_eligible_dwellings_has_no_rate_and_is_not_met():
    report = c.coverage([facts(1, visits=[visit("moved_out")])], Decimal("90"))
    assert report.total.rate is None
    assert not report.total.met
    assert report.total.as_dict()["rate"] is None


def test_rows_per_compound_community_and_zone_with_the_unzoned_last():
    rows = [
        facts(1, compound=1, zone=7, visits=[visit("visited")]),
        facts(2, compound=2, zone=None),
        facts(3, compound=3, zone=7, visits=[visit("visited")]),
    ]
    report = c.coverage(rows, Decimal("90"), compounds=[c.Place(4, "小区4")])
    assert [r.name for r in report.compounds] == ["小区1", "小区2", "小区3", "小区4"]
    assert report.compounds[-1].dwellings == 0
    assert [(r.name, r.dwellings, r.reached) for r in report.zones] == [
        ("片区7", 2, 2),
        (c.NO_ZONE, 1, 0),
    ]
    assert {r.name: r.dwellings for r in report.communities} == {"社区0": 1, "社区1": 2}
    assert report.as_dict()["zones"][0]["rate"] == "100.00"

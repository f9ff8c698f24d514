"""The resident's elevator page (/me/elevators/<pk>/) and the home page's elevator card: an
owner sees the plan and their own line of the bill (never a neighbour's), their stairwell's
vote and their running-cost statements; a case without their dwelling is a 404."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from linli.accounts.roles import Role
from linli.accounts.tests.factories import RoleAssignmentFactory
from linli.core.scoping import clear_cached_scopes
from linli.elevators.selectors import bill_lines
from linli.elevators.services.cases import create_case
from linli.elevators.services.records import set_running_costs
from linli.elevators.services.workflow import confirm_agreement, start_votes
from linli.elevators.tests.factories import (
    NOW,
    SubsidyRuleFactory,
    community_worker,
    pass_votes,
    resident_of,
    shared_stairwells,
)

pytestmark = pytest.mark.django_db

# Total 370,000 minus a 100,000 subsidy: the residents share 270,000 by 1 + 0.5 × (floor − 1)
# over 12 dwellings (weights 1 … 3.5, twice): 10,000 per unit of weight.
COSTS = {"equipment": "300000.00", "civil_works": "50000.00", "design": "20000.00"}
WEEK = datetime.timedelta(days=7)


def open_case(stairwells, worker, **kw):  # type: ignore[no-untyped-def]
    return create_case(
        by=worker,
        title=kw.pop("title", "1号楼加装电梯"),
        stairwells=stairwells,
        costs=COSTS,
        subsidy_rule=SubsidyRuleFactory(),
        coefficients="half_step",
        **kw,
    )


def row(case, floor, number):  # type: ignore[no-untyped-def]
    return case.pool.select_related("dwelling").get(dwelling__floor=floor, dwelling__number=number)


def page_url(case) -> str:  # type: ignore[no-untyped-def]
    return reverse("web:resident_elevator", kwargs={"pk": case.pk})


@pytest.fixture
def stairwell():  # type: ignore[no-untyped-def]
    [stairwell] = shared_stairwells(1)
    return stairwell


@pytest.fixture
def worker(stairwell):  # type: ignore[no-untyped-def]
    return community_worker(stairwell.building.compound)


@pytest.fixture
def case(stairwell, worker):  # type: ignore[no-untyped-def]
    return open_case([stairwell], worker, provident_fund_cap=Decimal("20000.00"))


@pytest.fixture
def top(case):  # type: ignore[no-untyped-def]
    return row(case, 6, "601")


@pytest.fixture
def owner(client, top):  # type: ignore[no-untyped-def]
    client.force_login(resident_of(top.dwelling))
    return client


# --- The bill ----------------------------------------------------------------------------------


def test_the_owner_sees_the_plan_and_their_own_bill_with_the_right_amounts(owner, case, top):
    html = owner.get(page_url(case)).content.decode()
    assert "370000.00 元" in html and "100000.00 元" in html and "270000.00 元" in html
    [line] = [x for x in bill_lines(case) if x.row.pk == top.pk]
    assert line.share.construction_share == Decimal("35000.00")
    assert '<dd class="r-construction">35000.00 元</dd>' in html
    assert '<dd class="r-net"><strong>35000.00 元</strong></dd>' in html


def test_the_provident_fund_limit_covers_only_their_own_construction_share(owner, case):
    html = owner.get(page_url(case)).content.decode()
    assert "住房公积金最多可提取 20000.00 元" in html
    assert "不能用于电梯运行费用" in html


def test_the_plan_lists_the_coefficient_of_every_floor(owner, case):
    html = owner.get(page_url(case)).content.decode()
    table = html.split('id="coefficients"')[1].split("</table>")[0]
    assert "<td>1 层</td><td>1</td>" in table and "<td>6 层</td><td>3.5</td>" in table


def test_no_neighbours_line_appears(owner, case, top):
    html = owner.get(page_url(case)).content.decode()
    assert str(top.dwelling) in html
    for other in case.pool.exclude(pk=top.pk).select_related("dwelling"):
        assert str(other.dwelling) not in html
    assert "10000.00 元<" not in html  # the ground floor's share


def test_a_ground_floor_owner_sees_the_compensation_they_receive(client, case, worker):
    from linli.elevators.services.cases import update_plan

    ground = row(case, 1, "101")
    update_plan(case, by=worker, compensation=[(ground.dwelling_id, "12000.00")])
    client.force_login(resident_of(ground.dwelling))
    html = client.get(page_url(case)).content.decode()
    [line] = [x for x in bill_lines(case) if x.row.pk == ground.pk]
    assert line.share.compensation_received == Decimal("12000.00")
    assert '<dd class="r-received">12000.00 元</dd>' in html
    assert "应收合计" in html and f"{-line.share.net:.2f} 元" in html


def test_a_half_landing_stop_shows_the_cost_floor(owner, case, top, worker):
    from linli.elevators.services.cases import update_plan

    update_plan(case, by=worker, cost_floors={top.dwelling_id: 5}, stop_mode="mixed")
    html = owner.get(page_url(case)).content.decode()
    assert "电梯停靠半层平台" in html and "<dd>3</dd>" in html  # 1 + 0.5 × (5 − 1)


# --- Who gets in -------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, case):
    response = client.get(page_url(case))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_case_not_containing_the_owners_dwelling_is_a_404(owner, worker, stairwell):
    other = shared_stairwells(1)[0]
    neighbours = open_case([other], community_worker(other.building.compound), title="别处电梯")
    assert owner.get(page_url(neighbours)).status_code == 404


def test_a_staff_user_gets_the_page_only_with_their_own_dwelling(client, case, worker, top):
    RoleAssignmentFactory(user=worker, role=Role.RESIDENT, dwelling=top.dwelling)
    clear_cached_scopes(worker)
    client.force_login(worker)
    html = client.get(page_url(case)).content.decode()
    assert str(top.dwelling) in html
    assert str(row(case, 1, "101").dwelling) not in html


def test_a_staff_user_sees_the_plan_without_a_bill_of_their_own(client, case, worker):
    client.force_login(worker)
    response = client.get(page_url(case))
    assert response.status_code == 200
    assert response.context["lines"] == []


# --- Vote and running costs ----------------------------------------------------------------------


def test_the_stairwells_vote_links_to_the_vote_page(owner, case, worker):
    start_votes(case, by=worker, opens_at=NOW, closes_at=NOW + WEEK, now=NOW)
    vote = case.case_votes.get().vote
    html = owner.get(page_url(case)).content.decode()
    assert f'href="{reverse("web:resident_vote", kwargs={"pk": vote.pk})}"' in html
    assert vote.title in html


def test_before_the_votes_the_page_says_none_has_started(owner, case):
    assert "本单元尚未发起表决" in owner.get(page_url(case)).content.decode()


def test_running_cost_statements_show_the_dwellings_share_per_year(owner, case, worker):
    start_votes(case, by=worker, opens_at=NOW, closes_at=NOW + WEEK, now=NOW)
    pass_votes(case, by=worker)
    confirm_agreement(case, by=worker)
    set_running_costs(case, by=worker, year=2026, costs={"maintenance": "5400.00"})
    html = owner.get(page_url(case)).content.decode()
    running = html.split('data-year="2026"')[1].split("</tr>")[0]
    assert "5400.00 元" in running and "700.00 元" in running  # 5,400 / 27 × 3.5


# --- Home page and query counts ------------------------------------------------------------------


def test_home_shows_a_card_per_case_with_what_the_owner_owes(
    owner, case, django_assert_max_num_queries
):
    with django_assert_max_num_queries(30):
        html = owner.get(reverse("web:resident_home")).content.decode()
    card = html.split(f'data-elevator="{case.pk}"')[1].split("</section>")[0]
    assert case.title in card and "方案编制" in card and "应缴 35000.00 元" in card
    assert page_url(case) in card


def test_the_page_reads_a_bounded_number_of_queries(
    owner, case, worker, django_assert_max_num_queries
):
    start_votes(case, by=worker, opens_at=NOW, closes_at=NOW + WEEK, now=NOW)
    pass_votes(case, by=worker)
    confirm_agreement(case, by=worker)
    for year in (2026, 2027, 2028):
        set_running_costs(case, by=worker, year=year, costs={"maintenance": "5400.00"})
    with django_assert_max_num_queries(25):
        response = owner.get(page_url(case))
    assert response.status_code == 200

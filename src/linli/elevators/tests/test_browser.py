"""In a real browser, the issue's "done when": a community worker opens a case for a stairwell
with the coefficients 1 + 0.5 × (floor − 1), starts the vote; the owners' ballots are cast
through the services; the worker confirms the agreement, starts the works, hands the elevator
over and sees its maintenance schedule on the case page. No request leaves the site. Uses
Debian's chromium through Playwright; skipped without it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from linli.consultation import models as cm
from linli.consultation.profiles import seed_profiles
from linli.elevators.models import CaseStatus, ElevatorCase
from linli.elevators.tests.factories import (
    SubsidyRuleFactory,
    community_worker,
    pass_votes,
    shared_stairwells,
)

PASSWORD = "a-long-browser-password-8"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _rule_profiles(transactional_db):
    # A transactional test may start from a flushed database: the migration's rows are gone.
    seed_profiles(cm.RuleProfile)


def test_a_worker_takes_a_case_from_the_plan_to_the_maintenance_schedule(
    tab, live_server, tmp_path
):
    [stairwell] = shared_stairwells(1)
    compound = stairwell.building.compound
    rule = SubsidyRuleFactory()
    worker = community_worker(compound)
    worker.set_password(PASSWORD)
    worker.save()

    tab.goto(f"{live_server.url}/login/?next=/elevators/new/")
    tab.fill("#id_username", worker.username)
    tab.fill("#id_password", PASSWORD)
    tab.click("form.stacked button[type=submit]")
    tab.wait_for_url("**/elevators/new/")

    tab.select_option("#id_compound", str(compound.pk))
    tab.click("form.case-form button[type=submit]")
    tab.wait_for_url(f"**/elevators/new/?compound={compound.pk}")
    tab.check(f"input[name=stairwells][value='{stairwell.pk}']")
    tab.fill("#id_title", "1号楼1单元加装电梯")
    tab.fill("#id_cost_equipment", "300000.00")
    tab.fill("#id_cost_civil_works", "50000.00")
    tab.fill("#id_cost_design", "20000.00")
    tab.select_option("#id_subsidy_rule", str(rule.pk))
    tab.check("input[name=coefficients][value=half_step]")
    tab.screenshot(path=str(tmp_path / "new-case.png"), full_page=True)
    tab.click("form.case-form button[type=submit]")

    case = ElevatorCase.objects.get()
    tab.wait_for_url(f"**/elevators/{case.pk}/")
    assert tab.locator("#residents-total").inner_text() == "270000.00"
    assert tab.locator("#total-share").inner_text() == "270000.00"
    assert tab.locator("td[data-floor='6']").inner_text() == "3.5"
    tab.screenshot(path=str(tmp_path / "plan.png"), full_page=True)

    tab.click(f"a[href='/elevators/{case.pk}/votes/']")
    closes = timezone.localtime() + datetime.timedelta(days=7)
    tab.fill("#id_closes_at", closes.strftime("%Y-%m-%dT%H:%M"))
    tab.click("form.case-form button[type=submit]")
    tab.wait_for_url(f"**/elevators/{case.pk}/")
    assert tab.locator(".case-status").get_attribute("data-status") == CaseStatus.VOTING

    case.refresh_from_db()
    pass_votes(case, by=worker)
    tab.reload()
    assert "通过" in tab.locator("#votes").inner_text()
    tab.click("button[value=confirm]")
    tab.wait_for_selector(".case-status[data-status=agreed]")
    tab.click("button[value=start_works]")
    tab.wait_for_selector(".case-status[data-status=building]")

    tab.click(f"a[href='/elevators/{case.pk}/handover/']")
    today = timezone.localdate()
    tab.fill("#id_accepted_on", today.isoformat())
    tab.fill("#id_responsible_unit", "洛阳某物业服务有限公司")
    tab.fill("#id_contractor", "洛阳某电梯工程有限公司")
    tab.fill("#id_contract_starts_on", today.isoformat())
    tab.fill("#id_contract_ends_on", (today + datetime.timedelta(days=364)).isoformat())
    tab.click("form.case-form button[type=submit]")
    tab.wait_for_selector(".case-status[data-status=accepted]")

    schedules = tab.locator("#asset table.schedules")
    maintenance = schedules.locator("tr[data-kind=maintenance]")
    assert "15" in maintenance.inner_text()
    due = (today + datetime.timedelta(days=15)).isoformat()
    assert due in maintenance.inner_text()
    assert maintenance.get_attribute("data-overdue") == "false"
    tab.screenshot(path=str(tmp_path / "handed-over.png"), full_page=True)
    assert tab.outside == []

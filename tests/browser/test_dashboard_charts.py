"""In a real browser: the dashboard's indicator charts draw from the self-hosted ECharts, with
no console error and no request leaving the live server; the scope picker narrows them.

Uses the Chromium and page fixtures of test_login_dashboard (every request to another host
is blocked and recorded in ``page.outside``).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from linli.accounts.models import RoleAssignment
from linli.accounts.roles import Role
from linli.registry.tests.factories import (
    CommunityFactory,
    CompoundFactory,
    DistrictFactory,
    SubdistrictFactory,
)
from linli.renewal import services
from linli.renewal.gates import Stage
from linli.renewal.models import FundingSource
from linli.renewal.tests import factories as f
from tests.browser.test_login_dashboard import (  # noqa: F401
    PASSWORD,
    _browser_required,
    chromium,
    page,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ["years", "subdistricts", "zones", "outputs", "investment"]


def build_projects():
    """A district with two sub-districts: two completed projects, one applied for, funded."""
    district = DistrictFactory()
    year = timezone.localdate().year
    north = CommunityFactory(subdistrict=SubdistrictFactory(district=district, name="王城路街道"))
    south = CommunityFactory(subdistrict=SubdistrictFactory(district=district, name="唐宫路街道"))
    for community, programme_year in [(north, year), (south, year - 2)]:
        f.project_ready_for(
            Stage.COMPLETED, compounds=[CompoundFactory(community=community)], year=programme_year
        )
    funded = f.ProjectFactory(compounds=[CompoundFactory(community=north)], year=year)
    services.set_funding(
        project=funded,
        source=FundingSource.DISTRICT,
        planned=Decimal("3000000.00"),
        allocated=Decimal("2000000.00"),
        disbursed=Decimal("1200000.00"),
    )
    return district, north


def log_in_as(tab, live_server, role: str, **jurisdiction) -> None:
    user = get_user_model().objects.create_user(f"{role}-user", password=PASSWORD)
    RoleAssignment.objects.create(user=user, role=role, **jurisdiction)
    tab.goto(f"{live_server.url}/")
    tab.wait_for_url(re.compile(r"/login/"))
    tab.fill("#id_username", f"{role}-user")
    tab.fill("#id_password", PASSWORD)
    tab.click("form.stacked button[type=submit]")
    tab.wait_for_url(f"{live_server.url}/")


def watch_console(tab) -> list[str]:
    errors: list[str] = []
    tab.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    tab.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_district_clerk_sees_every_chart_drawn_on_a_canvas(page, live_server, tmp_path):  # noqa: F811
    district, _ = build_projects()
    errors = watch_console(page)
    log_in_as(page, live_server, Role.DISTRICT_OFFICE, district=district)
    for chart in CHARTS:
        page.wait_for_selector(f'#chart-{chart}[data-drawn="true"] canvas')
        box = page.locator(f"#chart-{chart} canvas").first.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 100, chart
    assert page.evaluate("typeof window.echarts.version") == "string"
    assert page.evaluate("window.echarts.version") == "6.1.0"
    page.screenshot(path=str(tmp_path / "linli-dashboard-charts.png"), full_page=True)
    assert errors == []
    assert page.outside == []


def test_picking_a_community_redraws_the_charts_for_it(page, live_server):  # noqa: F811
    district, north = build_projects()
    errors = watch_console(page)
    log_in_as(page, live_server, Role.DISTRICT_OFFICE, district=district)
    page.select_option("#id_scope", f"community:{north.pk}")
    page.click("#indicator-filter button[type=submit]")
    page.wait_for_url(re.compile(rf"scope=community%3A{north.pk}"))
    page.wait_for_selector('#chart-subdistricts[data-drawn="true"] canvas')
    rows = page.locator("#table-subdistricts tbody tr[data-group]")
    assert rows.count() == 1 and rows.first.get_attribute("data-group") == "王城路街道"
    assert page.locator('[data-indicator="compounds_planned"]').get_attribute("data-value") == "2"
    assert errors == []
    assert page.outside == []


def test_with_scripts_off_the_figures_are_in_tables(chromium, live_server):  # noqa: F811
    district, _ = build_projects()
    context = chromium.new_context(locale="zh-CN", java_script_enabled=False)
    tab = context.new_page()
    try:
        user = get_user_model().objects.create_user("no-js", password=PASSWORD)
        RoleAssignment.objects.create(user=user, role=Role.DISTRICT_OFFICE, district=district)
        tab.goto(f"{live_server.url}/login/")
        tab.fill("#id_username", "no-js")
        tab.fill("#id_password", PASSWORD)
        tab.click("form.stacked button[type=submit]")
        tab.wait_for_url(f"{live_server.url}/")
        assert tab.locator("canvas").count() == 0
        assert tab.locator("#table-years tbody tr[data-group]").count() >= 1
        assert tab.locator("#table-subdistricts tbody tr[data-group]").count() == 2
        assert tab.get_by_text("完工率").first.is_visible()
    finally:
        context.close()

"""In a real browser: log in, read the dashboard's figures, switch to English; see the map.

Drives Debian's chromium (``apt-get install chromium fonts-noto-cjk``, done by
``make browser-deps``) headless through Playwright's sync API against pytest-django's live
server, in the shared ``tab`` of the root ``conftest.py``. Every request to a host other than
the live server is blocked and recorded: the pages must work on an intranet with no internet.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from linli.accounts.models import RoleAssignment
from linli.accounts.roles import Role
from linli.registry.models import Compound, Household, RenovationStatus, Resident, Zone
from linli.registry.tests.factories import (
    BuildingFactory,
    CommunityFactory,
    CompoundFactory,
    DistrictFactory,
    DwellingFactory,
    HouseholdFactory,
    ResidentFactory,
    StairwellFactory,
    SubdistrictFactory,
    ZoneFactory,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PASSWORD = "a-long-browser-password-1"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _browser_required() -> None:
    # The shared ``tab`` skips without chromium; LINLI_REQUIRE_BROWSER=1 makes that a failure.
    if not CHROMIUM.exists() and os.environ.get("LINLI_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{CHROMIUM} is missing and LINLI_REQUIRE_BROWSER=1")


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """A browser for tests that need their own context (``test_dashboard_charts`` turns
    scripts off); the tests here use the shared ``tab`` through ``page``."""
    if not CHROMIUM.exists():
        if os.environ.get("LINLI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and LINLI_REQUIRE_BROWSER=1")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # meanwhile are still plain synchronous calls, which Django must be told to allow.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()


@pytest.fixture
def page(tab):
    """The root ``conftest.py`` tab (Chinese-speaking; ``page.outside`` lists the blocked
    outside requests), at the size the dashboard screenshot is taken."""
    tab.set_viewport_size({"width": 1280, "height": 900})
    return tab


def build_programme() -> None:
    """Two renovated compounds with people, one in progress with people, one not planned.

    Four zones: one shared by two compounds, one empty, and one made by the factory for each
    of the other two compounds.
    """
    north, south = SubdistrictFactory(name="王城路街道"), SubdistrictFactory(name="唐宫路街道")
    zone = ZoneFactory()
    ZoneFactory()
    renovated = {"renovation_status": RenovationStatus.RENOVATED, "renovated_year": 2022}
    done_north = CompoundFactory(
        community=CommunityFactory(subdistrict=north), zone=zone, **renovated
    )
    done_south = CompoundFactory(community=CommunityFactory(subdistrict=south), **renovated)
    busy = CompoundFactory(
        community=CommunityFactory(subdistrict=south),
        renovation_status=RenovationStatus.IN_PROGRESS,
    )
    CompoundFactory(
        community=CommunityFactory(subdistrict=north), zone=zone, longitude=None, latitude=None
    )
    for compound, people in [(done_north, [3, 2, 4]), (done_south, [1, 5]), (busy, [2, 2])]:
        stairwell = StairwellFactory(building=BuildingFactory(compound=compound))
        for floor, size in enumerate(people, start=1):
            household = HouseholdFactory(dwelling=DwellingFactory(stairwell=stairwell, floor=floor))
            ResidentFactory.create_batch(size, household=household)


def expected_figures() -> dict[str, int]:
    """The headline figures counted straight from the tables, independently of the selector."""
    renovated = Compound.objects.filter(renovation_status=RenovationStatus.RENOVATED)
    return {
        "compounds": Compound.objects.count(),
        "zones": Zone.objects.count(),
        "renovated_compounds": renovated.count(),
        "households_benefited": Household.objects.filter(
            dwelling__stairwell__building__compound__in=renovated
        ).count(),
        "people_benefited": Resident.objects.filter(
            household__dwelling__stairwell__building__compound__in=renovated
        ).count(),
    }


def shown_figures(page) -> dict[str, int]:
    shown = {}
    for name in [
        "compounds",
        "zones",
        "renovated_compounds",
        "households_benefited",
        "people_benefited",
    ]:
        figure = page.locator(f'[data-figure="{name}"]')
        text = figure.locator(".figure-value").inner_text()
        shown[name] = int(re.sub(r"\D", "", text))
        assert figure.get_attribute("data-value") == str(shown[name])
    return shown


def log_in(page, live_server) -> None:
    clerk = get_user_model().objects.create_user("district-clerk", password=PASSWORD)
    # District office staff: the figures are those of their whole district.
    RoleAssignment.objects.create(user=clerk, role=Role.DISTRICT_OFFICE, district=DistrictFactory())
    page.goto(f"{live_server.url}/")
    page.wait_for_url(re.compile(r"/login/"))
    page.fill("#id_username", "district-clerk")
    page.fill("#id_password", PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_clerk_logs_in_sees_the_true_figures_and_switches_to_english(page, live_server, tmp_path):
    build_programme()
    expected = expected_figures()
    assert expected == {
        "compounds": 4,
        "zones": 4,
        "renovated_compounds": 2,
        "households_benefited": 5,
        "people_benefited": 15,
    }

    log_in(page, live_server)
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_text("小区总数").is_visible()
    assert shown_figures(page) == expected
    page.screenshot(path=str(tmp_path / "linli-dashboard.png"), full_page=True)

    page.click('.lang-switch button[value="en"]')
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.get_by_text("Total compounds").is_visible()
    assert page.get_by_text("People benefited").first.is_visible()
    assert shown_figures(page) == expected
    assert page.outside == []


def test_map_draws_every_located_compound_without_a_tile_server(page, live_server):
    build_programme()
    log_in(page, live_server)
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector("#map[data-features]")
    located = Compound.objects.exclude(latitude=None).count()
    assert page.locator("#map").get_attribute("data-features") == str(located)
    assert page.locator("path.leaflet-interactive").count() == located
    assert page.locator(".map-legend-row").count() == len(RenovationStatus.values)
    assert "1" in page.locator("#map-status-line").inner_text()
    assert page.outside == []

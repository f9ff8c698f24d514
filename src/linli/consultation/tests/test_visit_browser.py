"""In a real browser: a community worker opens a survey's coverage page, records a visit
from the to-visit list, and comes back to a higher coverage with the dwelling off the list
(no request leaves the site). Uses Debian's chromium through Playwright; skipped without it."""

from __future__ import annotations

import pytest

from linli.consultation.tests.test_visit_services import make_world

PASSWORD = "a-long-browser-password-7"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_recording_a_visit_from_the_coverage_page(tab, live_server, tmp_path):
    world = make_world()
    world.worker.set_password(PASSWORD)
    world.worker.save()
    first = world.dwellings[0]

    tab.goto(f"{live_server.url}/login/?next=/consultation/surveys/{world.survey.pk}/coverage/")
    tab.fill("#id_username", world.worker.username)
    tab.fill("#id_password", PASSWORD)
    tab.click("form.stacked button[type=submit]")
    assert tab.locator("[data-total-rate]").inner_text().startswith("0.00%")
    tab.click(f'tr[data-dwelling="{first.pk}"] a.button')
    tab.check("input[name=outcome][value=visited]")
    tab.fill("#id_notes", "老两口在家,填了问卷")
    tab.screenshot(path=str(tmp_path / "visit.png"), full_page=True)
    tab.click("form.form-card button[type=submit]")

    tab.wait_for_url(f"**/consultation/surveys/{world.survey.pk}/coverage/**")
    assert "25.00%" in tab.locator("[data-total-rate]").inner_text()
    assert tab.locator(f'tr[data-dwelling="{first.pk}"]').count() == 0
    assert tab.locator("[data-to-visit] tbody tr").count() == 3
    tab.screenshot(path=str(tmp_path / "coverage.png"), full_page=True)
    assert tab.outside == []

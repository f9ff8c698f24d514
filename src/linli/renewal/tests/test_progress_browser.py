"""In a real browser: a district user fills in "填报进度" with a photo, lands on the progress
page, sees the bar at 100% and the photo's thumbnail loaded with its place (no request leaves
the site). Uses Debian's chromium through Playwright; skipped without it."""

from __future__ import annotations

import pytest

from linli.accounts.roles import Role
from linli.registry.tests.factories import CompoundFactory, DistrictFactory
from linli.renewal.tests import factories as f

PASSWORD = "a-long-browser-password-5"
XIGONG_GPS = {1: "N", 2: (34.0, 40.0, 59.88), 3: "E", 4: (112.0, 26.0, 30.12)}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_report_with_a_photo_through_the_browser(tab, live_server, tmp_path):
    district = DistrictFactory()
    compound = CompoundFactory(community__subdistrict__district=district)
    project = f.project_in_works(compounds=[compound])
    (item,) = project.items.all()
    office = f.user_with_role(Role.DISTRICT_OFFICE, district=district)
    office.set_password(PASSWORD)
    office.save()
    photo = tmp_path / "site.jpg"
    photo.write_bytes(f.jpeg(taken="2026:05:01 10:20:30", gps=XIGONG_GPS, size=(640, 480)).read())

    tab.goto(f"{live_server.url}/login/?next=/renewal/{project.pk}/progress/new/")
    tab.fill("#id_username", office.username)
    tab.fill("#id_password", PASSWORD)
    tab.click("form.stacked button[type=submit]")
    tab.fill(f"#id_percent_{item.pk}", "100")
    tab.fill("#id_summary", "全部完工")
    tab.set_input_files("#id_photos", str(photo))
    tab.screenshot(path=str(tmp_path / "form.png"), full_page=True)
    tab.click("form.form-card button[type=submit]")

    tab.wait_for_url(f"**/renewal/{project.pk}/progress/")
    bar = tab.locator(f'tr[data-item="{item.pk}"] progress')
    assert bar.get_attribute("value") == "100.00"
    thumbnail = tab.locator("ul.photos img").first
    thumbnail.scroll_into_view_if_needed()
    tab.wait_for_function("document.querySelector('ul.photos img').naturalWidth > 0")
    assert thumbnail.evaluate("img => img.naturalWidth") == 480
    assert "34.68330" in tab.locator("ul.photos").inner_text()
    tab.screenshot(path=str(tmp_path / "progress.png"), full_page=True)
    assert tab.outside == []

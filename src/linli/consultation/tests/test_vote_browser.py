"""In a real browser: a community worker opens a vote, enters a paper ballot with its scanned
sheet and sees the tally move (no request leaves the site). Uses Debian's chromium through
Playwright; skipped without it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from linli.consultation import models as m
from linli.consultation.profiles import seed_profiles
from linli.consultation.services import votes as services
from linli.consultation.tests.factories import community_worker, stairwell_with_owners

PASSWORD = "a-long-browser-password-7"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _rule_profiles(transactional_db):
    # A transactional test may start from a flushed database: the migration's rows are gone.
    seed_profiles(m.RuleProfile)


def test_a_worker_enters_a_paper_ballot_and_sees_the_tally(tab, live_server, tmp_path):
    stairwell = stairwell_with_owners(storeys=2, per_floor=2)
    worker = community_worker(stairwell.building.compound)
    worker.set_password(PASSWORD)
    worker.save()
    vote = services.create_vote(
        by=worker,
        title="加装电梯",
        matter=m.Matter.REBUILD,
        stairwells=[stairwell],
        closes_at=timezone.now() + datetime.timedelta(days=7),
    )
    dwelling = stairwell.dwellings.order_by("floor", "number").first()
    scan = tmp_path / "sheet.jpg"
    scan.write_bytes(b"\xff\xd8\xff\xe0 scanned ballot sheet")

    tab.goto(f"{live_server.url}/login/?next=/consultation/votes/{vote.pk}/")
    tab.fill("#id_username", worker.username)
    tab.fill("#id_password", PASSWORD)
    tab.click("form.stacked button[type=submit]")
    tab.wait_for_url(f"**/consultation/votes/{vote.pk}/")
    assert tab.locator(".verdict").get_attribute("data-passed") == "false"
    assert "同意 0 票" in tab.locator("#tally").inner_text()

    tab.click(f"a[href='/consultation/votes/{vote.pk}/ballot/']")
    tab.select_option("#id_dwelling", str(dwelling.pk))
    tab.check("input[name=choice][value=yes]")
    tab.check("input[name=channel][value=paper]")
    tab.fill("#id_voter_name", "张三")
    tab.set_input_files("#id_document", str(scan))
    tab.screenshot(path=str(tmp_path / "ballot.png"), full_page=True)
    tab.click("form.vote-form button[type=submit]")

    tab.wait_for_url(f"**/consultation/votes/{vote.pk}/")
    tally = tab.locator("#tally").inner_text()
    assert "同意 1 票" in tally
    assert "25.00%" in tally  # 1 of 4 equal dwellings, by area and by headcount
    row = tab.locator("#ballots tr[data-seq='1']")
    assert "纸质" in row.inner_text()
    assert tab.locator(".chain-check").get_attribute("data-sound") == "true"
    tab.screenshot(path=str(tmp_path / "vote.png"), full_page=True)
    assert m.Ballot.objects.get().document_sha256
    assert tab.outside == []

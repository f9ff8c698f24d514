"""On a phone (390×844, Debian's chromium through Playwright): a resident signs in, sees the
open vote for their dwelling, casts a ballot through the confirmation step and sees "已投票",
then answers a survey (ranking with select boxes, a conditional question appearing) and sees
the thank-you page; no request leaves the server. Skipped without chromium."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from linli.consultation import models as m
from linli.consultation.profiles import seed_profiles
from linli.consultation.services import surveys as ss
from linli.consultation.services import votes as vs
from linli.consultation.tests.factories import (
    community_worker,
    resident_of,
    stairwell_with_owners,
)
from linli.registry.tests.factories import CompoundFactory

PASSWORD = "a-long-browser-password-7"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _rule_profiles(transactional_db):
    # A transactional test may start from a flushed database: the migration's rows are gone.
    seed_profiles(m.RuleProfile)


def test_a_resident_votes_and_answers_a_survey_on_a_phone(tab, live_server, tmp_path):
    compound = CompoundFactory()
    stairwell = stairwell_with_owners(compound=compound, storeys=2, per_floor=1)
    mine = stairwell.dwellings.order_by("floor").first()
    worker = community_worker(compound)
    resident = resident_of(mine)
    resident.set_password(PASSWORD)
    resident.save()
    vote = vs.create_vote(
        by=worker,
        title="加装电梯",
        matter=m.Matter.REBUILD,
        stairwells=[stairwell],
        closes_at=timezone.now() + datetime.timedelta(days=3),
    )
    survey = ss.create_survey(by=worker, title="改造点单", compounds=[compound])
    version = survey.versions.get()
    support = ss.add_question(
        version=version,
        by=worker,
        kind="single",
        text="是否支持改造",
        options=[("yes", "支持", ""), ("no", "不支持", "")],
    )
    why = ss.add_question(
        version=version,
        by=worker,
        kind="text",
        text="不支持的原因",
        show_if=support,
        show_if_values=["no"],
    )
    rank = ss.add_question(
        version=version,
        by=worker,
        kind="ranking",
        text="请排序",
        options=[("lift", "加装电梯", ""), ("roof", "屋面防水", "")],
    )
    ss.publish_version(survey=survey, by=worker)

    tab.set_viewport_size({"width": 390, "height": 844})
    tab.goto(f"{live_server.url}/login/?next=/me/")
    tab.fill("#id_username", resident.username)
    tab.fill("#id_password", PASSWORD)
    tab.click("form.stacked button[type=submit]")
    tab.wait_for_url("**/me/")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    tab.screenshot(path=str(tmp_path / "home.png"), full_page=True)

    tab.click(f'li[data-vote="{vote.pk}"] a.r-button')
    tab.click('button[name="choice"][value="yes"]')
    tab.screenshot(path=str(tmp_path / "confirm.png"), full_page=True)
    tab.click('#confirm button[name="confirm"]')
    tab.wait_for_selector(".r-voted")
    assert "已投票(同意" in tab.inner_text(f'div[data-dwelling="{mine.pk}"]')
    assert m.Ballot.objects.get().channel == "online"
    tab.wait_for_load_state("load")  # the style sheet applied, not just the markup parsed
    button = tab.locator("a.r-back").bounding_box()
    assert button is not None and button["height"] >= 44

    tab.click("a.r-back")
    assert "已投票(同意" in tab.inner_text(f'li[data-vote="{vote.pk}"]')
    tab.click(f'li[data-survey="{survey.pk}"] a.r-button')
    # resident.js hides the conditional question until its condition is met.
    tab.wait_for_selector(f"#question-{why.pk}", state="hidden", timeout=5000)
    tab.click("text=不支持")
    tab.wait_for_selector(f"#question-{why.pk}", state="visible", timeout=5000)
    tab.fill(f'textarea[name="q{why.pk}"]', "担心噪音")
    tab.select_option(f'select[name="q{rank.pk}_1"]', "roof")
    tab.select_option(f'select[name="q{rank.pk}_2"]', "lift")
    tab.screenshot(path=str(tmp_path / "survey.png"), full_page=True)
    tab.click("button.r-submit")
    tab.wait_for_selector("#thanks")
    thanks = tab.inner_text("#thanks")
    assert "担心噪音" in thanks and "1. 屋面防水" in thanks
    response = m.Response.objects.get()
    assert response.channel == "online" and response.dwelling == mine
    assert tab.outside == []

"""In a real browser: a community worker answers a survey during a visit; the conditional
question appears only for the answer that asks it, and the saved response holds it."""

from __future__ import annotations

import pytest

from linli.consultation import models as m
from linli.consultation.services import surveys as s
from linli.consultation.tests.factories import community_worker, stairwell_with_owners
from linli.registry.tests.factories import CompoundFactory

PASSWORD = "a-long-browser-password-7"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_worker_answers_a_survey_with_a_conditional_question(tab, live_server):
    compound = CompoundFactory()
    dwelling = stairwell_with_owners(compound=compound, storeys=1, per_floor=1).dwellings.get()
    worker = community_worker(compound)
    worker.set_password(PASSWORD)
    worker.save()
    survey = s.create_survey(by=worker, title="加装电梯意愿", compounds=[compound])
    v = survey.versions.get()
    q1 = s.add_question(
        version=v,
        by=worker,
        kind="single",
        text="是否愿意加装电梯",
        options=[("yes", "愿意", ""), ("no", "不愿意", "")],
    )
    q2 = s.add_question(
        version=v, by=worker, kind="text", text="不愿意的原因", show_if=q1, show_if_values=["no"]
    )
    s.publish_version(survey=survey, by=worker)

    tab.goto(f"{live_server.url}/login/?next=/consultation/surveys/{survey.pk}/answer/")
    tab.fill("#id_username", worker.username)
    tab.fill("#id_password", PASSWORD)
    tab.click("form.stacked button[type=submit]")
    tab.wait_for_url(f"**/consultation/surveys/{survey.pk}/answer/**")
    conditional = tab.locator(f"#question-{q2.pk}")
    assert conditional.is_hidden()
    tab.check(f"input[name=q{q1.pk}][value=no]")
    assert conditional.is_visible()
    tab.check(f"input[name=q{q1.pk}][value=yes]")
    assert conditional.is_hidden()
    tab.check(f"input[name=q{q1.pk}][value=no]")
    tab.fill(f"textarea[name=q{q2.pk}]", "担心噪音")
    tab.fill("#id_respondent_name", "王阿姨")
    tab.click("form.survey-answer button[type=submit]")
    tab.wait_for_selector(".messages")
    response = m.Response.objects.get(survey=survey, dwelling=dwelling)
    assert {a.question_id: a.value for a in response.answers.all()} == {
        q1.pk: "no",
        q2.pk: "担心噪音",
    }
    assert response.channel == "visit" and response.respondent_name == "王阿姨"
    assert tab.outside == []

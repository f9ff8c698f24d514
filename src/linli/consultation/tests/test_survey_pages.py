"""Survey pages: list, create, builder, detail with results and buttons, the answer form."""

from __future__ import annotations

import pytest
from django.urls import reverse

from linli.consultation import models as m
from linli.consultation.menu import menu_items, register_menu_source, unregister_menu_source
from linli.consultation.services import surveys as s
from linli.consultation.tests.factories import (
    community_worker,
    resident_of,
    stairwell_with_owners,
)
from linli.registry.tests.factories import CompoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    compound = CompoundFactory(name="道南路70号院")
    stairwell = stairwell_with_owners(compound=compound, storeys=1, per_floor=2)
    dwellings = list(stairwell.dwellings.order_by("number"))
    worker = community_worker(compound)
    return compound, dwellings, worker


def published(worker, compound):
    survey = s.create_survey(by=worker, title="加装电梯意愿", compounds=[compound])
    version = survey.versions.get()
    q1 = s.add_question(
        version=version,
        by=worker,
        kind="single",
        text="是否愿意",
        options=[("yes", "愿意", ""), ("no", "不愿意", "")],
    )
    q2 = s.add_question(
        version=version, by=worker, kind="text", text="原因", show_if=q1, show_if_values=["no"]
    )
    q3 = s.add_question(
        version=version,
        by=worker,
        kind="ranking",
        text="最想改的",
        options=[("roof", "屋面", "R01"), ("pipe", "管网", ""), ("lift", "电梯", "")],
        max_choices=2,
    )
    q4 = s.add_question(
        version=version,
        by=worker,
        kind="matrix",
        text="满意度",
        rows=["物业", "环境"],
        options=[("good", "满意", ""), ("bad", "不满意", "")],
    )
    s.publish_version(survey=survey, by=worker)
    return survey, (q1, q2, q3, q4)


def test_the_list_shows_scoped_surveys_with_their_response_counts(client, world):
    compound, _dwellings, worker = world
    _survey, (_q1, *_rest) = published(worker, compound)
    other_worker = community_worker(CompoundFactory())
    s.create_survey(
        by=other_worker,
        title="别处的问卷",
        compounds=[CompoundFactory(community=other_worker.role_assignments.first().community)],
    )
    client.force_login(worker)
    response = client.get(reverse("consultation:survey_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "加装电梯意愿" in html and "别处的问卷" not in html
    assert "新建问卷" in html


def test_a_worker_creates_a_survey_and_builds_questions(client, world):
    compound, _, worker = world
    client.force_login(worker)
    response = client.post(
        reverse("consultation:survey_create"),
        {"title": "改造需求", "compounds": [compound.pk], "coverage_target": "90"},
    )
    survey = m.Survey.objects.get(title="改造需求")
    builder = reverse("consultation:survey_builder", args=[survey.pk])
    assert response.status_code == 302 and response["Location"] == builder
    response = client.post(
        builder,
        {
            "op": "add",
            "kind": "multiple",
            "text": "想改什么",
            "required": "on",
            "options": "屋面\nroof2|管网|R07\n电梯",
            "max_choices": "2",
        },
    )
    assert response.status_code == 302
    q = survey.versions.get().questions.get()
    assert [(o.value, o.label, o.menu_code) for o in q.options.all()] == [
        ("o1", "屋面", ""),
        ("roof2", "管网", "R07"),
        ("o2", "电梯", ""),
    ]
    # A refused shape comes back on the form, bilingual.
    response = client.post(
        builder, {"op": "add", "kind": "single", "text": "只有一个", "options": "甲"}
    )
    assert response.status_code == 200
    assert (
        "选择题至少需要两个选项 (a choice question needs two options)" in response.content.decode()
    )
    # Edit, then a second question conditional on the first.
    client.post(
        builder,
        {
            "op": "edit",
            "question": q.pk,
            "kind": "multiple",
            "text": "最想改什么",
            "options": "o1|屋面\nroof2|管网|R07\no2|电梯",
            "max_choices": "2",
        },
    )
    q.refresh_from_db()
    assert q.text == "最想改什么"
    client.post(
        builder,
        {
            "op": "add",
            "kind": "number",
            "text": "电梯预算",
            "show_if": q.pk,
            "show_if_values": "o2",
            "min_value": "0",
        },
    )
    q2 = survey.versions.get().questions.get(position=2)
    assert q2.show_if == q and q2.show_if_values == ["o2"]
    page = client.get(builder + f"?edit={q2.pk}")
    assert page.status_code == 200 and "修改第 2 题" in page.content.decode()
    client.post(builder, {"op": "up", "question": q2.pk})  # refused: condition must come first
    assert survey.versions.get().questions.get(pk=q2.pk).position == 2
    client.post(builder, {"op": "delete", "question": q2.pk})
    assert survey.versions.get().questions.count() == 1


def test_publish_new_version_and_close_from_the_survey_page(client, world):
    compound, _, worker = world
    survey = s.create_survey(by=worker, title="问卷", compounds=[compound])
    s.add_question(version=survey.versions.get(), by=worker, kind="text", text="建议")
    client.force_login(worker)
    detail = reverse("consultation:survey_detail", args=[survey.pk])
    assert "发布第 1 版" in client.get(detail).content.decode()
    client.post(reverse("consultation:survey_publish", args=[survey.pk]))
    survey.refresh_from_db()
    assert survey.status == "open"
    builder = client.get(reverse("consultation:survey_builder", args=[survey.pk])).content.decode()
    assert "题目不能再修改" in builder
    response = client.post(
        reverse("consultation:survey_new_version", args=[survey.pk]), {"note": "改措辞"}
    )
    assert response["Location"] == reverse("consultation:survey_builder", args=[survey.pk])
    assert survey.versions.filter(number=2, published_at=None, note="改措辞").exists()
    client.post(reverse("consultation:survey_close", args=[survey.pk]))
    survey.refresh_from_db()
    assert survey.status == "closed"


def test_a_resident_may_see_but_not_build_or_publish(client, world):
    compound, dwellings, worker = world
    survey, _ = published(worker, compound)
    client.force_login(resident_of(dwellings[0]))
    assert client.get(reverse("consultation:survey_detail", args=[survey.pk])).status_code == 200
    assert client.get(reverse("consultation:survey_builder", args=[survey.pk])).status_code == 403
    assert client.post(reverse("consultation:survey_close", args=[survey.pk])).status_code == 403


def test_a_survey_of_another_community_is_404(client, world):
    compound, _, worker = world
    survey, _ = published(worker, compound)
    client.force_login(community_worker(CompoundFactory()))
    for name in ("survey_detail", "survey_builder", "survey_answer", "survey_export"):
        assert client.get(reverse(f"consultation:{name}", args=[survey.pk])).status_code == 404


def test_the_worker_answers_during_a_visit_and_errors_show_per_question(client, world):
    compound, dwellings, worker = world
    survey, (q1, q2, q3, q4) = published(worker, compound)
    client.force_login(worker)
    url = reverse("consultation:survey_answer", args=[survey.pk])
    page = client.get(url, {"dwelling": dwellings[0].pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-show-if="{q1.pk}"' in html and "survey_answer.js" in html
    bad = client.post(
        url,
        {
            "dwelling": dwellings[0].pk,
            f"q{q1.pk}": "yes",
            f"q{q2.pk}": "多余",
            f"q{q3.pk}_roof": "1",
            f"q{q3.pk}_pipe": "2",
            f"q{q3.pk}_lift": "3",
            f"q{q4.pk}_r0": "good",
        },
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "第 2 题:按前面的回答不应作答此题" in html
    assert "第 3 题:最多排出 2 项" in html
    assert "第 4 题:以下各行未作答:环境" in html
    good = client.post(
        url,
        {
            "dwelling": dwellings[0].pk,
            "respondent_name": "王阿姨",
            f"q{q1.pk}": "no",
            f"q{q2.pk}": "怕吵",
            f"q{q3.pk}_lift": "1",
            f"q{q3.pk}_roof": "2",
            f"q{q4.pk}_r0": "good",
            f"q{q4.pk}_r1": "bad",
        },
    )
    assert good.status_code == 302
    response = m.Response.objects.get(survey=survey, dwelling=dwellings[0])
    assert response.channel == "visit" and response.respondent_name == "王阿姨"
    values = {a.question_id: a.value for a in response.answers.all()}
    assert values == {
        q1.pk: "no",
        q2.pk: "怕吵",
        q3.pk: ["lift", "roof"],
        q4.pk: {"0": "good", "1": "bad"},
    }
    # The form comes back prefilled, and the survey page sums up.
    again = client.get(url, {"dwelling": dwellings[0].pk}).content.decode()
    assert "怕吵" in again and "王阿姨" in again
    detail = client.get(reverse("consultation:survey_detail", args=[survey.pk])).content.decode()
    assert "平均名次" in detail and 'data-option="lift"' in detail


def test_duplicate_ranks_are_refused_on_the_form(client, world):
    compound, dwellings, worker = world
    survey, (q1, _q2, q3, _q4) = published(worker, compound)
    client.force_login(worker)
    url = reverse("consultation:survey_answer", args=[survey.pk])
    response = client.post(
        url,
        {
            "dwelling": dwellings[0].pk,
            f"q{q1.pk}": "yes",
            f"q{q3.pk}_roof": "1",
            f"q{q3.pk}_pipe": "1",
        },
    )
    assert response.status_code == 400
    assert "排序名次不能重复" in response.content.decode()


def test_a_resident_answers_online_for_their_own_dwelling(client, world):
    compound, dwellings, worker = world
    survey, (q1, _q2, q3, q4) = published(worker, compound)
    client.force_login(resident_of(dwellings[1]))
    url = reverse("consultation:survey_answer", args=[survey.pk])
    page = client.get(url).content.decode()
    assert str(dwellings[1]) in page and str(dwellings[0]) not in page
    assert "居民手机填写" in page and "respondent_name" not in page
    response = client.post(url, {"dwelling": dwellings[0].pk, f"q{q1.pk}": "yes"})
    assert response.status_code == 400  # the neighbour's dwelling is not in the list
    client.post(
        url,
        {
            "dwelling": dwellings[1].pk,
            f"q{q1.pk}": "yes",
            f"q{q3.pk}_roof": "1",
            f"q{q4.pk}_r0": "good",
            f"q{q4.pk}_r1": "good",
        },
    )
    assert m.Response.objects.get(dwelling=dwellings[1]).channel == "online"


def test_the_builder_offers_the_registered_menu(client, world):
    compound, _, worker = world
    survey = s.create_survey(by=worker, title="点单", compounds=[compound])

    def source():
        return [("R01", "屋面防水"), ("R02", "雨污分流")]

    register_menu_source(source)
    try:
        assert ("R01", "屋面防水") in menu_items()
        client.force_login(worker)
        html = client.get(reverse("consultation:survey_builder", args=[survey.pk])).content.decode()
        assert '<datalist id="menu-items">' in html and "雨污分流" in html
    finally:
        unregister_menu_source(source)

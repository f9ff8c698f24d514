"""The residents' phone pages (/me/): a resident sees the votes and surveys of their own
dwellings, casts a ballot after confirming, answers a survey of every question kind, and sees
the aggregate result once a vote closes — never another household's data."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from linli.accounts.roles import Role
from linli.accounts.tests.factories import RoleAssignmentFactory
from linli.consultation import models as m
from linli.consultation.services import surveys as ss
from linli.consultation.services import votes as vs
from linli.consultation.services.meetings import record_meeting
from linli.consultation.tests.factories import (
    community_worker,
    resident_of,
    stairwell_with_owners,
    user_with_role,
)
from linli.core.scoping import clear_cached_scopes
from linli.registry.tests.factories import CompoundFactory, OwnershipFactory
from linli.web.resident_cards import fraction_words, rule_sentences

pytestmark = pytest.mark.django_db

OPTIONS = [("lift", "加装电梯", "E01"), ("roof", "屋面防水", "R01"), ("park", "停车位", "P01")]


class World:
    """One compound with a stairwell of four owner-occupied dwellings and a second stairwell;
    a community worker; a resident of the first dwelling; an open elevator vote over the
    first stairwell and an open survey with every question kind."""

    def __init__(self) -> None:
        self.compound = CompoundFactory()
        self.stairwell = stairwell_with_owners(compound=self.compound, storeys=2, per_floor=2)
        self.other_stairwell = stairwell_with_owners(compound=self.compound, storeys=1)
        self.dwellings = list(self.stairwell.dwellings.order_by("floor", "number"))
        self.mine = self.dwellings[0]
        self.worker = community_worker(self.compound)
        self.resident = resident_of(self.mine, username="zhang")
        self.resident.first_name = "张三"
        self.resident.save()
        self.now = timezone.now()
        self.vote = vs.create_vote(
            by=self.worker,
            title="1单元加装电梯",
            matter=m.Matter.REBUILD,
            stairwells=[self.stairwell],
            closes_at=self.now + datetime.timedelta(days=3),
            description="在北侧加装一部电梯,费用由维修资金和业主分摊。",
        )
        self.survey = self.make_survey()

    def make_survey(self) -> m.Survey:
        survey = ss.create_survey(by=self.worker, title="改造内容点单", compounds=[self.compound])
        version = survey.versions.get()
        q = {}
        q["single"] = ss.add_question(
            version=version,
            by=self.worker,
            kind="single",
            text="是否支持改造",
            options=[("yes", "支持", ""), ("no", "不支持", "")],
        )
        q["why"] = ss.add_question(
            version=version,
            by=self.worker,
            kind="text",
            text="不支持的原因",
            show_if=q["single"],
            show_if_values=["no"],
        )
        q["multiple"] = ss.add_question(
            version=version, by=self.worker, kind="multiple", text="最想改什么", options=OPTIONS
        )
        q["ranking"] = ss.add_question(
            version=version, by=self.worker, kind="ranking", text="请排序", options=OPTIONS
        )
        q["number"] = ss.add_question(
            version=version,
            by=self.worker,
            kind="number",
            text="家中几口人",
            min_value=Decimal("1"),
            max_value=Decimal("20"),
        )
        q["matrix"] = ss.add_question(
            version=version,
            by=self.worker,
            kind="matrix",
            text="对以下设施的评价",
            options=[("good", "好", ""), ("poor", "差", "")],
            rows=["路面", "照明"],
        )
        q["text"] = ss.add_question(
            version=version, by=self.worker, kind="text", text="其他建议", required=False
        )
        ss.publish_version(survey=survey, by=self.worker)
        self.q = q
        return survey

    def answers_post(self, **overrides: object) -> dict[str, object]:
        q = self.q
        data: dict[str, object] = {
            "dwelling": str(self.mine.pk),
            f"q{q['single'].pk}": "yes",
            f"q{q['multiple'].pk}": ["lift", "park"],
            f"q{q['ranking'].pk}_1": "park",
            f"q{q['ranking'].pk}_2": "lift",
            f"q{q['number'].pk}": "3",
            f"q{q['matrix'].pk}_0": "good",
            f"q{q['matrix'].pk}_1": "poor",
            f"q{q['text'].pk}": "希望尽快开工",
        }
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def world():
    return World()


@pytest.fixture
def as_resident(client, world):
    client.force_login(world.resident)
    return client


def vote_url(vote: m.Vote) -> str:
    return reverse("web:resident_vote", kwargs={"pk": vote.pk})


def survey_url(survey: m.Survey) -> str:
    return reverse("web:resident_survey", kwargs={"pk": survey.pk})


# --- Who gets in -------------------------------------------------------------------------------


def test_every_resident_page_sends_an_anonymous_visitor_to_the_login_page(client, world):
    for url in [reverse("web:resident_home"), vote_url(world.vote), survey_url(world.survey)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_staff_user_without_a_dwelling_gets_a_friendly_page_not_an_error(client, world):
    client.force_login(world.worker)
    response = client.get(reverse("web:resident_home"))
    assert response.status_code == 200
    assert "此页面供居民使用" in response.content.decode()


def test_a_resident_cannot_open_a_vote_or_survey_of_another_compound(as_resident, world):
    elsewhere = CompoundFactory()
    stairwell = stairwell_with_owners(compound=elsewhere, storeys=1)
    worker = community_worker(elsewhere)
    vote = vs.create_vote(
        by=worker,
        title="别处的表决",
        matter=m.Matter.OTHER,
        stairwells=[stairwell],
        closes_at=world.now + datetime.timedelta(days=2),
    )
    survey = ss.create_survey(by=worker, title="别处的问卷", compounds=[elsewhere])
    ss.add_question(
        version=survey.versions.get(), by=worker, kind="text", text="意见", required=False
    )
    ss.publish_version(survey=survey, by=worker)
    assert as_resident.get(vote_url(vote)).status_code == 404
    assert as_resident.get(survey_url(survey)).status_code == 404
    assert as_resident.post(vote_url(vote), {"dwelling": world.mine.pk}).status_code == 404


def test_a_vote_of_the_other_stairwell_is_not_the_residents_business(as_resident, world):
    vote = vs.create_vote(
        by=world.worker,
        title="2单元加装电梯",
        matter=m.Matter.REBUILD,
        stairwells=[world.other_stairwell],
        closes_at=world.now + datetime.timedelta(days=2),
    )
    assert as_resident.get(vote_url(vote)).status_code == 404
    assert "2单元加装电梯" not in as_resident.get(reverse("web:resident_home")).content.decode()


# --- The home page -----------------------------------------------------------------------------


def test_home_lists_the_open_vote_and_survey_of_the_residents_dwelling_only(
    as_resident, world, django_assert_max_num_queries
):
    with django_assert_max_num_queries(30):
        response = as_resident.get(reverse("web:resident_home"))
    html = response.content.decode()
    assert str(world.mine) in html
    for other in world.dwellings[1:]:
        assert str(other) not in html
    assert "1单元加装电梯" in html and "去投票" in html
    assert "改造内容点单" in html and "填写问卷" in html
    assert f'href="{survey_url(world.survey)}?dwelling={world.mine.pk}"' in html


def test_home_shows_a_scheduled_vote_with_its_opening_time(as_resident, world):
    opens = world.now + datetime.timedelta(days=5)
    vs.create_vote(
        by=world.worker,
        title="选聘物业",
        matter=m.Matter.MANAGER,
        compound=world.compound,
        opens_at=opens,
        closes_at=opens + datetime.timedelta(days=7),
    )
    html = as_resident.get(reverse("web:resident_home")).content.decode()
    assert "选聘物业" in html and "待开始" in html
    assert timezone.localtime(opens).strftime("%Y-%m-%d %H:%M") in html


def test_home_shows_the_latest_three_meeting_decisions_of_the_compound(as_resident, world):
    for day in range(1, 5):
        record_meeting(
            by=world.worker,
            compound=world.compound,
            kind=m.MeetingKind.BENCH,
            title=f"第{day}次板凳会",
            held_at=world.now - datetime.timedelta(days=10 - day),
            place="小区凉亭",
            decisions=f"议定事项{day}",
        )
    html = as_resident.get(reverse("web:resident_home")).content.decode()
    assert "议定事项4" in html and "议定事项2" in html
    assert "议定事项1" not in html


# --- Casting a ballot --------------------------------------------------------------------------


def test_a_ballot_is_cast_only_after_the_confirmation_step(as_resident, world):
    url = vote_url(world.vote)
    page = as_resident.get(url).content.decode()
    assert "同意" in page and "反对" in page and "弃权" in page
    assert "四分之三以上" in page  # the rule in words (major matter)

    asked = as_resident.post(url, {"dwelling": world.mine.pk, "choice": "yes"})
    assert asked.status_code == 200
    assert "请确认" in asked.content.decode()
    assert not m.Ballot.objects.exists()

    done = as_resident.post(url, {"dwelling": world.mine.pk, "choice": "yes", "confirm": "yes"})
    assert done.status_code == 302
    ballot = m.Ballot.objects.get()
    assert (ballot.dwelling, ballot.choice, ballot.channel) == (world.mine, "yes", "online")
    assert ballot.voter_name == "张三"
    assert ballot.cast_by == world.resident

    home = as_resident.get(reverse("web:resident_home")).content.decode()
    assert "已投票(同意," in home and "线上)" in home


def test_a_second_ballot_is_refused_with_a_bilingual_reason(as_resident, world):
    url = vote_url(world.vote)
    as_resident.post(url, {"dwelling": world.mine.pk, "choice": "no", "confirm": "yes"})
    again = as_resident.post(url, {"dwelling": world.mine.pk, "choice": "yes", "confirm": "yes"})
    html = again.content.decode()
    assert "不能重复投票" in html and "one ballot per dwelling" in html
    assert m.Ballot.objects.get().choice == "no"


def test_a_paper_ballot_entered_by_staff_shows_as_cast_and_hides_the_buttons(as_resident, world):
    vs.cast_ballot(
        vote=world.vote,
        dwelling=world.mine,
        choice="abstain",
        channel="paper",
        by=world.worker,
        voter_name="张三",
        document=SimpleUploadedFile("sheet.pdf", b"%PDF-1.4 ballot", "application/pdf"),
    )
    html = as_resident.get(vote_url(world.vote)).content.decode()
    assert "已投票(弃权," in html and "纸质)" in html
    assert 'name="choice"' not in html
    refused = as_resident.post(
        vote_url(world.vote), {"dwelling": world.mine.pk, "choice": "yes", "confirm": "yes"}
    )
    assert "不能重复投票" in refused.content.decode()


def test_a_dwelling_that_is_not_the_residents_cannot_be_voted_for(as_resident, world):
    neighbour = world.dwellings[1]
    response = as_resident.post(
        vote_url(world.vote), {"dwelling": neighbour.pk, "choice": "yes", "confirm": "yes"}
    )
    assert response.status_code == 302
    assert not m.Ballot.objects.exists()


def test_an_owner_of_two_dwellings_gets_two_forms_and_must_vote_the_same_way(client, world):
    second = world.dwellings[1]
    owner = world.mine.ownerships.get().owner
    OwnershipFactory(dwelling=second, owner=owner)  # the same person now holds both
    vote = vs.create_vote(
        by=world.worker,
        title="使用维修资金",
        matter=m.Matter.USE_FUND,
        stairwells=[world.stairwell],
        closes_at=world.now + datetime.timedelta(days=3),
    )
    RoleAssignmentFactory(user=world.resident, role=Role.RESIDENT, dwelling=second)
    clear_cached_scopes(world.resident)
    client.force_login(world.resident)
    page = client.get(vote_url(vote)).content.decode()
    assert "须投相同的意见" in page
    assert page.count('name="choice" value="yes"') == 2

    client.post(vote_url(vote), {"dwelling": world.mine.pk, "choice": "yes", "confirm": "yes"})
    refused = client.post(vote_url(vote), {"dwelling": second.pk, "choice": "no", "confirm": "yes"})
    html = refused.content.decode()
    assert "各房屋的意见须一致" in html and "must vote the same way" in html
    assert m.Ballot.objects.filter(vote=vote).count() == 1


def test_after_close_the_result_shows_without_anybodys_personal_data(as_resident, world):
    for dwelling in world.dwellings:
        voter = resident_of(dwelling) if dwelling != world.mine else world.resident
        vs.cast_ballot(
            vote=world.vote,
            dwelling=dwelling,
            choice="yes",
            channel="online",
            by=voter,
            voter_name=f"投票人{dwelling.pk}",
        )
    vs.close_vote(world.vote, now=world.vote.closes_at + datetime.timedelta(minutes=1))
    html = as_resident.get(vote_url(world.vote)).content.decode()
    assert "表决通过" in html and "公示中" in html
    assert "100.00%" in html
    for dwelling in world.dwellings:
        assert f"投票人{dwelling.pk}" not in html
        if dwelling != world.mine:
            assert str(dwelling) not in html
    home = as_resident.get(reverse("web:resident_home")).content.decode()
    assert "表决通过" in home and "公示至" in home


def test_a_failed_vote_says_so(as_resident, world):
    vs.close_vote(world.vote, now=world.vote.closes_at + datetime.timedelta(minutes=1))
    html = as_resident.get(vote_url(world.vote)).content.decode()
    assert "表决未通过" in html and "这户没有投票" in html


# --- Answering a survey ------------------------------------------------------------------------


def test_the_survey_form_draws_every_question_kind_for_touch(as_resident, world):
    html = as_resident.get(survey_url(world.survey)).content.decode()
    q = world.q
    assert f'type="radio" name="q{q["single"].pk}"' in html
    assert f'type="checkbox" name="q{q["multiple"].pk}"' in html
    assert f'<select name="q{q["ranking"].pk}_3">' in html and "第3位" in html
    assert f'type="number" inputmode="decimal" step="any" name="q{q["number"].pk}"' in html
    assert f'type="radio" name="q{q["matrix"].pk}_1"' in html and "照明" in html
    assert f'<textarea class="r-input" name="q{q["text"].pk}"' in html
    assert "仅当第 1 题选择“不支持”时作答" in html
    assert f'data-show-if="q{q["single"].pk}"' in html


def test_answers_are_submitted_online_and_shown_back_with_thanks(as_resident, world):
    response = as_resident.post(survey_url(world.survey), world.answers_post())
    assert response.status_code == 302
    saved = m.Response.objects.get()
    assert (saved.dwelling, saved.channel, saved.respondent_name) == (world.mine, "online", "张三")
    values = {a.question_id: a.value for a in saved.answers.all()}
    assert values[world.q["ranking"].pk] == ["park", "lift"]
    assert values[world.q["matrix"].pk] == {"0": "good", "1": "poor"}

    html = as_resident.get(response["Location"]).content.decode()
    assert "感谢您的参与" in html
    assert "1. 停车位 &gt; 2. 加装电梯" in html
    assert "路面:好;照明:差" in html
    assert "修改答案" in html


def test_errors_are_shown_on_the_question_they_belong_to(as_resident, world):
    q = world.q
    post = world.answers_post(**{f"q{q['number'].pk}": "99", f"q{q['single'].pk}": None})
    html = as_resident.post(survey_url(world.survey), post).content.decode()
    assert not m.Response.objects.exists()
    assert "第 1 题:必答" in html and "question 1: required" in html
    assert "不能大于 20" in html
    number_box = html.split(f'id="question-{q["number"].pk}"')[0].rsplit("<fieldset", 1)[1]
    assert "r-invalid" in number_box
    assert 'value="99"' in html  # what was typed is kept


def test_an_answer_to_a_question_not_asked_is_ignored(as_resident, world):
    post = world.answers_post(**{f"q{world.q['why'].pk}": "太吵"})
    assert as_resident.post(survey_url(world.survey), post).status_code == 302
    assert not m.Answer.objects.filter(question=world.q["why"]).exists()


def test_the_resident_may_amend_while_the_survey_is_open(as_resident, world):
    url = survey_url(world.survey)
    as_resident.post(url, world.answers_post())
    form = as_resident.get(f"{url}?dwelling={world.mine.pk}&edit=1").content.decode()
    assert 'value="3"' in form and "保存修改" in form
    post = world.answers_post(
        **{f"q{world.q['single'].pk}": "no", f"q{world.q['why'].pk}": "担心噪音"}
    )
    assert as_resident.post(url, post).status_code == 302
    saved = m.Response.objects.get()
    assert {a.question_id: a.value for a in saved.answers.all()}[world.q["why"].pk] == "担心噪音"

    ss.close_survey(survey=world.survey, by=world.worker)
    closed = as_resident.get(url).content.decode()
    assert "担心噪音" in closed and "修改答案" not in closed
    assert as_resident.post(url, world.answers_post()).status_code == 200
    assert "问卷未在进行中" in as_resident.post(url, world.answers_post()).content.decode()


def test_a_dwelling_that_is_not_the_residents_cannot_answer(as_resident, world):
    post = world.answers_post(dwelling=str(world.dwellings[1].pk))
    assert as_resident.post(survey_url(world.survey), post).status_code == 302
    assert not m.Response.objects.exists()


# --- Rules in words ----------------------------------------------------------------------------


def test_rules_read_as_plain_sentences():
    ordinary = m.RuleProfile.objects.get(code=m.ORDINARY_PROFILE)
    text = " ".join(rule_sentences(ordinary))
    assert "三分之二以上" in text and "超过二分之一" in text and "参与表决的业主的" in text
    unanimous = m.RuleProfile.objects.get(code="stairwell-unanimous")
    assert "都须占全体业主的全部。" in " ".join(rule_sentences(unanimous))
    objection = m.RuleProfile.objects.get(code="beijing-no-objection")
    assert any("有一票反对即不通过" in s for s in rule_sentences(objection))
    assert fraction_words("0.8") == "五分之四" and fraction_words("0.55") == "55%"


def test_a_staff_user_sees_the_vote_page_read_only(client, world):
    client.force_login(user_with_role(Role.COMMUNITY, community=world.compound.community))
    html = client.get(vote_url(world.vote)).content.decode()
    assert "投票由业主在自己的手机上完成" in html and 'name="choice"' not in html

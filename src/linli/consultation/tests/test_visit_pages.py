"""The visit, coverage, demand and meeting pages: what each shows, the forms through the
services, 404 outside the scope and 403 without the permission."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from linli.consultation import models as m
from linli.consultation.services.meetings import add_attachment, record_meeting
from linli.consultation.services.visits import record_visit
from linli.consultation.tests.factories import community_worker, resident_of
from linli.consultation.tests.test_demand import answer, survey_with_menu
from linli.consultation.tests.test_meetings import HELD
from linli.consultation.tests.test_visit_services import make_world
from linli.consultation.visit_selectors import dwelling_label
from linli.registry.tests import factories as rf

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def test_the_coverage_page_shows_the_rates_and_the_list_to_visit(world, client):
    record_visit(
        survey=world.survey, dwelling=world.dwellings[0], outcome="visited", by=world.worker
    )
    client.force_login(world.worker)
    page = client.get(reverse("consultation:survey_coverage", args=[world.survey.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "25.00%" in html
    assert "未达标" in html
    assert [r["state"].dwelling for r in page.context["to_visit"]] == world.dwellings[1:]
    assert f"?survey={world.survey.pk}&amp;dwelling={world.dwellings[1].pk}" in html


def test_recording_a_visit_through_the_form(world, client):
    client.force_login(world.worker)
    url = reverse("consultation:visit_new") + (
        f"?survey={world.survey.pk}&dwelling={world.dwellings[0].pk}"
    )
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"outcome": "nobody_home", "visited_at": "2026-05-02T10:00", "notes": "贴了通知"}
    )
    assert response.status_code == 302
    assert f"compound={world.compound.pk}" in response["Location"]
    visit = m.Visit.objects.get()
    assert (visit.outcome, visit.notes) == ("nobody_home", "贴了通知")
    future = client.post(url, {"outcome": "visited", "visited_at": "2099-01-01T10:00"})
    assert future.status_code == 200
    assert "走访时间不能晚于当前时间" in future.content.decode()


def test_the_visit_form_is_404_outside_the_scope_and_403_for_residents(world, client):
    url = reverse("consultation:visit_new") + (
        f"?survey={world.survey.pk}&dwelling={world.dwellings[0].pk}"
    )
    client.force_login(community_worker(rf.CompoundFactory()))
    assert client.get(url).status_code == 404
    client.force_login(resident_of(world.dwellings[0]))
    assert client.get(url).status_code == 403


def test_the_visit_log_lists_the_surveys_visits(world, client):
    record_visit(
        survey=world.survey, dwelling=world.dwellings[0], outcome="declined", by=world.worker
    )
    client.force_login(world.worker)
    page = client.get(
        reverse("consultation:visit_list", args=[world.survey.pk]), {"outcome": "declined"}
    )
    assert page.status_code == 200
    assert [v.outcome for v in page.context["visits"]] == ["declined"]
    client.force_login(community_worker(rf.CompoundFactory()))
    assert client.get(reverse("consultation:visit_list", args=[world.survey.pk])).status_code == 404


def test_computing_a_ranking_from_the_demand_page(world, client):
    survey, version, _multi, ranked = survey_with_menu(world.compound)
    answer(survey, version, world.dwellings[0], {ranked: ["park", "lift"]})
    client.force_login(world.worker)
    listing = client.get(reverse("consultation:demand_list"))
    assert listing.status_code == 200
    assert "尚未计算" in listing.content.decode()
    response = client.post(reverse("consultation:demand_compute"), {"compound": world.compound.pk})
    ranking = m.DemandRanking.objects.get()
    assert response["Location"] == reverse("consultation:demand_detail", args=[ranking.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "项目可在改造项目页面一键采纳" in detail
    assert detail.index('data-code="C01"') < detail.index('data-code="E01"')
    resident = resident_of(world.dwellings[0])
    client.force_login(resident)
    assert client.get(response["Location"]).status_code == 200
    assert (
        client.post(
            reverse("consultation:demand_compute"), {"compound": world.compound.pk}
        ).status_code
        == 302
    )
    assert m.DemandRanking.objects.count() == 1  # the resident's form offered no compound


def test_recording_a_meeting_with_typed_labels_and_picked_dwellings(world, client):
    client.force_login(world.worker)
    url = reverse("consultation:meeting_create")
    assert client.get(url, {"compound": world.compound.pk}).status_code == 200
    d = world.dwellings
    data = {
        "compound": world.compound.pk,
        "kind": "bench",
        "title": "院内停车",
        "held_at": "2026-04-18T19:30",
        "place": "大槐树下",
        "minutes": "议了停车",
        "attendees": [d[0].pk],
        "attendee_labels": f"{dwelling_label(d[1])} 李\n9-9-999",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "第2行“9-9-999”:本小区没有这个房屋" in refused.content.decode()
    data["attendee_labels"] = f"{dwelling_label(d[1])} 李"
    response = client.post(url, data)
    meeting = m.Meeting.objects.get()
    assert response["Location"] == reverse("consultation:meeting_detail", args=[meeting.pk])
    assert dict(meeting.attendances.values_list("dwelling", "attendee_name")) == {
        d[0].pk: "",
        d[1].pk: "李",
    }
    detail = client.get(response["Location"]).content.decode()
    assert "2 户参会,占小区 4 户的 50.00%" in detail


def test_residents_read_the_minutes_but_not_who_came(world, client):
    meeting = record_meeting(
        by=world.worker,
        compound=world.compound,
        kind="assembly",
        title="业主大会",
        held_at=HELD,
        place="广场",
        minutes="选举业委会",
        attendees=[(world.dwellings[0], "赵")],
    )
    attachment = add_attachment(
        meeting=meeting, by=world.worker, title="签到表", file=SimpleUploadedFile("a.txt", b"sign")
    )
    client.force_login(resident_of(world.dwellings[3]))
    html = client.get(reverse("consultation:meeting_detail", args=[meeting.pk])).content.decode()
    assert "选举业委会" in html
    assert "参会住户" not in html
    assert "赵" not in html
    file = client.get(reverse("consultation:meeting_attachment", args=[attachment.pk]))
    assert b"".join(file.streaming_content) == b"sign"
    assert client.get(reverse("consultation:meeting_edit", args=[meeting.pk])).status_code == 403
    client.force_login(community_worker(rf.CompoundFactory()))
    assert client.get(reverse("consultation:meeting_detail", args=[meeting.pk])).status_code == 404
    assert (
        client.get(reverse("consultation:meeting_attachment", args=[attachment.pk])).status_code
        == 404
    )


def test_editing_a_meeting_and_the_filtered_list(world, client):
    meeting = record_meeting(
        by=world.worker, compound=world.compound, kind="bench", title="旧", held_at=HELD, place="院"
    )
    client.force_login(world.worker)
    url = reverse("consultation:meeting_edit", args=[meeting.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": "neighbour",
            "title": "新主题",
            "held_at": "2026-04-18T19:30",
            "place": "院",
            "decisions": "同意",
            "attendee_labels": dwelling_label(world.dwellings[2]),
        },
    )
    assert response.status_code == 302, response.content.decode()
    meeting.refresh_from_db()
    assert (meeting.kind, meeting.title, meeting.compound) == (
        "neighbour",
        "新主题",
        world.compound,
    )
    assert list(meeting.attendances.values_list("dwelling", flat=True)) == [world.dwellings[2].pk]
    listing = client.get(reverse("consultation:meeting_list"), {"kind": "neighbour"})
    assert list(listing.context["meetings"]) == [meeting]
    assert (
        list(
            client.get(reverse("consultation:meeting_list"), {"kind": "bench"}).context["meetings"]
        )
        == []
    )

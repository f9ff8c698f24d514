"""The visits, coverage, demand-ranking and meeting API: writes through the services, 400
with bilingual reasons, 403/404 by scope, fixed query counts on lists."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from linli.consultation import models as m
from linli.consultation.services.meetings import record_meeting
from linli.consultation.services.visits import record_visit
from linli.consultation.tests.factories import community_worker, resident_of
from linli.consultation.tests.test_demand import answer, survey_with_menu
from linli.consultation.tests.test_meetings import HELD
from linli.consultation.tests.test_visit_services import make_world
from linli.registry.tests import factories as rf

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def world():
    return make_world()


def test_a_worker_posts_a_visit_and_lists_them_in_fixed_queries(
    world, django_assert_max_num_queries
):
    api = client_for(world.worker)
    for dwelling in world.dwellings:
        response = api.post(
            "/api/v1/visits/",
            {"survey": world.survey.pk, "dwelling": dwelling.pk, "outcome": "visited"},
            format="json",
        )
        assert response.status_code == 201, response.content
    body = response.json()
    assert body["outcome_label"] == "已入户"
    assert body["visitor"] == world.worker.pk
    with django_assert_max_num_queries(8):
        listed = api.get("/api/v1/visits/", {"survey": world.survey.pk, "outcome": "visited"})
    assert listed.json()["count"] == 4


def test_a_refused_visit_answers_400_with_both_languages_and_outsiders_403(world):
    other = world.other.buildings.get().stairwells.get().dwellings.get()
    api = client_for(world.worker)
    response = api.post(
        "/api/v1/visits/",
        {"survey": world.survey.pk, "dwelling": other.pk, "outcome": "visited"},
        format="json",
    )
    assert response.status_code == 400
    assert "不在问卷" in response.json()["detail"][0]
    assert "outside the compounds" in response.json()["detail"][0]
    resident = client_for(resident_of(world.dwellings[0]))
    refused = resident.post(
        "/api/v1/visits/",
        {"survey": world.survey.pk, "dwelling": world.dwellings[0].pk, "outcome": "visited"},
        format="json",
    )
    assert refused.status_code == 403
    assert resident.get("/api/v1/visits/").json()["count"] == 0


def test_coverage_and_to_visit_endpoints(world):
    record_visit(
        survey=world.survey, dwelling=world.dwellings[0], outcome="visited", by=world.worker
    )
    record_visit(
        survey=world.survey, dwelling=world.dwellings[1], outcome="declined", by=world.worker
    )
    api = client_for(world.worker)
    body = api.get("/api/v1/coverage/", {"survey": world.survey.pk}).json()
    assert body["target"] == "90.00"
    assert body["total"]["rate"] == "25.00"
    assert body["total"]["met"] is False
    assert body["compounds"][0]["declined"] == 1
    rows = api.get("/api/v1/visits/to-visit/", {"survey": world.survey.pk}).json()
    assert [r["dwelling"] for r in rows] == [d.pk for d in world.dwellings[2:]]
    assert rows[0]["attempts"] == 0
    assert api.get("/api/v1/coverage/").status_code == 400
    outsider = client_for(community_worker(rf.CompoundFactory()))
    assert outsider.get("/api/v1/coverage/", {"survey": world.survey.pk}).status_code == 404


def test_posting_a_demand_ranking_computes_it(world, django_assert_max_num_queries):
    survey, version, multi, _ranked = survey_with_menu(world.compound)
    answer(survey, version, world.dwellings[0], {multi: ["lift"]})
    api = client_for(world.worker)
    created = api.post("/api/v1/demand-rankings/", {"compound": world.compound.pk}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["respondents"] == 1
    assert [(e["menu_code"], e["score"]) for e in body["entries"]] == [("E01", "1.00")]
    detail = api.get(f"/api/v1/demand-rankings/{body['id']}/").json()
    assert detail["entries"][0]["label"] == "加装电梯"
    with django_assert_max_num_queries(8):
        listed = api.get("/api/v1/demand-rankings/", {"compound": world.compound.pk}).json()
    assert listed["results"][0]["entry_count"] == 1
    resident = client_for(resident_of(world.dwellings[0]))
    assert resident.get(f"/api/v1/demand-rankings/{body['id']}/").status_code == 200
    refused = resident.post(
        "/api/v1/demand-rankings/", {"compound": world.compound.pk}, format="json"
    )
    assert refused.status_code == 403


def test_meetings_post_patch_attach_and_residents_do_not_see_who_came(world):
    api = client_for(world.worker)
    d = world.dwellings
    created = api.post(
        "/api/v1/meetings/",
        {
            "compound": world.compound.pk,
            "kind": "neighbour",
            "title": "加装电梯意向",
            "held_at": HELD.isoformat(),
            "place": "社区活动室",
            "attendees": [{"dwelling": d[0].pk, "attendee_name": "张"}, {"dwelling": d[1].pk}],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    detail = api.get(f"/api/v1/meetings/{pk}/").json()
    assert detail["attendance"] == {"dwellings": 2, "compound_dwellings": 4, "share": "50.00"}
    assert [a["attendee_name"] for a in detail["attendances"]] == ["张", ""]
    patched = api.patch(f"/api/v1/meetings/{pk}/", {"decisions": "下周投票"}, format="json")
    assert patched.status_code == 200, patched.content
    assert patched.json()["decisions"] == "下周投票"
    assert len(patched.json()["attendances"]) == 2
    upload = SimpleUploadedFile("纪要.txt", "会议纪要".encode(), content_type="text/plain")
    attached = api.post(
        f"/api/v1/meetings/{pk}/attachments/", {"title": "纪要", "file": upload}, format="multipart"
    )
    assert attached.status_code == 201, attached.content
    resident = client_for(resident_of(d[3]))
    seen = resident.get(f"/api/v1/meetings/{pk}/").json()
    assert seen["decisions"] == "下周投票"
    assert seen["attendances"] == []
    assert seen["attendance"] is None
    assert seen["attachments"][0]["title"] == "纪要"
    assert (
        resident.patch(f"/api/v1/meetings/{pk}/", {"title": "x"}, format="json").status_code == 403
    )


def test_a_meeting_with_a_stranger_attending_is_refused(world):
    api = client_for(world.worker)
    stranger = rf.DwellingFactory()
    response = api.post(
        "/api/v1/meetings/",
        {
            "compound": world.compound.pk,
            "kind": "bench",
            "title": "t",
            "held_at": HELD.isoformat(),
            "place": "p",
            "attendees": [{"dwelling": stranger.pk}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert not m.Meeting.objects.exists()


def test_the_meeting_list_costs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for n in range(5):
        record_meeting(
            by=world.worker,
            compound=world.compound,
            kind="bench",
            title=f"第{n}次",
            held_at=HELD,
            place="院内",
            attendees=[(world.dwellings[0], "")],
        )
    with django_assert_max_num_queries(6):
        body = client_for(world.worker).get("/api/v1/meetings/", {"kind": "bench"}).json()
    assert body["count"] == 5

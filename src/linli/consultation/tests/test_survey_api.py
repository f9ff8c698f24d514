"""The survey API: create, build, publish, new version, answer, refusals (400/409), scope."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from linli.consultation import models as m
from linli.consultation.services import surveys as s
from linli.consultation.tests.factories import (
    community_worker,
    resident_of,
    stairwell_with_owners,
)
from linli.registry.tests.factories import CompoundFactory

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def world():
    compound = CompoundFactory()
    dwellings = list(
        stairwell_with_owners(compound=compound, storeys=1, per_floor=2).dwellings.all()
    )
    return compound, dwellings, community_worker(compound)


def test_a_worker_runs_a_survey_through_the_api(world):
    compound, dwellings, worker = world
    client = api(worker)
    created = client.post(
        "/api/v1/surveys/", {"title": "改造意愿", "compounds": [compound.pk]}, format="json"
    )
    assert created.status_code == 201, created.content
    survey_id = created.json()["id"]
    assert created.json()["status"] == "draft" and created.json()["versions"][0]["number"] == 1
    version = created.json()["versions"][0]["id"]
    q1 = client.post(
        "/api/v1/survey-questions/",
        {
            "version": version,
            "kind": "single",
            "text": "是否同意",
            "options": [{"value": "yes", "label": "同意"}, {"label": "不同意"}],
        },
        format="json",
    )
    assert q1.status_code == 201, q1.content
    assert [o["value"] for o in q1.json()["options"]] == ["yes", "o1"]
    q2 = client.post(
        "/api/v1/survey-questions/",
        {
            "version": version,
            "kind": "text",
            "text": "原因",
            "show_if": q1.json()["id"],
            "show_if_values": ["o1"],
        },
        format="json",
    )
    assert q2.status_code == 201, q2.content
    patched = client.patch(
        f"/api/v1/survey-questions/{q2.json()['id']}/", {"required": False}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["required"] is False
    assert client.post(f"/api/v1/surveys/{survey_id}/publish/").status_code == 200
    detail = client.get(f"/api/v1/surveys/{survey_id}/").json()
    assert detail["status"] == "open" and detail["current_version"] == 1
    assert [q["text"] for q in detail["questions"]] == ["是否同意", "原因"]
    answered = client.post(
        "/api/v1/survey-responses/",
        {
            "survey": survey_id,
            "dwelling": dwellings[0].pk,
            "channel": "visit",
            "answers": {str(q1.json()["id"]): "o1", str(q2.json()["id"]): "太贵"},
            "respondent_name": "李先生",
        },
        format="json",
    )
    assert answered.status_code == 201, answered.content
    assert answered.json()["answers"] == {str(q1.json()["id"]): "o1", str(q2.json()["id"]): "太贵"}
    again = client.post(
        "/api/v1/survey-responses/",
        {
            "survey": survey_id,
            "dwelling": dwellings[0].pk,
            "channel": "visit",
            "answers": {str(q1.json()["id"]): "yes"},
        },
        format="json",
    )
    assert again.status_code == 200 and again.json()["id"] == answered.json()["id"]
    # Editing the published version is a 409 with the reason; a new version is the way.
    refused = client.patch(
        f"/api/v1/survey-questions/{q1.json()['id']}/", {"text": "改"}, format="json"
    )
    assert refused.status_code == 409
    assert "已发布" in refused.json()["detail"] and "frozen" in refused.json()["detail"]
    new = client.post(f"/api/v1/surveys/{survey_id}/new-version/", {"note": "v2"}, format="json")
    assert new.status_code == 200 and new.json()["versions"][-1]["number"] == 2
    assert client.post(f"/api/v1/surveys/{survey_id}/new-version/").status_code == 409
    assert client.post(f"/api/v1/surveys/{survey_id}/close/").status_code == 200
    assert client.post(f"/api/v1/surveys/{survey_id}/close/").status_code == 409


def test_bad_answers_are_a_400_keyed_by_question(world):
    compound, dwellings, worker = world
    survey = s.create_survey(by=worker, title="t", compounds=[compound])
    q = s.add_question(
        version=survey.versions.get(), by=worker, kind="number", text="几人", max_value=10
    )
    s.publish_version(survey=survey, by=worker)
    response = api(worker).post(
        "/api/v1/survey-responses/",
        {
            "survey": survey.pk,
            "dwelling": dwellings[0].pk,
            "channel": "visit",
            "answers": {str(q.pk): "12", "999999": "x"},
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["answers"][str(q.pk)] == [
        "第 1 题:不能大于 10.00 (question 1: must be at most 10.00)"
    ]
    assert "unknown" in body["answers"]
    bad_kind = api(worker).post(
        "/api/v1/survey-questions/",
        {"version": survey.versions.get().pk, "kind": "poll", "text": "x"},
        format="json",
    )
    assert bad_kind.status_code == 400 and "poll" in str(bad_kind.json()["kind"])


def test_residents_answer_their_own_dwelling_only_and_see_only_their_response(world):
    compound, dwellings, worker = world
    survey = s.create_survey(by=worker, title="t", compounds=[compound])
    q = s.add_question(version=survey.versions.get(), by=worker, kind="text", text="建议")
    s.publish_version(survey=survey, by=worker)
    s.submit_response(
        survey=survey, dwelling=dwellings[1], answers={q.pk: "邻居的"}, by=worker, channel="visit"
    )
    resident = api(resident_of(dwellings[0]))
    body = {"survey": survey.pk, "channel": "online", "answers": {str(q.pk): "修路"}}
    assert (
        resident.post(
            "/api/v1/survey-responses/", {**body, "dwelling": dwellings[1].pk}, format="json"
        ).status_code
        == 400
    )  # not a dwelling it sees
    assert (
        resident.post(
            "/api/v1/survey-responses/", {**body, "dwelling": dwellings[0].pk}, format="json"
        ).status_code
        == 201
    )
    listed = resident.get("/api/v1/survey-responses/").json()
    assert [r["dwelling"] for r in listed["results"]] == [dwellings[0].pk]
    assert (
        resident.post(
            "/api/v1/surveys/", {"title": "x", "compounds": [compound.pk]}, format="json"
        ).status_code
        == 403
    )  # sees its compound, may not survey it
    assert resident.post(f"/api/v1/surveys/{survey.pk}/close/").status_code == 403


def test_another_community_gets_404s(world):
    compound, _dwellings, worker = world
    survey = s.create_survey(by=worker, title="t", compounds=[compound])
    q = s.add_question(version=survey.versions.get(), by=worker, kind="text", text="建议")
    outsider = api(community_worker(CompoundFactory()))
    assert outsider.get(f"/api/v1/surveys/{survey.pk}/").status_code == 404
    assert outsider.get(f"/api/v1/survey-questions/{q.pk}/").status_code == 404
    assert outsider.post(f"/api/v1/surveys/{survey.pk}/publish/").status_code == 404
    assert outsider.get("/api/v1/surveys/").json()["count"] == 0


def test_list_endpoints_cost_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    compound, dwellings, worker = world
    for n in range(3):
        survey = s.create_survey(by=worker, title=f"t{n}", compounds=[compound])
        q = s.add_question(
            version=survey.versions.get(),
            by=worker,
            kind="single",
            text="x",
            options=[("a", "A", ""), ("b", "B", "")],
        )
        s.publish_version(survey=survey, by=worker)
        for d in dwellings:
            s.submit_response(
                survey=survey, dwelling=d, answers={q.pk: "a"}, by=worker, channel="visit"
            )
    client = api(worker)
    for url in ("/api/v1/surveys/", "/api/v1/survey-questions/", "/api/v1/survey-responses/"):
        with django_assert_max_num_queries(12):
            response = client.get(url)
        assert response.status_code == 200 and response.json()["count"] >= 3


def test_the_export_endpoint_answers_csv_and_xlsx(world):
    compound, _dwellings, worker = world
    survey = s.create_survey(by=worker, title="t", compounds=[compound])
    s.add_question(version=survey.versions.get(), by=worker, kind="text", text="建议")
    s.publish_version(survey=survey, by=worker)
    client = api(worker)
    csv = client.get(f"/api/v1/surveys/{survey.pk}/export/?format=csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert csv.content.startswith(b"\xef\xbb\xbf")
    xlsx = client.get(f"/api/v1/surveys/{survey.pk}/export/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_the_schema_lists_the_survey_endpoints():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = set(schema["paths"])
    assert {
        "/api/v1/surveys/",
        "/api/v1/surveys/{id}/export/",
        "/api/v1/survey-responses/",
        "/api/v1/survey-questions/{id}/move/",
    } <= paths
    assert m.Survey  # the models module is importable alongside

"""The vote API: creating a vote (scope validated at the edge, service refusals as bilingual
400s), ballots (201 with the chain, 409 refusals, 403, 404), the tally, electors with masked
names, transitions, rule profiles, scoping, bounded list queries and the OpenAPI schema."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from drf_spectacular.drainage import reset_generator_stats
from rest_framework.test import APIClient

from linli.accounts.roles import Role
from linli.consultation import models as m
from linli.consultation.services import votes as services
from linli.consultation.tests.factories import (
    community_worker,
    resident_of,
    stairwell_with_owners,
    user_with_role,
)
from linli.registry.tests import factories as rf

pytestmark = pytest.mark.django_db

SHEET = b"%PDF-1.4 scanned ballot sheet"


def api_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def sheet(name="sheet.pdf"):
    return SimpleUploadedFile(name, SHEET, content_type="application/pdf")


@pytest.fixture
def stairwell():
    """Six dwellings of 60 m², one owner each."""
    return stairwell_with_owners(storeys=3, per_floor=2)


@pytest.fixture
def compound(stairwell):
    return stairwell.building.compound


@pytest.fixture
def dwellings(stairwell):
    return list(stairwell.dwellings.order_by("floor", "number"))


@pytest.fixture
def worker(compound):
    return community_worker(compound)


@pytest.fixture
def api(worker):
    return api_as(worker)


def later(**kwargs):
    return (timezone.now() + datetime.timedelta(**kwargs)).isoformat()


@pytest.fixture
def vote(worker, stairwell):
    return services.create_vote(
        by=worker,
        title="加装电梯",
        matter=m.Matter.REBUILD,
        stairwells=[stairwell],
        closes_at=timezone.now() + datetime.timedelta(days=7),
    )


def paper(api, vote, dwelling, choice="yes", **extra):
    data = {"dwelling": dwelling.pk, "choice": choice, "channel": "paper", "document": sheet()}
    data.update(extra)
    return api.post(f"/api/v1/votes/{vote.pk}/ballots/", data, format="multipart")


# --- Creating ----------------------------------------------------------------------------------


def test_a_community_worker_puts_a_stairwell_vote_and_it_opens_at_once(api, stairwell):
    response = api.post(
        "/api/v1/votes/",
        {
            "title": "加装电梯",
            "matter": "rebuild",
            "scope": {"stairwells": [stairwell.pk]},
            "closes_at": later(days=7),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "open"
    assert body["scope"] == {"stairwells": [stairwell.pk]}
    assert body["scope_kind"] == "stairwells"
    assert body["profile"] == "civil-code-major"  # rebuilding is a major matter
    assert body["electors_count"] == 6
    assert body["ballots_count"] == 0


def test_an_ordinary_matter_gets_the_ordinary_profile_unless_one_is_named(api, compound):
    def create(**extra):
        data = {
            "title": "修改管理规约",
            "matter": "covenant",
            "scope": {"compound": compound.pk},
            "closes_at": later(days=3),
            **extra,
        }
        return api.post("/api/v1/votes/", data, format="json")

    assert create().json()["profile"] == "civil-code-ordinary"
    named = create(profile="luoyang-80", opens_at=later(days=1), notice_days=3)
    assert named.status_code == 201
    assert named.json()["profile"] == "luoyang-80"
    assert named.json()["status"] == "scheduled"
    assert named.json()["notice_days"] == 3
    unknown = create(profile="no-such-profile")
    assert unknown.status_code == 400
    assert "no-such-profile" in unknown.json()["profile"][0]


def test_ids_outside_the_workers_compounds_read_as_unknown(api):
    elsewhere = stairwell_with_owners(storeys=1, per_floor=1)
    for key, pk in (
        ("stairwells", elsewhere.pk),
        ("buildings", elsewhere.building_id),
        ("compound", elsewhere.building.compound_id),
    ):
        value = pk if key == "compound" else [pk]
        outside = api.post(
            "/api/v1/votes/",
            {"title": "t", "matter": "other", "scope": {key: value}, "closes_at": later(days=1)},
            format="json",
        )
        assert outside.status_code == 400
        assert outside.json() == {
            "scope": {key: [f"id 为 {pk} 的对象不存在 (no object with id {pk})"]}
        }
    missing = api.post(
        "/api/v1/votes/",
        {
            "title": "t",
            "matter": "other",
            "scope": {"stairwells": [999999]},
            "closes_at": later(days=1),
        },
        format="json",
    )
    assert missing.json() == {
        "scope": {"stairwells": ["id 为 999999 的对象不存在 (no object with id 999999)"]}
    }
    assert m.Vote.objects.count() == 0


def test_a_scope_must_have_exactly_one_key(api, compound, stairwell):
    response = api.post(
        "/api/v1/votes/",
        {
            "title": "t",
            "matter": "other",
            "scope": {"compound": compound.pk, "stairwells": [stairwell.pk]},
            "closes_at": later(days=1),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "exactly one key" in response.json()["scope"][0]


def test_a_service_refusal_is_a_bilingual_400(api, compound):
    response = api.post(
        "/api/v1/votes/",
        {
            "title": "t",
            "matter": "other",
            "scope": {"compound": compound.pk},
            "closes_at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "closes_at"
    assert body["zh"] and body["en"]
    assert body["detail"] == f"{body['zh']} ({body['en']})"


def test_a_resident_may_not_put_a_vote(compound, dwellings):
    response = api_as(resident_of(dwellings[0])).post(
        "/api/v1/votes/",
        {
            "title": "t",
            "matter": "other",
            "scope": {"compound": compound.pk},
            "closes_at": later(days=1),
        },
        format="json",
    )
    assert response.status_code == 403


# --- Ballots -----------------------------------------------------------------------------------


def test_a_paper_ballot_joins_the_chain_and_a_second_one_is_refused_with_409(api, vote, dwellings):
    first = paper(api, vote, dwellings[0], voter_name="张三")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["seq"] == 1
    assert body["prev_hash"] == "0" * 64
    assert len(body["hash"]) == 64
    assert body["channel"] == "paper"
    assert body["document_url"].endswith(f"/api/v1/ballots/{body['id']}/document/")
    assert body["voter_name"] == "张*"  # no personal data grant
    second = paper(api, vote, dwellings[1])
    assert second.json()["prev_hash"] == body["hash"]

    again = paper(api, vote, dwellings[0], choice="no")
    assert again.status_code == 409
    refusal = again.json()
    assert refusal["code"] == "already_voted"
    assert refusal["zh"] and refusal["en"]
    assert "already voted" in refusal["detail"]
    assert m.Ballot.objects.filter(vote=vote).count() == 2


def test_a_paper_ballot_without_its_scanned_sheet_is_refused(api, vote, dwellings):
    response = api.post(
        f"/api/v1/votes/{vote.pk}/ballots/",
        {"dwelling": dwellings[0].pk, "choice": "yes", "channel": "paper"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "document_required"


def test_a_resident_votes_online_for_their_own_dwelling_only(vote, dwellings):
    resident = api_as(resident_of(dwellings[0]))
    url = f"/api/v1/votes/{vote.pk}/ballots/"
    own = resident.post(url, {"dwelling": dwellings[0].pk, "choice": "no", "channel": "online"})
    assert own.status_code == 201, own.content
    neighbour = resident.post(
        url, {"dwelling": dwellings[1].pk, "choice": "no", "channel": "online"}
    )
    assert neighbour.status_code == 400
    assert "dwelling" in neighbour.json()
    # The resident sees their own ballot only.
    listed = resident.get(url).json()["results"]
    assert [row["dwelling"] for row in listed] == [dwellings[0].pk]


def test_a_user_who_sees_the_vote_but_may_not_enter_ballots_gets_403(vote, dwellings, compound):
    district = compound.community.subdistrict.district
    department = user_with_role(Role.DEPARTMENT, district=district)
    response = paper(api_as(department), vote, dwellings[0])
    assert response.status_code == 403
    assert not m.Ballot.objects.exists()


def test_a_vote_outside_the_callers_scope_is_404(vote, dwellings):
    stranger = api_as(community_worker(rf.CompoundFactory()))
    assert stranger.get(f"/api/v1/votes/{vote.pk}/").status_code == 404
    assert stranger.get(f"/api/v1/votes/{vote.pk}/tally/").status_code == 404
    assert stranger.get(f"/api/v1/votes/{vote.pk}/electors/").status_code == 404
    assert paper(stranger, vote, dwellings[0]).status_code == 404
    assert stranger.post(f"/api/v1/votes/{vote.pk}/cancel/").status_code == 404


def test_another_communitys_worker_sees_none_of_the_ballots(api, vote, dwellings):
    paper(api, vote, dwellings[0])
    stranger = api_as(community_worker(rf.CompoundFactory()))
    assert stranger.get("/api/v1/ballots/").json()["count"] == 0
    ballot = m.Ballot.objects.get()
    assert stranger.get(f"/api/v1/ballots/{ballot.pk}/").status_code == 404
    assert stranger.get(f"/api/v1/ballots/{ballot.pk}/document/").status_code == 404
    assert api.get(f"/api/v1/ballots/{ballot.pk}/document/").getvalue() == SHEET


# --- Tally and electors ------------------------------------------------------------------------


def test_the_tally_counts_exactly_at_the_two_thirds_line(api, vote, dwellings):
    for dwelling in dwellings[:4]:  # 4 of 6: exactly 2/3 of area and of owners
        assert paper(api, vote, dwelling).status_code == 201
    tally = api.get(f"/api/v1/votes/{vote.pk}/tally/").json()
    assert tally["electorate"] == {"area": "360.00", "owners": 6}
    assert tally["participation"] == {
        "area": "240.00",
        "area_ratio": "0.6667",
        "owners": 4,
        "owners_ratio": "0.6667",
        "met": True,
    }
    assert tally["approval"]["area_ratio"] == "1.0000"
    assert tally["approval"]["met"] is True
    assert tally["rule"]["participation"] == "2/3"
    assert tally["rule"]["approval"] == "3/4"
    assert tally["passed"] is True


def test_just_below_the_line_the_quorum_is_not_met(api, vote, dwellings):
    for dwelling in dwellings[:3]:
        paper(api, vote, dwelling)
    tally = api.get(f"/api/v1/votes/{vote.pk}/tally/").json()
    assert tally["participation"]["met"] is False
    assert tally["passed"] is False


def test_owner_names_are_masked_without_the_personal_data_grant(vote, compound, dwellings):
    masked = api_as(community_worker(compound)).get(f"/api/v1/votes/{vote.pk}/electors/").json()
    granted = api_as(community_worker(compound, can_view_personal_data=True)).get(
        f"/api/v1/votes/{vote.pk}/electors/"
    )
    names = {row["dwelling"]: row["owner_names"] for row in granted.json()["results"]}
    assert masked["count"] == 6
    for row in masked["results"]:
        real = names[row["dwelling"]]
        assert real.startswith("业主")
        assert row["owner_names"] == real[0] + "*" * (len(real) - 1)
        assert row["dwelling_label"].endswith("室")


def test_a_resident_sees_only_their_own_elector_row(vote, dwellings):
    rows = api_as(resident_of(dwellings[2])).get(f"/api/v1/votes/{vote.pk}/electors/").json()
    assert [row["dwelling"] for row in rows["results"]] == [dwellings[2].pk]


# --- Transitions -------------------------------------------------------------------------------


def test_closing_before_the_deadline_is_refused_with_409(api, vote):
    response = api.post(f"/api/v1/votes/{vote.pk}/close/")
    assert response.status_code == 409
    assert response.json()["code"] == "too_early"


def test_a_vote_past_its_deadline_closes_into_the_notice_period(api, worker, stairwell):
    past = timezone.now() - datetime.timedelta(days=2)
    vote = services.create_vote(
        by=worker,
        title="维修资金使用",
        matter=m.Matter.USE_FUND,
        stairwells=[stairwell],
        opens_at=past,
        closes_at=past + datetime.timedelta(days=1),
        now=past,
    )
    closed = api.post(f"/api/v1/votes/{vote.pk}/close/")
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "notice"
    assert closed.json()["passed"] is False
    assert len(closed.json()["result_hash"]) == 64
    tally = api.get(f"/api/v1/votes/{vote.pk}/tally/").json()
    assert tally["ballots_total"] == 0
    early = api.post(f"/api/v1/votes/{vote.pk}/finalise/")
    assert early.status_code == 409
    assert early.json()["code"] == "too_early"


def test_a_vote_is_cancelled_only_while_nobody_has_voted(api, vote, dwellings, worker, compound):
    paper(api, vote, dwellings[0])
    refused = api.post(f"/api/v1/votes/{vote.pk}/cancel/")
    assert refused.status_code == 409
    fresh = services.create_vote(
        by=worker,
        title="t",
        matter=m.Matter.OTHER,
        compound=compound,
        opens_at=timezone.now() + datetime.timedelta(days=1),
        closes_at=timezone.now() + datetime.timedelta(days=2),
    )
    opened = api.post(f"/api/v1/votes/{fresh.pk}/open/")
    assert opened.json()["status"] == "open"
    assert opened.json()["electors_count"] == 6
    cancelled = api.post(f"/api/v1/votes/{fresh.pk}/cancel/")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"


def test_a_resident_may_not_move_a_vote_along(vote, dwellings):
    response = api_as(resident_of(dwellings[0])).post(f"/api/v1/votes/{vote.pk}/cancel/")
    assert response.status_code == 403


# --- Lists, filters, profiles, schema ----------------------------------------------------------


def test_votes_filter_by_status_matter_and_compound(api, worker, vote, compound):
    other = services.create_vote(
        by=worker,
        title="选聘物业",
        matter=m.Matter.MANAGER,
        compound=compound,
        opens_at=timezone.now() + datetime.timedelta(days=1),
        closes_at=timezone.now() + datetime.timedelta(days=3),
    )

    def ids(**params):
        return [row["id"] for row in api.get("/api/v1/votes/", params).json()["results"]]

    assert set(ids()) == {vote.pk, other.pk}
    assert ids(status="scheduled") == [other.pk]
    assert ids(matter="rebuild") == [vote.pk]
    assert set(ids(compound=compound.pk)) == {vote.pk, other.pk}
    assert ids(compound=compound.pk + 1000) == []


def test_the_vote_list_costs_a_fixed_number_of_queries(
    api, worker, stairwell, dwellings, django_assert_max_num_queries
):
    for n in range(4):
        vote = services.create_vote(
            by=worker,
            title=f"表决{n}",
            matter=m.Matter.OTHER,
            stairwells=[stairwell],
            affected_dwellings=dwellings[:2],
            closes_at=timezone.now() + datetime.timedelta(days=2),
        )
        paper(api, vote, dwellings[n])
    with django_assert_max_num_queries(12):
        body = api.get("/api/v1/votes/").json()
    assert body["count"] == 4
    assert {row["ballots_count"] for row in body["results"]} == {1}
    with django_assert_max_num_queries(12):
        assert api.get("/api/v1/ballots/").json()["count"] == 4


def test_rule_profiles_are_listed_read_only(api):
    body = api.get("/api/v1/rule-profiles/").json()
    codes = {row["code"] for row in body["results"]}
    assert {"civil-code-ordinary", "civil-code-major", "beijing-no-objection"} <= codes
    major = m.RuleProfile.objects.get(code="civil-code-major")
    detail = api.get(f"/api/v1/rule-profiles/{major.pk}/").json()
    assert detail["approval_area"] == "3/4"
    assert api.post("/api/v1/rule-profiles/", {"code": "x"}).status_code == 405


#: Words naming this module's components and choice fields in drf-spectacular's warnings.
VOTE_WORDS = (
    "vote_",
    "Vote",
    "Ballot",
    "Elector",
    "RuleProfile",
    "Tally",
    '"choice"',
    '"channel"',
    '"matter"',
    '"status"',
    '"scope_kind"',
    '"approval_base"',
)


def test_every_vote_endpoint_is_in_the_schema_without_warnings(tmp_path, capsys):
    reset_generator_stats()
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--file", str(out))
    warnings = [line for line in capsys.readouterr().err.splitlines() if "Warning" in line]
    assert [line for line in warnings if any(word in line for word in VOTE_WORDS)] == []
    schema = out.read_text()
    for path in (
        "/api/v1/votes/:",
        "/api/v1/votes/{id}/:",
        "/api/v1/votes/{id}/ballots/:",
        "/api/v1/votes/{id}/tally/:",
        "/api/v1/votes/{id}/electors/:",
        "/api/v1/votes/{id}/open/:",
        "/api/v1/votes/{id}/close/:",
        "/api/v1/votes/{id}/finalise/:",
        "/api/v1/votes/{id}/cancel/:",
        "/api/v1/ballots/{id}/document/:",
        "/api/v1/rule-profiles/{id}/:",
    ):
        assert path in schema

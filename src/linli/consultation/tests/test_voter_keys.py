"""Who counts as one owner (SPC interpretation on co-ownership, Art. 9): the pure
``voter_keys`` and the keys the vote snapshot stores from the registry."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from linli.consultation import models as m
from linli.consultation.services.votes import create_vote
from linli.consultation.tally import DEVELOPER_KEY, DwellingOwners, voter_keys
from linli.consultation.tests.factories import community_worker, stairwell_with_owners
from linli.registry import models as rm
from linli.registry.tests import factories as rf

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_each_singly_owned_dwelling_is_its_own_owner():
    keys = voter_keys([DwellingOwners(1, (10,)), DwellingOwners(2, (11,))])
    assert keys == {1: "owner:10", 2: "owner:11"}


def test_co_owners_of_a_dwelling_are_one_key_named_after_the_smallest_owner_id():
    assert voter_keys([DwellingOwners(1, (12, 10, 11))]) == {1: "owner:10"}


def test_one_owner_of_several_dwellings_is_one_key():
    keys = voter_keys([DwellingOwners(1, (10,)), DwellingOwners(2, (10,)), DwellingOwners(3, (9,))])
    assert keys[1] == keys[2] == "owner:10"
    assert keys[3] == "owner:9"


def test_chains_of_co_ownership_join_into_one_key_whatever_the_order():
    # A and B own 1, B and C own 2, C owns 3: one owner group.
    rows = [DwellingOwners(3, (30,)), DwellingOwners(2, (20, 30)), DwellingOwners(1, (10, 20))]
    keys = voter_keys(rows)
    assert set(keys.values()) == {"owner:10"}
    assert voter_keys(list(reversed(rows))) == keys


def test_every_developer_held_dwelling_shares_one_key():
    keys = voter_keys(
        [
            DwellingOwners(1, (), developer=True),
            DwellingOwners(2, (50,), developer=True),
            DwellingOwners(3, (10,)),
        ]
    )
    assert keys == {1: DEVELOPER_KEY, 2: DEVELOPER_KEY, 3: "owner:10"}


def test_a_developer_dwelling_does_not_pull_its_buyers_other_dwellings_in():
    # Owner 10 bought dwelling 2, not delivered yet (developer-held), and lives in dwelling 1.
    keys = voter_keys([DwellingOwners(1, (10,)), DwellingOwners(2, (10,), developer=True)])
    assert keys == {1: "owner:10", 2: DEVELOPER_KEY}


def test_a_dwelling_without_registered_owner_is_its_own_key():
    keys = voter_keys([DwellingOwners(7, ()), DwellingOwners(8, ())])
    assert keys == {7: "dwelling:7", 8: "dwelling:8"}


@pytest.mark.django_db
def test_the_snapshot_stores_the_keys_from_the_registry():
    stairwell = stairwell_with_owners(storeys=3, per_floor=2)
    d = list(stairwell.dwellings.order_by("floor", "number"))
    owner = rm.Ownership.objects.get(dwelling=d[0]).owner
    rf.OwnershipFactory(dwelling=d[1], owner=owner)  # co-owner of 102 too
    rm.Ownership.objects.filter(dwelling=d[2]).delete()  # no registered owner
    d[3].sale_status = rm.SaleStatus.UNDELIVERED
    d[3].save()
    d[4].sale_status = rm.SaleStatus.UNSOLD
    d[4].save()
    vote = create_vote(
        by=community_worker(stairwell.building.compound),
        title="维修资金使用",
        matter=m.Matter.USE_FUND,
        stairwells=[stairwell],
        closes_at=NOW + datetime.timedelta(days=3),
        now=NOW,
    )
    keys = dict(vote.electors.values_list("dwelling_id", "voter_key"))
    assert keys[d[0].pk] == keys[d[1].pk] == f"owner:{owner.pk}"
    assert keys[d[2].pk] == f"dwelling:{d[2].pk}"
    assert keys[d[3].pk] == keys[d[4].pk] == DEVELOPER_KEY
    own = rm.Ownership.objects.get(dwelling=d[5]).owner_id
    assert keys[d[5].pk] == f"owner:{own}"
    assert vote.electors.get(dwelling=d[2]).owner_ids == []
    assert len(set(keys.values())) == 4

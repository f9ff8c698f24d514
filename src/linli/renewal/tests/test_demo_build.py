"""Building the demo projects on a small registry demo (40 compounds): deterministic,
refusing to overwrite, scaled seed outputs; and the plan's exact splitting."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from linli.accounts.demo import ensure_demo_accounts
from linli.core.errors import Invalid
from linli.registry import demo as registry_demo
from linli.registry.models import Compound
from linli.renewal import demo
from linli.renewal.demo_items import CENT, SEED_OUTPUTS, seed_targets, split
from linli.renewal.models import Project, Transition
from linli.renewal.selectors import indicators_for

AS_OF = datetime.date(2026, 11, 20)
FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def small(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHING),
        transaction.atomic(),
    ):
        registry_demo.build(compounds=40)
        ensure_demo_accounts(password="renewal-demo-pass-4103")
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.xdist_group("renewal-demo-small")
def test_the_same_seed_and_day_build_the_same_projects(small):
    demo.build(as_of=AS_OF)
    first = demo.content_hash()
    demo.build(as_of=AS_OF, reset=True)
    assert demo.content_hash() == first


@pytest.mark.django_db
@pytest.mark.xdist_group("renewal-demo-small")
def test_another_seed_builds_other_projects(small):
    demo.build(as_of=AS_OF)
    first = demo.content_hash()
    demo.build(seed=7, as_of=AS_OF, reset=True)
    assert demo.content_hash() != first


@pytest.mark.django_db
@pytest.mark.xdist_group("renewal-demo-small")
def test_a_second_build_without_reset_is_refused(small):
    demo.build(as_of=AS_OF)
    with pytest.raises(Invalid) as refused:
        demo.build(as_of=AS_OF)
    assert refused.value.code == "projects_exist"


@pytest.mark.django_db
@pytest.mark.xdist_group("renewal-demo-small")
def test_the_command_with_if_empty_builds_once_and_then_does_nothing(small, capsys):
    call_command("renewal", "demo", "--if-empty", "--as-of", "2026-11-20")
    built = Project.objects.count()
    transitions = Transition.objects.count()
    assert built > 0 and "demo projects" in capsys.readouterr().out
    call_command("renewal", "demo", "--if-empty")
    assert "nothing to do" in capsys.readouterr().out
    assert (Project.objects.count(), Transition.objects.count()) == (built, transitions)


@pytest.mark.django_db
@pytest.mark.xdist_group("renewal-demo-small")
def test_a_smaller_demo_scales_the_seed_outputs_exactly(small):
    demo.build(as_of=AS_OF)
    figures = indicators_for(
        get_user_model().objects.get(username="admin"),
        period_start=datetime.date(2019, 1, 1),
        period_end=datetime.date(2026, 12, 31),
    )
    expected = seed_targets(Compound.objects.renovated().count())
    assert {code: figures.outputs[code] for code in SEED_OUTPUTS} == expected


@pytest.mark.django_db
@pytest.mark.xdist_group("renewal-demo-small")
def test_the_build_needs_the_demo_accounts(small):
    get_user_model().objects.filter(username="demo-district").delete()
    with pytest.raises(Invalid) as refused:
        demo.build(as_of=AS_OF)
    assert refused.value.code == "demo_accounts_missing"
    assert not Project.objects.exists()


# --- the plan's arithmetic ---------------------------------------------------------------------


def test_the_seed_targets_of_the_full_demo_are_the_seed_figures():
    assert seed_targets(259) == {code: total for code, (total, _item) in SEED_OUTPUTS.items()}


def test_seed_targets_scale_with_the_renovated_compounds_and_keep_their_units():
    targets = seed_targets(10)
    assert targets["parking_spaces"] == Decimal(256)  # 6,635 × 10 / 259 = 256.18
    assert targets["paths_km"] == Decimal("2.02")  # 52.2 × 10 / 259 = 2.0154


def test_split_gives_every_share_its_minimum_and_the_rest_by_weight():
    # 1 each, then 7 by 1:1:3 = 1.4, 1.4, 4.2: floors 1, 1, 4 and the spare one to the first
    # of the two largest remainders.
    assert split(Decimal(10), [1.0, 1.0, 3.0], Decimal(1), Decimal(1)) == [
        Decimal(3),
        Decimal(2),
        Decimal(5),
    ]


def test_split_with_only_zero_weights_splits_evenly():
    assert split(Decimal("0.04"), [0.0, 0.0], CENT, Decimal(0)) == [Decimal("0.02")] * 2


@given(
    steps=st.integers(min_value=0, max_value=100_000),
    weights=st.lists(st.floats(min_value=0.0, max_value=1e6), min_size=1, max_size=40),
    minimum_steps=st.integers(min_value=0, max_value=5),
    cents=st.booleans(),
)
def test_split_adds_up_exactly_and_respects_the_minimum(steps, weights, minimum_steps, cents):
    unit = CENT if cents else Decimal(1)
    minimum = minimum_steps * unit
    total = (steps + minimum_steps * len(weights)) * unit
    shares = split(total, weights, unit, minimum)
    assert sum(shares) == total
    assert len(shares) == len(weights)
    assert all(share >= minimum for share in shares)
    assert all(share % unit == 0 for share in shares)

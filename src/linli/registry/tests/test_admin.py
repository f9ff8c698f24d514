"""The Django admin of the registry: every model is there and big lists stay cheap."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from linli.core.crypto import reveal
from linli.registry import models
from linli.registry.tests.factories import (
    DwellingFactory,
    HouseholdFactory,
    OwnershipFactory,
    ResidentFactory,
)

pytestmark = pytest.mark.django_db

REGISTRY_MODELS = [
    models.District,
    models.Subdistrict,
    models.Community,
    models.Zone,
    models.Compound,
    models.Building,
    models.Stairwell,
    models.Dwelling,
    models.Owner,
    models.Ownership,
    models.Household,
    models.Resident,
]


@pytest.fixture
def admin_client_with_data(admin_client):
    for _ in range(3):
        dwelling = DwellingFactory()
        OwnershipFactory(dwelling=dwelling)
        ResidentFactory(household=HouseholdFactory(dwelling=dwelling))
    return admin_client


def url_of(model: type, view: str, *args: object) -> str:
    return reverse(f"admin:registry_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", REGISTRY_MODELS, ids=lambda m: m.__name__)
def test_every_registry_model_is_in_the_admin(model):
    assert admin.site.is_registered(model)


@pytest.mark.parametrize("model", REGISTRY_MODELS, ids=lambda m: m.__name__)
def test_change_list_opens(admin_client_with_data, model):
    assert admin_client_with_data.get(url_of(model, "changelist")).status_code == 200


@pytest.mark.parametrize("model", REGISTRY_MODELS, ids=lambda m: m.__name__)
def test_change_form_opens(admin_client_with_data, model):
    obj = model.objects.first()
    assert admin_client_with_data.get(url_of(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", REGISTRY_MODELS, ids=lambda m: m.__name__)
def test_change_list_search_works(admin_client_with_data, model):
    response = admin_client_with_data.get(url_of(model, "changelist"), {"q": "1"})
    assert response.status_code == 200


def test_dwelling_foreign_keys_use_autocomplete_not_a_full_select(admin_client_with_data):
    html = admin_client_with_data.get(url_of(models.Household, "add")).content.decode()
    assert 'name="dwelling"' in html
    assert 'data-ajax--url="/admin/autocomplete/"' in html


def test_dwelling_search_finds_a_dwelling_by_compound_name(admin_client):
    dwelling = DwellingFactory(stairwell__building__compound__name="道南路9号院")
    DwellingFactory()
    response = admin_client.get(url_of(models.Dwelling, "changelist"), {"q": "道南路9号院"})
    assert list(response.context["cl"].result_list) == [dwelling]


def test_dwelling_list_queries_do_not_grow_with_rows(admin_client, django_assert_max_num_queries):
    DwellingFactory.create_batch(30)
    with django_assert_max_num_queries(10):
        admin_client.get(url_of(models.Dwelling, "changelist"))


def test_owner_list_does_not_show_id_numbers(admin_client):
    owner = OwnershipFactory().owner
    html = admin_client.get(url_of(models.Owner, "changelist")).content.decode()
    assert reveal(owner.id_number) not in html
    assert str(owner.id_number) in html, "the list shows it masked"


def test_owner_can_be_found_by_the_whole_id_number(admin_client):
    owner = OwnershipFactory().owner
    response = admin_client.get(url_of(models.Owner, "changelist"), {"q": reveal(owner.id_number)})
    assert list(response.context["cl"].result_list) == [owner]


def test_owner_is_not_found_by_a_fragment_of_the_id_number(admin_client):
    owner = OwnershipFactory(owner__name="张三").owner
    response = admin_client.get(
        url_of(models.Owner, "changelist"), {"q": reveal(owner.id_number)[6:14]}
    )
    assert list(response.context["cl"].result_list) == []


def test_non_staff_user_cannot_open_the_admin(client):
    client.force_login(get_user_model().objects.create_user("clerk", password="x-long-pass-1"))
    response = client.get(url_of(models.Compound, "changelist"))
    assert response.status_code == 302

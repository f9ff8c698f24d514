"""The renewal admin: catalogue editable, projects and sign-offs read-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from linli.renewal import models as m
from linli.renewal.gates import Stage
from linli.renewal.tests import factories as f

pytestmark = pytest.mark.django_db

MODELS = [m.LocalTag, m.OutputIndicator, m.CatalogueItem, m.ReviewRule, m.Project, m.Review]


@pytest.fixture
def admin_client_with_project(admin_client):
    f.project_ready_for(Stage.JOINT_REVIEW)
    return admin_client


@pytest.mark.parametrize("model", MODELS, ids=lambda x: x.__name__)
def test_every_renewal_changelist_opens(admin_client_with_project, model):
    url = reverse(f"admin:renewal_{model._meta.model_name}_changelist")
    assert admin_client_with_project.get(url).status_code == 200


def test_a_catalogue_item_can_be_edited_in_the_admin(admin_client):
    item = m.CatalogueItem.objects.get(code="B06")
    url = reverse("admin:renewal_catalogueitem_change", args=[item.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert b'name="name"' in page.content


def test_a_project_is_shown_but_cannot_be_changed_in_the_admin(admin_client_with_project):
    project = m.Project.objects.get()
    url = reverse("admin:renewal_project_change", args=[project.pk])
    page = admin_client_with_project.get(url)
    assert page.status_code == 200
    assert project.name.encode() in page.content
    assert admin_client_with_project.post(url, {"name": "改名"}).status_code == 403
    assert admin_client_with_project.get(reverse("admin:renewal_project_add")).status_code == 403

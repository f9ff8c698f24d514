"""Renewal writes land in the audit trail, placed in the project's compound."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from linli.accounts.roles import Role
from linli.core.models import AuditEvent
from linli.registry.tests.factories import CompoundFactory
from linli.renewal.gates import Stage
from linli.renewal.tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_transition_through_the_api_is_audited_with_actor_and_compound():
    compound = CompoundFactory()
    project = f.ProjectFactory(compounds=[compound])
    office = f.user_with_role(
        Role.DISTRICT_OFFICE, district=compound.community.subdistrict.district
    )
    client = APIClient()
    client.force_authenticate(office)
    response = client.post(f"/api/v1/projects/{project.pk}/transition/", {"to": "design"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(
        model_label="renewal.project", object_id=str(project.pk), action="update"
    )
    assert event.changes["stage"] == [Stage.APPLICATION, Stage.DESIGN]
    assert event.compound_id == compound.pk
    assert event.actor_username == office.username
    logged = AuditEvent.objects.filter(model_label="renewal.transition", action="create")
    assert logged.filter(compound_id=compound.pk).count() == 2  # creation and the move

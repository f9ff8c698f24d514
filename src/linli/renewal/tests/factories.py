"""factory_boy factories for the renewal app, plus users bound to roles."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from linli.accounts.models import RoleAssignment
from linli.registry import models as registry
from linli.registry.tests.factories import CompoundFactory, DistrictFactory
from linli.renewal import models as m
from linli.renewal import services


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n + 1}")
    # Unusable (no hashing: Argon2 costs half a second); tests log in with force_login.
    password = "!"


def user_with_role(role: str, **jurisdiction: Any) -> Any:
    """A user holding one role assignment bound to ``jurisdiction`` (e.g. ``community=c``)."""
    user = UserFactory()
    RoleAssignment.objects.create(user=user, role=role, **jurisdiction)
    return user


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = registry.Organisation

    kind = registry.OrganisationKind.DEPARTMENT
    name = factory.Sequence(lambda n: f"测试单位{n + 1}")
    district = factory.SubFactory(DistrictFactory)


class OutputIndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.OutputIndicator

    code = factory.Sequence(lambda n: f"ind{n + 1}")
    name = factory.Sequence(lambda n: f"测试指标{n + 1}")
    unit = m.Unit.PIECE


class CatalogueItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.CatalogueItem

    code = factory.Sequence(lambda n: f"T{n + 1:03d}")
    name = factory.Sequence(lambda n: f"测试改造内容{n + 1}")
    category = m.ContentCategory.BASIC
    unit = m.Unit.ITEM


class ReviewRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.ReviewRule

    applies_to = m.RuleScope.ITEM
    item = factory.SubFactory(CatalogueItemFactory)
    department = factory.SubFactory(OrganisationFactory)
    workdays = 5


class ProjectFactory(factory.django.DjangoModelFactory):
    """A project at the application stage, through the service (stage records and all)."""

    class Meta:
        model = m.Project

    code = factory.Sequence(lambda n: f"P{n + 1:04d}")
    name = factory.Sequence(lambda n: f"测试改造项目{n + 1}")
    year = 2026

    @classmethod
    def _create(cls, model_class: type[m.Project], *args: Any, **kwargs: Any) -> m.Project:
        compounds = kwargs.pop("compounds", None) or [CompoundFactory()]
        return services.create_project(compounds=compounds, **kwargs)


def document(name: str = "decision.pdf") -> ContentFile:
    """A small uploaded document."""
    return ContentFile(b"%PDF-1.4 test document", name=name)


def project_ready_for(stage: str, **kwargs: Any) -> m.Project:
    """A project brought (through the services) to ``stage`` with every gate satisfied.

    Joint review: one item whose rule names a department; that department approves.
    """
    by = kwargs.pop("by", None)
    project = ProjectFactory(**kwargs)
    order = list(m.Stage)
    target = order.index(m.Stage(stage))

    def reach(s: m.Stage) -> bool:
        return target >= order.index(s)

    if reach(m.Stage.DESIGN):
        services.advance_stage(project=project, to=m.Stage.DESIGN, by=by)
        rule = ReviewRuleFactory()
        services.add_item(
            project=project, item=rule.item, quantity=Decimal("1"), budget=Decimal("100000.00")
        )
    if reach(m.Stage.DECISION):
        services.advance_stage(project=project, to=m.Stage.DECISION, by=by)
        services.record_decision(
            project=project,
            decided_on=project.created_at.date(),
            approval_share=Decimal("92.50"),
            document=document(),
            by=by,
        )
    if reach(m.Stage.JOINT_REVIEW):
        services.request_joint_review(project=project, by=by)
    if reach(m.Stage.TENDER):
        for review in project.reviews.filter(round=project.review_round):
            services.decide_review(review=review, decision=services.APPROVE, by=_superuser())
        services.advance_stage(project=project, to=m.Stage.TENDER, by=by)
    if reach(m.Stage.WORKS):
        services.update_project(
            project=project,
            construction_firm=OrganisationFactory(kind=registry.OrganisationKind.CONSTRUCTION),
        )
        services.advance_stage(project=project, to=m.Stage.WORKS, by=by)
    if reach(m.Stage.COMPLETED):
        services.set_progress(project=project, percent=Decimal("100"))
        services.advance_stage(project=project, to=m.Stage.COMPLETED, by=by)
    if reach(m.Stage.ACCEPTANCE):
        services.record_acceptance(
            project=project,
            accepted_on=project.created_at.date(),
            satisfaction_percent=Decimal("95"),
            document=document("acceptance.pdf"),
        )
        services.advance_stage(project=project, to=m.Stage.ACCEPTANCE, by=by)
    if reach(m.Stage.HANDED_OVER):
        services.update_project(project=project, aftercare_owner_name="居民自管委员会")
        services.advance_stage(project=project, to=m.Stage.HANDED_OVER, by=by)
    project.refresh_from_db()
    return project


def _superuser() -> Any:
    return UserFactory(username="renewal-superuser", is_superuser=True, is_staff=True)

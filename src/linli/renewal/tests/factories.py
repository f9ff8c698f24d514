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
from linli.renewal.services.common import today


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
        services.record_progress_report(
            project=project,
            reported_on=today(),
            percents={item.pk: Decimal("100") for item in project.items.all()},
            by=by,
        )
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


# --- Supervision (督办) ---------------------------------------------------------------------


def project_with_chain(stage: str = "design", **kwargs: Any) -> m.Project:
    """A project brought to ``stage`` with a responsible person at each level of the chain
    (users named ``<level>-contact-<n>``); pass ``community_contact=None`` etc. to leave one out."""
    project = project_ready_for(
        stage, **{k: v for k, v in kwargs.items() if not k.endswith(("_contact", "zone_lead"))}
    )
    n = project.pk
    contacts = {
        "community_contact": UserFactory(username=f"community-contact-{n}"),
        "subdistrict_contact": UserFactory(username=f"subdistrict-contact-{n}"),
        "zone_lead": UserFactory(username=f"zone-lead-{n}"),
        "district_contact": UserFactory(username=f"district-contact-{n}"),
    }
    contacts.update({k: v for k, v in kwargs.items() if k in contacts})
    services.update_project(project=project, **contacts)
    project.refresh_from_db()
    return project


def plan(project: m.Project, stage: str, *, start: Any = None, end: Any = None) -> m.StageRecord:
    """Set a stage's planned dates through the service."""
    record = project.stages.get(stage=stage)
    return services.plan_stage(record=record, planned_start=start, planned_end=end)


# --- Progress (进度) --------------------------------------------------------------------------


class ProjectItemFactory(factory.django.DjangoModelFactory):
    """An item of a project (tests put extra items on a project already in works)."""

    class Meta:
        model = m.ProjectItem

    project = factory.SubFactory(ProjectFactory)
    item = factory.SubFactory(CatalogueItemFactory)
    quantity = Decimal("1")
    budget = Decimal("100000.00")


def project_in_works(*budgets: str, **kwargs: Any) -> m.Project:
    """A project in works whose items have these budgets (yuan; the first is the item
    ``project_ready_for`` planned, the others are added)."""
    project = project_ready_for(m.Stage.WORKS, **kwargs)
    first, *others = budgets or ("100000.00",)
    project.items.update(budget=Decimal(first))
    for budget in others:
        ProjectItemFactory(project=project, budget=Decimal(budget))
    return project


def jpeg(
    *,
    taken: str | None = None,
    offset: str | None = None,
    modified: str | None = None,
    gps: dict[int, Any] | None = None,
    name: str = "site.jpg",
    size: tuple[int, int] = (32, 24),
) -> Any:
    """A small JPEG made by Pillow with the given EXIF: ``taken`` (DateTimeOriginal,
    ``YYYY:MM:DD HH:MM:SS``), ``offset`` (OffsetTimeOriginal), ``modified`` (DateTime) and a
    raw GPS IFD (tag → value)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import ExifTags, Image

    exif = Image.Exif()
    if modified is not None:
        exif[0x0132] = modified
    details = exif.get_ifd(ExifTags.IFD.Exif)
    if taken is not None:
        details[0x9003] = taken
    if offset is not None:
        details[0x9011] = offset
    if gps:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(gps)
    buffer = io.BytesIO()
    Image.new("RGB", size, (120, 160, 90)).save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")

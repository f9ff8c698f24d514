"""The access matrix: every demo role against every list and detail endpoint and page.

Cases are generated, not listed: from the DRF router (every list and detail endpoint under
/api/v1/) and from Django's URL resolver (every page of the registry and web apps whose only
argument is an integer ``pk``; each must name its model, or the test fails). A new endpoint or
page is covered the day it is added. For every demo role:

* a list holds only rows of ``scoped(Model, user)``, and something when that is not empty;
* a detail outside the scope answers 404, exactly as a missing id does; one inside answers 200.

``scoped`` is the rules' answer, so the explicit tests at the end check the rules themselves
against what each role is meant to see, computed straight from the registry.

The data is one small demo (``--compounds 40``: both named compounds, two zones) plus the
demo accounts plus the demo renovation projects over those compounds (``linli renewal demo``,
then the supervision check) plus the consultation demo (``linli consultation demo``) plus the elevator demo
(``linli elevators demo``: cases, votes, an after-care asset) plus a corner of another district (老城区) that no demo role holds. It is built
once for the module inside a transaction that is rolled back afterwards; each test runs in a
savepoint inside it.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Count
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.views.generic.list import MultipleObjectMixin
from rest_framework.test import APIClient

import linli.urls  # noqa: F401  (every app's api module registers on the router)
from linli.accounts.demo import USERNAMES, ensure_demo_accounts
from linli.accounts.models import RoleAssignment
from linli.consultation import demo as consultation_demo
from linli.consultation.vote_reads import vote_compounds
from linli.core.api import router
from linli.core.scoping import rule_for, scoped
from linli.elevators import demo as elevators_demo
from linli.elevators.models import ElevatorCase
from linli.registry import demo
from linli.registry.models import (
    Compound,
    Dwelling,
    Household,
    ManagementMode,
    Ownership,
    RenovationStatus,
    Resident,
    Zone,
)
from linli.registry.models_upload import RegistryUpload, UploadStatus
from linli.registry.tests import factories as f
from linli.renewal import demo as renewal_demo
from linli.renewal.services.supervision import run_supervision_check

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("matrix")]

ROLES = tuple(name for name in USERNAMES if name != "admin")
#: Pages of these modules are in the matrix (the apps this access layer covers so far).
PAGE_MODULES = (
    "linli.registry.",
    "linli.web.",
    "linli.renewal.",
    "linli.consultation.",
    "linli.elevators.",
    "linli.aftercare.",
    "linli.core.",
)
FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DAONAN, KAIXUAN = "道南路70号院", "凯旋东路43号院"
_MATRIX_NOW = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)


# --- the cases ---------------------------------------------------------------------------------


def _model_of_viewset(viewset: Any) -> type[models.Model]:
    return viewset.queryset.model


#: Endpoints that answer figures computed over the caller's scope rather than rows of one
#: model. Each must be declared here with the test that proves its figures are scoped; an
#: undeclared endpoint without a model queryset fails below.
AGGREGATE_ENDPOINTS = {
    "coverage": "src/linli/consultation/tests/test_visit_services.py (coverage shows only the "
    "compounds the user holds as staff) and test_visit_api.py (an outsider gets 404)",
    "indicators": "src/linli/renewal/tests/test_indicators.py (a community user's figures count "
    "only its projects)",
}
#: Endpoints that serve generated files of one row (no list). Each must be declared here with the
#: tests that prove a caller outside the row's reach gets 404.
FILE_ENDPOINTS = {
    "elevator-documents": "src/linli/elevators/tests/test_document_access.py (staff of another "
    "compound, a neighbour and a resident outside the pool get 404)",
}
ALL_API = {prefix: viewset for prefix, viewset, _basename in router.registry}
API = {
    prefix: viewset
    for prefix, viewset in ALL_API.items()
    if prefix not in AGGREGATE_ENDPOINTS and prefix not in FILE_ENDPOINTS
}
API_CASES = [(role, prefix) for role in ROLES for prefix in API]


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def _pk_pages() -> dict[str, URLPattern]:
    """Routes whose only argument is an integer pk, served by registry or web views."""
    pages = {}
    for route, pattern in _walk(get_resolver().url_patterns):
        converters = pattern.pattern.converters
        if set(converters) != {"pk"} or not isinstance(converters["pk"], IntConverter):
            continue
        if pattern.callback.__module__.startswith(PAGE_MODULES):
            pages[route] = pattern
    return pages


def _list_pages() -> dict[str, URLPattern]:
    """Routes without arguments whose view lists rows (a ListView or FilterView)."""
    pages = {}
    for route, pattern in _walk(get_resolver().url_patterns):
        view = getattr(pattern.callback, "view_class", None)
        if (
            not pattern.pattern.converters
            and pattern.callback.__module__.startswith(PAGE_MODULES)
            and view is not None
            and issubclass(view, MultipleObjectMixin)
        ):
            pages[route] = pattern
    return pages


PK_PAGES = _pk_pages()
LIST_PAGES = _list_pages()
#: List pages that show a chosen part of the role's rows, not all of them (still only rows of
#: the scope): each with what it shows.
FILTERED_LIST_PAGES = {
    "renewal/reviews/": "the sign-offs waiting for the user (pending, theirs to give)",
    "renewal/supervision/": "the open supervision items of the user's level of the chain "
    "(every item in scope for roles without a level)",
}
#: Forms allowed in some statuses of their row only: in the others they return (302) to the
#: row's page named here, with a message.
STATUS_GATED_PAGES = {
    f"elevators/<int:pk>/{form}/": "elevators/<int:pk>/"
    for form in ("plan", "pool", "votes", "cancel", "handover", "running-costs")
}
#: List pages only for staff over whole compounds: other roles get 403 (each with why).
STAFF_LIST_PAGES = {
    "elevators/": "retrofit cases are run by community, sub-district and district staff; "
    "residents follow their own case on /me/ (docs/elevators.md, Pages)",
}
PAGE_CASES = [(role, route) for role in ROLES for route in PK_PAGES]


def page_model(pattern: URLPattern) -> type[models.Model] | None:
    """The model a page's pk refers to: ``model``, else ``queryset`` or ``parent_queryset``."""
    view = getattr(pattern.callback, "view_class", None)
    if view is None:
        return None
    for klass in view.__mro__:
        declared = klass.__dict__.get("model")
        if isinstance(declared, type) and issubclass(declared, models.Model):
            return declared
    for attribute in ("queryset", "parent_queryset"):
        queryset = getattr(view, attribute, None)
        if queryset is not None:
            return queryset.model
    return None


def page_method(pattern: URLPattern) -> str:
    view = pattern.callback.view_class
    return "get" if "get" in view.http_method_names and hasattr(view, "get") else "post"


def page_url(route: str, pk: int) -> str:
    url = "/" + route.replace("<int:pk>", str(pk))
    assert "<" not in url, route
    return url


# --- the world ---------------------------------------------------------------------------------


@dataclass
class World:
    """Handles on the module's data."""

    elsewhere: Compound  # a compound of 老城区, outside every demo role

    def user(self, username: str) -> Any:
        # A fresh object per test: scopes are cached on the user object.
        return get_user_model().objects.get(username=username)


@pytest.fixture(scope="module")
def matrix_media(tmp_path_factory: Any) -> Any:
    """The module's media folder: the demo projects' documents are stored there."""
    return tmp_path_factory.mktemp("matrix-media")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, matrix_media: Any) -> None:
    # Replaces the project-wide per-test folder, so the pages find the demo's documents.
    settings.MEDIA_ROOT = matrix_media


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any, matrix_media: Any) -> Iterator[World]:
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHING, MEDIA_ROOT=matrix_media),
        transaction.atomic(),
    ):
        demo.build(compounds=40)
        ensure_demo_accounts(password="matrix-demo-pass-4103")
        renewal_demo.build(as_of=datetime.date(2026, 11, 20))
        run_supervision_check(today=datetime.date(2026, 11, 20))  # supervision items
        consultation_demo.build_demo(now=_MATRIX_NOW)  # surveys, visits, meetings, votes
        elevators_demo.build_demo(now=_MATRIX_NOW)  # elevator cases, an after-care asset
        world = World(elsewhere=_another_district())
        _uploads()
        yield world
        transaction.set_rollback(True)  # nothing of it outlives the module


def _another_district() -> Compound:
    """One of everything in 老城区 (410302), which no demo account holds."""
    district = f.DistrictFactory(code="410302", name="老城区")
    subdistrict = f.SubdistrictFactory(district=district, code="410302001", name="西关街道")
    community = f.CommunityFactory(subdistrict=subdistrict, name="西关社区")
    company = f.OrganisationFactory(district=district, name="老城物业有限公司")
    compound = f.CompoundFactory(
        community=community,
        name="西关1号院",
        property_company=company,
        management_mode=ManagementMode.PROFESSIONAL,
    )
    dwelling = f.DwellingFactory(stairwell__building__compound=compound)
    f.OwnershipFactory(dwelling=dwelling)
    f.ResidentFactory(household=f.HouseholdFactory(dwelling=dwelling))
    return compound


def _uploads() -> None:
    """A workbook upload each for the two roles that may import, and one by the superuser."""
    for username in ("admin", "demo-district", "demo-subdistrict"):
        RegistryUpload.objects.create(
            file="uploads/registry/matrix.xlsx",
            original_name=f"{username}.xlsx",
            uploaded_by=get_user_model().objects.get(username=username),
            status=UploadStatus.APPLIED,
        )


def api_as(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def rows_of(body: Any) -> list[dict[str, Any]]:
    return body["results"] if isinstance(body, dict) else body


def inside(model: type[models.Model], user: Any) -> models.Model | None:
    return scoped(model, user).order_by("pk").first()


def outside(model: type[models.Model], user: Any) -> models.Model | None:
    visible = scoped(model, user).values("pk")
    return model._default_manager.exclude(pk__in=visible).order_by("pk").first()


def missing_pk(model: type[models.Model]) -> int:
    highest = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
    return (highest or 0) + 1_000_000


# --- every endpoint and page declares what it shows --------------------------------------------


@pytest.mark.parametrize("prefix", API)
def test_every_api_endpoint_shows_a_model_with_a_scope_rule(prefix):
    rule_for(_model_of_viewset(API[prefix]))  # raises ImproperlyConfigured when missing


@pytest.mark.parametrize("route", PK_PAGES)
def test_every_page_with_a_pk_names_a_model_with_a_scope_rule(route):
    model = page_model(PK_PAGES[route])
    assert model is not None, f"/{route}: declare the model its pk refers to (view.model)"
    rule_for(model)


def test_the_matrix_covers_the_registry_pages_and_endpoints():
    assert {"compounds", "dwellings", "owners", "residents", "organisations"} <= set(API)
    assert "registry/dwellings/<int:pk>/" in PK_PAGES
    assert "registry/compounds/" in LIST_PAGES


# --- the API -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "prefix"), API_CASES)
def test_api_list_holds_only_rows_of_the_roles_scope(world, role, prefix):
    user = world.user(role)
    allowed = set(scoped(_model_of_viewset(API[prefix]), user).values_list("pk", flat=True))
    client = api_as(user)
    first = client.get(f"/api/v1/{prefix}/", {"page_size": 500})
    assert first.status_code == 200, first.content
    body = first.json()
    seen = {row["id"] for row in rows_of(body)}
    if isinstance(body, dict) and body.get("next"):
        last = client.get(f"/api/v1/{prefix}/", {"page_size": 500, "page": "last"})
        seen |= {row["id"] for row in rows_of(last.json())}
    assert seen <= allowed
    count = body["count"] if isinstance(body, dict) else len(body)
    assert count <= len(allowed)
    assert bool(count) == bool(allowed)


@pytest.mark.parametrize(("role", "prefix"), API_CASES)
def test_api_detail_outside_the_roles_scope_answers_404(world, role, prefix):
    user = world.user(role)
    model = _model_of_viewset(API[prefix])
    row = outside(model, user)
    if row is None:
        pytest.skip(f"no {model.__name__} outside {role}'s scope in the matrix data")
    response = api_as(user).get(f"/api/v1/{prefix}/{row.pk}/")
    assert response.status_code == 404
    assert response.json() == api_as(user).get(f"/api/v1/{prefix}/{missing_pk(model)}/").json()


@pytest.mark.parametrize(("role", "prefix"), API_CASES)
def test_api_detail_inside_the_roles_scope_answers_200(world, role, prefix):
    user = world.user(role)
    model = _model_of_viewset(API[prefix])
    row = inside(model, user)
    if row is None:
        pytest.skip(f"{role} sees no {model.__name__} in the matrix data")
    response = api_as(user).get(f"/api/v1/{prefix}/{row.pk}/")
    assert response.status_code == 200
    assert response.json()["id"] == row.pk


@pytest.mark.parametrize("prefix", API)
def test_anonymous_callers_get_no_list(world, prefix):
    assert APIClient().get(f"/api/v1/{prefix}/").status_code in (401, 403)


# --- pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "route"), PAGE_CASES)
def test_page_of_an_object_outside_the_roles_scope_answers_404(world, client, role, route):
    pattern = PK_PAGES[route]
    model = page_model(pattern)
    assert model is not None
    user = world.user(role)
    row = outside(model, user)
    if row is None:
        pytest.skip(f"no {model.__name__} outside {role}'s scope in the matrix data")
    client.force_login(user)
    send = getattr(client, page_method(pattern))
    status = send(page_url(route, row.pk)).status_code
    missing = send(page_url(route, missing_pk(model))).status_code
    # 404; or 403 for every id alike when the role may not use the page at all (the import
    # pages need the import permission): either way nothing tells the row exists.
    assert status == 404 or status == missing == 403


@pytest.mark.parametrize(("role", "route"), PAGE_CASES)
def test_page_of_an_object_inside_the_roles_scope_answers_200(world, client, role, route):
    pattern = PK_PAGES[route]
    if page_method(pattern) != "get":
        pytest.skip("a POST-only page changes data; only its out-of-scope answer is checked")
    model = page_model(pattern)
    assert model is not None
    user = world.user(role)
    row = inside(model, user)
    if row is None:
        pytest.skip(f"{role} sees no {model.__name__} in the matrix data")
    client.force_login(user)
    response = client.get(page_url(route, row.pk))
    if route in STATUS_GATED_PAGES and response.status_code == 302:
        # A form the row's status does not allow sends the user back to the row's own page.
        assert response["Location"] == page_url(STATUS_GATED_PAGES[route], row.pk)
        return
    if response.status_code == 403:
        # Allowed when the role may see the row but not change it (docs/renewal.md "Access":
        # visible but not writable is 403, which tells nothing the row's own page does not);
        # otherwise the page must refuse every id alike.
        change = f"{model._meta.app_label}.change_{model._meta.model_name}"
        if not scoped(model, user, change).filter(pk=row.pk).exists():
            return
        missing = client.get(page_url(route, missing_pk(model))).status_code
        assert missing == 403, "a page refused for one object must be refused for every id"
        return
    assert response.status_code == 200
    # The rows a page lists under its object (a compound's buildings ...) are in scope too.
    listed = response.context.get("object_list") if response.context else None
    shown = list(listed or [])
    if shown:
        allowed = scoped(type(shown[0]), user).values_list("pk", flat=True)
        assert {obj.pk for obj in shown} <= set(allowed)


@pytest.mark.parametrize(("role", "route"), [(r, p) for r in ROLES for p in LIST_PAGES])
def test_list_page_holds_only_rows_of_the_roles_scope(world, client, role, route):
    user = world.user(role)
    client.force_login(user)
    response = client.get("/" + route)
    if route in STAFF_LIST_PAGES and not vote_compounds(user).exists():
        assert response.status_code == 403
        return
    assert response.status_code == 200
    listed = response.context["object_list"]
    model = listed.model
    allowed = set(scoped(model, user).values_list("pk", flat=True))
    assert {obj.pk for obj in listed} <= allowed
    if route not in FILTERED_LIST_PAGES:
        assert response.context["paginator"].count == len(allowed)


@pytest.mark.parametrize("route", PK_PAGES)
def test_anonymous_visitors_are_sent_to_log_in(world, client, route):
    pattern = PK_PAGES[route]
    model = page_model(pattern)
    assert model is not None
    row = model._default_manager.order_by("pk").first()
    response = getattr(client, page_method(pattern))(page_url(route, row.pk if row else 1))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- what each role is meant to see, computed without the rules ---------------------------------


def compound_names(client: Any) -> list[str]:
    response = client.get("/api/v1/compounds/", {"page_size": 500})
    return sorted(row["name"] for row in response.json()["results"])


def test_the_property_company_sees_exactly_kaixuan_road_43(world):
    client = api_as(world.user("demo-property"))
    assert compound_names(client) == [KAIXUAN]


def test_the_community_sees_only_the_compounds_of_its_community(world):
    daonan = Compound.objects.get(name=DAONAN)
    expected = sorted(
        Compound.objects.filter(community=daonan.community).values_list("name", flat=True)
    )
    assert DAONAN in expected
    assert compound_names(api_as(world.user("demo-community"))) == expected


def test_the_zone_lead_sees_only_the_compounds_of_its_zone(world):
    daonan = Compound.objects.get(name=DAONAN)
    expected = sorted(Compound.objects.filter(zone=daonan.zone).values_list("name", flat=True))
    assert len(expected) < Compound.objects.count()
    assert compound_names(api_as(world.user("demo-zone"))) == expected


def test_the_sub_district_sees_only_the_compounds_of_its_sub_district(world):
    daonan = Compound.objects.get(name=DAONAN)
    expected = Compound.objects.filter(community__subdistrict=daonan.community.subdistrict)
    names = sorted(expected.values_list("name", flat=True))
    assert compound_names(api_as(world.user("demo-subdistrict"))) == names


def test_the_district_office_sees_its_district_and_not_another(world):
    names = compound_names(api_as(world.user("demo-district")))
    expected = Compound.objects.filter(community__subdistrict__district__code="410303")
    assert names == sorted(expected.values_list("name", flat=True))
    assert world.elsewhere.name not in names


def test_the_department_sees_every_compound_of_the_district_but_changes_none(world):
    client = api_as(world.user("demo-department"))
    expected = Compound.objects.filter(community__subdistrict__district__code="410303")
    assert compound_names(client) == sorted(expected.values_list("name", flat=True))
    daonan = Compound.objects.get(name=DAONAN)
    response = client.patch(f"/api/v1/compounds/{daonan.pk}/", {"name": "改名"}, format="json")
    assert response.status_code == 403
    assert Compound.objects.get(pk=daonan.pk).name == DAONAN


def _resident() -> tuple[Any, list[Dwelling]]:
    assignments = RoleAssignment.objects.filter(user__username="demo-resident")
    return assignments[0].user, [a.dwelling for a in assignments]


def _ids(client: Any, prefix: str) -> set[int]:
    response = client.get(f"/api/v1/{prefix}/", {"page_size": 500})
    return {row["id"] for row in response.json()["results"]}


def test_the_resident_sees_exactly_its_own_dwellings(world):
    user, dwellings = _resident()
    assert _ids(api_as(user), "dwellings") == {d.pk for d in dwellings}


def test_the_resident_sees_exactly_its_own_household(world):
    user, dwellings = _resident()
    own = set(Household.objects.filter(dwelling__in=dwellings).values_list("pk", flat=True))
    assert own
    assert _ids(api_as(user), "households") == own


def test_the_resident_sees_exactly_its_own_ownerships(world):
    user, dwellings = _resident()
    own = set(Ownership.objects.filter(dwelling__in=dwellings).values_list("pk", flat=True))
    assert _ids(api_as(user), "ownerships") == own
    names = {row["name"] for row in api_as(user).get("/api/v1/owners/").json()["results"]}
    assert user.first_name in names


def test_the_resident_does_not_see_a_neighbours_dwelling_in_its_stairwell(world, client):
    user, dwellings = _resident()
    neighbour = (
        Dwelling.objects.filter(stairwell=dwellings[0].stairwell)
        .exclude(pk__in=[d.pk for d in dwellings])
        .first()
    )
    assert neighbour is not None
    assert api_as(user).get(f"/api/v1/dwellings/{neighbour.pk}/").status_code == 404
    client.force_login(user)
    assert client.get(reverse("registry:dwelling_detail", args=[neighbour.pk])).status_code == 404
    floors = client.get(reverse("registry:stairwell_detail", args=[neighbour.stairwell_id]))
    shown = {d.pk for row in floors.context["floors"] for d in row.dwellings}
    assert shown == {d.pk for d in dwellings if d.stairwell_id == neighbour.stairwell_id}


def test_the_resident_sees_the_compound_around_its_dwelling(world):
    user, _dwellings = _resident()
    assert compound_names(api_as(user)) == [DAONAN]


def test_anonymous_visitors_of_the_dashboard_are_sent_to_log_in(world, client):
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_community_dashboard_shows_only_its_communitys_numbers(world, client):
    community = Compound.objects.get(name=DAONAN).community
    compounds = Compound.objects.filter(community=community)
    renovated = compounds.filter(renovation_status=RenovationStatus.RENOVATED)
    expected = {
        "compounds": compounds.count(),
        "renovated_compounds": renovated.count(),
        "households_benefited": Household.objects.filter(
            dwelling__stairwell__building__compound__in=renovated
        ).count(),
        "people_benefited": Resident.objects.filter(
            household__dwelling__stairwell__building__compound__in=renovated
        ).count(),
        "zones": compounds.aggregate(n=Count("zone", distinct=True))["n"],
    }
    assert expected["compounds"] < Compound.objects.count()
    client.force_login(world.user("demo-community"))
    html = client.get(reverse("web:dashboard")).content.decode()
    shown = {
        name: int(value)
        for name, value in re.findall(r'data-figure="(\w+)" data-value="(\d+)"', html)
    }
    assert shown == expected


def test_the_community_map_feed_holds_only_its_communitys_compounds(world, client):
    community = Compound.objects.get(name=DAONAN).community
    client.force_login(world.user("demo-community"))
    feed = json.loads(client.get(reverse("web:map_geojson")).content)
    names = {feature["properties"]["name"] for feature in feed["features"]}
    expected = Compound.objects.filter(community=community).exclude(longitude=None)
    assert names == set(expected.values_list("name", flat=True))


def test_the_property_companys_api_map_holds_one_compound(world):
    body = api_as(world.user("demo-property")).get("/api/v1/compounds/geojson/").json()
    assert [feature["properties"]["name"] for feature in body["features"]] == [KAIXUAN]


def test_the_compound_list_filters_offer_only_the_communitys_places(world, client):
    community = Compound.objects.get(name=DAONAN).community
    client.force_login(world.user("demo-community"))
    form = client.get(reverse("registry:compound_list")).context["filter"].form
    assert list(form.fields["community"].queryset) == [community]
    assert list(form.fields["subdistrict"].queryset) == [community.subdistrict]
    zones = Zone.objects.filter(compounds__community=community).distinct()
    assert set(form.fields["zone"].queryset) == set(zones)


def test_the_zone_leads_district_page_counts_only_its_zone(world, client):
    daonan = Compound.objects.get(name=DAONAN)
    client.force_login(world.user("demo-zone"))
    district = daonan.community.subdistrict.district
    page = client.get(reverse("registry:district_list"))
    (row,) = [d for d in page.context["object_list"] if d.pk == district.pk]
    assert row.compound_count == Compound.objects.filter(zone=daonan.zone).count()


def test_only_declared_aggregate_endpoints_lack_a_model_queryset():
    without_model = {
        prefix for prefix, viewset in ALL_API.items() if getattr(viewset, "queryset", None) is None
    }
    assert without_model == set(AGGREGATE_ENDPOINTS) | set(FILE_ENDPOINTS)


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", sorted(AGGREGATE_ENDPOINTS))
def test_aggregate_endpoints_refuse_anonymous_callers(prefix):
    response = APIClient().get(f"/api/v1/{prefix}/")
    assert response.status_code in (401, 403)


def test_the_elevator_documents_refuse_anonymous_callers(world):
    case = ElevatorCase.objects.order_by("pk").first()
    assert case is not None
    response = APIClient().get(f"/api/v1/elevator-documents/{case.pk}/")
    assert response.status_code in (401, 403)

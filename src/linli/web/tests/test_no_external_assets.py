"""Nothing we serve points a browser outside the intranet.

Government intranets have no internet: a page that pulls a script, stylesheet, font or tile
from a CDN half-works or hangs. This renders the pages and reads every static file we ship,
and fails on any http(s):// or protocol-relative URL to a host other than the test server,
except for the few listed in ALLOWED with the reason they are never fetched.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse

from linli.registry.tests.factories import (
    DwellingFactory,
    HouseholdFactory,
    OwnershipFactory,
    ResidentFactory,
)

SRC = Path(__file__).resolve().parents[2]  # src/linli
URL = re.compile(r"""(?:https?:)?//[A-Za-z0-9.-]+(?::\d+)?[^\s"'<>()\\]*""")
TEXT_SUFFIXES = {".js", ".mjs", ".css", ".html", ".htm", ".svg", ".json", ".txt", ".map"}

#: (path relative to src/linli, URL) pairs that are allowed, and why none of them is fetched.
ALLOWED: dict[tuple[str, str], str] = {
    ("web/static/vendor/leaflet/leaflet.js", "https://leafletjs.com"): (
        "href of the 'Leaflet' link in the default attribution prefix, a plain text link that "
        "loads nothing; web/map.js turns the attribution prefix off, so it is never shown"
    ),
    (
        "web/static/vendor/leaflet/leaflet.css",
        "https://bugs.chromium.org/p/chromium/issues/detail?id=600120",
    ): "inside a CSS comment explaining a workaround; comments are never fetched",
    (
        "web/static/vendor/leaflet/leaflet.css",
        "https://bugzilla.mozilla.org/show_bug.cgi?id=888319",
    ): "inside a CSS comment explaining a workaround; comments are never fetched",
    ("web/static/vendor/echarts/echarts.min.js", "http://www.apache.org/licenses/LICENSE-2.0"): (
        "the Apache licence header, a comment"
    ),
    (
        "web/static/vendor/echarts/echarts.min.js",
        "https://github.com/ecomfe/zrender/blob/master/LICENSE",
    ): "zrender's licence header, a comment",
}

LOCAL_HOSTS = {"testserver", "localhost", "127.0.0.1"}

#: XML namespace names (inline SVG in our pages and Django's admin, createElementNS in
#: Leaflet): identifiers that look like URLs and are never fetched, allowed anywhere.
XML_NAMESPACES = {
    "http://www.w3.org/2000/svg",
    "http://www.w3.org/1999/xlink",
    "http://www.w3.org/1999/xhtml",
    "http://www.w3.org/2000/xmlns/",
    "http://www.w3.org/XML/1998/namespace",
}

#: ECharts draws symbols given as a string ``"path://<SVG path data>"``: a shape, never fetched.
SYMBOL_PATH = re.compile(r"""["']path:$""")


def external_urls(text: str) -> set[str]:
    """URLs in ``text`` whose host is not the test server (protocol-relative ones included)."""
    found = set()
    for match in URL.finditer(text):
        url = match.group(0)
        if SYMBOL_PATH.search(text, max(0, match.start() - 6), match.start()):
            continue
        host = urlsplit(url if not url.startswith("//") else "http:" + url).hostname or ""
        if host and host not in LOCAL_HOSTS and url not in XML_NAMESPACES:
            found.add(url)
    return found


def shipped_static_files() -> list[Path]:
    return sorted(
        path
        for static_dir in SRC.glob("*/static")
        for path in static_dir.rglob("*")
        if path.is_file() and path.suffix.lower() in TEXT_SUFFIXES
    )


# --- the scanner itself -------------------------------------------------------------------


def test_scanner_finds_a_cdn_script():
    html = '<script src="https://cdn.example.com/leaflet.js"></script>'
    assert external_urls(html) == {"https://cdn.example.com/leaflet.js"}


def test_scanner_finds_a_protocol_relative_stylesheet():
    assert external_urls('<link href="//fonts.example.net/a.css">') == {"//fonts.example.net/a.css"}


def test_scanner_ignores_the_test_server():
    assert external_urls('<a href="http://testserver/api/v1/">') == set()


def test_scanner_ignores_xml_namespaces():
    assert external_urls('<svg xmlns="http://www.w3.org/2000/svg"></svg>') == set()


def test_scanner_ignores_echarts_symbol_paths():
    assert external_urls('{handleIcon:"path://M-9.35,34.56V42m0-40Z"}') == set()


def test_scanner_still_finds_a_url_after_a_scheme_ending_in_path():
    assert external_urls('a="xpath://cdn.example.com/x.js"') == {"//cdn.example.com/x.js"}


def test_scanner_ignores_relative_paths():
    assert external_urls('<img src="/static/web/a.png"><a href="../b/">') == set()


# --- static files -------------------------------------------------------------------------


def test_echarts_is_shipped_with_its_licence_notice_and_provenance():
    echarts = SRC / "web/static/vendor/echarts"
    for name in ["echarts.min.js", "LICENSE", "NOTICE", "README"]:
        assert (echarts / name).is_file(), name
    assert "6.1.0" in (echarts / "README").read_text(encoding="utf-8")


def test_leaflet_is_shipped_with_its_licence():
    leaflet = SRC / "web/static/vendor/leaflet"
    for name in ["leaflet.js", "leaflet.css", "LICENSE", "images/marker-icon.png"]:
        assert (leaflet / name).is_file(), name


@pytest.mark.parametrize(
    "path", shipped_static_files(), ids=lambda path: str(path.relative_to(SRC))
)
def test_static_file_points_nowhere_outside(path):
    relative = str(path.relative_to(SRC))
    found = external_urls(path.read_text(encoding="utf-8", errors="replace"))
    unexpected = {url for url in found if (relative, url) not in ALLOWED}
    assert not unexpected, f"{relative} refers to outside hosts: {sorted(unexpected)}"


def test_every_allowed_url_is_still_there():
    # A stale exception would hide the next real problem in the same file.
    for relative, url in ALLOWED:
        assert url in (SRC / relative).read_text(encoding="utf-8"), (relative, url)


# --- rendered pages -----------------------------------------------------------------------

PAGES_WITHOUT_ARGUMENTS = [
    "login",
    "web:dashboard",
    "web:map",
    "web:map_geojson",
    "registry:district_list",
    "registry:compound_list",
    "api-docs",
    "admin:index",
    "admin:registry_compound_changelist",
    "admin:registry_compound_add",
    "admin:registry_dwelling_changelist",
    "admin:registry_owner_changelist",
    "registry_import:upload",
]


@pytest.fixture
def staff_client(client, db):
    admin = get_user_model().objects.create_superuser("root", password="a-long-password-1")
    client.force_login(admin)
    return client


@pytest.fixture
def dwelling(db):
    dwelling = DwellingFactory()
    OwnershipFactory(dwelling=dwelling)
    ResidentFactory(household=HouseholdFactory(dwelling=dwelling))
    return dwelling


def rendered(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("name", PAGES_WITHOUT_ARGUMENTS)
def test_page_points_nowhere_outside(staff_client, dwelling, name):
    try:
        url = reverse(name)
    except NoReverseMatch:
        pytest.skip(f"{name} is not wired yet")
    assert external_urls(rendered(staff_client, url)) == set()


def test_anonymous_login_page_points_nowhere_outside(client):
    assert external_urls(rendered(client, reverse("login"))) == set()


def test_registry_pages_point_nowhere_outside(staff_client, dwelling):
    stairwell = dwelling.stairwell
    building = stairwell.building
    compound = building.compound
    community = compound.community
    pages = [
        reverse("registry:district_detail", args=[community.subdistrict.district_id]),
        reverse("registry:subdistrict_detail", args=[community.subdistrict_id]),
        reverse("registry:community_detail", args=[community.pk]),
        reverse("registry:compound_detail", args=[compound.pk]),
        reverse("registry:building_detail", args=[building.pk]),
        reverse("registry:stairwell_detail", args=[stairwell.pk]),
        reverse("registry:dwelling_detail", args=[dwelling.pk]),
        reverse("admin:registry_dwelling_change", args=[dwelling.pk]),
    ]
    offending = {url: external_urls(rendered(staff_client, url)) for url in pages}
    assert {url: found for url, found in offending.items() if found} == {}


def test_map_with_a_tile_server_adds_only_that_server(staff_client, dwelling, settings):
    settings.LINLI_MAP_TILE_URL = "http://tiles.intra.example/{z}/{x}/{y}.png"
    html = rendered(staff_client, reverse("web:map"))
    assert external_urls(html) == {"http://tiles.intra.example/{z}/{x}/{y}.png"}
